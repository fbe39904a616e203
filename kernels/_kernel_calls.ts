// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Staging into WebAssembly memory, and the calls of the DTW, batch, topK,
// search and path kernels on validated inputs, in f64 or f32, for series
// of one or more dimensions. Shared by the public functions and by the
// pool's workers. Internal.

import { independentTopK } from "./_independent.ts";
import {
  type CheckedSeries,
  commonDims,
  copyForm,
  copyPacked,
  copySeries,
  type DtwArgs,
  type Layout,
  type ListForms,
  listForms,
  type SeriesForm,
  seriesForm,
  seriesLength,
} from "./_validate.ts";
import { withBoundExchange } from "./_bound_exchange.ts";
import { f32Heap, f64Heap, kit, scratch, Slot } from "./_wasm.ts";
import type { DtwPathResult } from "./dtw_path.ts";
import type { Match } from "./top_k.ts";

/** Window starts between exact recomputations of the running sums (search.rs `RESET`). */
export const SEARCH_RESET = 1024;

/**
 * `strategy` bit of `search_f64` and `search_dims_f64` (search.rs
 * `SHARED_BOUND`): exchange the k-th match's bound through
 * `kit.exchange_bound` at every block of `SEARCH_RESET` window starts.
 */
const SHARED_BOUND = 32;

/** Cells `dtwPath` keeps in memory at once by default: 2^22 (32 MiB). */
export const PATH_LIMIT_CELLS = 2 ** 22;

/**
 * Series stored back to back, checked: series `i` is points
 * `offsets[i]..offsets[i + 1]` of `flat`, point-major (`dims` values per
 * point). Their precision is the type of `flat`: `Float32Array` for
 * `"f32"`. The form the pool and the cluster carry.
 */
export interface PackedPatterns {
  /** The values, point-major, series after series. */
  flat: Float64Array | Float32Array;
  /** `count + 1` offsets, in points. */
  offsets: Uint32Array;
  /**
   * Values per point.
   *
   * @default {1}
   */
  dims?: number;
}

/** A series as the packed calls take it: univariate `f64`, or checked and packed. */
export type PackedInput = Float64Array | CheckedSeries;

/** `x` as a {@linkcode CheckedSeries} (a bare `Float64Array` is one dimension). */
export function checked(x: PackedInput): CheckedSeries {
  return x instanceof Float64Array ? { dims: 1, values: x } : x;
}

/** Bytes per value in the precision of `f32`. */
function size(f32: boolean): number {
  return f32 ? 4 : 8;
}

/** The heap view of a precision (call again after anything that may allocate). */
function heapOf(f32: boolean): Float64Array | Float32Array {
  return f32 ? f32Heap() : f64Heap();
}

/**
 * The layout a kernel reads a series of `points` points in: point-major,
 * or, for the independent DTW, one dimension after the other.
 */
function layoutOf(independent: boolean, dims: number, points: number): Layout {
  return independent ? { point: 1, dim: points } : { point: dims, dim: 1 };
}

/**
 * Validates the elements of series `from..to` of `list` (read by
 * {@linkcode listForms}) and packs them, point-major, into fresh,
 * transferable buffers in `f64` or `f32`, with offsets from 0.
 *
 * @throws {TypeError} naming `name[i][j]` (or its point and dimension) for a bad element.
 * @throws {RangeError} naming a ragged point.
 */
export function packRange(
  fn: string,
  name: string,
  list: ArrayLike<unknown>,
  forms: ListForms,
  from: number,
  to: number,
  f32 = false,
): PackedPatterns {
  const { offsets, dims } = forms;
  const base = offsets[from];
  const part = offsets.slice(from, to + 1);
  const length = (offsets[to] - base) * dims;
  const flat = f32 ? new Float32Array(length) : new Float64Array(length);
  const layout = { point: dims, dim: 1 };
  for (let i = from; i < to; i++) {
    part[i - from] -= base;
    const at = (offsets[i] - base) * dims;
    copyForm(fn, `${name}[${i}]`, list[i], forms.forms[i], flat, at, layout);
  }
  part[to - from] -= base;
  return { flat, offsets: part, dims };
}

/**
 * Validates a list of series and packs it back to back.
 *
 * @throws {TypeError} when `list` is not an array, or names a bad element.
 * @throws {RangeError} on mixed dimensions, a ragged point, or more than 2^27 values.
 */
