// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Independent DTW references for tests.

import { PureJSDTW } from "@midstreamer/kit/baseline";
import type { DtwOptions } from "@midstreamer/kit";

/** Options of {@linkcode fullMatrixDtw}. */
export interface ReferenceOptions {
  /** Sakoe-Chiba half-width; `Infinity` is no band. */
  window?: number;
  /** Local cost, as `DtwOptions.cost`. */
  cost?: DtwOptions["cost"];
  /**
   * `true`: the original rule, the band is widened to
   * `max(window, |n - m|)`; `false`: the band is anchored at the start,
   * `|i - j| <= window`, and may leave the end unreachable (`Infinity`).
   */
  widen?: boolean;
}

/**
 * DTW over the full `(n + 1) x (m + 1)` matrix, written independently of the
 * kernels.
 */
export function fullMatrixDtw(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  { window = Infinity, cost = "absolute", widen = true }: ReferenceOptions = {},
): number {
  const n = a.length, m = b.length;
  const w = widen ? Math.max(window, Math.abs(n - m)) : window;
  const squared = cost === "squared";
  const d = Array.from(
    { length: n + 1 },
    () => new Array<number>(m + 1).fill(Infinity),
  );
  d[0][0] = 0;
  for (let i = 1; i <= n; i++) {
    for (let j = Math.max(1, i - w); j <= Math.min(m, i + w); j++) {
      const diff = a[i - 1] - b[j - 1];
      d[i][j] = (squared ? diff * diff : Math.abs(diff)) +
        Math.min(d[i - 1][j], d[i][j - 1], d[i - 1][j - 1]);
    }
  }
  return d[n][m];
}

/**
 * The original pure-JS distance: `PureJSDTW.calculate`, or
 * `calculateWithWindow` when `window` is given.
 */
export function originalDtw(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  window?: number,
): number {
  return window === undefined
    ? PureJSDTW.calculate(a, b)
    : PureJSDTW.calculateWithWindow(a, b, window);
}
