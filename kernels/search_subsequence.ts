// Copyright 2026 the @midstreamer/kit authors. MIT license.

import {
  fillSearchStats,
  searchArgs,
  statsArg,
  toF64,
} from "./_search_input.ts";
import { searchPacked, selectMatches } from "./_search_kernels.ts";
import type { Match, SearchOptions, SearchStats } from "./search_types.ts";

/**
 * The `k` windows of `series` most similar to `query` under DTW, the
 * subsequence search of the UCR Suite (Rakthanmanon et al., KDD 2012) with
 * the same techniques and exact results: online z-normalization, query
 * reordering, hierarchical LB_Kim, LB_Keogh against both envelopes, and
 * the cumulative bound carried into an early-abandoning DTW; unlike the UCR
 * Suite it returns the top `k`, not only the best match.
 *
 * **Definition.** The window starting at `i` is `series[i .. i + m)`
 * (`m = query.length`). With `normalize` (the default) the query and each
 * window are z-normalized: with `S1` and `S2` the sums of the points and
 * of their squares, `mean = S1 / m`, `sd = sqrt(S2 / m - mean²)` and each
 * point becomes `(x - mean) / sd`; a window whose variance is at most
 * `1e-10` times its mean square is flat and becomes all zeros. For a
 * window the sums are running sums (`S1 + x_new - x_old`), recomputed from
 * scratch at every start that is a multiple of 1024. The distance is the
 * DTW of the two normalized sequences with the band `window` and the
 * `cost` (by default the squared cost: the sum of squared differences
 * along the path; the UCR Suite prints its square root).
 *
 * **Result.** The windows are ranked by (distance, index), and greedily
 * kept unless they start less than `exclusionZone` points from a window
 * already kept, until `k` are kept. This is exactly what computing every
 * window's distance and then selecting would give.
 *
 * @example Find a planted pattern
 * ```ts
 * import { searchSubsequence, type SearchStats } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * // A random walk, and a query cut out of it then scaled and shifted.
 * let x = 0, seed = 7;
 * const series = Float64Array.from({ length: 5000 }, () => {
 *   seed = (seed * 16807) % 2147483647;
 *   return (x += seed / 2147483647 - 0.5);
 * });
 * const query = Array.from(series.subarray(1200, 1328), (v) => 3 * v + 100);
 * const stats = {} as SearchStats;
 * const [best, second] = searchSubsequence(series, query, { k: 2, stats });
 * assert.equal(best.index, 1200);
 * assert.ok(best.distance < 1e-9);
 * assert.ok(Math.abs(second.index - 1200) >= 64); // outside the exclusion zone
 * assert.equal(stats.windows, 5000 - 128 + 1);
 * ```
 *
 * @param series The long series to search.
 * @param query The query, at most as long as `series` and not empty.
 * @param options `k`, `window`, `normalize`, `exclusionZone`, `cost`, and a `stats` out-parameter.
 * @returns Up to `k` matches `{ index, distance }` (`index` is the window start), sorted by distance then index.
 * @throws {RangeError} when `query` is empty or longer than `series`, when `k` is not an integer `>= 1`, on a bad `window` or `exclusionZone`.
 * @throws {TypeError} on a non-finite element (naming its index), a non-boolean `normalize`, or an unknown option.
 */
export function searchSubsequence(
  series: ArrayLike<number>,
  query: ArrayLike<number>,
  options?: SearchOptions,
): Match[] {
  const fn = "searchSubsequence";
  const x = toF64(fn, "series", series);
  const q = toF64(fn, "query", query);
  const args = searchArgs(fn, x.length, q.length, options);
  const stats = statsArg<SearchStats>(fn, options?.stats);
  const r = searchPacked(x, 0, q, args);
  if (stats !== undefined) {
    fillSearchStats(stats, x.length - q.length + 1, [r.stats]);
  }
  return selectMatches([r.candidates], args.k, args.exclusionZone);
}
