// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Staging into WebAssembly memory, and the calls of the batch, topK,
// search and path kernels on validated inputs. Shared by the public
// functions and by the pool's workers. Internal.

import {
  copySeries,
  type DtwArgs,
  patternOffsets,
  seriesLength,
} from "./_validate.ts";
import { f64Heap, kit, scratch, Slot } from "./_wasm.ts";
import type { DtwPathResult } from "./dtw_path.ts";
import type { Match } from "./top_k.ts";

/** Window starts between exact recomputations of the running sums (search.rs `RESET`). */
export const SEARCH_RESET = 1024;

/** Cells `dtwPath` keeps in memory at once by default: 2^22 (32 MiB). */
export const PATH_LIMIT_CELLS = 2 ** 22;

/** Patterns stored back to back: pattern `i` is `flat[offsets[i]..offsets[i + 1]]`. */
export interface PackedPatterns {
  flat: Float64Array;
  offsets: Uint32Array;
}

/**
 * Validates a list of series and packs it back to back.
 *
 * @throws {TypeError} when `list` is not an array, or names `name[i][j]` for a bad element.
 * @throws {RangeError} when the series hold more than 2^27 points.
 */
export function packPatterns(
  fn: string,
  name: string,
  list: ArrayLike<ArrayLike<number>>,
): PackedPatterns {
  const offsets = patternOffsets(fn, name, list);
  return packRange(fn, name, list, offsets, 0, offsets.length - 1);
}

/**
 * Validates the elements of series `from..to` of `list` (whose
 * `patternOffsets` are `offsets`) and packs them into fresh, transferable
 * buffers, with offsets from 0.
 *
 * @throws {TypeError} naming `name[i][j]` for a bad element.
 */
export function packRange(
  fn: string,
  name: string,
  list: ArrayLike<ArrayLike<number>>,
  offsets: Uint32Array,
  from: number,
  to: number,
): PackedPatterns {
  const base = offsets[from];
  const part = offsets.slice(from, to + 1);
  const flat = new Float64Array(offsets[to] - base);
  for (let i = from; i < to; i++) {
    part[i - from] -= base;
    copySeries(fn, `${name}[${i}]`, list[i], flat, offsets[i] - base);
  }
  part[to - from] -= base;
  return { flat, offsets: part };
}

/**
 * Validates `x` and copies it into scratch slot `slot` of WebAssembly
 * memory. Returns the byte address. Call `f64Heap` again before writing
 * elsewhere if another slot may have grown since.
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

/** A reference and patterns in WebAssembly memory (byte addresses). */
export interface Staged {
  /** The reference, `n` points. */
  pr: number;
  n: number;
  /** The patterns back to back, and their `count + 1` offsets (u32). */
  pf: number;
  po: number;
  count: number;
}

/** Stages a reference and patterns that are already validated and packed. */
function stagePacked(ref: Float64Array, p: PackedPatterns): Staged {
  const count = p.offsets.length - 1;
  const pr = scratch(Slot.A, ref.length * 8);
  const pf = scratch(Slot.B, p.flat.length * 8);
  const po = scratch(Slot.C, (count + 1) * 4);
  const heap = f64Heap();
  heap.set(ref, pr >>> 3);
  heap.set(p.flat, pf >>> 3);
  new Uint32Array(heap.buffer, po, count + 1).set(p.offsets);
  return { pr, n: ref.length, pf, po, count };
}

/**
 * Validates `reference` and `patterns` (as `toF64` and
 * {@linkcode packPatterns}) straight into WebAssembly memory: one copy.
 *
 * @throws {TypeError} on a non-array or a non-finite element (naming it).
 * @throws {RangeError} on a series or a total over the limits.
 */
export function stageInputs(
  fn: string,
  reference: ArrayLike<number>,
  patterns: ArrayLike<ArrayLike<number>>,
): Staged {
  const n = seriesLength(fn, "reference", reference);
  const pr = stageSeries(fn, "reference", reference, n, Slot.A);
  const offsets = patternOffsets(fn, "patterns", patterns);
  const count = offsets.length - 1;
  const pf = scratch(Slot.B, offsets[count] * 8);
  const po = scratch(Slot.C, (count + 1) * 4);
  const heap = f64Heap();
  for (let i = 0; i < count; i++) {
    copySeries(
      fn,
      `patterns[${i}]`,
      patterns[i],
      heap,
      (pf >>> 3) + offsets[i],
    );
  }
  new Uint32Array(heap.buffer, po, count + 1).set(offsets);
  return { pr, n, pf, po, count };
}

