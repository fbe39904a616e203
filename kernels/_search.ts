// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Arguments, selection and exact distances of searchSubsequence, shared by
// the function, the pool and the service. Internal; other folders reach it
// through `internal.ts`.

import {
  dtwStaged,
  roundStagedF32,
  SEARCH_RESET,
  type SearchArgs,
  type SearchResult,
  searchStaged,
  stagedNonFinite,
  stageSeries,
} from "./_kernel_calls.ts";
import { sumParts } from "./_top_k.ts";
import {
  beyondF32,
  checkOptionKeys,
  commonDims,
  copySeries,
  costArg,
  describe,
  isPlainSeries,
  kArg,
  type Layout,
  multivariateArg,
  packSeries,
  precisionArg,
  roundF32,
  type SeriesForm,
  seriesForm,
  seriesLength,
  toF64,
  windowArg,
} from "./_validate.ts";
import { f32Heap, f64Heap, kit, scratch, Slot } from "./_wasm.ts";
import type { SearchStats, SubsequenceMatch } from "./search_subsequence.ts";

/** The options of `searchSubsequence` (and of its asynchronous twins). */
export const SEARCH_KEYS: readonly string[] = [
  "k",
  "window",
  "normalize",
  "exclusionZone",
  "cost",
  "stats",
  "multivariate",
  "precision",
];

/**
 * `options.precision` of a search, read before the series are (which
 * `searchInput` rounds to `f32` for `"f32"`): `true` for `"f32"`. Options
 * that are not an object are refused later, by {@linkcode searchArgs}.
 *
 * @throws {TypeError} on an unknown `precision`.
 */
export function searchPrecision(fn: string, options: unknown): boolean {
  if (options === null || typeof options !== "object") return false;
  return precisionArg(fn, (options as { precision?: unknown }).precision);
}

/**
 * Checks that a search that runs only in `f64` (the service's and the
 * cluster's: their protocols send a search's series as `f64`) was not
 * asked for `precision: "f32"`; `"f64"` and no precision pass.
 *
 * @throws {TypeError} on `"f32"`, saying where an `f32` search runs, or on
 * an unknown `precision`.
 */
export function f64SearchOnly(
  fn: string,
  options: unknown,
  where: string,
): void {
  if (searchPrecision(fn, options)) {
    throw new TypeError(
      `${fn}: options.precision "f32" is not carried by ${where} for a search (it sends the series in f64); run an f32 search with searchSubsequence or WorkerPool.searchSubsequence`,
    );
  }
}

/**
 * A window whose variance is at most this fraction of its mean square is
 * flat: it normalizes to zeros (search.rs `FLAT`).
 */
const FLAT = 1e-10;

/**
 * Validates the options of a subsequence search of a query of `m` points
 * in a series of `n`.
 *
 * @throws {TypeError} on a missing `window`, an option of the wrong type, or an unknown option.
 * @throws {RangeError} on an empty or too long query, or an out-of-range `k`, `window` or `exclusionZone`.
 */
export function searchArgs(
  fn: string,
  n: number,
  m: number,
  options: unknown,
  keys: readonly string[] = SEARCH_KEYS,
): SearchArgs {
  const o = checkOptionKeys(fn, options, keys);
  if (o.window === undefined) {
    throw new TypeError(
      `${fn}: options.window is required: without a band every window's DTW is quadratic in the query length; pass a band such as { window: Math.floor(query.length / 10) }, or { window: Infinity } for none`,
    );
  }
  if (m === 0) throw new RangeError(`${fn}: query is empty`);
  if (m > n) {
    throw new RangeError(
      `${fn}: query has ${m} points but series only ${n}; the query must not be longer than the series`,
    );
  }
  const window = windowArg(fn, o.window);
  const squared = costArg(fn, o.cost);
  const k = o.k === undefined ? 1 : kArg(fn, o.k);
  if (o.normalize !== undefined && typeof o.normalize !== "boolean") {
    throw new TypeError(
      `${fn}: options.normalize must be a boolean, got ${
        describe(o.normalize)
      }`,
    );
  }
  let ez = m / 2;
  if (o.exclusionZone !== undefined) {
    if (typeof o.exclusionZone !== "number") {
      throw new TypeError(
        `${fn}: options.exclusionZone must be a number, got ${
          describe(o.exclusionZone)
        }`,
      );
    }
    ez = o.exclusionZone;
    if (!(ez >= 0) || !Number.isFinite(ez)) {
      throw new RangeError(
        `${fn}: options.exclusionZone must be a finite number >= 0, got ${ez}`,
      );
    }
  }
  const independent = multivariateArg(fn, o.multivariate);
  const f32 = precisionArg(fn, o.precision);
  return {
    window,
    squared,
    normalize: o.normalize === false ? 0 : 1,
    k: Math.min(k, n - m + 1),
    exclusionZone: ez,
    ...(independent ? { independent } : {}),
    ...(f32 ? { f32 } : {}),
  };
}