export function packPatterns(
  fn: string,
  name: string,
  list: unknown,
  f32 = false,
): PackedPatterns {
  const forms = listForms(fn, name, list);
  const count = forms.offsets.length - 1;
  return packRange(fn, name, list as ArrayLike<unknown>, forms, 0, count, f32);
}

/**
 * Validates the univariate `f64` series `x` and copies it into scratch
 * slot `slot` of WebAssembly memory. Returns the byte address. Call
 * `f64Heap` again before writing elsewhere if another slot may have grown
 * since.
 *
 * @throws {TypeError} naming the index of the first bad element.
 */
export function stageSeries(
  fn: string,
  name: string,
  x: ArrayLike<number>,
  n: number,
  slot: Slot,
): number {
  const ptr = scratch(slot, n * 8);
  copySeries(fn, name, x, f64Heap(), ptr >>> 3);
  return ptr;
}

/**
 * The `f64` DTW of two series of one value per point (plain arrays or
 * typed arrays of numbers: see {@linkcode isPlainSeries}): `dtw`'s common
 * case, without the work of reading a multivariate form (a tenth of the
 * time of a 10-point call).
 *
 * @throws {TypeError} naming the index of the first bad element.
 * @throws {RangeError} on too long a series.
 */
export function dtwPlain(
  fn: string,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  args: DtwArgs,
): number {
  const n = seriesLength(fn, "a", a);
  const m = seriesLength(fn, "b", b);
  const pb = stageSeries(fn, "b", b, m, Slot.B);
  const pa = stageSeries(fn, "a", a, n, Slot.A);
  return kit().dtw_f64(pa, n, pb, m, args.window, args.squared, args.cutoff, 0);
}

/** A pair of series in WebAssembly memory (byte addresses). */
export interface StagedPair {
  pa: number;
  n: number;
  pb: number;
  m: number;
  dims: number;
  f32: boolean;
}

/**
 * Validates two series `a` and `b` (any form, one number of dimensions)
 * straight into slots A and B, in the precision and layout of `args`.
 *
 * @throws {TypeError} on a bad series or value (naming it).
 * @throws {RangeError} on mixed dimensions, a ragged point, or too long a series.
 */
export function stagePair(
  fn: string,
  a: unknown,
  b: unknown,
  args: DtwArgs,
): StagedPair {
  const fa = seriesForm(fn, "a", a);
  const fb = seriesForm(fn, "b", b);
  const dims = commonDims(fn, [["a", fa], ["b", fb]]);
  const f32 = args.f32 === true;
  const pb = stageForm(fn, "b", b, fb, dims, f32, args, Slot.B);
  const pa = stageForm(fn, "a", a, fa, dims, f32, args, Slot.A);
  return { pa, n: fa.points, pb, m: fb.points, dims, f32 };
}

/** Validates series `x` of form `form` into scratch slot `slot`; its address. */
function stageForm(
  fn: string,
  name: string,
  x: unknown,
  form: SeriesForm,
  dims: number,
  f32: boolean,
  args: DtwArgs,
  slot: Slot,
): number {
  const n = form.points;
  const ptr = scratch(slot, n * dims * size(f32));
  const layout = layoutOf(args.independent === true, dims, n);
  copyForm(fn, name, x, form, heapOf(f32), ptr / size(f32), layout);
  return ptr;
}

/** Stages checked series `x` into slot `slot` in the layout of `args`. */
function stageChecked(x: CheckedSeries, args: DtwArgs, slot: Slot): number {
  const f32 = x.values instanceof Float32Array;
  const n = x.values.length / x.dims;
  const ptr = scratch(slot, x.values.length * size(f32));
  const layout = layoutOf(args.independent === true, x.dims, n);
  copyPacked(x, heapOf(f32), ptr / size(f32), layout);
  return ptr;
}

/** Stages two checked series of one precision and dimension into slots A and B. */
export function stagePairPacked(
  a: PackedInput,
  b: PackedInput,
  args: DtwArgs,
): StagedPair {
  const x = checked(a), y = checked(b);
  const pb = stageChecked(y, args, Slot.B);
  const pa = stageChecked(x, args, Slot.A);
  return {
    pa,
    n: x.values.length / x.dims,
    pb,
    m: y.values.length / y.dims,
    dims: x.dims,
    f32: x.values instanceof Float32Array,
  };
}

/**
 * The DTW of a staged pair: dependent (one path, the cost summed over the
 * dimensions) or independent (the sum over the dimensions, in index order,
 * of each dimension's DTW; in `f32` each addition is rounded to `f32`).
 */