/** DTW of the staged reference against every staged pattern. */
export function batchStaged(s: Staged, args: DtwArgs): Float64Array {
  if (s.count === 0) return new Float64Array(0);
  const px = scratch(Slot.D, s.count * 8);
  kit().dtw_batch_f64(
    s.pr,
    s.n,
    s.pf,
    s.po,
    s.count,
    args.window,
    args.squared,
    args.cutoff,
    px,
    0, // strategy: auto
  );
  return f64Heap().slice(px >>> 3, (px >>> 3) + s.count);
}

/** DTW of `ref` against every pattern (validated inputs). */
export function batchPacked(
  ref: Float64Array,
  p: PackedPatterns,
  args: DtwArgs,
): Float64Array {
  return batchStaged(stagePacked(ref, p), args);
}

/** Result of {@linkcode topKPacked}. */
export interface TopKResult {
  matches: Match[];
  /** prunedByKim, prunedByKeogh, abandoned, computed. */
  stats: number[];
}

/** The `k` best patterns (validated inputs); indices offset by `base`. */
export function topKPacked(
  ref: Float64Array,
  p: PackedPatterns,
  k: number,
  args: DtwArgs,
  base = 0,
): TopKResult {
  return topKStaged(stagePacked(ref, p), k, args, base);
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
  const kk = Math.min(k, count);
  const px = scratch(Slot.D, kk * 12 + 32);
  const pd = px + 32; // distances (f64), 16-aligned
  const pi = pd + kk * 8; // indices (u32)
  const found = kit().top_k_f64(
    s.pr,
    s.n,
    s.pf,
    s.po,
    count,
    kk,
    args.window,
    args.squared,
    args.cutoff,
    pi,
    pd,
    px,
    0, // strategy: auto
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

/** Search parameters, validated and encoded. */
export interface SearchArgs {
  /** Band half-width, or -1 for none. */
  window: number;
  squared: number;
  normalize: number;
  k: number;
  exclusionZone: number;
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
 */
export function searchPacked(
  series: Float64Array,
  base: number,
  query: Float64Array,
  a: SearchArgs,
  cutoff = Infinity,
): SearchResult {
  const px = scratch(Slot.A, series.length * 8);
  const pq = scratch(Slot.B, query.length * 8);
  const ps = scratch(Slot.C, 64);
  let heap = f64Heap();
  heap.set(series, px >>> 3);
  heap.set(query, pq >>> 3);
  const ex = kit();
  const count = ex.search_f64(
    px,
    series.length,
    pq,
    query.length,
    a.window,
    a.squared,
    a.normalize,
    a.k,
    a.exclusionZone,
    base,
    cutoff,
    ps,
    0, // strategy: auto
  );
  heap = f64Heap();
  const at = ex.search_results() >>> 3;
  return {
    candidates: heap.slice(at, at + 2 * count),
    stats: Array.from(heap.subarray(ps >>> 3, (ps >>> 3) + 5)),
    cutoff: heap[(ps >>> 3) + 5],
  };
}

/**
 * Distance and optimal warping path of validated series; at most
 * `limitCells` matrix cells are kept at once.
 */
export function pathPacked(
  a: Float64Array,
  b: Float64Array,
  args: DtwArgs,
  limitCells: number = PATH_LIMIT_CELLS,
): DtwPathResult {
  const pa = scratch(Slot.A, a.length * 8);
  const pb = scratch(Slot.B, b.length * 8);
  const heap = f64Heap();
  heap.set(a, pa >>> 3);
  heap.set(b, pb >>> 3);
  const ex = kit();
  const distance = ex.path_f64(
    pa,
    a.length,
    pb,
    b.length,
    args.window,
    args.squared,
    args.cutoff,
    limitCells,
    0, // strategy: auto
  );
  const len = ex.path_len();
  const cells = new Uint32Array(ex.memory.buffer, ex.path_ptr(), 2 * len);
  const path: Array<[number, number]> = new Array(len);
  for (let i = 0; i < len; i++) path[i] = [cells[2 * i], cells[2 * i + 1]];
  return { distance, path };
}