/** The series and the query of a search, read by {@linkcode searchInput}. */
export interface SearchInput {
  /** Points of the series. */
  n: number;
  /** Values per point, shared by the series and the query. */
  dims: number;
  /**
   * The query, checked, point-major (`m · dims` values); for precision
   * `"f32"`, rounded to `f32`.
   */
  query: Float64Array;
  /**
   * The series' values, point-major: of one dimension, the series as
   * given (its values are checked, and for `"f32"` rounded, part by part
   * as it is searched); of several, checked and packed (at most 2^25
   * values; a `Float32Array` for `"f32"`), on the first call.
   */
  series: () => ArrayLike<number>;
}

/**
 * Reads the series and the query of a search: series of one value per
 * point (any length), or multivariate series in either form (an array of
 * points, or `{ dims, values }`) with one number of dimensions. A
 * multivariate form of one dimension is the univariate search's input.
 * With `f32` (precision `"f32"`), the query is rounded to `f32` here.
 *
 * @throws {TypeError} on a series of the wrong type, or naming a non-finite value of the query (its point and dimension), or for `f32` one that overflows `f32`.
 * @throws {RangeError} on mixed dimensions, a ragged point of the query, `dims` below 1 or not dividing `values.length`.
 */
export function searchInput(
  fn: string,
  series: unknown,
  query: unknown,
  f32 = false,
): SearchInput {
  // Plain series (arrays of numbers and typed arrays) have no length limit.
  const plain = isPlainSeries(series) ||
    (ArrayBuffer.isView(series) && !(series instanceof DataView));
  const n = plain ? seriesLength(fn, "series", series, Infinity) : 0;
  const sf: SeriesForm = plain
    ? { kind: "values", points: n, dims: n === 0 ? 0 : 1 }
    : seriesForm(fn, "series", series);
  if (plain && isPlainSeries(query)) {
    const q = toF64(fn, "query", query);
    const bad = f32 ? roundF32(q, 0, q.length) : -1;
    if (bad >= 0) throw beyondF32(fn, `query[${bad}]`, q[bad]);
    return { n, dims: 1, query: q, series: () => series as ArrayLike<number> };
  }
  const qf = seriesForm(fn, "query", query);
  const dims = commonDims(fn, [["query", qf], ["series", sf]]);
  const q = packSeries(fn, "query", query, qf, dims, f32).values;
  let x: ArrayLike<number> | undefined = sf.kind === "values"
    ? series as ArrayLike<number>
    : undefined;
  return {
    n: sf.points,
    dims,
    query: q instanceof Float64Array ? q : Float64Array.from(q),
    series: () => x ??= packSeries(fn, "series", series, sf, dims, f32).values,
  };
}

/**
 * Window starts per part of a searched series: a series is streamed
 * through WebAssembly memory in parts of this many windows (and the
 * `query.length - 1` points that the last one needs), and the pool hands
 * out parts of at most this many. 2^22 (32 MiB of points).
 */
let partWindows = 2 ** 22;

/**
 * The number of window starts per part of a search (see `partWindows`),
 * and, given `windows`, sets it (for tests): a positive multiple of
 * {@linkcode SEARCH_RESET}. Returns the value before the call.
 *
 * @throws {RangeError} when `windows` is not a positive multiple of `SEARCH_RESET`.
 */
export function searchPartWindows(windows?: number): number {
  const before = partWindows;
  if (windows !== undefined) {
    partWindows = partWindowsArg("searchPartWindows", windows);
  }
  return before;
}

