// Copyright 2026 the @midstreamer/kit authors. MIT license.
// topK under the independent multivariate DTW (DTW_I): the sum over the
// dimensions of each dimension's DTW. No kernel of its own (a fused one
// would save no arithmetic): the univariate kernels run one dimension
// after the other, with lower bounds and early abandoning computed here.
// Internal.

import type { Staged, TopKResult } from "./_kernel_calls.ts";
import type { DtwArgs } from "./_validate.ts";
import { f32Heap, f64Heap, kit } from "./_wasm.ts";
import type { Match } from "./top_k.ts";

/**
 * The `k` patterns of a staged reference and list (in the independent
 * layout: dimension `k` of the reference at `k · n` values, of the list at
 * `k · total` values) nearest under DTW_I, exactly as brute force gives
 * them: sorted by (distance, index), `Infinity` above `cutoff`.
 *
 * Each pattern gets a lower bound, summed over the dimensions: LB_Kim (the
 * first and the last cell, on every path) plus LB_Keogh (each inner point
 * of the pattern against the reference's envelope over its band). Both
 * hold for each dimension's DTW, hence for their sum. Why they hold:
 * every warping path of a dimension passes through cells `(0, 0)` and
 * `(n − 1, m − 1)`, and through at least one cell of every column `j`, in
 * a row `i` with `|i − j| <= max(window, |n − m|)` (the band); the cells
 * of the inner columns `1..m − 2` are neither of the two corners, and the
 * cost of a cell is at least the distance of the pattern's point to the
 * envelope (minimum and maximum) of the reference over the band rows of
 * its column. So the sum of the corners' costs and of these distances is
 * at most the cost of every path, hence of the DTW.
 *
 * The computed bound is then lowered by the most that rounding can move
 * either side (a relative `(2(n + m) + 2d + 8)·u`, `u` the unit roundoff of
 * the precision, and the underflow of every operation), so that it stays
 * below the distance as the kernels compute it. Patterns are visited by
 * increasing bound: once one exceeds the current k-th best distance (or
 * `cutoff` until there are `k` within it) every later one is pruned;
 * otherwise its dimensions are computed in order, each DTW abandoning
 * above a threshold that leaves the sum above the k-th best whatever the
 * rounding, and the sum stops as soon as it exceeds it. Only patterns
 * strictly worse than the k-th best are dropped, so ties stay exact.
 */
