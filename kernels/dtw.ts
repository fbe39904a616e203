// Copyright 2026 the @midstreamer/kit authors. MIT license.

import { dtwPlain, dtwStaged, stagePair } from "./_kernel_calls.ts";
import { dtwArgs, isPlainSeries } from "./_validate.ts";

/**
 * A series of points of `dims` values each, packed point-major: value `k`
 * of point `i` is `values[i * dims + k]` (so `values.length` is a multiple
 * of `dims`).
 *
 * @example Three points of open, high, low, close
 * ```ts
 * import { dtw, type PackedSeries } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * const bars: PackedSeries = {
 *   dims: 4,
 *   values: Float64Array.of(1, 2, 0, 1, 1, 3, 1, 2, 2, 3, 1, 3),
 * };
 * const points = [[1, 2, 0, 1], [1, 3, 1, 2], [2, 3, 1, 3]];
 * assert.equal(dtw(bars, points), 0);
 * ```
 */
export interface PackedSeries {
  /** Values per point (dimensions): an integer `>= 1`. */
  dims: number;
  /** The values, point-major. */
  values: Float64Array | Float32Array | number[];
}

/**
 * A time series, wherever the kit takes one: one value per point (an
 * array-like of numbers: `number[]`, `Float64Array`, `Float32Array`, ...),
 * or several: an array of points, each an array-like of the same number
 * `d` of values (`[[open, high, low, close], ...]`), or the packed form
 * {@linkcode PackedSeries}. The series of one call must all have the same
 * `d`; a one-value series is `d = 1` in any form, with the same results.
 *
 * @example One series in its three forms
 * ```ts
 * import { dtw, type Series } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * const forms: Series[] = [
 *   [[1, 10], [2, 20]], // points
 *   { dims: 2, values: [1, 10, 2, 20] }, // packed, point-major
 *   { dims: 2, values: Float32Array.of(1, 10, 2, 20) },
 * ];
 * for (const x of forms) assert.equal(dtw(x, [[1, 10], [2, 21]]), 1);
 * // One value per point: a plain array, or points of one value.
 * assert.equal(dtw([1, 2], [1, 3]), dtw([[1], [2]], { dims: 1, values: [1, 3] }));
 * ```
 */
export type Series =
  | ArrayLike<number>
  | ArrayLike<ArrayLike<number>>
  | PackedSeries;

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
  /**
   * How series of several dimensions (`d > 1` values per point) are
   * compared (Shokoohi-Yekta, Hu, Jin, Wang and Keogh, "Generalizing DTW
   * to the multi-dimensional case requires an adaptive approach", Data
   * Mining and Knowledge Discovery 31, 2017):
   *
   * - `"dependent"` (DTW_D): one warping path for all the dimensions; the
   *   cost of matching point `i` of `a` with point `j` of `b` is
   *   `Σ_k |a[i][k] - b[j][k]|`, or `Σ_k (a[i][k] - b[j][k])²` with
   *   `cost: "squared"`, summed in index order `k = 0, 1, …, d - 1`;
   * - `"independent"` (DTW_I): each dimension warps on its own: the sum,
   *   in index order, of the univariate DTW of each dimension
   *   (`dtw(a[·][0], b[·][0]) + dtw(a[·][1], b[·][1]) + …`, each with the
   *   same band and cost).
   *
   * Both are the univariate DTW when `d = 1`, bit for bit. `dtwPath` and
   * `alignTimeframes` take only `"dependent"` (one path).
   *
   * @default {"dependent"}
   */
  multivariate?: "dependent" | "independent";
  /**
   * The arithmetic: `"f64"`, exact in double precision, or `"f32"`: the
   * inputs are rounded to the nearest `f32` once, then every operation is
   * done in `f32` (the difference, its absolute value or square, each sum
   * over the dimensions from `k = 0`, then `cost + min(up, left,
   * diagonal)`; for `"independent"`, each addition of a dimension's
   * distance), with results bit for bit those of a scalar reference that
   * applies `Math.fround` after each operation. Twice the lanes of `f64`
   * per SIMD vector (and half the memory), so about twice the speed; the
   * price is accuracy: `f32` has a 24-bit significand, so once a distance
   * exceeds 2^24 times the smallest cost added to it, those costs are
   * lost in the rounding (e.g. a running sum above 2^24 ≈ 1.7·10^7 gains
   * nothing from a further cost of 1), and the relative error of a
   * distance along a path of `L` cells is up to about `L · 2^-24`. An input
   * beyond the `f32` range (about ±3.4e38) is a `TypeError`; a distance
   * beyond it is `Infinity`.
   *
   * @default {"f64"}
   */
  precision?: "f64" | "f32";
}

/**
 * Dynamic Time Warping distance between two series, computed exactly in
 * `f64` (or in `f32`, see {@linkcode DtwOptions.precision}) by a
 * WebAssembly SIMD kernel in `O(min(n, m))` memory.
 *
 * Without `window` the result is bit-for-bit the original
 * `PureJSDTW.calculate`; with `window` it is `calculateWithWindow`. Both
 * series empty gives `0`; exactly one empty gives `Infinity`. Series of
 * several dimensions ({@linkcode Series}) are compared as
 * {@linkcode DtwOptions.multivariate} says.
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
 * @example Multivariate series: points of open, high, low, close
 * ```ts
 * import { dtw } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * const a = [[1, 2, 0, 1], [1, 3, 1, 2], [2, 3, 1, 3]];
 * const b = [[1, 2, 0, 1], [2, 3, 1, 3]];
 * // Dependent: one path, the cost summed over the four values.
 * assert.equal(dtw(a, b), 2);
 * // Independent: each dimension aligned on its own, then summed.
 * assert.equal(dtw(a, b, { multivariate: "independent" }), 1);
 * // The packed form is the same series.
 * const packed = { dims: 4, values: a.flat() };
 * assert.equal(dtw(packed, b), dtw(a, b));
 * ```
 *
 * @example Single precision
 * ```ts
 * import { dtw } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * const a = [0.1, 0.7], b = [0.3];
 * const f = Math.fround;
 * // Inputs rounded to f32 once, then every operation rounded to f32.
 * const want = f(f(f(0.7) - f(0.3)) + f(f(0.3) - f(0.1)));
 * assert.equal(dtw(a, b, { precision: "f32" }), want);
 * assert.notEqual(dtw(a, b), want);
 * ```
 *
 * @param a First series: a `number[]`, `Float64Array`, `Float32Array` or other array-like of finite numbers, or a series of points ({@linkcode Series}).
 * @param b Second series, of any length, with as many dimensions as `a`.
 * @param options Band, cost, cutoff, multivariate comparison and precision.
 * @returns The DTW distance, or `Infinity` (one series empty, or above `cutoff`).
 * @throws {TypeError} when a series is not a series of finite numbers (naming the point, and the dimension), a value overflows `f32` with `precision: "f32"`, an option has the wrong type or an unknown value, or on an unknown option.
 * @throws {RangeError} on a negative or fractional `window`, a `NaN` `cutoff`, series with different numbers of dimensions, a point with a different number of values than the first (naming it), `dims` below 1 or not dividing `values.length`, or a series over 2^25 values.
 */
export function dtw(a: Series, b: Series, options?: DtwOptions): number {
  const args = dtwArgs("dtw", options);
  return !args.f32 && isPlainSeries(a) && isPlainSeries(b)
    ? dtwPlain("dtw", a, b, args)
    : dtwStaged(stagePair("dtw", a, b, args), args);
}