export function dtwStaged(s: StagedPair, args: DtwArgs): number {
  const ex = kit();
  const { pa, n, pb, m, dims, f32 } = s;
  if (dims === 1 && !f32) {
    return ex.dtw_f64(pa, n, pb, m, args.window, args.squared, args.cutoff, 0);
  }
  const dtwDims = f32 ? ex.dtw_dims_f32 : ex.dtw_dims_f64;
  if (!args.independent || dims === 1) {
    return dtwDims(
      pa,
      n,
      pb,
      m,
      dims,
      args.window,
      args.squared,
      args.cutoff,
      0,
    );
  }
  // Independent: dimension k of a is at pa + k·n values (staged so).
  // A dimension above the cutoff puts the sum above it too (the terms are
  // >= 0 and rounding is monotone), so each gets the whole cutoff.
  const bytes = size(f32);
  let sum = 0;
  for (let k = 0; k < dims && sum <= args.cutoff; k++) {
    const d = f32
      ? ex.dtw_dims_f32(
        pa + k * n * bytes,
        n,
        pb + k * m * bytes,
        m,
        1,
        args.window,
        args.squared,
        args.cutoff,
        0,
      )
      : ex.dtw_f64(
        pa + k * n * bytes,
        n,
        pb + k * m * bytes,
        m,
        args.window,
        args.squared,
        args.cutoff,
        0,
      );
    sum = k === 0 ? d : f32 ? Math.fround(sum + d) : sum + d;
  }
  return sum <= args.cutoff ? sum : Infinity;
}

/** A reference and a list of series in WebAssembly memory (byte addresses). */
export interface Staged {
  /** The reference, `n` points. */
  pr: number;
  n: number;
  /** The series back to back, and their `count + 1` offsets in points (u32). */
  pf: number;
  po: number;
  count: number;
  /** Points of all the series together. */
  total: number;
  dims: number;
  f32: boolean;
}

/**
 * Values of the patterns of `dtwBatch` and `topK` staged in WebAssembly
 * memory at once: 2^27 (1 GiB of `f64`); more run in groups of about this
 * many. Internal knob (tests set it small).
 */
let groupValues = 2 ** 27;

/** Most values the patterns of one call may hold: their offsets are `u32`. */
export const MAX_GROUPED_VALUES = 2 ** 32 - 1;

/**
 * The values of the patterns of `dtwBatch` and `topK` staged at once (see
 * `groupValues`), and, given `values` (a positive integer), sets it (for
 * tests). Returns the value before the call.
 */
export function patternGroupValues(values?: number): number {
  const before = groupValues;
  if (values !== undefined) groupValues = values;
  return before;
}

/**
 * Validates `reference` and the shape of `patterns` (any forms, one
 * number of dimensions), then stages them straight into WebAssembly
 * memory, in the precision and layout of `args`, in groups of consecutive
 * patterns of at most `patternGroupValues()` values together (a pattern
 * alone may have more): calls `run(staged, from)` for each group, whose
 * first pattern is `patterns[from]`, in order (once, empty, for no
 * patterns). Each group's elements are checked as they are copied.
 *
 * @throws {TypeError} on a non-array or a non-finite element (naming it).
 * @throws {RangeError} on mixed dimensions, a ragged point, a series over 2^25 values, or patterns of more than `MAX_GROUPED_VALUES` values.
 */
export function forEachGroup(
  fn: string,
  reference: unknown,
  patterns: unknown,
  args: DtwArgs,
  run: (staged: Staged, from: number) => void,
): void {
  const rf = seriesForm(fn, "reference", reference);
  const lf = listForms(
    fn,
    "patterns",
    patterns,
    [["reference", rf]],
    MAX_GROUPED_VALUES,
  );
  const { offsets, dims } = lf;
  const count = offsets.length - 1;
  let from = 0;
  do {
    let to = Math.min(from + 1, count);
    while (
      to < count && (offsets[to + 1] - offsets[from]) * dims <= groupValues
    ) to++;
    run(stageRange(fn, reference, rf, patterns, lf, from, to, args), from);
    from = to;
  } while (from < count);
}

