// Copyright 2026 the @midstreamer/kit authors. MIT license.

import { forEachGroup, topKStaged } from "./_kernel_calls.ts";
import { fillTopKStats, mergeTopK, topKArgs } from "./_top_k.ts";
import type { DtwOptions, Series } from "./dtw.ts";

/** One result of {@linkcode topK}: a pattern and its distance. */
export interface Match {
  /** Index of the pattern in `patterns`. */
  index: number;
  /** Its DTW distance to the reference. */
  distance: number;
}

/**
 * What the lower bounds of {@linkcode topK} achieved. Every pattern is
 * counted once: `prunedByKim + prunedByKeogh + abandoned + computed` is the
 * number of patterns.
 */
export interface TopKStats {
  /** Patterns skipped because LB_Kim (first and last cells) exceeded the k-th best. */
  prunedByKim: number;
  /** Patterns skipped because LB_Kim + LB_Keogh exceeded the k-th best. */
  prunedByKeogh: number;
  /** Patterns whose DTW was started and abandoned early. */
  abandoned: number;
  /** Patterns whose DTW ran to the end. */
  computed: number;
}

/** Options of {@linkcode topK}: those of `dtw`, `k`, and a statistics sink. */
export interface TopKOptions extends DtwOptions {
  /**
   * How many matches to return: an integer `>= 1`, or `Infinity` for all
   * (fewer when there are fewer patterns).
   *
   * @default {1}
   */
  k?: number;
  /**
   * An object whose fields are overwritten with the pruning counters of
   * the call (an out-parameter; leave it out when not needed).
   *
   * @default {undefined}
   */
  stats?: TopKStats;
}

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
 * Series of several dimensions ({@linkcode Series}) work alike: under
 * `multivariate: "dependent"` the bounds are those of each dimension,
 * summed (the cost of a cell is the sum of its dimensions' costs, and each
 * is at least that dimension's distance to the envelope); under
 * `"independent"` each dimension's bound holds for its own DTW, and the
 * DTWs run one dimension after the other, each abandoning as soon as the
 * sum can no longer be among the `k` best. With `precision: "f32"` the
 * bounds are lowered by the most the `f32` rounding can move a distance,
 * so the result is still exactly brute force's in `f32`.
 *
 * @example The two nearest patterns, with pruning statistics
 * ```ts
 * import { topK, type TopKStats } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * const reference = [0, 1, 2, 3, 4];
 * const patterns = [[9, 9, 9], [0, 1, 2, 3, 3, 4], [5, 6, 7, 8, 9], [0, 2, 4]];
 * const stats = {} as TopKStats;
 * const best = topK(reference, patterns, { k: 2, stats });
 * assert.deepEqual(best, [
 *   { index: 1, distance: 0 },
 *   { index: 3, distance: 2 },
 * ]);
 * assert.equal(stats.prunedByKim + stats.prunedByKeogh + stats.abandoned + stats.computed, 4);
 * ```
 *
 * @example Multivariate patterns, both definitions
 * ```ts
 * import { dtwBatch, topK } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * const reference = [[0, 0], [1, 2], [2, 4], [3, 6]];
 * const patterns = [
 *   [[9, 9], [9, 9]],
 *   [[0, 0], [1, 2], [3, 6]],
 *   [[0, 1], [2, 4], [3, 5]],
 * ];
 * for (const multivariate of ["dependent", "independent"] as const) {
 *   const d = dtwBatch(reference, patterns, { multivariate });
 *   const [best] = topK(reference, patterns, { k: 1, multivariate });
 *   assert.deepEqual(best, { index: 1, distance: d[1] });
 * }
 * ```
 *
 * @param reference The series every pattern is compared with ({@linkcode Series}: one value per point, or several).
 * @param patterns The candidate patterns, of any lengths, with as many dimensions as `reference`.
 * @param options `k`; band, cost, cutoff, multivariate comparison and precision as for `dtw`; and a `stats` out-parameter.
 * @returns Up to `k` matches `{ index, distance }` (`index` is the pattern's), sorted by distance then index.
 * @throws {TypeError} when `patterns` is not an array, on a non-finite element (naming e.g. `patterns[3][7]`), an option of the wrong type, or an unknown option.
 * @throws {RangeError} when `k` is not an integer `>= 1`, on a negative or fractional `window`, a `NaN` `cutoff`, mixed numbers of dimensions or a ragged point, a reference or pattern over 2^25 values, or patterns of more than 2^32 - 1 values in all (they are staged in WebAssembly memory about 2^27 values at a time).
 */
export function topK(
  reference: Series,
  patterns: ArrayLike<Series>,
  options?: TopKOptions,
): Match[];
/**
 * The deprecated form of {@linkcode topK}, with `k` as the third argument.
 *
 * @example Migrating
 * ```ts
 * import { topK } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * const patterns = [[1, 2], [0, 1, 2], [5]];
 * assert.deepEqual(topK([0, 1, 2], patterns, 2), topK([0, 1, 2], patterns, { k: 2 }));
 * ```
 *
 * @deprecated Pass `k` as an option: `topK(reference, patterns, { k })`.
 * This form is removed in 1.0.
 *
 * @param reference The series every pattern is compared with.
 * @param patterns The candidate patterns, of any lengths.
 * @param k How many to return: an integer `>= 1`.
 * @param options Band, cost, cutoff and `stats` (not `k`).
 * @returns Up to `k` matches `{ index, distance }`.
 * @throws {TypeError} as `topK`, and when `options.k` is given too.
 * @throws {RangeError} as `topK`.
 */
export function topK(
  reference: Series,
  patterns: ArrayLike<Series>,
  k: number,
  options?: TopKOptions,
): Match[];
export function topK(
  reference: Series,
  patterns: ArrayLike<Series>,
  kOrOptions?: number | TopKOptions,
  options?: TopKOptions,
): Match[] {
  const a = topKArgs("topK", kOrOptions, options);
  // Patterns staged group by group (one group unless they are over 1 GiB):
  // each group's cutoff is the k-th best of the groups before it.
  let best: Match[] = [];
  const stats: number[][] = [];
  forEachGroup("topK", reference, patterns, a, (staged, from) => {
    const cutoff = best.length < a.k
      ? a.cutoff
      : Math.min(a.cutoff, best[a.k - 1].distance);
    const r = topKStaged(staged, a.k, { ...a, cutoff }, from);
    best = stats.length === 0 ? r.matches : mergeTopK([best, r.matches], a.k);
    stats.push(r.stats);
  });
  if (a.stats !== undefined) fillTopKStats(a.stats, stats);
  return best;
}
