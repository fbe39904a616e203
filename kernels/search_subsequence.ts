// Copyright 2026 the @midstreamer/kit authors. MIT license.

import {
  fillSearchStats,
  searchArgs,
  searchInput,
  searchMatches,
  searchParts,
  searchPrecision,
} from "./_search.ts";
import { statsArg } from "./_validate.ts";
import type { Series } from "./dtw.ts";

/**
 * One result of {@linkcode searchSubsequence}: a window of the series and
 * its distance to the query.
 */
export interface SubsequenceMatch {
  /** Position in the series of the window's first point. */
  start: number;
  /** Position of its last point, inclusive: `start + query.length - 1`. */
  end: number;
  /** Its DTW distance to the query. */
  distance: number;
  /**
   * The window's start, under its 0.1 name: a non-enumerable getter.
   *
   * @deprecated Use `start`. Removed in 1.0.
   */
  readonly index: number;
}

/**
 * What the cascade of lower bounds of {@linkcode searchSubsequence}
 * achieved. Every window is counted once:
 * `prunedByKim + prunedByKeoghEQ + prunedByKeoghEC + abandoned + computed`
 * is `windows`.
 */
export interface SearchStats {
  /** Number of windows of the series: `series.length - query.length + 1`. */
  windows: number;
  /** Windows skipped by the hierarchical LB_Kim. */
  prunedByKim: number;
  /** Windows skipped by LB_Keogh against the query's envelope. */
  prunedByKeoghEQ: number;
  /** Windows skipped by LB_Keogh of the query against the window's envelope. */
  prunedByKeoghEC: number;
  /** Windows whose DTW was started and abandoned early. */
  abandoned: number;
  /** Windows whose DTW ran to the end. */
  computed: number;
}

