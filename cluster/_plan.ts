// Copyright 2026 the @midstreamer/kit authors. MIT license.
// How a call is cut into shards, on the caller, as the pool cuts it into
// parts: topK and dtwBatch by ranges of patterns, searchSubsequence by
// ranges of window starts (overlapping by query.length - 1 points), and
// correlationMatrix by tiles of the upper triangle. Every shard stays
// within the limits the workers apply (the matching service's, the
// compute budget `maxCells` counted per shard as the service counts a
// request: `cellsOf`, times the values per point), and aims
// at `shardMs` of single-thread work, so that the per-shard coordination
// (about 1 ms here: see the README) costs about 1 % of it. Internal.

import {
  commonDims,
  copyForm,
  type DtwArgs,
  type EncodedSequences,
  listLength,
  packSeries,
  SEARCH_RESET,
  type SearchArgs,
  type SeriesForm,
  seriesForm,
} from "../kernels/internal.ts";
import { cellsOf } from "../service/internal.ts";
import {
  bytesOf,
  encodePatterns,
  encodeSequenceBlock,
  type Limits,
} from "./_blob_format.ts";
import { encodeCutoff } from "./_shards.ts";

/**
 * Single-thread DTW cells per millisecond of the kernels on this kind of
 * machine: a full 500 × 500 DTW takes about 115 µs (2.2e9 cells/s).
 */
export const DTW_CELLS_PER_MS = 2e6;

/**
 * Subsequence-search windows per millisecond: 0.2 to 3 µs a window on a
 * 1-million-point random walk (queries of 64 to 512 points, 10 % bands).
 */
export const SEARCH_WINDOWS_PER_MS = 1000;

/** `correlationWork` units per millisecond (`kernels/_correlation.ts`). */
export const CORRELATION_WORK_PER_MS = 2e6;

/** Points per chunk of a searched series (each a blob, 512 KiB × `dims`). */
export const SERIES_CHUNK = 65536;

/** An input of a call, stored as one blob. */
export interface Blob {
  /** Its bytes (a view of a checked copy of the input), until stored. */
  bytes?: Uint8Array;
  /**
   * Or: encodes it into `scratch` (or a new buffer when that is too
   * small) and returns its bytes, made when it is stored.
   */
  pack?: (scratch: Uint8Array) => Uint8Array;
  /** The bytes `pack` needs. */
  size?: number;
  /** Its SHA-256, once computed. */
  hash?: string;
}

/** A shard before it is enqueued. */
export interface PlannedShard {
  /** Its inputs: indices into the plan's blobs. */
  inputs: number[];
  /** The op's arguments (see `_shards.ts`). */
  args: Record<string, number | string>;
  /** What it adds to the progress. */
  units: number;
}

/** A call cut into shards. */
export interface Plan {
  /** The distinct inputs. */
  blobs: Blob[];
  /**
   * Of them, those stored already, by a pattern set (their `hash` is
   * set): the call holds them while it runs, or fails if they are gone.
   */
  leased?: number[];
  /** The shards, in order. */
  shards: PlannedShard[];
  /** Progress units of the whole call. */
  total: number;
}

/** Checks a series against the cluster's limit on series. */
export function checkLength(
  fn: string,
  name: string,
  points: number,
  limits: Limits,
): void {
  if (points > limits.maxSeriesLength) {
    throw new RangeError(
      `${fn}: ${name} has ${points} points; a cluster's shards keep to the matching service's limits, and its maxSeriesLength is ${limits.maxSeriesLength}`,
    );
  }
}

/**
 * Checks the compute of a shard that cannot be cut (a pair, one pattern,
 * a few windows, a row) against the cluster's `maxCells`.
 */
export function checkCells(
  fn: string,
  what: string,
  cells: number,
  limits: Limits,
): void {
  if (cells > limits.maxCells) {
    throw new RangeError(
      `${fn}: ${what} needs up to ${cells} cells of compute in one shard; a cluster's shards keep to the matching service's limits, and its maxCells is ${limits.maxCells}: narrow the window, or raise limits.maxCells (and the workers' --max-cells)`,
    );
  }
}

/** The band of DTW arguments as `cellsOf` takes it. */
function band(window: number): number | undefined {
  return window < 0 ? undefined : window;
}