/**
 * `windows` if it is a positive multiple of {@linkcode SEARCH_RESET} (a
 * part size of a search, set by tests), else a RangeError naming `fn`.
 */
export function partWindowsArg(fn: string, windows: number): number {
  if (
    !Number.isSafeInteger(windows) || windows <= 0 ||
    windows % SEARCH_RESET !== 0
  ) {
    throw new RangeError(
      `${fn}: windows must be a positive multiple of ${SEARCH_RESET}, got ${windows}`,
    );
  }
  return windows;
}

/** {@linkcode stagedNonFinite} at element offset `at` of WebAssembly memory. */
const stagedAt = (at: number, n: number) => stagedNonFinite(8 * at, n);

/**
 * Searches `series` (`n` points, validated here, part by part, as each
 * part is copied into WebAssembly memory: never copied whole) for `query`
 * in parts of {@linkcode searchPartWindows} windows. Each part starts from
 * the bound of the k-th match that the parts before it found, and its
 * blocks of running sums start where a single pass starts them (parts
 * start at multiples of `SEARCH_RESET`), so the union of the parts'
 * candidates holds every window that a single pass returns. For precision
 * `"f32"` (`args.f32`) the values of a series of one value per point are
 * rounded to `f32` as they are copied.
 *
 * @throws {TypeError} naming the index of a non-finite element of `series`, or for `"f32"` of one that overflows `f32`.
 */
export function searchParts(
  fn: string,
  series: ArrayLike<number>,
  n: number,
  query: Float64Array,
  args: SearchArgs,
  dims = 1,
): SearchResult[] {
  const m = query.length / dims;
  const windows = n - m + 1;
  const parts: SearchResult[] = [];
  let cutoff = Infinity;
  for (let s = 0; s < windows; s += partWindows) {
    const to = Math.min(s + partWindows, windows) + m - 1;
    const px = scratch(Slot.A, (to - s) * dims * 8);
    if (dims === 1) {
      // A typed array is checked in the kernels' SIMD once copied.
      copySeries(fn, "series", series, f64Heap(), px >>> 3, s, to, stagedAt);
      const bad = args.f32 ? roundStagedF32(px, to - s) : -1;
      if (bad >= 0) {
        throw beyondF32(fn, `series[${s + bad}]`, series[s + bad]);
      }
    } else {
      // Checked (and for "f32" rounded) when it was packed.
      const x = series as Float64Array | Float32Array;
      f64Heap().set(x.subarray(s * dims, to * dims), px >>> 3);
    }
    const r = searchStaged(px, to - s, s, query, args, cutoff, dims);
    cutoff = Math.min(cutoff, r.cutoff);
    parts.push(r);
  }
  return parts;
}

/** Writes the sum of per-part search counters into `stats`. */
export function fillSearchStats(
  stats: SearchStats,
  windows: number,
  parts: number[][],
): void {
  const s = sumParts(parts, 5);
  stats.windows = windows;
  stats.prunedByKim = s[0];
  stats.prunedByKeoghEQ = s[1];
  stats.prunedByKeoghEC = s[2];
  stats.abandoned = s[3];
  stats.computed = s[4];
}

const INDEX: PropertyDescriptor = {
  get(this: SubsequenceMatch): number {
    return this.start;
  },
  enumerable: false,
  configurable: true,
};

/**
 * A {@linkcode SubsequenceMatch} of a query of `m` points: `{ start, end,
 * distance }`, with the deprecated `index` as a non-enumerable getter (so
 * that it is neither compared by `deepEqual` nor serialized).
 */
export function subsequenceMatch(
  start: number,
  m: number,
  distance: number,
): SubsequenceMatch {
  return Object.defineProperty(
    { start, end: start + m - 1, distance },
    "index",
    INDEX,
  ) as SubsequenceMatch;
}

