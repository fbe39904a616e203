// Copyright 2026 the @midstreamer/kit authors. MIT license.
// The kernels' raw WebAssembly exports with their `strategy` argument, for
// the tests that force each path (tests/kernel_paths_*_test.ts). Test-only:
// not exported from any mod.ts. Inputs are trusted (no validation).

import {
  f64Heap,
  i32Heap,
  kit,
  scratch,
  Slot,
  withBoundExchange,
} from "../kernels/internal.ts";

/** `strategy` of `dtw_f64` and `search_f64` (see `rust/src/ffi.rs`). */
export const DTW = { auto: 0, rows: 1, stripes: 2 } as const;
/**
 * Bits of `search_f64`'s `strategy` above the DTW kernel's: each turns one
 * fast path of the search off (see `rust/src/ffi.rs`).
 */
export const SEARCH_PATH = {
  scalarKim: 4,
  unprunedDtw: 8,
  wholeEnvelope: 16,
  /** Not a fast path: the bound exchanged with the host at every block. */
  sharedBound: 32,
} as const;
/** `strategy` of `dtw_dims_f64` and `dtw_dims_f32`. */
export const DTW_DIMS = { auto: 0, rows: 1, stripes: 2, general: 3 } as const;
/** `strategy` of `dtw_batch_dims_f64` and `dtw_batch_dims_f32`. */
export const BATCH_DIMS = { auto: 0, pairs: 1, lanes: 2, general: 3 } as const;
/** `strategy` of `dtw_batch_f64`. */
export const BATCH = { auto: 0, pairs: 1, lanes: 2 } as const;
/** `strategy` of `top_k_f64`. */
export const TOP_K = {
  auto: 0,
  pairs: 1,
  lanes: 2,
  stream: 3,
  screen: 4,
} as const;
/** `strategy` of `top_k_dims_f64` and `top_k_dims_f32`. */
export const TOP_K_DIMS = { auto: 0, pairs: 1, lanes: 2 } as const;
/** `strategy` of `path_f64`. */
export const PATH = {
  auto: 0,
  matrixRows: 1,
  matrixStripes: 2,
  rows: 3,
  checkpoints: 4,
} as const;
/** Most words per segment (`strategy` 1..this) of `lcs_u32`, `lcs_i32`, `lcs_row_u32`. */
export const LCS_WORDS = 8;
/** Most words per segment (`strategy` 1..this) of `lcs_corr_rows`. */
export const CORR_WORDS = 7;

/** `window` as the exports take it: -1 for no band. */
function win(window: number | undefined): number {
  return window ?? -1;
}

/** Copies `x` to a scratch slot; returns its address. */
function put(slot: Slot, x: ArrayLike<number>): number {
  const at = scratch(slot, x.length * 8);
  f64Heap().set(x, at >>> 3);
  return at;
}

/** Copies `x` to a scratch slot as `f32` values (rounded once). */
function putF32(slot: Slot, x: ArrayLike<number>): number {
  const at = scratch(slot, x.length * 4);
  new Float32Array(kit().memory.buffer).set(x, at >>> 2);
  return at;
}

/** Copies `x` to a scratch slot as `u32` (or `i32`) values. */
function put32(slot: Slot, x: ArrayLike<number>): number {
  const at = scratch(slot, x.length * 4);
  i32Heap().set(x, at >>> 2);
  return at;
}

/** `dtw_f64`. */
export function rawDtw(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  window: number | undefined,
  squared: boolean,
  cutoff: number,
  strategy: number,
): number {
  const pa = put(Slot.A, a);
  const pb = put(Slot.B, b);
  return kit().dtw_f64(
    pa,
    a.length,
    pb,
    b.length,
    win(window),
    squared ? 1 : 0,
    cutoff,
    strategy,
  );
}

/**
 * `dtw_dims_f64`, or with `f32` `dtw_dims_f32` (the values rounded to
 * `f32`): `a` and `b` hold `dims` values per point, point-major.
 */
