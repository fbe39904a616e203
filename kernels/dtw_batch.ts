// Copyright 2026 the @midstreamer/kit authors. MIT license.

import { batchStaged, forEachGroup } from "./_kernel_calls.ts";
import { dtwArgs } from "./_validate.ts";
import type { DtwOptions, Series } from "./dtw.ts";

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
 * @example Points of two values, in f32
 * ```ts
 * import { dtw, dtwBatch } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * const reference = [[0, 1], [1, 2], [2, 2]];
 * const patterns = [[[0, 1], [2, 2]], { dims: 2, values: [1, 1, 2, 1] }];
 * const options = { precision: "f32", multivariate: "independent" } as const;
 * assert.deepEqual(
 *   Array.from(dtwBatch(reference, patterns, options)),
 *   patterns.map((p) => dtw(reference, p, options)),
 * );
 * ```
 *
 * @param reference The series every pattern is compared with ({@linkcode Series}: one value per point, or several).
 * @param patterns The patterns, of any lengths, with as many dimensions as `reference`.
 * @param options Band, cost, cutoff, multivariate comparison and precision, as for `dtw` (the band of each pair is `max(window, |n - m|)`).
 * @returns One distance per pattern, in order (`Infinity` above `cutoff`); an empty array for no patterns.
 * @throws {TypeError} when `patterns` is not an array, on a non-finite element (naming e.g. `patterns[3][7]`, with its dimension), an option of the wrong type, or an unknown option.
 * @throws {RangeError} on a negative or fractional `window`, a `NaN` `cutoff`, mixed numbers of dimensions or a ragged point, a series over 2^25 values, or patterns of more than 2^32 - 1 values in all (they are staged in WebAssembly memory about 2^27 values at a time).
 */
export function dtwBatch(
  reference: Series,
  patterns: ArrayLike<Series>,
  options?: DtwOptions,
): Float64Array {
  const args = dtwArgs("dtwBatch", options);
  const parts: Float64Array[] = [];
  forEachGroup("dtwBatch", reference, patterns, args, (staged) => {
    parts.push(batchStaged(staged, args));
  });
  if (parts.length === 1) return parts[0];
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