/** (start, distance) pairs merged from sorted lists, sorted by (distance, start). */
function mergePairs(lists: Float64Array[]): Float64Array {
  if (lists.length === 1) return lists[0];
  const all: [number, number][] = [];
  for (const l of lists) {
    for (let i = 0; i < l.length; i += 2) all.push([l[i], l[i + 1]]);
  }
  all.sort((a, b) => a[1] - b[1] || a[0] - b[0]);
  const pairs = new Float64Array(all.length * 2);
  all.forEach(([start, distance], i) => {
    pairs[2 * i] = start;
    pairs[2 * i + 1] = distance;
  });
  return pairs;
}

/**
 * Tie tolerance of a normalized search (search.rs `TIE`): the kernel's
 * distances, computed with running sums, are taken to be within
 * `TIE * (d + m)` of the exact ones, and it returns every window within
 * twice that of its bound.
 */
const TIE = 1e-6;

/** Unit roundoff of `f32`, 2^-24 (search.rs `U32`). */
const U32 = 2 ** -24;

/**
 * The least exact distance that a window can have whose distance in the
 * kernel is `x`, for a search of `args` with a query of `m` points of
 * `dims` values: in `f64`, `x - TIE (x + m · dims)` when normalized (else
 * `x`: the distances are exact); in `f32`, the least `f32` distance, as
 * search.rs `Keep` bounds it (`D̂ >= (1 - g) (D - β sqrt(D) - γ)`, `g`, `β`
 * and `γ` doubled; the proof is there).
 */
export function lowestExact(
  args: SearchArgs,
  m: number,
  dims: number,
): (x: number) => number {
  const tie = args.normalize === 0 ? 0 : TIE;
  const v = m * dims;
  if (!args.f32) return (x) => x - tie * (x + v);
  const sq = args.squared !== 0;
  const l = 2 * m - 1;
  const c = Math.min(args.window < 0 ? m : 2 * args.window + 1, m);
  const g = 2 * (Math.pow(1 + U32, l + (sq ? 3 : 1) + dims - 1) - 1);
  const [beta, gamma] = args.normalize === 0
    ? [0, 0]
    : sq
    ? [4 * U32 * Math.sqrt(c * m * dims), 4 * U32 * U32 * c * m * dims]
    : [0, 2 * U32 * dims * Math.sqrt(c * l * m)];
  // Past g = 1/2 (queries of millions of points) the bound says nothing
  // useful (and at g = 1 it is no bound): the kernel keeps every window
  // then (search.rs Keep::at), and every candidate gets its exact distance.
  if (g >= 0.5) return () => -Infinity;
  const b = 2 * beta, e = 2 * gamma + (2 * dims + 3) * l * 2 ** -149;
  return (x) => {
    // The least D, then the least of D - b sqrt(D) over D >= it.
    const least = Math.max(0, (x - tie * v) / (1 + tie));
    const s = least >= b * b / 4 ? least - b * Math.sqrt(least) : -b * b / 4;
    const d = (1 - g) * (s - e);
    return d - 1e-12 * Math.abs(d);
  };
}

/** A binary min-heap of matches by (distance, start). */
class MatchHeap {
  #items: SubsequenceMatch[] = [];
  get size(): number {
    return this.#items.length;
  }
  peek(): SubsequenceMatch {
    return this.#items[0];
  }
  push(x: SubsequenceMatch): void {
    const a = this.#items;
    let i = a.push(x) - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (!before(a[i], a[up])) break;
      [a[i], a[up]] = [a[up], a[i]];
      i = up;
    }
  }
  pop(): SubsequenceMatch {
    const a = this.#items;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      for (let i = 0;;) {
        const l = 2 * i + 1, r = l + 1;
        let min = i;
        if (l < a.length && before(a[l], a[min])) min = l;
        if (r < a.length && before(a[r], a[min])) min = r;
        if (min === i) break;
        [a[i], a[min]] = [a[min], a[i]];
        i = min;
      }
    }
    return top;
  }
}

/** Whether `a` ranks before `b`: by (distance, start). */
function before(a: SubsequenceMatch, b: SubsequenceMatch): boolean {
  return a.distance < b.distance ||
    (a.distance === b.distance && a.start < b.start);
}

/**
 * The exact distances by which {@linkcode selectMatches} ranks the
 * candidates of a search whose kernel distances are not exact.
 */
export interface ExactDistances {
  /** The exact distance of the window starting at `start`. */
  distance(start: number): number;
  /**
   * The least exact distance of a window whose kernel distance is `x`
   * ({@linkcode lowestExact}).
   */
  lowest(x: number): number;
}