/** Options of {@linkcode searchSubsequence}. */
export interface SearchOptions {
  /**
   * Sakoe-Chiba band half-width, in points around the diagonal of the
   * query and the window (which have the same length): query point `i`
   * may align with window point `j` only when `|i - j| <= window`.
   * `Infinity` means no band. Required: without a band every window's DTW
   * is quadratic in the query length and the lower bounds get weak, which
   * over a long series is seldom what is meant. UCR Suite's usual choice
   * is a 5 to 10 % band, e.g. `Math.floor(query.length / 10)`.
   */
  window: number;
  /**
   * Number of matches to return (fewer when the series has fewer
   * non-overlapping windows).
   *
   * @default {1}
   */
  k?: number;
  /**
   * Z-normalize the query and every window (UCR Suite's setting), so that
   * matches are found whatever their offset and amplitude; for series of
   * several values per point, each dimension on its own.
   *
   * @default {true}
   */
  normalize?: boolean;
  /**
   * Reported matches start at least this many points apart, so that a
   * match's own neighbours (trivial matches) are not reported after it.
   * `0` reports the best windows whatever their overlap.
   *
   * @default {query.length / 2}
   */
  exclusionZone?: number;
  /**
   * Local cost: `"absolute"` is `|x - y|`, `"squared"` is `(x - y)²`.
   * UCR Suite uses `"squared"` (and prints the square root of the
   * distance).
   *
   * @default {"absolute"}
   */
  cost?: "absolute" | "squared";
  /**
   * How series of several values per point are compared (see
   * {@linkcode searchSubsequence}): `"dependent"` (DTW_D, one warping
   * path for all the dimensions, the cost of a cell summed over them) or
   * `"independent"` (DTW_I, the sum over the dimensions of each
   * dimension's DTW). Ignored for series of one value per point.
   *
   * @default {"dependent"}
   */
  multivariate?: "dependent" | "independent";
  /**
   * The arithmetic of the distances (see {@linkcode searchSubsequence}):
   * `"f64"`, or `"f32"`, where the series and the query are rounded to
   * `f32` once, each normalized value is rounded to `f32` once, and the
   * distance is the `f32` DTW of {@linkcode dtw}'s precision `"f32"`
   * (every operation rounded to `f32`).
   *
   * @default {"f64"}
   */
  precision?: "f64" | "f32";
  /**
   * An object whose fields are overwritten with the pruning counters of
   * the call (an out-parameter).
   *
   * @default {undefined}
   */
  stats?: SearchStats;
}

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
 * window are z-normalized in two passes: `mean` is the mean of the points,
 * `sd` the square root of the mean of `(x - mean)²`, and each point becomes
 * `(x - mean) / sd`; a window whose variance is at most `1e-10` times its
 * mean square is flat and becomes all zeros. The distance is the DTW of
 * the two normalized sequences with the band `window` and the `cost`.
 *
 * **Result.** The windows are ranked by (distance, start), and greedily
 * kept unless they start less than `exclusionZone` points from a window
 * already kept, until `k` are kept. Windows of equal distance rank by
 * start, the lower first.
 *
 * **Multivariate series.** `series` and `query` may have `d` values per
 * point ({@linkcode Series}: an array of points, or `{ dims, values }`),
 * the same `d` for both. With `normalize`, **each dimension** of the query
 * and of each window is z-normalized on its own, as above (as the
 * multivariate UCR Suite variants do). Then, with `a` the window and `b`
 * the query (normalized), `c` the `cost` and paths `P` within the band
 * (Shokoohi-Yekta, Hu, Jin, Wang and Keogh, "Generalizing DTW to the
 * multi-dimensional case requires an adaptive approach", Data Mining and
 * Knowledge Discovery 31, 2017):
 *
 * - `multivariate: "dependent"` (the default), DTW_D: one path for all the
 *   dimensions, `min_P Σ_{(i,j) ∈ P} Σ_k c(a[i][k], b[j][k])`;
 * - `"independent"`, DTW_I: `Σ_k DTW(a[·][k], b[·][k])`, each dimension
 *   warped on its own and the distances summed, in index order.
 *
 * The distances are those of {@linkcode dtw} with the same `multivariate`
 * on the normalized window and query. The search prunes with LB_Kim and
 * LB_Keogh (against both envelopes) summed over the dimensions, lower
 * bounds of both DTW_D and DTW_I, and abandons the DTWs early; the
 * results are exact as below, with the tolerances of a query of `m · d`
 * values. A series of `d = 1` in a multivariate form gives the univariate
 * result bit for bit. A multivariate series is checked and copied whole
 * (at most 2^25 values).
 *
 * **Exactness.** The search itself normalizes windows with running sums
 * (`S1 + x_new - x_old`, recomputed from scratch at every start that is a
 * multiple of 1024), whose distances differ from the two-pass ones by
 * rounding. It therefore keeps every window whose running-sum distance is
 * within `2e-6 × (d + m)` of its bound, and ranks those by their exact
 * (two-pass) distances, which are the distances returned: the result is
 * the ranking above exactly, ties included, as long as each window's
 * running-sum distance is within `1e-6 × (d + m)` of its exact one. That
 * holds unless a window's mean square exceeds its variance about 10^5-fold
 * (a series far from zero compared with its variation over a window, e.g.
 * prices near 300 searched with a query of 2 or 3 points); then windows
 * whose distances differ by less than that rounding may be chosen or
 * ordered differently. Without `normalize`, distances are exact.
 *
 * **Precision `"f32"`.** The series and the query are rounded to `f32`
 * once (`Math.fround`). With `normalize`, the query and each window (each
 * dimension on its own) are z-normalized from those `f32` values in two
 * passes in `f64`, exactly as above (the same formula, the same rule for
 * flat windows), and each normalized value is then rounded to `f32` once;
 * without `normalize`, the `f32` values are used as they are. The
 * distance is the `f32` DTW of the two sequences, as {@linkcode dtw}
 * defines it for `precision: "f32"`: with the band, every operation
 * rounded to `f32` (the difference, its absolute value or square, the sum
 * over the dimensions in index order, `cost + min(up, left, diagonal)`;
 * for `"independent"`, each dimension's DTW and their sum in index
 * order). The ranking, ties by start, the exclusion zone and `k` are as
 * for `"f64"`, and `distance` is that `f32` value. The search prunes with
 * `f64` bounds and distances of the `f32` values, and keeps every window
 * whose `f64` distance is within twice the most that `f32` rounding can
 * move a distance of the bound of the k-th match (a relative `(2m + ρ + d
 * - 2) · 2^-24`, `ρ` 1 for the absolute cost and 3 for the squared one, and, when normalized, the rounding of the normalized
 * values: the bound and its proof are in `rust/src/search.rs`, `Keep`);
 * it ranks those by their `f32` distances. The result is exactly the
 * ranking of the `f32` distances, under the same condition on the running
 * sums as in `"f64"`. The search itself runs in `f64`, so `"f32"` is not
 * faster than `"f64"`: it keeps a few more windows. `f32` has a 24-bit
 * significand: a cost below 2^-24 of the sum it is added to is lost.
 *
 * **Long series.** `series` may have any length that an array or typed
 * array can hold: it is validated and copied into WebAssembly memory part
 * by part (2^22 windows at a time), never whole, so the search needs the
 * memory of the series itself plus a constant (the part's 32 MiB in
 * WebAssembly memory, and working memory). The parts overlap by
 * `query.length - 1` points and each starts from the best bound the parts
 * before it found: the matches are those of a single pass.
 * The pruning counters of `stats` can differ slightly from a single
 * pass's (LB_Keogh of the windows at the parts' edges is tighter, and for
 * `k > 1` a part's bound restarts from the bound of the parts before it).
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
 * const [best, second] = searchSubsequence(series, query, {
 *   window: 12,
 *   k: 2,
 *   stats,
 * });
 * assert.equal(best.start, 1200);
 * assert.equal(best.end, 1327);
 * assert.ok(best.distance < 1e-9);
 * assert.ok(Math.abs(second.start - 1200) >= 64); // outside the exclusion zone
 * assert.equal(stats.windows, 5000 - 128 + 1);
 * ```
 *
 * @example Four instruments that move together
 * ```ts
 * import { searchSubsequence } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * // Points of four values; the query is points 300..340, each value
 * // scaled and shifted (z-normalization removes both, per dimension).
 * let seed = 3;
 * const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5;
 * const level = [0, 0, 0, 0];
 * const series = Array.from({ length: 2000 }, () => {
 *   const common = rnd();
 *   return level.map((v, k) => (level[k] = v + common + 0.5 * rnd()));
 * });
 * const query = series.slice(300, 340).map((p) => p.map((v, k) => 2 * v + k));
 * for (const multivariate of ["dependent", "independent"] as const) {
 *   const [best] = searchSubsequence(series, query, { window: 4, multivariate });
 *   assert.equal(best.start, 300);
 *   assert.ok(best.distance < 1e-9);
 * }
 * ```
 *
 * @example Single precision
 * ```ts
 * import { searchSubsequence } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * const series = Array.from({ length: 3000 }, (_, i) => Math.sin(i / 7) + Math.sin(i / 31));
 * const query = series.slice(1000, 1064);
 * const [f64] = searchSubsequence(series, query, { window: 6 });
 * const [f32] = searchSubsequence(series, query, { window: 6, precision: "f32" });
 * assert.equal(f32.start, f64.start);
 * assert.equal(f32.distance, Math.fround(f32.distance)); // an f32 value
 * ```
 *
 * @param series The long series to search: one value per point, or points of `d` values ({@linkcode Series}).
 * @param query The query, at most as long as `series` and not empty, with the `d` of `series`.
 * @param options `window` (required), `k`, `normalize`, `exclusionZone`, `cost`, `multivariate`, `precision`, and a `stats` out-parameter.
 * @returns Up to `k` matches `{ start, end, distance }`, sorted by distance then start.
 * @throws {TypeError} when `window` is missing, on a non-finite element (naming its index, or its point and dimension), an option of the wrong type or value (`multivariate` other than `"dependent"` or `"independent"`, `precision` other than `"f64"` or `"f32"`), with `precision: "f32"` a finite value that overflows `f32` (naming it), an unknown option, or a series that is not a series.
 * @throws {RangeError} when `query` is empty, longer than `series` or than 2^25 points, when `k` is not an integer `>= 1`, on a negative or fractional `window`, a negative `exclusionZone`, series of different numbers of dimensions, a point with a different number of values than the first (naming it), or `dims` below 1 or not dividing `values.length`. (A series of one value per point has no length limit; one of several, 2^25 values.)
 */
export function searchSubsequence(
  series: Series,
  query: Series,
  options: SearchOptions,
): SubsequenceMatch[] {
  const fn = "searchSubsequence";
  const input = searchInput(fn, series, query, searchPrecision(fn, options));
  const { n, dims, query: q } = input;
  const m = q.length / dims;
  const args = searchArgs(fn, n, m, options);
  const stats = statsArg<SearchStats>(fn, options.stats);
  const x = input.series();
  const parts = searchParts(fn, x, n, q, args, dims);
  if (stats !== undefined) {
    fillSearchStats(stats, n - m + 1, parts.map((p) => p.stats));
  }
  return searchMatches(x, q, parts.map((p) => p.candidates), args, dims);
}