export function independentTopK(
  s: Staged,
  k: number,
  args: DtwArgs,
  base: number,
): TopKResult {
  const { n, count, dims, f32, total } = s;
  const heap = f32 ? f32Heap() : f64Heap();
  const bytes = f32 ? 4 : 8;
  const ref = heap.subarray(s.pr / bytes, s.pr / bytes + n * dims);
  const flat = heap.subarray(s.pf / bytes, s.pf / bytes + total * dims);
  const offsets = new Uint32Array(heap.buffer, s.po, count + 1).slice();
  const squared = args.squared === 1;
  const cost = squared ? (x: number) => x * x : (x: number) => Math.abs(x);
  const u = f32 ? 2 ** -24 : 2 ** -53;
  const tiny = f32 ? 2 ** -149 : 2 ** -1074;
  const envelopes = new Map<number, Float64Array>();
  const kim = new Float64Array(count);
  const bound = new Float64Array(count);
  for (let p = 0; p < count; p++) {
    const at = offsets[p], m = offsets[p + 1] - at;
    if (n === 0 || m === 0) continue; // exact below, without a kernel
    let env = envelopes.get(m);
    if (env === undefined) {
      env = envelope(ref, n, dims, m, args.window);
      envelopes.set(m, env);
    }
    let lbKim = 0, lbKeogh = 0;
    for (let d = 0; d < dims; d++) {
      const r = d * n, q = d * total + at;
      lbKim += cost(ref[r] - flat[q]);
      if (n > 1 || m > 1) lbKim += cost(ref[r + n - 1] - flat[q + m - 1]);
      const lo = 2 * d * m;
      for (let j = 1; j < m - 1; j++) {
        const x = flat[q + j],
          low = env[lo + 2 * j],
          high = env[lo + 2 * j + 1];
        if (x > high) lbKeogh += cost(x - high);
        else if (x < low) lbKeogh += cost(low - x);
      }
    }
    const eps = (2 * (n + m) + 2 * dims + 8) * u;
    const abs = (n + m + 1) * (dims + 2) * tiny;
    kim[p] = Math.max(0, lbKim * (1 - eps) - abs);
    bound[p] = Math.max(0, (lbKim + lbKeogh) * (1 - eps) - abs);
  }
  const order = Array.from({ length: count }, (_, p) => p);
  order.sort((x, y) => bound[x] - bound[y] || x - y);

  const kk = Math.min(k, count);
  const cutoff = args.cutoff;
  const best: Match[] = [];
  const stats = [0, 0, 0, 0];
  const threshold = () =>
    best.length < kk ? cutoff : Math.min(cutoff, best[kk - 1].distance);
  const ex = kit();
  const margin = f32 ? 2 ** -20 : 2 ** -40;
  for (let v = 0; v < count; v++) {
    const p = order[v];
    const t = threshold();
    if (bound[p] > t) {
      // Every later pattern has a bound at least as high: all pruned.
      for (; v < count; v++) {
        stats[kim[order[v]] > t ? 0 : 1]++;
      }
      break;
    }
    const at = offsets[p], m = offsets[p + 1] - at;
    let sum = n === m ? 0 : Infinity; // one or both empty: exact
    if (n > 0 && m > 0) {
      sum = 0;
      let done = true;
      for (let d = 0; d < dims; d++) {
        // Above this, s + dtw exceeds t by more than any rounding of the
        // sum can take back: the pattern is strictly worse than t.
        const c = t === Infinity
          ? Infinity
          : (t - sum) * (1 + margin) + margin * t;
        const pr = s.pr + d * n * bytes;
        const pf = s.pf + (d * total + at) * bytes;
        const one = f32
          ? ex.dtw_dims_f32(pr, n, pf, m, 1, args.window, args.squared, c, 0)
          : ex.dtw_f64(pr, n, pf, m, args.window, args.squared, c, 0);
        sum = d === 0 ? one : f32 ? Math.fround(sum + one) : sum + one;
        if (one === Infinity || (sum > t && d < dims - 1)) {
          done = false;
          break;
        }
      }
      if (!done) {
        stats[2]++;
        continue;
      }
    }
    stats[3]++;
    if (sum <= cutoff) insert(best, { index: p, distance: sum }, kk);
  }
  // Fewer than k within the cutoff: the first others by index, at Infinity.
  if (best.length < kk) {
    const taken = new Set(best.map((x) => x.index));
    for (let p = 0; p < count && best.length < kk; p++) {
      if (!taken.has(p)) best.push({ index: p, distance: Infinity });
    }
  }
  for (const x of best) x.index += base;
  return { matches: best, stats };
}

/** Inserts `x` into `best`, sorted by (distance, index), keeping `k`. */
function insert(best: Match[], x: Match, k: number): void {
  let lo = 0, hi = best.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const y = best[mid];
    if (
      y.distance < x.distance ||
      (y.distance === x.distance && y.index < x.index)
    ) {
      lo = mid + 1;
    } else hi = mid;
  }
  if (lo >= k) return;
  best.splice(lo, 0, x);
  if (best.length > k) best.pop();
}

/**
 * The envelope of each dimension of the reference (`n` points, dimension
 * `d` at `ref[d·n..]`) over the band of each column `j < m` of a pattern of
 * `m` points: rows `|i − j| <= max(window, |n − m|)` (`window < 0`: all).
 * Returns `[low, high]` of dimension `d`, column `j` at `2(d·m + j)`, by
 * monotonic deques (van Herk would do too; this is O(n + m) per dimension).
 */
function envelope(
  ref: ArrayLike<number>,
  n: number,
  dims: number,
  m: number,
  window: number,
): Float64Array {
  const w = window < 0 ? Math.max(n, m) : Math.max(window, Math.abs(n - m));
  const out = new Float64Array(2 * dims * m);
  const lows = new Int32Array(n), highs = new Int32Array(n);
  for (let d = 0; d < dims; d++) {
    const r = d * n;
    let lh = 0, lt = 0, hh = 0, ht = 0; // deque heads and tails
    let next = 0; // next row to enter
    for (let j = 0; j < m; j++) {
      const last = Math.min(n - 1, j + w), first = Math.max(0, j - w);
      for (; next <= last; next++) {
        const x = ref[r + next];
        while (lt > lh && ref[r + lows[lt - 1]] >= x) lt--;
        lows[lt++] = next;
        while (ht > hh && ref[r + highs[ht - 1]] <= x) ht--;
        highs[ht++] = next;
      }
      while (lows[lh] < first) lh++;
      while (highs[hh] < first) hh++;
      // A column with no band row (j - w > n - 1) never happens: w >= |n - m|.
      out[2 * (d * m + j)] = ref[r + lows[lh]];
      out[2 * (d * m + j) + 1] = ref[r + highs[hh]];
    }
  }
  return out;
}