export function rawDtwDims(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  dims: number,
  window: number | undefined,
  squared: boolean,
  cutoff: number,
  strategy: number,
  f32 = false,
): number {
  const n = Math.floor(a.length / dims), m = Math.floor(b.length / dims);
  const ex = kit();
  const args = [win(window), squared ? 1 : 0, cutoff, strategy] as const;
  if (f32) {
    const pa = putF32(Slot.A, a), pb = putF32(Slot.B, b);
    return ex.dtw_dims_f32(pa, n, pb, m, dims, ...args);
  }
  const pa = put(Slot.A, a), pb = put(Slot.B, b);
  return ex.dtw_dims_f64(pa, n, pb, m, dims, ...args);
}

/**
 * Stages a reference and patterns (back to back, with their offsets in
 * points of `dims` values, in f64 or f32); returns their addresses.
 */
function putPatterns(
  r: ArrayLike<number>,
  patterns: ArrayLike<number>[],
  dims = 1,
  f32 = false,
): { pr: number; flat: number; off: number } {
  const pr = f32 ? putF32(Slot.A, r) : put(Slot.A, r);
  const offsets = [0];
  for (const p of patterns) {
    offsets.push(offsets[offsets.length - 1] + p.length / dims);
  }
  const size = f32 ? 4 : 8;
  const flat = scratch(Slot.B, offsets[patterns.length] * dims * size);
  const off = put32(Slot.C, offsets);
  const heap = f32 ? new Float32Array(kit().memory.buffer) : f64Heap();
  patterns.forEach((p, i) => heap.set(p, flat / size + offsets[i] * dims));
  return { pr, flat, off };
}

/** `dtw_batch_f64`: the distances, or `undefined` when it returns -1. */
export function rawDtwBatch(
  r: ArrayLike<number>,
  patterns: ArrayLike<number>[],
  window: number | undefined,
  squared: boolean,
  cutoff: number,
  strategy: number,
): Float64Array | undefined {
  const { pr, flat, off } = putPatterns(r, patterns);
  const out = scratch(Slot.D, patterns.length * 8);
  const done = kit().dtw_batch_f64(
    pr,
    r.length,
    flat,
    off,
    patterns.length,
    win(window),
    squared ? 1 : 0,
    cutoff,
    out,
    strategy,
  );
  if (done === -1) return undefined;
  return f64Heap().slice(out >>> 3, (out >>> 3) + patterns.length);
}

/**
 * `dtw_batch_dims_f64`, or with `f32` `dtw_batch_dims_f32`: the distances,
 * or `undefined` when it returns -1.
 */
export function rawDtwBatchDims(
  r: ArrayLike<number>,
  patterns: ArrayLike<number>[],
  dims: number,
  window: number | undefined,
  squared: boolean,
  cutoff: number,
  strategy: number,
  f32 = false,
): Float64Array | undefined {
  const { pr, flat, off } = putPatterns(r, patterns, dims, f32);
  const out = scratch(Slot.D, patterns.length * 8);
  const ex = kit();
  const n = Math.floor(r.length / dims);
  const args = [
    off,
    patterns.length,
    dims,
    win(window),
    squared ? 1 : 0,
    cutoff,
    out,
    strategy,
  ] as const;
  const done = f32
    ? ex.dtw_batch_dims_f32(pr, n, flat, ...args)
    : ex.dtw_batch_dims_f64(pr, n, flat, ...args);
  if (done === -1) return undefined;
  return f64Heap().slice(out >>> 3, (out >>> 3) + patterns.length);
}

/** One result of {@linkcode rawTopK}. */
export interface RawMatch {
  index: number;
  distance: number;
}

/** `top_k_f64`: the matches, or `undefined` when it returns -1. */
export function rawTopK(
  r: ArrayLike<number>,
  patterns: ArrayLike<number>[],
  k: number,
  window: number | undefined,
  squared: boolean,
  cutoff: number,
  strategy: number,
): RawMatch[] | undefined {
  const { pr, flat, off } = putPatterns(r, patterns);
  const kk = Math.min(k, patterns.length);
  const dist = scratch(Slot.D, kk * 8);
  const idx = scratch(Slot.E, kk * 4);
  const stats = scratch(Slot.F, 32);
  const found = kit().top_k_f64(
    pr,
    r.length,
    flat,
    off,
    patterns.length,
    k,
    win(window),
    squared ? 1 : 0,
    cutoff,
    idx,
    dist,
    stats,
    strategy,
  );
  if (found === -1) return undefined;
  const heap = f64Heap();
  const index = new Uint32Array(heap.buffer, idx, found);
  return Array.from(
    { length: found },
    (_, i) => ({ index: index[i], distance: heap[(dist >>> 3) + i] }),
  );
}