/** Stages `reference` and `patterns[from .. to)` (see {@linkcode forEachGroup}). */
function stageRange(
  fn: string,
  reference: unknown,
  rf: SeriesForm,
  patterns: unknown,
  lf: ListForms,
  from: number,
  to: number,
  args: DtwArgs,
): Staged {
  const { offsets, dims } = lf;
  const f32 = args.f32 === true;
  const count = to - from;
  const base = offsets[from];
  const total = offsets[to] - base;
  const pr = stageForm(fn, "reference", reference, rf, dims, f32, args, Slot.A);
  const pf = scratch(Slot.B, total * dims * size(f32));
  const po = scratch(Slot.C, (count + 1) * 4);
  const heap = heapOf(f32);
  const at = pf / size(f32);
  const layout = args.independent
    ? { point: 1, dim: total }
    : { point: dims, dim: 1 };
  const list = patterns as ArrayLike<unknown>;
  for (let i = from; i < to; i++) {
    const start = at + (offsets[i] - base) * layout.point;
    copyForm(fn, `patterns[${i}]`, list[i], lf.forms[i], heap, start, layout);
  }
  const o = new Uint32Array(heap.buffer, po, count + 1);
  for (let i = 0; i <= count; i++) o[i] = offsets[from + i] - base;
  return { pr, n: rf.points, pf, po, count, total, dims, f32 };
}

/** Stages a reference and patterns that are already checked and packed. */
function stagePacked(
  ref: PackedInput,
  p: PackedPatterns,
  args: DtwArgs,
): Staged {
  const r = checked(ref);
  const dims = p.dims ?? 1;
  const f32 = p.flat instanceof Float32Array;
  const count = p.offsets.length - 1;
  const total = p.offsets[count];
  const pr = stageChecked(r, args, Slot.A);
  const pf = scratch(Slot.B, p.flat.length * size(f32));
  const po = scratch(Slot.C, (count + 1) * 4);
  const heap = heapOf(f32);
  const layout = layoutOf(args.independent === true, dims, total);
  copyPacked({ dims, values: p.flat }, heap, pf / size(f32), layout);
  new Uint32Array(heap.buffer, po, count + 1).set(p.offsets);
  return {
    pr,
    n: r.values.length / dims,
    pf,
    po,
    count,
    total,
    dims,
    f32,
  };
}

/** DTW of the staged reference against every staged pattern. */
export function batchStaged(s: Staged, args: DtwArgs): Float64Array {
  if (s.count === 0) return new Float64Array(0);
  const px = scratch(Slot.D, s.count * 8);
  const ex = kit();
  const { pr, n, pf, po, count, dims, f32 } = s;
  if (!args.independent || dims === 1) {
    if (dims === 1 && !f32) {
      ex.dtw_batch_f64(
        pr,
        n,
        pf,
        po,
        count,
        args.window,
        args.squared,
        args.cutoff,
        px,
        0, // strategy: auto
      );
    } else {
      (f32 ? ex.dtw_batch_dims_f32 : ex.dtw_batch_dims_f64)(
        pr,
        n,
        pf,
        po,
        count,
        dims,
        args.window,
        args.squared,
        args.cutoff,
        px,
        0,
      );
    }
    return f64Heap().slice(px >>> 3, (px >>> 3) + count);
  }
  // Independent: one univariate batch per dimension, summed in order.
  const sums = new Float64Array(count);
  const bytes = size(f32);
  for (let k = 0; k < dims; k++) {
    const r = pr + k * n * bytes, f = pf + k * s.total * bytes;
    if (f32) {
      ex.dtw_batch_dims_f32(
        r,
        n,
        f,
        po,
        count,
        1,
        args.window,
        args.squared,
        args.cutoff,
        px,
        0,
      );
    } else {
      ex.dtw_batch_f64(
        r,
        n,
        f,
        po,
        count,
        args.window,
        args.squared,
        args.cutoff,
        px,
        0,
      );
    }
    const d = f64Heap().subarray(px >>> 3, (px >>> 3) + count);
    for (let i = 0; i < count; i++) {
      sums[i] = k === 0
        ? d[i]
        : f32
        ? Math.fround(sums[i] + d[i])
        : sums[i] + d[i];
    }
  }
  for (let i = 0; i < count; i++) if (sums[i] > args.cutoff) sums[i] = Infinity;
  return sums;
}

/** DTW of `ref` against every pattern (checked and packed inputs). */
export function batchPacked(
  ref: PackedInput,
  p: PackedPatterns,
  args: DtwArgs,
): Float64Array {
  return batchStaged(stagePacked(ref, p, args), args);
}

