// Copyright 2026 the @midstreamer/kit authors. MIT license.

/**
 * DTW as a careful JavaScript engineer would write it: two `Float64Array`
 * rows, the absolute cost, an optional Sakoe-Chiba band with the original
 * `max(window, |n - m|)` semantics. It gives exactly the results of
 * {@linkcode PureJSDTW} in `O(m)` memory, and is the "good JS" point of the
 * benchmarks.
 *
 * @example Same result as the original, two rows of memory
 * ```ts
 * import { PureJSDTW, typedArrayDtw } from "@midstreamer/kit/baseline";
 * import assert from "node:assert/strict";
 *
 * const a = [1, 3, 4, 9, 8], b = [1, 2, 4, 8, 9, 7];
 * assert.equal(typedArrayDtw(a, b), PureJSDTW.calculate(a, b));
 * assert.equal(typedArrayDtw(a, b, 1), PureJSDTW.calculateWithWindow(a, b, 1));
 * ```
 *
 * @param a First series.
 * @param b Second series.
 * @param window Optional band half-width.
 * @returns The DTW distance.
 */
export function typedArrayDtw(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  window?: number,
): number {
  const n = a.length;
  const m = b.length;
  const w = window === undefined
    ? Math.max(n, m)
    : Math.max(window, Math.abs(n - m));
  let prev = new Float64Array(m + 1).fill(Infinity);
  let curr = new Float64Array(m + 1).fill(Infinity);
  prev[0] = 0;
  for (let i = 1; i <= n; i++) {
    const jStart = Math.max(1, i - w);
    const jEnd = Math.min(m, i + w);
    curr.fill(Infinity, 0, jStart);
    const x = a[i - 1];
    let left = Infinity;
    for (let j = jStart; j <= jEnd; j++) {
      const up = prev[j];
      const diag = prev[j - 1];
      const best = up < diag
        ? (up < left ? up : left)
        : (diag < left ? diag : left);
      left = Math.abs(x - b[j - 1]) + best;
      curr[j] = left;
    }
    if (jEnd < m) curr.fill(Infinity, jEnd + 1);
    const t = prev;
    prev = curr;
    curr = t;
  }
  return prev[m];
}