/**
 * The series of a `dtw` or `dtwPath` call, checked as the synchronous
 * function checks them and against the cluster's limits, as one shard.
 *
 * @throws {TypeError} as the synchronous functions.
 * @throws {RangeError} as the synchronous functions, and over the limits.
 */
export function planDtwPair(
  fn: "dtw" | "dtwPath",
  a: unknown,
  b: unknown,
  args: Required<DtwArgs>,
  limits: Limits,
): Plan {
  const fa = seriesForm(fn, "a", a), fb = seriesForm(fn, "b", b);
  const dims = commonDims(fn, [["a", fa], ["b", fb]]);
  const x = packSeries(fn, "a", a, fa, dims, args.f32);
  const y = packSeries(fn, "b", b, fb, dims, args.f32);
  checkLength(fn, "a", fa.points, limits);
  checkLength(fn, "b", fb.points, limits);
  const cells = cellsOf(fn, fa.points, fb.points, [], band(args.window));
  checkCells(fn, "the pair", cells * dims, limits);
  return planPair(x.values, y.values, dtwShardArgs(args, dims));
}

/** One shard of the whole inputs: `dtw`, `dtwPath`, `lcs`. */
export function planPair(
  a: ArrayBufferView,
  b: ArrayBufferView,
  args: Record<string, number | string>,
): Plan {
  return {
    blobs: [{ bytes: bytesOf(a) }, { bytes: bytesOf(b) }],
    shards: [{ inputs: [0, 1], args, units: 1 }],
    total: 1,
  };
}

/** The DTW arguments of a shard of series of `dims` values per point. */
export function dtwShardArgs(
  a: Required<DtwArgs>,
  dims: number,
): Record<string, number | string> {
  return {
    window: a.window,
    squared: a.squared,
    cutoff: encodeCutoff(a.cutoff),
    dims,
    independent: a.independent && dims > 1 ? 1 : 0,
    f32: a.f32 ? 1 : 0,
  };
}

/** DTW work of a reference of `n` points against a pattern of `m`. */
function workOf(n: number, m: number, window: number): number {
  const band = window < 0 ? Infinity : Math.max(window, Math.abs(n - m));
  return n * Math.min(m, 2 * band + 1) + 64;
}

/** A list of patterns checked as the synchronous functions check it. */
export interface CheckedPatterns {
  /** The list. */
  list: ArrayLike<unknown>;
  /** The form of each pattern. */
  forms: SeriesForm[];
  /** Values per point (of every pattern, and of the reference if any). */
  dims: number;
}

/**
 * Checks `patterns` (and the forms in `first`, named, which come before
 * them in the messages: the reference) as the synchronous functions check
 * them, every value included, and each against the cluster's limit on
 * series.
 *
 * @throws {TypeError} as the synchronous functions, naming the element.
 * @throws {RangeError} as the synchronous functions, and on a pattern over the cluster's limits.
 */
export function checkPatterns(
  fn: string,
  patterns: unknown,
  f32: boolean,
  limits: Limits,
  first: Array<readonly [string, SeriesForm]> = [],
): CheckedPatterns {
  // As `listForms`, but with no limit on the total: the patterns are
  // packed shard by shard.
  const count = listLength(fn, "patterns", patterns);
  const list = patterns as ArrayLike<unknown>;
  const forms: SeriesForm[] = new Array(count);
  const named = [...first];
  for (let i = 0; i < count; i++) {
    forms[i] = seriesForm(fn, `patterns[${i}]`, list[i]);
    named.push([`patterns[${i}]`, forms[i]]);
  }
  const dims = commonDims(fn, named);
  for (const [name, form] of first) {
    checkLength(fn, name, form.points, limits);
  }
  let longest = 0;
  for (let i = 0; i < count; i++) {
    checkLength(fn, `patterns[${i}]`, forms[i].points, limits);
    longest = Math.max(longest, forms[i].points);
  }
  // Every element is checked now, before anything is sent; the patterns
  // are encoded again, shard by shard, as they are stored.
  const check = f32
    ? new Float32Array(longest * dims)
    : new Float64Array(longest * dims);
  const layout = { point: dims, dim: 1 };
  for (let i = 0; i < count; i++) {
    copyForm(fn, `patterns[${i}]`, list[i], forms[i], check, 0, layout);
  }
  return { list, forms, dims };
}

