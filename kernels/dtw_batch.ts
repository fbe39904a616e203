// Copyright 2026 the @midstreamer/kit authors. MIT license.

import { batchStaged, stageInputs } from "./_kernel_calls.ts";
import { dtwArgs } from "./_validate.ts";
import type { DtwOptions } from "./dtw.ts";

/**
 * DTW distance of `reference` to each of `patterns`, exactly as calling
 * `dtw(reference, patterns[i], options)` for every `i`, bit for bit, but
 * faster: patterns of the same length are computed four at a time, one
 * pattern per SIMD lane, two rows per sweep, so that eight dependency
 * chains run side by side. Patterns may have different lengths (they are
 * grouped by length; a length shared by fewer than three patterns uses the
 * single-pair kernel).
 *
 * @example Distances to three patterns
 * ```ts
 * import { dtw, dtwBatch } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * const reference = [0, 1, 2, 3, 2, 1];
 * const patterns = [[0, 1, 2, 3], [3, 2, 1, 0], [0, 1, 2, 3, 2, 1, 0]];
 * const d = dtwBatch(reference, patterns, { window: 2 });
 * assert.deepEqual(
 *   Array.from(d),
 *   patterns.map((p) => dtw(reference, p, { window: 2 })),
 * );
 * ```
 *
 * @param reference The series every pattern is compared with.
 * @param patterns The patterns, each an array-like of finite numbers, of any lengths.
 * @param options Band, cost and cutoff, as for `dtw` (the band of each pair is `max(window, |n - m|)`).
 * @returns One distance per pattern, in order (`Infinity` above `cutoff`); an empty array for no patterns.
 * @throws {TypeError} when `patterns` is not an array, on a non-finite element (naming e.g. `patterns[3][7]`), an option of the wrong type, or an unknown option.
 * @throws {RangeError} on a negative or fractional `window`, a `NaN` `cutoff`, a series longer than 2^25 points, or more than 2^27 points in all.
 */
export function dtwBatch(
  reference: ArrayLike<number>,
  patterns: ArrayLike<ArrayLike<number>>,
  options?: DtwOptions,
): Float64Array {
  const args = dtwArgs("dtwBatch", options);
  return batchStaged(stageInputs("dtwBatch", reference, patterns), args);
}
