// Copyright 2026 the @midstreamer/kit authors. MIT license.
// The original design document's pure-JavaScript DTW, kept as written
// (section 1.1 of the original benchmarking suite), with types added.

/**
 * The original pure-JavaScript DTW of the design document: an
 * `Array`-of-`Array` cost matrix of `(n + 1) × (m + 1)` numbers and the
 * absolute cost. It is the reference point of every DTW benchmark; it
 * allocates `O(n·m)` memory.
 *
 * @example Distance between two series
 * ```ts
 * import { PureJSDTW } from "@midstreamer/kit/baseline";
 * import assert from "node:assert/strict";
 *
 * assert.equal(PureJSDTW.calculate([1, 2, 3], [1, 2, 2, 3]), 0);
 * assert.equal(PureJSDTW.calculateWithWindow([0, 0, 0], [1, 1, 1], 1), 3);
 * ```
 */
export class PureJSDTW {
  /**
   * Classic O(n*m) DTW algorithm in JavaScript.
   *
   * @example Distance
   * ```ts
   * import { PureJSDTW } from "@midstreamer/kit/baseline";
   * import assert from "node:assert/strict";
   *
   * assert.equal(PureJSDTW.calculate([0, 0], [1, 1, 1]), 3);
   * ```
   *
   * @param pattern1 First time series.
   * @param pattern2 Second time series.
   * @returns DTW distance.
   */
  static calculate(
    pattern1: ArrayLike<number>,
    pattern2: ArrayLike<number>,
  ): number {
    const n = pattern1.length;
    const m = pattern2.length;

    // Cost matrix with initialization
    const dtw = Array(n + 1).fill(null).map(() => Array(m + 1).fill(Infinity));
    dtw[0][0] = 0;

    // Fill cost matrix
    for (let i = 1; i <= n; i++) {
      for (let j = 1; j <= m; j++) {
        const cost = Math.abs(pattern1[i - 1] - pattern2[j - 1]);
        dtw[i][j] = cost + Math.min(
          dtw[i - 1][j], // insertion
          dtw[i][j - 1], // deletion
          dtw[i - 1][j - 1], // match
        );
      }
    }

    return dtw[n][m];
  }

  /**
   * Optimized DTW with Sakoe-Chiba band constraint.
   *
   * @example Banded distance
   * ```ts
   * import { PureJSDTW } from "@midstreamer/kit/baseline";
   * import assert from "node:assert/strict";
   *
   * assert.equal(PureJSDTW.calculateWithWindow([1, 2, 3], [1, 2, 3], 0), 0);
   * ```
   *
   * @param pattern1 First time series.
   * @param pattern2 Second time series.
   * @param windowSize Warping window size.
   * @returns DTW distance.
   */
  static calculateWithWindow(
    pattern1: ArrayLike<number>,
    pattern2: ArrayLike<number>,
    windowSize: number,
  ): number {
    const n = pattern1.length;
    const m = pattern2.length;
    const w = Math.max(windowSize, Math.abs(n - m));

    const dtw = Array(n + 1).fill(null).map(() => Array(m + 1).fill(Infinity));
    dtw[0][0] = 0;

    for (let i = 1; i <= n; i++) {
      const jStart = Math.max(1, i - w);
      const jEnd = Math.min(m, i + w);

      for (let j = jStart; j <= jEnd; j++) {
        const cost = Math.abs(pattern1[i - 1] - pattern2[j - 1]);
        dtw[i][j] = cost + Math.min(
          dtw[i - 1][j],
          dtw[i][j - 1],
          dtw[i - 1][j - 1],
        );
      }
    }

    return dtw[n][m];
  }
}