/** The bytes of a `patterns` blob of `count` patterns of `points` points in all. */
export function patternBlobBytes(
  count: number,
  points: number,
  dims: number,
  f32: boolean,
): number {
  return 8 * (count + 2) + (f32 ? 4 : 8) * dims * points;
}

/**
 * Where the shards of patterns of lengths `lengths` against a reference
 * of `n` points start (and the count, last): a range ends before it would
 * pass `shardMs` of work, the count, byte or cell limit.
 *
 * @throws {RangeError} when a pattern alone is over the byte or cell limit.
 */
export function cutPatterns(
  fn: string,
  lengths: ArrayLike<number>,
  n: number,
  dims: number,
  f32: boolean,
  window: number,
  limits: Limits,
  shardMs: number,
): number[] {
  const count = lengths.length;
  const size = (f32 ? 4 : 8) * dims;
  const target = shardMs * DTW_CELLS_PER_MS;
  const byteBudget = limits.maxRequestBytes - size * n;
  const bounds = [0];
  let from = 0;
  while (from < count) {
    let to = from, points = 0, work = 0, cells = 0;
    while (to < count) {
      const m = lengths[to];
      const bytes = patternBlobBytes(to - from + 1, points + m, dims, f32);
      const c = cellsOf("dtw", n, m, [], band(window)) * dims;
      if (
        to > from &&
        (work >= target || to - from + 1 > limits.maxBatchLength ||
          bytes > byteBudget || cells + c > limits.maxCells)
      ) break;
      if (bytes > byteBudget) {
        throw new RangeError(
          `${fn}: patterns[${to}] and the reference (${
            size * (m + n)
          } bytes) do not fit a shard within the matching service's maxRequestBytes of ${limits.maxRequestBytes}`,
        );
      }
      checkCells(fn, `patterns[${to}] against the reference`, c, limits);
      points += m;
      cells += c;
      work += workOf(n, m, window) * dims;
      to++;
    }
    bounds.push(to);
    from = to;
  }
  return bounds;
}

/**
 * The shards of `dtwBatch` or `topK`: ranges of patterns (each a blob,
 * checked as the synchronous functions check them), every one with the
 * reference, cut by {@linkcode cutPatterns}.
 *
 * @throws {TypeError} as the synchronous functions, naming the element.
 * @throws {RangeError} as the synchronous functions, and on a series or a pattern over the cluster's limits.
 */
export function planPatterns(
  fn: string,
  reference: unknown,
  patterns: unknown,
  args: Required<DtwArgs>,
  limits: Limits,
  shardMs: number,
  extra: (base: number) => Record<string, number | string>,
): Plan {
  const rf = seriesForm(fn, "reference", reference);
  const f32 = args.f32;
  const { list, forms, dims } = checkPatterns(fn, patterns, f32, limits, [[
    "reference",
    rf,
  ]]);
  const ref = packSeries(fn, "reference", reference, rf, dims, f32);
  const lengths = forms.map((f) => f.points);
  const bounds = cutPatterns(
    fn,
    lengths,
    rf.points,
    dims,
    f32,
    args.window,
    limits,
    shardMs,
  );
  const blobs: Blob[] = [{ bytes: bytesOf(ref.values) }];
  const shards: PlannedShard[] = [];
  for (let s = 0; s + 1 < bounds.length; s++) {
    const [a, b] = [bounds[s], bounds[s + 1]];
    let points = 0;
    for (let i = a; i < b; i++) points += lengths[i];
    blobs.push({
      size: patternBlobBytes(b - a, points, dims, f32),
      pack: (scratch) =>
        encodePatterns(fn, "patterns", list, forms, dims, a, b, f32, scratch),
    });
    shards.push({
      inputs: [0, blobs.length - 1],
      args: { ...dtwShardArgs(args, dims), keep: 0, ...extra(a) },
      units: b - a,
    });
  }
  return { blobs, shards, total: forms.length };
}

/** How a stored pattern set lies in Redis (`storePatterns`). */
export interface StoredLayout {
  /** Values per point. */
  dims: number;
  /** Whether its values are f32. */
  f32: boolean;
  /** The points of each pattern. */
  lengths: Uint32Array;
  /** Where each of its blobs starts, and the count, last. */
  bounds: number[];
  /** The SHA-256 of each blob. */
  hashes: string[];
}