/**
 * `top_k_dims_f64`, or with `f32` `top_k_dims_f32`: the matches and the
 * four counters, or `undefined` when it returns -1.
 */
export function rawTopKDims(
  r: ArrayLike<number>,
  patterns: ArrayLike<number>[],
  dims: number,
  k: number,
  window: number | undefined,
  squared: boolean,
  cutoff: number,
  strategy: number,
  f32 = false,
): { matches: RawMatch[]; stats: number[] } | undefined {
  const { pr, flat, off } = putPatterns(r, patterns, dims, f32);
  const kk = Math.min(k, patterns.length);
  const dist = scratch(Slot.D, kk * 8);
  const idx = scratch(Slot.E, kk * 4);
  const ps = scratch(Slot.F, 32);
  const ex = kit();
  const n = Math.floor(r.length / dims);
  const args = [
    off,
    patterns.length,
    dims,
    k,
    win(window),
    squared ? 1 : 0,
    cutoff,
    idx,
    dist,
    ps,
    strategy,
  ] as const;
  const found = f32
    ? ex.top_k_dims_f32(pr, n, flat, ...args)
    : ex.top_k_dims_f64(pr, n, flat, ...args);
  if (found === -1) return undefined;
  const heap = f64Heap();
  const index = new Uint32Array(heap.buffer, idx, found);
  return {
    matches: Array.from(
      { length: found },
      (_, i) => ({ index: index[i], distance: heap[(dist >>> 3) + i] }),
    ),
    stats: Array.from(heap.subarray(ps >>> 3, (ps >>> 3) + 4)),
  };
}

/** Arguments of {@linkcode rawSearch}. */
export interface RawSearchArgs {
  window: number | undefined;
  squared: boolean;
  normalize: boolean;
  k: number;
  ez: number;
  base: number;
  t0: number;
}

/** What {@linkcode rawSearch} returns. */
export interface RawSearchResult {
  /** `[index, distance]` pairs, as the kernel sorted them. */
  candidates: Array<[number, number]>;
  /** The final bound of the k-th match. */
  threshold: number;
  /** Pruned by LB_Kim, LB_Keogh EQ, LB_Keogh EC; abandoned and completed DTWs. */
  stats: number[];
}

/**
 * `search_f64`: its candidates and bound, or `undefined` when it returns
 * -1. `exchange`, if given, answers the module's `kit.exchange_bound`
 * during the call (see `withBoundExchange`).
 */
export function rawSearch(
  x: ArrayLike<number>,
  q: ArrayLike<number>,
  a: RawSearchArgs,
  strategy: number,
  exchange?: (t: number) => number,
): RawSearchResult | undefined {
  const px = put(Slot.A, x);
  const pq = put(Slot.B, q);
  const ps = scratch(Slot.C, 48);
  const ex = kit();
  const run = () =>
    ex.search_f64(
      px,
      x.length,
      pq,
      q.length,
      win(a.window),
      a.squared ? 1 : 0,
      a.normalize ? 1 : 0,
      0, // f64
      a.k,
      a.ez,
      a.base,
      a.t0,
      ps,
      strategy,
    );
  const count = exchange === undefined
    ? run()
    : withBoundExchange(exchange, run);
  if (count === -1) return undefined;
  const heap = f64Heap();
  const at = ex.search_results() >>> 3;
  return {
    candidates: Array.from(
      { length: count },
      (_, i) => [heap[at + 2 * i], heap[at + 2 * i + 1]],
    ),
    threshold: heap[(ps >>> 3) + 5],
    stats: Array.from(heap.subarray(ps >>> 3, (ps >>> 3) + 5)),
  };
}

/** What {@linkcode rawPath} returns. */
export interface RawPath {
  /** The distance, `NaN` when the strategy does not apply. */
  distance: number;
  path: Array<[number, number]>;
}

