// Copyright 2026 the @midstreamer/kit authors. MIT license.

import { pathPacked } from "./_kernel_calls.ts";
import { dtwArgs, toF64 } from "./_validate.ts";
import type { DtwOptions } from "./dtw.ts";

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
 * @param a First series (indexed by `i` in the path).
 * @param b Second series (indexed by `j`).
 * @param options Band, cost and cutoff, as for `dtw`.
 * @returns The distance and the path; the path is empty when a series is empty or the distance exceeds `cutoff` (then `Infinity`).
 * @throws {TypeError} when a series is not an array of finite numbers (naming the index), an option has the wrong type, or on an unknown option.
 * @throws {RangeError} on a negative or fractional `window`, a `NaN` `cutoff`, or a series longer than 2^25 points.
 */
export function dtwPath(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  options?: DtwOptions,
): DtwPathResult {
  const args = dtwArgs("dtwPath", options);
  return pathPacked(toF64("dtwPath", "a", a), toF64("dtwPath", "b", b), args);
}