/**
 * The shards of `dtwBatch` or `topK` against a stored set: one per blob of
 * the set, each checked against the cluster's limits with this reference
 * (the set was cut for a reference of a given length).
 *
 * @throws {TypeError} as the synchronous functions for the reference.
 * @throws {RangeError} as the synchronous functions, and when the reference with a blob of the set is over the cluster's limits.
 */
export function planStored(
  fn: string,
  reference: unknown,
  set: StoredLayout,
  args: Required<DtwArgs>,
  limits: Limits,
  extra: (base: number) => Record<string, number | string>,
): Plan & { leased: number[] } {
  const rf = seriesForm(fn, "reference", reference);
  const { dims, f32, lengths, bounds, hashes } = set;
  const dimsForm: SeriesForm = { kind: "values", points: 1, dims };
  commonDims(fn, [["reference", rf], ["the stored patterns", dimsForm]]);
  const ref = packSeries(fn, "reference", reference, rf, dims, f32);
  const n = rf.points;
  checkLength(fn, "reference", n, limits);
  const size = (f32 ? 4 : 8) * dims;
  const blobs: Blob[] = [{ bytes: bytesOf(ref.values) }];
  const shards: PlannedShard[] = [];
  const leased: number[] = [];
  for (let s = 0; s + 1 < bounds.length; s++) {
    const [a, b] = [bounds[s], bounds[s + 1]];
    let points = 0, cells = 0;
    for (let i = a; i < b; i++) {
      const c = cellsOf("dtw", n, lengths[i], [], band(args.window)) * dims;
      checkCells(fn, `patterns[${i}] against the reference`, c, limits);
      points += lengths[i];
      cells += c;
    }
    const bytes = patternBlobBytes(b - a, points, dims, f32) + size * n;
    if (bytes > limits.maxRequestBytes || cells > limits.maxCells) {
      throw new RangeError(
        `${fn}: the stored patterns ${a} .. ${b} (one shard) with this reference of ${n} points need ${bytes} bytes and ${cells} cells; a cluster's shards keep to the matching service's limits (maxRequestBytes ${limits.maxRequestBytes}, maxCells ${limits.maxCells}): store the set with options.referenceLength of at least ${n}`,
      );
    }
    blobs.push({ hash: hashes[s] });
    leased.push(blobs.length - 1);
    shards.push({
      inputs: [0, blobs.length - 1],
      args: { ...dtwShardArgs(args, dims), keep: 1, ...extra(a) },
      units: b - a,
    });
  }
  return { blobs, shards, total: lengths.length, leased };
}

/**
 * The shards of `searchSubsequence`: ranges of window starts, multiples of
 * `SEARCH_RESET` long, each with the `m - 1` points after it; the series
 * (`dims` values per point, point-major) is stored once, in chunks of
 * {@linkcode SERIES_CHUNK} points, and each shard names the chunks its
 * range spans.
 *
 * @throws {RangeError} when the query is too long for a shard within the limits.
 */
