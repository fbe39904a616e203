// Copyright 2026 the @midstreamer/kit authors. MIT license.

import { dtwArgs } from "./_options.ts";
import { fillTopKStats, kArg, statsArg, TOP_K_KEYS } from "./_search_input.ts";
import { stageInputs, topKStaged } from "./_search_kernels.ts";
import type { Match, TopKOptions, TopKStats } from "./search_types.ts";

/**
 * The `k` patterns nearest to `reference` under DTW, exactly as brute force
 * gives them: every distance `dtw(reference, patterns[i], options)`, sorted
 * by distance then index, the first `k` kept (ties at the k-th place
 * included by index order; `Infinity` distances, e.g. above `cutoff`, sort
 * last). A `k` above the number of patterns returns them all.
 *
 * Most patterns are never fully computed. Each gets a lower bound: LB_Kim
 * (the first and last cells, on every path) plus LB_Keogh (each inner
 * point's distance to the reference's envelope over the band). LB_Keogh is
 * valid for unequal lengths too, because the band is index-aligned
 * (`|i - j| <= max(window, |n - m|)`): every column of a path has a cell in
 * a row within the band of that column. Patterns are visited by increasing
 * bound; once a bound exceeds the current k-th best distance the rest are
 * pruned, and every DTW abandons as soon as a row minimum exceeds it. Only
 * patterns strictly worse than the current k-th best are dropped, so ties
 * stay exact. Pass `options.stats` to learn how much was pruned.
 *
 * Without a band, with patterns of one length and `k` at most a quarter of
 * them, the DTWs are first run in `f32` (twice the lanes per vector): a
 * pattern is dropped there only when a bound of its `f64` distance that
 * holds whatever the `f32` rounding exceeds an upper bound of the k-th
 * best, and the remaining few are computed exactly in `f64`. The result is
 * the same; such patterns count as `abandoned` in `stats`.
 *
 * @example The two nearest patterns, with pruning statistics
 * ```ts
 * import { topK, type TopKStats } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * const reference = [0, 1, 2, 3, 4];
 * const patterns = [[9, 9, 9], [0, 1, 2, 3, 3, 4], [5, 6, 7, 8, 9], [0, 2, 4]];
 * const stats = {} as TopKStats;
 * const best = topK(reference, patterns, 2, { stats });
 * assert.deepEqual(best, [
 *   { index: 1, distance: 0 },
 *   { index: 3, distance: 2 },
 * ]);
 * assert.equal(stats.prunedByKim + stats.prunedByKeogh + stats.abandoned + stats.computed, 4);
 * ```
 *
 * @param reference The series every pattern is compared with.
 * @param patterns The candidate patterns, of any lengths.
 * @param k How many to return: an integer `>= 1`.
 * @param options Band, cost and cutoff as for `dtw`, and a `stats` out-parameter.
 * @returns Up to `k` matches `{ index, distance }`, sorted by distance then index.
 * @throws {RangeError} when `k` is not an integer `>= 1`, on a bad `window` or `cutoff`, or on too long series.
 * @throws {TypeError} when `patterns` is not an array, on a non-finite element (naming e.g. `patterns[3][7]`), or on an unknown option.
 */
export function topK(
  reference: ArrayLike<number>,
  patterns: ArrayLike<ArrayLike<number>>,
  k: number,
  options?: TopKOptions,
): Match[] {
  const args = dtwArgs("topK", options, TOP_K_KEYS);
  const kk = kArg("topK", k);
  const stats = statsArg<TopKStats>("topK", options?.stats);
  const r = topKStaged(stageInputs("topK", reference, patterns), kk, args);
  if (stats !== undefined) fillTopKStats(stats, [r.stats]);
  return r.matches;
}