/**
 * Greedy exclusion-zone selection: scans the candidate windows (lists of
 * (start, distance) pairs, each sorted by (distance, start)) in (distance,
 * start) order and keeps a window unless it starts less than `ez` points
 * from one already kept; stops after `k`.
 *
 * With `exact` (a normalized or `f32` search), the order is that of the
 * exact distances `exact.distance(start)` instead, computed only for the
 * windows that can still be kept and whose kernel distance is within the
 * tolerance of the next window to keep: a window is kept once no candidate
 * not yet computed can come before it, `exact.lowest(x)` being the least
 * exact distance of a candidate of kernel distance `x`
 * ({@linkcode lowestExact}).
 */
export function selectMatches(
  lists: Float64Array[],
  k: number,
  ez: number,
  m: number,
  exact?: ExactDistances,
): SubsequenceMatch[] {
  const pairs = mergePairs(lists);
  const out: SubsequenceMatch[] = [];
  const reach = ez > 0 ? Math.ceil(ez) - 1 : -1; // |i - j| <= reach conflicts
  let taken: Uint8Array | undefined;
  let lo = 0;
  if (reach >= 0 && k > 32) {
    let min = Infinity, max = -Infinity;
    for (let i = 0; i < pairs.length; i += 2) {
      min = Math.min(min, pairs[i]);
      max = Math.max(max, pairs[i]);
    }
    lo = min;
    taken = new Uint8Array(Math.max(0, max - min + 1));
  }
  const free = (start: number): boolean => {
    if (taken !== undefined) return taken[start - lo] === 0;
    if (reach < 0) return true;
    for (const match of out) {
      if (Math.abs(match.start - start) <= reach) return false;
    }
    return true;
  };
  const keep = (match: SubsequenceMatch): void => {
    out.push(match);
    if (taken !== undefined) {
      const from = Math.max(0, match.start - reach - lo);
      const to = Math.min(taken.length - 1, match.start + reach - lo);
      taken.fill(1, from, to + 1);
    }
  };
  if (exact === undefined) {
    for (let c = 0; c < pairs.length && out.length < k; c += 2) {
      if (free(pairs[c])) keep(subsequenceMatch(pairs[c], m, pairs[c + 1]));
    }
    return out;
  }
  const heap = new MatchHeap();
  let c = 0;
  while (out.length < k) {
    // The least exact distance a window not computed yet can have.
    const next = c < pairs.length ? exact.lowest(pairs[c + 1]) : Infinity;
    if (heap.size > 0 && (heap.peek().distance < next || c >= pairs.length)) {
      const match = heap.pop();
      if (free(match.start)) keep(match);
    } else if (c < pairs.length) {
      const start = pairs[c];
      c += 2;
      if (free(start)) {
        heap.push(subsequenceMatch(start, m, exact.distance(start)));
      }
    } else {
      break;
    }
  }
  return out;
}

/**
 * The matches of a search among the candidates `lists` of its parts (see
 * {@linkcode selectMatches}); those of a normalized search are ranked by,
 * and report, their exact distances: the DTW, with the band and cost of
 * `args`, of the query and the window each z-normalized in two passes
 * ({@linkcode zNormalize}; each dimension on its own when the series and
 * the query have `dims > 1` values per point, point-major). Sorted by
 * (distance, start). For precision `"f32"` every search ranks by, and
 * reports, the `f32` distances (see {@linkcode matchesDims}).
 */
export function searchMatches(
  series: ArrayLike<number>,
  query: Float64Array,
  lists: Float64Array[],
  args: SearchArgs,
  dims = 1,
): SubsequenceMatch[] {
  const m = query.length / dims;
  const { k, exclusionZone } = args;
  if (args.f32) return matchesDims(series, query, lists, args, dims);
  if (args.normalize === 0) return selectMatches(lists, k, exclusionZone, m);
  if (dims > 1) return matchesDims(series, query, lists, args, dims);
  const q = new Float64Array(m);
  const w = new Float64Array(m);
  zNormalize(query, 0, m, q);
  const ex = kit();
  const exact = (start: number): number => {
    zNormalize(series, start, m, w);
    const pw = stageSeries("searchSubsequence", "window", w, m, Slot.B);
    const pq = stageSeries("searchSubsequence", "query", q, m, Slot.A);
    return ex.dtw_f64(pq, m, pw, m, args.window, args.squared, Infinity, 0);
  };
  return selectMatches(lists, k, exclusionZone, m, {
    distance: exact,
    lowest: lowestExact(args, m, 1),
  });
}