export function planSearch(
  fn: string,
  series: Float64Array,
  query: Float64Array,
  a: SearchArgs,
  limits: Limits,
  shardMs: number,
  dims = 1,
): Plan {
  const n = series.length / dims, m = query.length / dims;
  const windows = n - m + 1;
  checkLength(fn, "query", m, limits);
  // Cells of one window, as the service counts a search.
  const perWindow = cellsOf("searchSubsequence", m, m, [], band(a.window)) *
    dims;
  // A worker refuses a chunk, or a shard whose query and range take, over
  // maxRequestBytes (8 bytes a value): at most byWindows windows a shard.
  const chunkBytes = 8 * Math.min(n, SERIES_CHUNK) * dims;
  if (chunkBytes > limits.maxRequestBytes) {
    throw new RangeError(
      `${fn}: series has ${dims} values per point; the cluster stores a searched series in chunks of ${SERIES_CHUNK} points, ${chunkBytes} bytes at this dims, over the matching service's maxRequestBytes of ${limits.maxRequestBytes}`,
    );
  }
  const byWindows = Math.floor(limits.maxRequestBytes / (8 * dims)) - 2 * m +
    1;
  let step: number;
  if (
    n <= limits.maxSeriesLength && windows * perWindow <= limits.maxCells &&
    windows <= byWindows
  ) {
    step = windows;
  } else {
    let most = Math.floor(byWindows / SEARCH_RESET) * SEARCH_RESET;
    if (most < SEARCH_RESET) {
      throw new RangeError(
        `${fn}: query has ${m} points of ${dims} values; a shard of ${SEARCH_RESET} windows would need ${
          8 * dims * (SEARCH_RESET + 2 * m - 1)
        } bytes, over the matching service's maxRequestBytes of ${limits.maxRequestBytes}`,
      );
    }
    if (n > limits.maxSeriesLength) {
      most = Math.min(
        most,
        Math.floor((limits.maxSeriesLength - m + 1) / SEARCH_RESET) *
          SEARCH_RESET,
      );
      if (most < SEARCH_RESET) {
        throw new RangeError(
          `${fn}: query has ${m} points; to search a series longer than the matching service's maxSeriesLength (${limits.maxSeriesLength}) in shards, the query may have at most ${
            limits.maxSeriesLength - SEARCH_RESET + 1
          } points`,
        );
      }
    }
    // A shard starts at a multiple of SEARCH_RESET windows.
    const fit = Math.floor(limits.maxCells / perWindow / SEARCH_RESET) *
      SEARCH_RESET;
    if (fit < SEARCH_RESET) {
      checkCells(
        fn,
        `a shard of ${Math.min(windows, SEARCH_RESET)} windows`,
        Math.min(windows, SEARCH_RESET) * perWindow,
        limits,
      );
    }
    const want = Math.ceil(shardMs * SEARCH_WINDOWS_PER_MS / SEARCH_RESET) *
      SEARCH_RESET;
    step = Math.min(most, Math.max(fit, SEARCH_RESET), want);
  }
  const blobs: Blob[] = [{ bytes: bytesOf(query) }];
  const chunks = Math.ceil(n / SERIES_CHUNK);
  for (let c = 0; c < chunks; c++) {
    blobs.push({
      bytes: bytesOf(
        series.subarray(
          c * SERIES_CHUNK * dims,
          Math.min(n, (c + 1) * SERIES_CHUNK) * dims,
        ),
      ),
    });
  }
  const shards: PlannedShard[] = [];
  for (let s = 0; s < windows; s += step) {
    const end = Math.min(s + step, windows);
    const length = end - s + m - 1;
    const first = Math.floor(s / SERIES_CHUNK);
    const last = Math.floor((s + length - 1) / SERIES_CHUNK);
    shards.push({
      inputs: [
        0,
        ...Array.from({ length: last - first + 1 }, (_, i) => 1 + first + i),
      ],
      args: {
        window: a.window,
        squared: a.squared,
        normalize: a.normalize,
        k: a.k,
        exclusionZone: a.exclusionZone,
        dims,
        independent: a.independent ? 1 : 0,
        base: s,
        offset: s - first * SERIES_CHUNK,
        length,
      },
      units: end - s,
    });
  }
  return { blobs, shards, total: windows };
}

/** A tile of the correlation matrix, in sorted positions. */
export interface Tile {
  /** Rows `rowStart .. rowEnd`. */
  rowStart: number;
  rowEnd: number;
  /** Columns `colStart .. colEnd` (pairs with `s > r` only). */
  colStart: number;
  colEnd: number;
}

/**
 * The shards of `correlationMatrix`: the sequences, sorted by length, in
 * blocks (each a blob) of at most half the batch and byte limits; tiles of
 * rows of a block (multiples of 4) against the rest of that block, or
 * against a later block, each of about `shardMs` of work.
 *
 * @throws {RangeError} on a sequence over the cluster's limits.
 */