/** Result of {@linkcode topKPacked}. */
export interface TopKResult {
  matches: Match[];
  /** prunedByKim, prunedByKeogh, abandoned, computed. */
  stats: number[];
}

/** The `k` best patterns (checked and packed inputs); indices offset by `base`. */
export function topKPacked(
  ref: PackedInput,
  p: PackedPatterns,
  k: number,
  args: DtwArgs,
  base = 0,
): TopKResult {
  return topKStaged(stagePacked(ref, p, args), k, args, base);
}

/** The `k` best staged patterns; indices offset by `base`. */
export function topKStaged(
  s: Staged,
  k: number,
  args: DtwArgs,
  base = 0,
): TopKResult {
  const count = s.count;
  if (count === 0) return { matches: [], stats: [0, 0, 0, 0] };
  if (args.independent && s.dims > 1) {
    return independentTopK(s, k, args, base);
  }
  const kk = Math.min(k, count);
  const px = scratch(Slot.D, kk * 12 + 32);
  const pd = px + 32; // distances (f64), 16-aligned
  const pi = pd + kk * 8; // indices (u32)
  const ex = kit();
  const { pr, n, pf, po, dims, f32 } = s;
  const found = dims === 1 && !f32
    ? ex.top_k_f64(
      pr,
      n,
      pf,
      po,
      count,
      kk,
      args.window,
      args.squared,
      args.cutoff,
      pi,
      pd,
      px,
      0, // strategy: auto
    )
    : (f32 ? ex.top_k_dims_f32 : ex.top_k_dims_f64)(
      pr,
      n,
      pf,
      po,
      count,
      dims,
      kk,
      args.window,
      args.squared,
      args.cutoff,
      pi,
      pd,
      px,
      0,
    );
  const heap = f64Heap();
  const idx = new Uint32Array(heap.buffer, pi, found);
  const matches: Match[] = new Array(found);
  for (let i = 0; i < found; i++) {
    matches[i] = { index: idx[i] + base, distance: heap[(pd >>> 3) + i] };
  }
  return {
    matches,
    stats: Array.from(heap.subarray(px >>> 3, (px >>> 3) + 4)),
  };
}

/**
 * Rounds the `n` finite values staged at byte address `px` to `f32` in
 * place (precision `"f32"` of a search): the index of the first value that
 * overflows `f32` (left as it was, and those after it), or -1.
 */
export function roundStagedF32(px: number, n: number): number {
  const i = kit().round_f32(px, n);
  return i === n ? -1 : i;
}

/**
 * The index of the first of the `n` values staged at byte address `px`
 * that is not finite (NaN or an infinity), or -1: a staged series' check,
 * in the kernels' SIMD, eight values at a time.
 */
export function stagedNonFinite(px: number, n: number): number {
  const i = kit().first_non_finite(px, n);
  return i === n ? -1 : i;
}

/** Search parameters, validated and encoded. */
export interface SearchArgs {
  /** Band half-width, or -1 for none. */
  window: number;
  squared: number;
  normalize: number;
  k: number;
  exclusionZone: number;
  /**
   * `multivariate: "independent"` (DTW_I) for a search of several
   * dimensions; absent or `false`: dependent (DTW_D).
   */
  independent?: boolean;
  /**
   * Precision `"f32"`: the series and the query hold `f32` values, and the
   * candidates are those that ranking by `f32` distances needs (search.rs
   * `Keep`); absent or `false`: `f64`.
   */
  f32?: boolean;
}

/** Result of {@linkcode searchPacked}. */
export interface SearchResult {
  /** Candidate windows as (index, distance) pairs, sorted by (distance, index). */
  candidates: Float64Array;
  /** prunedByKim, prunedByKeoghEQ, prunedByKeoghEC, abandoned, computed. */
  stats: number[];
  /**
   * A bound of the final k-th match found in this part: a later part may
   * start from it (the `cutoff` argument of {@linkcode searchPacked}).
   */
  cutoff: number;
}

/**
 * Candidate windows of `series` (whose first point has absolute index
 * `base`, a multiple of {@linkcode SEARCH_RESET}) for the search of `query`:
 * every window whose distance is at most a bound of the final k-th match
 * (at most `cutoff`, a bound known from other parts of the series).
 * `series` and `query` hold `dims` values per point, point-major.
 */
export function searchPacked(
  series: Float64Array,
  base: number,
  query: Float64Array,
  a: SearchArgs,
  cutoff = Infinity,
  dims = 1,
): SearchResult {
  const px = scratch(Slot.A, series.length * 8);
  f64Heap().set(series, px >>> 3);
  const n = series.length / dims;
  return searchStaged(px, n, base, query, a, cutoff, dims);
}