/**
 * {@linkcode searchMatches} of a normalized search of `dims > 1` values per
 * point, or of any search of precision `"f32"`: the exact distance of a
 * window is the DTW (dependent or independent, as `dtw` computes it) of
 * the window and the query, each dimension z-normalized in two passes on
 * its own (when normalized). In `f32` the series' values are rounded to
 * `f32` (the query is already), normalized in `f64`, each normalized
 * value rounded to `f32` once, and the DTW is `dtw`'s of precision
 * `"f32"`.
 */
function matchesDims(
  series: ArrayLike<number>,
  query: Float64Array,
  lists: Float64Array[],
  args: SearchArgs,
  dims: number,
): SubsequenceMatch[] {
  const m = query.length / dims;
  const independent = args.independent === true;
  const f32 = args.f32 === true;
  // The layout the DTW reads: point-major, or one dimension after the other.
  const layout: Layout = independent
    ? { point: 1, dim: m }
    : { point: dims, dim: 1 };
  const col = new Float64Array(m), z = new Float64Array(m);
  // Stored in the DTW's precision: in f32 each value is rounded once here.
  const normalized = (
    x: ArrayLike<number>,
    from: number,
    out: Float64Array | Float32Array,
  ) => {
    for (let k = 0; k < dims; k++) {
      for (let i = 0; i < m; i++) {
        const v = x[(from + i) * dims + k];
        col[i] = f32 ? Math.fround(v) : v;
      }
      if (args.normalize !== 0) zNormalize(col, 0, m, z);
      const values = args.normalize !== 0 ? z : col;
      for (let i = 0; i < m; i++) {
        out[i * layout.point + k * layout.dim] = values[i];
      }
    }
  };
  const q = f32 ? new Float32Array(m * dims) : new Float64Array(m * dims);
  const w = f32 ? new Float32Array(m * dims) : new Float64Array(m * dims);
  normalized(query, 0, q);
  const dtwArgs = {
    window: args.window,
    squared: args.squared,
    cutoff: Infinity,
    independent,
  };
  const bytes = f32 ? 4 : 8;
  const put = (x: Float64Array | Float32Array, at: number) =>
    f32 ? f32Heap().set(x, at >>> 2) : f64Heap().set(x, at >>> 3);
  const exact = (start: number): number => {
    normalized(series, start, w);
    const pb = scratch(Slot.B, q.length * bytes);
    put(q, pb);
    const pa = scratch(Slot.A, w.length * bytes);
    put(w, pa);
    const pair = { pa, n: m, pb, m, dims, f32 };
    return dtwStaged(pair, dtwArgs);
  };
  const { k, exclusionZone } = args;
  return selectMatches(lists, k, exclusionZone, m, {
    distance: exact,
    lowest: lowestExact(args, m, dims),
  });
}

/**
 * Writes `x[from .. from + m)` z-normalized in two passes into `out`: the
 * mean, then the standard deviation of the deviations from it; a flat
 * window (variance at most `FLAT` times its mean square) becomes zeros.
 */
export function zNormalize(
  x: ArrayLike<number>,
  from: number,
  m: number,
  out: Float64Array,
): void {
  let sum = 0;
  for (let i = 0; i < m; i++) sum += x[from + i];
  const mean = sum / m;
  let deviations = 0, squares = 0;
  for (let i = 0; i < m; i++) {
    const v = x[from + i], d = v - mean;
    deviations += d * d;
    squares += v * v;
  }
  const variance = deviations / m;
  if (!(variance > FLAT * (squares / m))) {
    out.fill(0, 0, m);
    return;
  }
  const sd = Math.sqrt(variance);
  for (let i = 0; i < m; i++) out[i] = (x[from + i] - mean) / sd;
}
