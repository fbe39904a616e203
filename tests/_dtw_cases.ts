// Copyright 2026 the @midstreamer/kit authors. MIT license.
// The cases and naive references shared by the kernel path tests
// (tests/kernel_paths_*_test.ts): the DTW matrix written independently of
// the kernels, for points of any number of dimensions and in f64 or in
// f32 (Math.fround after each operation), and small helpers.

import assert from "node:assert/strict";
import { randInt } from "../testing/rng.ts";

/** Both local costs: absolute (`false`) and squared (`true`). */
export const COSTS = [false, true];

/** Makes `n` values from `random`. */
export type Values = (random: () => number, n: number) => number[];

/** Inputs: distinct reals, and three integers (ties everywhere). */
export const VALUES: Array<[string, Values]> = [
  ["reals", (random, n) => Array.from({ length: n }, () => random() * 8 - 4)],
  [
    "ties",
    (random, n) => Array.from({ length: n }, () => randInt(random, 0, 2)),
  ],
];

/** `undefined` (no band), then every window `0..max`. */
export function windows(max: number): Array<number | undefined> {
  return [undefined, ...Array.from({ length: max + 1 }, (_, w) => w)];
}

/** Options of {@linkcode matrix}. */
export interface MatrixOptions {
  /** Values per point (point-major series). @default {1} */
  dims?: number;
  /** Round the inputs and every operation to f32. @default {false} */
  f32?: boolean;
}

/**
 * The whole `(n + 1) x (m + 1)` DTW matrix of `a` and `b` (`dims` values
 * per point), the band widened to `max(window, |n - m|)` as the original
 * `calculateWithWindow` does: cell `(i, j)` is `d[i + 1][j + 1]`,
 * `d[0][0] = 0`, and `+inf` elsewhere. The cost of a cell is the sum over
 * the dimensions, in order from the first, of `|x - y|` or `(x - y)²`.
 * With `f32`, the inputs are rounded to f32 once and every operation
 * after it: the difference, its square, each partial sum, the addition of
 * the minimum.
 */
export function matrix(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  window: number | undefined,
  squared: boolean,
  { dims = 1, f32 = false }: MatrixOptions = {},
): Float64Array[] {
  const round = f32 ? Math.fround : (x: number) => x;
  const n = Math.floor(a.length / dims), m = Math.floor(b.length / dims);
  const w = window === undefined ? Infinity : Math.max(window, Math.abs(n - m));
  const d = Array.from(
    { length: n + 1 },
    () => new Float64Array(m + 1).fill(Infinity),
  );
  d[0][0] = 0;
  for (let i = 1; i <= n; i++) {
    for (let j = Math.max(1, i - w); j <= Math.min(m, i + w); j++) {
      let cost = 0;
      for (let k = 0; k < dims; k++) {
        const x = round(
          round(a[(i - 1) * dims + k]) - round(b[(j - 1) * dims + k]),
        );
        const c = squared ? round(x * x) : Math.abs(x);
        cost = k === 0 ? c : round(cost + c);
      }
      d[i][j] = round(
        cost + Math.min(d[i - 1][j], d[i][j - 1], d[i - 1][j - 1]),
      );
    }
  }
  return d;
}

/** The DTW distance by {@linkcode matrix}. */
export function dtwRef(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  window: number | undefined,
  squared: boolean,
  options: MatrixOptions = {},
): number {
  const d = matrix(a, b, window, squared, options);
  return d[d.length - 1][d[0].length - 1];
}

/**
 * The path traced back from the last cell through `d`, preferring the
 * diagonal, then the cell above, then the one on the left.
 */
export function trace(d: Float64Array[]): Array<[number, number]> {
  let i = d.length - 2, j = d[0].length - 2;
  const path: Array<[number, number]> = [[i, j]];
  while (i > 0 || j > 0) {
    const diag = d[i][j], up = d[i][j + 1], left = d[i + 1][j];
    if (diag <= up && diag <= left) (i--, j--);
    else if (up <= left) i--;
    else j--;
    path.push([i, j]);
  }
  return path.reverse();
}

/** The largest double below `x > 0`. */
export function below(x: number): number {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, x);
  v.setBigUint64(0, v.getBigUint64(0) - 1n);
  return v.getFloat64(0);
}

/** `Infinity`, and for a positive finite distance `d`, `d` and just below. */
export function cutoffs(d: number): number[] {
  return Number.isFinite(d) && d > 0 ? [Infinity, d, below(d)] : [Infinity];
}

/** The median of the finite values of `xs` (`Infinity` if none). */
export function median(xs: number[]): number {
  const f = xs.filter(Number.isFinite).sort((x, y) => x - y);
  return f.length === 0 ? Infinity : f[f.length >> 1];
}

/** Shuffles `xs` in place. */
export function shuffle<T>(random: () => number, xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = randInt(random, 0, i);
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

/** Fails with the message `what()` unless `got` is `want`. */
export function same(got: unknown, want: unknown, what: () => string): void {
  if (!Object.is(got, want)) assert.fail(`${what()}: got ${got}, want ${want}`);
}

/** The `k` best `(distance, index)` of `d`, `+inf` above `cutoff`. */
export function topRef(
  d: number[],
  k: number,
  cutoff: number,
): Array<{ index: number; distance: number }> {
  return d.map((x, index) => ({ index, distance: x <= cutoff ? x : Infinity }))
    .sort((x, y) =>
      x.distance < y.distance
        ? -1
        : x.distance > y.distance
        ? 1
        : x.index - y.index
    )
    .slice(0, k);
}