export function planCorrelation(
  fn: string,
  encoded: EncodedSequences,
  limits: Limits,
  shardMs: number,
): Plan & { tiles: Tile[] } {
  const { starts, order } = encoded;
  const n = order.length;
  const len = (r: number) => starts[order[r] + 1] - starts[order[r]];
  for (let r = 0; r < n; r++) {
    checkLength(fn, `sequences[${order[r]}]`, len(r), limits);
  }
  // The two longest sequences are the largest pair, which no shard cuts.
  let first = -1, second = -1;
  for (let r = 0; r < n; r++) {
    if (first < 0 || len(r) > len(first)) {
      second = first;
      first = r;
    } else if (second < 0 || len(r) > len(second)) second = r;
  }
  if (second >= 0) {
    checkCells(
      fn,
      `the pair sequences[${order[first]}], sequences[${order[second]}]`,
      len(first) * len(second),
      limits,
    );
  }
  const longest = first < 0 ? 0 : len(first);
  // Blocks: at most half the batch limit and half the bytes each, so that
  // a tile of two blocks keeps to both; and few enough symbols that one
  // row against a block keeps to maxCells.
  const maxCount = Math.max(1, Math.floor(limits.maxBatchLength / 2));
  const maxSymbols = Math.min(
    Math.floor(limits.maxRequestBytes / 8) - maxCount - 2,
    longest === 0 ? Infinity : Math.floor(limits.maxCells / longest),
  );
  const bounds = [0];
  for (let r = 0, count = 0, symbols = 0; r < n; r++) {
    if (count > 0 && (count + 1 > maxCount || symbols + len(r) > maxSymbols)) {
      bounds.push(r);
      count = 0;
      symbols = 0;
    }
    count++;
    symbols += len(r);
  }
  bounds.push(n);
  const blocks = bounds.length - 1;
  const blobs: Blob[] = [];
  for (let b = 0; b < blocks; b++) {
    blobs.push({
      bytes: bytesOf(encodeSequenceBlock(encoded, bounds[b], bounds[b + 1])),
    });
  }
  const suffix = new Float64Array(n + 1);
  for (let r = n - 1; r >= 0; r--) suffix[r] = suffix[r + 1] + len(r);
  const target = shardMs * CORRELATION_WORK_PER_MS;
  const shards: PlannedShard[] = [];
  const tiles: Tile[] = [];
  for (let p = 0; p < blocks; p++) {
    const pStart = bounds[p], pEnd = bounds[p + 1];
    for (let q = p; q < blocks; q++) {
      const qStart = bounds[q], qEnd = bounds[q + 1];
      let from = pStart;
      while (from < pEnd) {
        // Cells as the worker counts them (`tileCells`): each row against
        // the rows after it and the rest of its block, or the rows after
        // it and the whole second block.
        const rowCells = (r: number, rows: number) =>
          len(r) *
          (q === p
            ? suffix[r + 1] - suffix[pEnd]
            : rows + suffix[qStart] - suffix[qEnd]);
        let to = from, work = 0, cells = 0, rows = 0;
        while (to < pEnd && (to === from || work < target)) {
          const next = Math.min(to + 4, pEnd);
          let c = 0, l = rows;
          for (let r = to; r < next; r++) {
            c += rowCells(r, l);
            l += len(r);
          }
          if (cells + c > limits.maxCells) {
            // Fewer rows than a group of 4: as many as fit, one at least.
            for (let r = to; r < next; r++) {
              const d = rowCells(r, rows);
              if (r > from && cells + d > limits.maxCells) break;
              cells += d;
              rows += len(r);
              to = r + 1;
            }
            break;
          }
          cells += c;
          rows = l;
          const last = next - 1;
          // Words of the 4 rows' longest pattern, times the text after it.
          const text = q === p
            ? suffix[to + 1] - suffix[pEnd]
            : suffix[qStart] - suffix[qEnd];
          work += Math.ceil(len(last) / 31 + 1) * text;
          to = next;
        }
        const tile = q === p
          ? { rowStart: from, rowEnd: to, colStart: from, colEnd: pEnd }
          : { rowStart: from, rowEnd: to, colStart: qStart, colEnd: qEnd };
        let pairs = 0;
        for (let r = from; r < to; r++) {
          pairs += tile.colEnd - Math.max(r + 1, tile.colStart);
        }
        if (pairs > 0) {
          tiles.push(tile);
          shards.push({
            inputs: q === p ? [p] : [p, q],
            args: {
              alphabet: encoded.alphabetSize,
              rowFrom: from - pStart,
              rowTo: to - pStart,
            },
            units: pairs,
          });
        }
        from = to;
      }
    }
  }
  return { blobs, shards, tiles, total: n * (n - 1) / 2 };
}