/**
 * {@linkcode searchPacked} of the `n` points staged at byte address `px`
 * (slot A), whose first point has absolute index `base` (a multiple of
 * {@linkcode SEARCH_RESET}; any size: the kernel gets 0, which aligns its
 * blocks the same, and the indices are shifted here). With `dims > 1` the
 * points and the query hold `dims` values each, point-major, and the
 * search is the multivariate one (`search_dims_f64`) that `a.independent`
 * selects. With `exchange`, the kernel offers its bound of the k-th match
 * to `exchange` at every block of {@linkcode SEARCH_RESET} window starts
 * and takes back the answer when lower (`exchange` returns the least
 * bound that the parts of the search running elsewhere have found; see
 * `withBoundExchange`).
 */
export function searchStaged(
  px: number,
  n: number,
  base: number,
  query: Float64Array,
  a: SearchArgs,
  cutoff = Infinity,
  dims = 1,
  exchange?: (t: number) => number,
): SearchResult {
  const pq = scratch(Slot.B, query.length * 8);
  const ps = scratch(Slot.C, 64);
  let heap = f64Heap();
  heap.set(query, pq >>> 3);
  const ex = kit();
  const m = query.length / dims;
  const strategy = exchange === undefined ? 0 : SHARED_BOUND;
  const run = () =>
    dims === 1
      ? ex.search_f64(
        px,
        n,
        pq,
        m,
        a.window,
        a.squared,
        a.normalize,
        a.f32 ? 1 : 0,
        a.k,
        a.exclusionZone,
        0, // base: see above
        cutoff,
        ps,
        strategy,
      )
      : ex.search_dims_f64(
        px,
        n,
        pq,
        m,
        dims,
        a.window,
        a.squared,
        a.normalize,
        a.independent ? 1 : 0,
        a.f32 ? 1 : 0,
        a.k,
        a.exclusionZone,
        0,
        cutoff,
        ps,
        strategy,
      );
  const count = exchange === undefined
    ? run()
    : withBoundExchange(exchange, run);
  heap = f64Heap();
  const at = ex.search_results() >>> 3;
  const candidates = heap.slice(at, at + 2 * count);
  if (base !== 0) {
    for (let i = 0; i < candidates.length; i += 2) candidates[i] += base;
  }
  return {
    candidates,
    stats: Array.from(heap.subarray(ps >>> 3, (ps >>> 3) + 5)),
    cutoff: heap[(ps >>> 3) + 5],
  };
}

/**
 * Distance and optimal warping path of a staged pair (dependent: one path
 * for all the dimensions); at most `limitCells` matrix cells are kept at
 * once.
 */
export function pathStaged(
  s: StagedPair,
  args: DtwArgs,
  limitCells: number = PATH_LIMIT_CELLS,
): DtwPathResult {
  const ex = kit();
  const { pa, n, pb, m, dims, f32 } = s;
  const distance = dims === 1 && !f32
    ? ex.path_f64(
      pa,
      n,
      pb,
      m,
      args.window,
      args.squared,
      args.cutoff,
      limitCells,
      0, // strategy: auto
    )
    : (f32 ? ex.path_dims_f32 : ex.path_dims_f64)(
      pa,
      n,
      pb,
      m,
      dims,
      args.window,
      args.squared,
      args.cutoff,
      limitCells,
      0,
    );
  const len = ex.path_len();
  const cells = new Uint32Array(ex.memory.buffer, ex.path_ptr(), 2 * len);
  const path: Array<[number, number]> = new Array(len);
  for (let i = 0; i < len; i++) path[i] = [cells[2 * i], cells[2 * i + 1]];
  return { distance, path };
}

/**
 * Distance and optimal warping path of checked series (dependent); at
 * most `limitCells` matrix cells are kept at once.
 */
export function pathPacked(
  a: PackedInput,
  b: PackedInput,
  args: DtwArgs,
  limitCells: number = PATH_LIMIT_CELLS,
): DtwPathResult {
  return pathStaged(stagePairPacked(a, b, args), args, limitCells);
}

/** The DTW of checked series, as `dtw` computes it. */
export function dtwPacked(
  a: PackedInput,
  b: PackedInput,
  args: DtwArgs,
): number {
  return dtwStaged(stagePairPacked(a, b, args), args);
}
