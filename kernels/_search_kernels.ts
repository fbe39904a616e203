// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Calls into the batch, search and path kernels on already validated
// inputs. Shared by the public functions and by the worker. Internal.

import type { DtwArgs } from "./_options.ts";
import { copySeries, seriesLength, stageSeries } from "./_input.ts";
import { type PackedPatterns, patternOffsets } from "./_search_input.ts";
import { f64Heap, kit, scratch, Slot } from "./_wasm.ts";
import type { DtwPathResult, Match } from "./search_types.ts";

/** Window starts between exact recomputations of the running sums (search.rs `RESET`). */
export const SEARCH_RESET = 1024;

/** Cells `dtwPath` keeps in memory at once by default: 2^22 (32 MiB). */
export const PATH_LIMIT_CELLS = 2 ** 22;

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
 * Validates `reference` and `patterns` (as {@linkcode toF64} and
 * {@linkcode packPatterns}) straight into WebAssembly memory: one copy.
 *
 * @throws {TypeError} / {RangeError} as `toF64` and `packPatterns`.
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

/** Orders matches by distance, then index. */
function byDistance(a: Match, b: Match): number {
  return a.distance - b.distance || a.index - b.index;
}

/** Merges per-chunk top-k lists into the global top-k. */
export function mergeTopK(lists: Match[][], k: number): Match[] {
  return lists.flat().sort(byDistance).slice(0, k);
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
   * start from it (the `threshold` argument of {@linkcode searchPacked}).
   */
  threshold: number;
}

/**
 * Candidate windows of `series` (whose first point has absolute index
 * `base`, a multiple of {@linkcode SEARCH_RESET}) for the search of `query`:
 * every window whose distance is at most a bound of the final k-th match
 * (at most `threshold`, a bound known from other parts of the series).
 */
export function searchPacked(
  series: Float64Array,
  base: number,
  query: Float64Array,
  a: SearchArgs,
  threshold = Infinity,
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
    threshold,
    ps,
    0, // strategy: auto
  );
  heap = f64Heap();
  const at = ex.search_results() >>> 3;
  return {
    candidates: heap.slice(at, at + 2 * count),
    stats: Array.from(heap.subarray(ps >>> 3, (ps >>> 3) + 5)),
    threshold: heap[(ps >>> 3) + 5],
  };
}

/**
 * Greedy exclusion-zone selection: scans candidates in (distance, index)
 * order and keeps a window unless it starts less than `ez` points from one
 * already kept; stops after `k`. `lists` must each be sorted.
 */
export function selectMatches(
  lists: Float64Array[],
  k: number,
  ez: number,
): Match[] {
  let pairs: Float64Array;
  if (lists.length === 1) {
    pairs = lists[0];
  } else {
    const all: Match[] = [];
    for (const l of lists) {
      for (let i = 0; i < l.length; i += 2) {
        all.push({ index: l[i], distance: l[i + 1] });
      }
    }
    all.sort(byDistance);
    pairs = new Float64Array(all.length * 2);
    all.forEach((m, i) => {
      pairs[2 * i] = m.index;
      pairs[2 * i + 1] = m.distance;
    });
  }
  const out: Match[] = [];
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
  for (let c = 0; c < pairs.length && out.length < k; c += 2) {
    const index = pairs[c];
    let free = true;
    if (taken !== undefined) {
      free = taken[index - lo] === 0;
    } else if (reach >= 0) {
      for (const m of out) {
        if (Math.abs(m.index - index) <= reach) {
          free = false;
          break;
        }
      }
    }
    if (!free) continue;
    out.push({ index, distance: pairs[c + 1] });
    if (taken !== undefined) {
      const from = Math.max(0, index - reach - lo);
      const to = Math.min(taken.length - 1, index + reach - lo);
      taken.fill(1, from, to + 1);
    }
  }
  return out;
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
