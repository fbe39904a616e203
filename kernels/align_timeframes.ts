// Copyright 2026 the @midstreamer/kit authors. MIT license.

import { packPatterns, pathPacked } from "./_kernel_calls.ts";
import { pathArgs } from "./_validate.ts";
import type { DtwOptions, Series } from "./dtw.ts";

/** The alignment of two adjacent series in {@linkcode alignTimeframes}. */
export interface TimeframeAlignment {
  /** Index of the first series of the pair in the input. */
  from: number;
  /** Index of the second series (`from + 1`). */
  to: number;
  /** DTW distance between the two series. */
  distance: number;
  /**
   * Warping path: `[i, j]` matches point `i` of `series[from]` with point
   * `j` of `series[to]`.
   */
  path: Array<[number, number]>;
}

/**
 * Multi-timeframe alignment: for each adjacent pair of series (for example
 * bars of 1, 5, 15, 60 and 240 minutes), their DTW distance and optimal
 * warping path, as {@linkcode dtwPath} computes them. The series may have
 * different lengths; the path maps each point of the finer series to the
 * points of the coarser one it aligns with.
 *
 * @example Align three timeframes
 * ```ts
 * import { alignTimeframes, dtwPath } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * const m1 = [1, 2, 3, 4, 5, 6, 7, 8];
 * const m2 = [1.5, 3.5, 5.5, 7.5];
 * const m4 = [2.5, 6.5];
 * const pairs = alignTimeframes([m1, m2, m4]);
 * assert.equal(pairs.length, 2);
 * assert.deepEqual(pairs[1], { from: 1, to: 2, ...dtwPath(m2, m4) });
 * assert.deepEqual(pairs[0].path.at(-1), [7, 3]);
 * ```
 *
 * @example Points of several values (the dependent DTW's path)
 * ```ts
 * import { alignTimeframes, dtwPath } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * const fine = [[1, 10], [2, 11], [3, 12], [4, 13]];
 * const coarse = { dims: 2, values: [1.5, 10.5, 3.5, 12.5] };
 * const [pair] = alignTimeframes([fine, coarse], { precision: "f32" });
 * assert.deepEqual(pair, { from: 0, to: 1, ...dtwPath(fine, coarse, { precision: "f32" }) });
 * assert.deepEqual(pair.path, [[0, 0], [1, 0], [2, 1], [3, 1]]);
 * ```
 *
 * @param series Two or more series, in timeframe order ({@linkcode Series}: one value per point, or several, as many in each).
 * @param options Band, cost, cutoff and precision, as for `dtwPath`, applied to every pair.
 * @returns One `{ from, to, distance, path }` per adjacent pair (`to = from + 1`); empty for fewer than two series.
 * @throws {TypeError} when `series` is not an array, on a non-finite element (naming e.g. `series[2][10]`), an option of the wrong type, an unknown option, or `multivariate: "independent"` (no single path).
 * @throws {RangeError} on a negative or fractional `window`, a `NaN` `cutoff`, or a series longer than 2^25 points.
 */
export function alignTimeframes(
  series: ArrayLike<Series>,
  options?: DtwOptions,
): TimeframeAlignment[] {
  const fn = "alignTimeframes";
  const args = pathArgs(fn, options);
  const p = packPatterns(fn, "series", series, args.f32);
  const { flat, offsets } = p;
  const dims = p.dims ?? 1;
  const out: TimeframeAlignment[] = [];
  for (let i = 0; i + 1 < offsets.length - 1; i++) {
    const a = flat.subarray(offsets[i] * dims, offsets[i + 1] * dims);
    const b = flat.subarray(offsets[i + 1] * dims, offsets[i + 2] * dims);
    out.push({
      from: i,
      to: i + 1,
      ...pathPacked({ dims, values: a }, { dims, values: b }, args),
    });
  }
  return out;
}
