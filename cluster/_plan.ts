// Copyright 2026 the @midstreamer/kit authors. MIT license.
// How a call is cut into shards, on the caller, as the pool cuts it into
// parts: topK and dtwBatch by ranges of patterns, searchSubsequence by
// ranges of window starts (overlapping by query.length - 1 points), and
// correlationMatrix by tiles of the upper triangle. Every shard stays
// within the limits the workers apply (the matching service's), and aims
// at `shardMs` of single-thread work, so that the per-shard coordination
// (about 1 ms here: see the README) costs about 1 % of it. Internal.

import {
  copySeries,
  type DtwArgs,
  type EncodedSequences,
  listLength,
  SEARCH_RESET,
  type SearchArgs,
  seriesLength,
} from "../kernels/internal.ts";
import {
  bytesOf,
  encodePatterns,
  encodeSequenceBlock,
  type Limits,
  patternsSize,
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

/** Points per chunk of a searched series (each a blob, 512 KiB). */
export const SERIES_CHUNK = 65536;

/** An input of a call, stored as one blob. */
export interface Blob {
  /** Its bytes (a view of a checked copy of the input), until stored. */
  bytes?: Uint8Array;
  /**
   * Or: encodes it into `scratch` (or a new array when that is too
   * small) and returns the encoded values, made when it is stored.
   */
  pack?: (scratch: Float64Array) => Float64Array;
  /** The f64 values `pack` needs. */
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

/** The DTW arguments of a shard. */
export function dtwShardArgs(a: DtwArgs): Record<string, number | string> {
  return {
    window: a.window,
    squared: a.squared,
    cutoff: encodeCutoff(a.cutoff),
  };
}

/** DTW cells of a reference of `n` points against a pattern of `m`. */
function cells(n: number, m: number, window: number): number {
  const band = window < 0 ? Infinity : Math.max(window, Math.abs(n - m));
  return n * Math.min(m, 2 * band + 1) + 64;
}

/**
 * The shards of `dtwBatch` or `topK`: ranges of patterns (each a blob,
 * checked as the synchronous functions check them), every one with the
 * reference. A range ends before it would pass `shardMs` of work, the
 * count or byte limit.
 *
 * @throws {TypeError} as the synchronous functions, naming the element.
 * @throws {RangeError} on a series over the cluster's limits.
 */
export function planPatterns(
  fn: string,
  reference: Float64Array,
  patterns: ArrayLike<ArrayLike<number>>,
  args: DtwArgs,
  limits: Limits,
  shardMs: number,
  extra: (base: number) => Record<string, number | string>,
): Plan {
  const count = listLength(fn, "patterns", patterns);
  const n = reference.length;
  checkLength(fn, "reference", n, limits);
  const lengths = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    lengths[i] = seriesLength(fn, `patterns[${i}]`, patterns[i]);
  }
  let longest = 0;
  for (let i = 0; i < count; i++) {
    checkLength(fn, `patterns[${i}]`, lengths[i], limits);
    longest = Math.max(longest, lengths[i]);
  }
  // Every element is checked now, before anything is sent; the patterns
  // are encoded again, shard by shard, as they are stored.
  const check = new Float64Array(longest);
  for (let i = 0; i < count; i++) {
    copySeries(fn, `patterns[${i}]`, patterns[i], check, 0);
  }
  const target = shardMs * DTW_CELLS_PER_MS;
  const byteBudget = limits.maxRequestBytes - 8 * n - 16;
  const blobs: Blob[] = [{ bytes: bytesOf(reference) }];
  const shards: PlannedShard[] = [];
  let from = 0;
  while (from < count) {
    let to = from, points = 0, work = 0;
    while (to < count) {
      const m = lengths[to];
      const bytes = 8 * (to - from + 2 + points + m);
      if (
        to > from &&
        (work >= target || to - from + 1 > limits.maxBatchLength ||
          bytes > byteBudget)
      ) break;
      if (bytes > byteBudget) {
        throw new RangeError(
          `${fn}: patterns[${to}] and the reference (${
            8 * (m + n)
          } bytes) do not fit a shard within the matching service's maxRequestBytes of ${limits.maxRequestBytes}`,
        );
      }
      points += m;
      work += cells(n, m, args.window);
      to++;
    }
    const [a, b] = [from, to];
    blobs.push({
      size: patternsSize(lengths, a, b),
      pack: (scratch) =>
        encodePatterns(fn, "patterns", patterns, lengths, a, b, scratch),
    });
    shards.push({
      inputs: [0, blobs.length - 1],
      args: { ...dtwShardArgs(args), ...extra(from) },
      units: to - from,
    });
    from = to;
  }
  return { blobs, shards, total: count };
}

/**
 * The shards of `searchSubsequence`: ranges of window starts, multiples of
 * `SEARCH_RESET` long, each with the `m - 1` points after it; the series
 * is stored once, in chunks of {@linkcode SERIES_CHUNK} points, and each
 * shard names the chunks its range spans.
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
): Plan {
  const n = series.length, m = query.length;
  const windows = n - m + 1;
  checkLength(fn, "query", m, limits);
  let step: number;
  if (n <= limits.maxSeriesLength) {
    step = windows;
  } else {
    const most = Math.floor((limits.maxSeriesLength - m + 1) / SEARCH_RESET) *
      SEARCH_RESET;
    if (most < SEARCH_RESET) {
      throw new RangeError(
        `${fn}: query has ${m} points; to search a series longer than the matching service's maxSeriesLength (${limits.maxSeriesLength}) in shards, the query may have at most ${
          limits.maxSeriesLength - SEARCH_RESET + 1
        } points`,
      );
    }
    const want = Math.ceil(shardMs * SEARCH_WINDOWS_PER_MS / SEARCH_RESET) *
      SEARCH_RESET;
    step = Math.min(most, want);
  }
  const blobs: Blob[] = [{ bytes: bytesOf(query) }];
  const chunks = Math.ceil(n / SERIES_CHUNK);
  for (let c = 0; c < chunks; c++) {
    blobs.push({
      bytes: bytesOf(
        series.subarray(c * SERIES_CHUNK, Math.min(n, (c + 1) * SERIES_CHUNK)),
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
  // Blocks: at most half the batch limit and half the bytes each, so that
  // a tile of two blocks keeps to both.
  const maxCount = Math.max(1, Math.floor(limits.maxBatchLength / 2));
  const maxSymbols = Math.floor(limits.maxRequestBytes / 8) - maxCount - 2;
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
        let to = from, work = 0;
        while (to < pEnd && (to === from || work < target)) {
          const last = Math.min(to + 3, pEnd - 1);
          // Words of the 4 rows' longest pattern, times the text after it.
          const text = q === p
            ? suffix[to + 1] - suffix[pEnd]
            : suffix[qStart] - suffix[qEnd];
          work += Math.ceil(len(last) / 31 + 1) * text;
          to = Math.min(to + 4, pEnd);
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
