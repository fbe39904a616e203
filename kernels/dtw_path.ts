// Copyright 2026 the @midstreamer/kit authors. MIT license.

import { pathStaged, stagePair } from "./_kernel_calls.ts";
import { pathArgs } from "./_validate.ts";
import type { DtwOptions, Series } from "./dtw.ts";

/** Result of {@linkcode dtwPath}. */
export interface DtwPathResult {
  /** The DTW distance, exactly as `dtw` returns it. */
  distance: number;
  /**
   * The optimal warping path as `[i, j]` pairs (index into `a`, index into
   * `b`), from `[0, 0]` to `[a.length - 1, b.length - 1]`. Empty when a
   * series is empty or the distance exceeds `cutoff`.
   */
  path: Array<[number, number]>;
}

/**
 * DTW distance and an optimal warping path between two series.
 *
 * The path starts at `[0, 0]`, ends at `[a.length - 1, b.length - 1]`,
 * moves by unit steps (`[i + 1, j]`, `[i, j + 1]` or `[i + 1, j + 1]`),
 * stays inside the band (`|i - j| <= max(window, |n - m|)`), and the sum
 * of its cell costs, added from the start, is exactly `distance`, which is
 * exactly `dtw(a, b, options)`. Among optimal paths, ties are broken by
 * preferring, from the end backwards, the diagonal step, then the step
 * from the previous row of `a` (`[i - 1, j]`), then from the previous
 * point of `b`.
 *
 * Without a band, when the matrix has at most 2^22 cells (32 MiB), it is
 * computed whole by the same kernel as `dtw` and the path traced back
 * through it. Memory stays bounded for long series: the rows are kept only
 * over the band (a banded matrix), and when more than 2^22 cells would have
 * to be kept, the matrix is solved by divide and conquer instead: one sweep
 * keeps only checkpoint rows, and the blocks between them are solved again
 * from the bottom up (recursively), for `O(2^22)` cells of memory per level
 * and a few extra sweeps of time.
 *
 * Series of several dimensions have one path under the dependent DTW
 * (the default), whose cost sums the dimensions; `multivariate:
 * "independent"` has no single path (each dimension warps on its own) and
 * is a `TypeError`. `precision: "f32"` computes distance and path in
 * `f32`, as `dtw` does.
 *
 * @example A path through a short alignment
 * ```ts
 * import { dtw, dtwPath } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * const a = [0, 1, 2, 3], b = [0, 1, 1, 2, 3];
 * const { distance, path } = dtwPath(a, b);
 * assert.equal(distance, dtw(a, b));
 * assert.deepEqual(path, [[0, 0], [1, 1], [1, 2], [2, 3], [3, 4]]);
 * ```
 *
 * @example The path of two multivariate series
 * ```ts
 * import { dtw, dtwPath } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * const a = [[0, 0], [1, 1], [2, 2]], b = [[0, 0], [2, 2]];
 * const { distance, path } = dtwPath(a, b);
 * assert.equal(distance, dtw(a, b));
 * assert.deepEqual(path, [[0, 0], [1, 0], [2, 1]]);
 * assert.throws(() => dtwPath(a, b, { multivariate: "independent" }), TypeError);
 * ```
 *
 * @param a First series (indexed by `i` in the path; {@linkcode Series}: one value per point, or several).
 * @param b Second series (indexed by `j`), with as many dimensions as `a`.
 * @param options Band, cost, cutoff and precision, as for `dtw`; `multivariate` may only be `"dependent"`.
 * @returns The distance and the path; the path is empty when a series is empty or the distance exceeds `cutoff` (then `Infinity`).
 * @throws {TypeError} when a series is not a series of finite numbers (naming the point and dimension), an option has the wrong type, on an unknown option, or on `multivariate: "independent"`.
 * @throws {RangeError} as `dtw`.
 */
export function dtwPath(
  a: Series,
  b: Series,
  options?: DtwOptions,
): DtwPathResult {
  const args = pathArgs("dtwPath", options);
  return pathStaged(stagePair("dtwPath", a, b, args), args);
}
