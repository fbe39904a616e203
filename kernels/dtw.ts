// Copyright 2026 the @midstreamer/kit authors. MIT license.

import { stageSeries } from "./_kernel_calls.ts";
import { dtwArgs, seriesLength } from "./_validate.ts";
import { kit, Slot } from "./_wasm.ts";

/**
 * Options of {@linkcode dtw}, shared by every DTW function of the kit (see
 * "Conventions" in the README).
 */
export interface DtwOptions {
  /**
   * Sakoe-Chiba band half-width, in points around the diagonal of the two
   * series: point `i` of `a` may align with point `j` of `b` only when
   * `|i - j| <= max(window, |n - m|)`, exactly as the original
   * `calculateWithWindow`, so the end cell is always reachable. `Infinity`
   * means no band.
   *
   * @default {undefined} no band: the full matrix
   */
  window?: number;
  /**
   * Local cost of matching two points: `"absolute"` is `|x - y|` (the
   * original definition), `"squared"` is `(x - y)²`.
   *
   * @default {"absolute"}
   */
  cost?: "absolute" | "squared";
  /**
   * Early abandoning: the result is `Infinity` whenever the distance is
   * greater than `cutoff`, and computation stops as soon as that is certain.
   * A distance `<= cutoff` is returned exactly.
   *
   * @default {Infinity}
   */
  cutoff?: number;
}

/**
 * Dynamic Time Warping distance between two series, computed exactly in
 * `f64` by a WebAssembly SIMD kernel in `O(min(n, m))` memory.
 *
 * Without `window` the result is bit-for-bit the original
 * `PureJSDTW.calculate`; with `window` it is `calculateWithWindow`. Both
 * series empty gives `0`; exactly one empty gives `Infinity`.
 *
 * @example Distance between two short series
 * ```ts
 * import { dtw } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * assert.equal(dtw([1, 2, 3], [1, 2, 2, 3]), 0);
 * assert.equal(dtw([0, 0], [1, 1]), 2);
 * ```
 *
 * @example Banded, squared cost, early abandoning
 * ```ts
 * import { dtw } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * const a = Float64Array.from({ length: 1000 }, (_, i) => Math.sin(i / 20));
 * const b = Float64Array.from({ length: 1000 }, (_, i) => Math.sin(i / 20 + 0.3));
 * const d = dtw(a, b, { window: 100, cost: "squared" });
 * assert.ok(d > 0 && d < 10);
 * assert.equal(dtw(a, b, { window: 100, cost: "squared", cutoff: d / 2 }), Infinity);
 * ```
 *
 * @param a First series: a `number[]`, `Float64Array`, `Float32Array` or other array-like of finite numbers.
 * @param b Second series, of any length.
 * @param options Band, cost and cutoff.
 * @returns The DTW distance, or `Infinity` (one series empty, or above `cutoff`).
 * @throws {TypeError} when a series is not an array of finite numbers (naming the index), an option has the wrong type, or on an unknown option.
 * @throws {RangeError} on a negative or fractional `window`, a `NaN` `cutoff`, or a series longer than 2^25 points.
 */
export function dtw(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  options?: DtwOptions,
): number {
  const args = dtwArgs("dtw", options);
  const n = seriesLength("dtw", "a", a);
  const m = seriesLength("dtw", "b", b);
  const pb = stageSeries("dtw", "b", b, m, Slot.B);
  const pa = stageSeries("dtw", "a", a, n, Slot.A);
  return kit().dtw_f64(
    pa,
    n,
    pb,
    m,
    args.window,
    args.squared,
    args.cutoff,
    0, // strategy: auto
  );
}