/** `path_f64`, `path_ptr` and `path_len`. */
export function rawPath(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  window: number | undefined,
  squared: boolean,
  cutoff: number,
  limit: number,
  strategy: number,
): RawPath {
  const pa = put(Slot.A, a);
  const pb = put(Slot.B, b);
  const ex = kit();
  const distance = ex.path_f64(
    pa,
    a.length,
    pb,
    b.length,
    win(window),
    squared ? 1 : 0,
    cutoff,
    limit,
    strategy,
  );
  return { distance, path: lastPath() };
}

/**
 * `path_dims_f64`, or with `f32` `path_dims_f32`, then `path_ptr` and
 * `path_len`.
 */
export function rawPathDims(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  dims: number,
  window: number | undefined,
  squared: boolean,
  cutoff: number,
  limit: number,
  strategy: number,
  f32 = false,
): RawPath {
  const n = Math.floor(a.length / dims), m = Math.floor(b.length / dims);
  const ex = kit();
  const args = [win(window), squared ? 1 : 0, cutoff, limit, strategy] as const;
  const distance = f32
    ? ex.path_dims_f32(
      putF32(Slot.A, a),
      n,
      putF32(Slot.B, b),
      m,
      dims,
      ...args,
    )
    : ex.path_dims_f64(put(Slot.A, a), n, put(Slot.B, b), m, dims, ...args);
  return { distance, path: lastPath() };
}

/** The path the last `path_f64` or `path_dims_*` left. */
function lastPath(): Array<[number, number]> {
  const ex = kit();
  const cells = new Uint32Array(
    ex.memory.buffer,
    ex.path_ptr(),
    2 * ex.path_len(),
  );
  const path: Array<[number, number]> = [];
  for (let i = 0; i < cells.length; i += 2) path.push([cells[i], cells[i + 1]]);
  return path;
}

/** `lcs_u32` on symbol ids `< sigma`. */
export function rawLcs(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  sigma: number,
  strategy: number,
): number {
  const pa = put32(Slot.A, a);
  const pb = put32(Slot.B, b);
  return kit().lcs_u32(pa, a.length, pb, b.length, sigma, strategy);
}

/** `lcs_i32` on any `i32` values (it overwrites its copies). */
export function rawLcsI32(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  strategy: number,
): number {
  const pa = put32(Slot.A, a);
  const pb = put32(Slot.B, b);
  return kit().lcs_i32(pa, a.length, pb, b.length, strategy);
}

/** `lcs_row_u32`: the row of `m + 1` values and what the call returned. */
export function rawLcsRow(
  text: ArrayLike<number>,
  pat: ArrayLike<number>,
  sigma: number,
  strategy: number,
): { row: Uint32Array; returned: number } {
  const pt = put32(Slot.A, text);
  const pp = put32(Slot.B, pat);
  const pr = scratch(Slot.C, (pat.length + 1) * 4);
  const returned = kit().lcs_row_u32(
    pt,
    text.length,
    pp,
    pat.length,
    sigma,
    pr,
    strategy,
  );
  const row = new Uint32Array(kit().memory.buffer, pr, pat.length + 1).slice();
  return { row, returned };
}

/**
 * `lcs_corr_rows` over `sequences` (ids `< sigma`), in the sorted order
 * `order`: the correlations of rows `[r0, r1)`, or `undefined` when it
 * returns -1.
 */
export function rawCorrRows(
  sequences: ArrayLike<number>[],
  order: number[],
  sigma: number,
  r0: number,
  r1: number,
  strategy: number,
): Float64Array | undefined {
  const n = sequences.length;
  const starts = [0];
  for (const s of sequences) starts.push(starts[starts.length - 1] + s.length);
  const ids = scratch(Slot.A, starts[n] * 4);
  const ps = put32(Slot.B, starts);
  const po = put32(Slot.C, order);
  let pairs = 0;
  for (let r = Math.min(r0, r1); r < Math.min(r1, n); r++) pairs += n - r - 1;
  const out = scratch(Slot.D, pairs * 8);
  const heap = i32Heap();
  sequences.forEach((s, q) => heap.set(s, (ids >>> 2) + starts[q]));
  const done = kit().lcs_corr_rows(
    ids,
    ps,
    n,
    po,
    n,
    sigma,
    r0,
    r1,
    out,
    strategy,
  );
  if (done === -1) return undefined;
  return f64Heap().slice(out >>> 3, (out >>> 3) + done);
}
