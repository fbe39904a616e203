// Copyright 2026 the @midstreamer/kit authors. MIT license.
// The original design document's pure-JavaScript LCS, kept as written
// (section 2.1 of the original benchmarking suite), with types added.

/**
 * The original pure-JavaScript LCS of the design document: a full
 * `Array`-of-`Array` DP table, symbols compared with `===`. It is the
 * reference point of every LCS benchmark.
 *
 * @example LCS length and the correlation matrix
 * ```ts
 * import { PureJSLCS } from "@midstreamer/kit/baseline";
 * import assert from "node:assert/strict";
 *
 * assert.equal(PureJSLCS.calculate(["BUY", "SELL", "HOLD"], ["BUY", "HOLD"]), 2);
 * const m = PureJSLCS.buildCorrelationMatrix([["BUY", "SELL"], ["BUY", "HOLD"]]);
 * assert.deepEqual(m, [[1, 0.5], [0.5, 1]]);
 * ```
 */
export class PureJSLCS {
  /**
   * Classic LCS algorithm for strategy correlation.
   *
   * @example LCS length
   * ```ts
   * import { PureJSLCS } from "@midstreamer/kit/baseline";
   * import assert from "node:assert/strict";
   *
   * assert.equal(PureJSLCS.calculate(["BUY", "HOLD", "SELL"], ["BUY", "SELL"]), 2);
   * ```
   *
   * @param strategies1 First strategy sequence.
   * @param strategies2 Second strategy sequence.
   * @returns LCS length (correlation score).
   */
  static calculate<T>(
    strategies1: ArrayLike<T>,
    strategies2: ArrayLike<T>,
  ): number {
    const m = strategies1.length;
    const n = strategies2.length;

    const dp = Array(m + 1).fill(null).map(() => Array(n + 1).fill(0));

    for (let i = 1; i <= m; i++) {
      for (let j = 1; j <= n; j++) {
        if (strategies1[i - 1] === strategies2[j - 1]) {
          dp[i][j] = dp[i - 1][j - 1] + 1;
        } else {
          dp[i][j] = Math.max(dp[i - 1][j], dp[i][j - 1]);
        }
      }
    }

    return dp[m][n];
  }

  /**
   * Build correlation matrix for N strategies.
   *
   * @example Two strategies
   * ```ts
   * import { PureJSLCS } from "@midstreamer/kit/baseline";
   * import assert from "node:assert/strict";
   *
   * assert.deepEqual(PureJSLCS.buildCorrelationMatrix([["BUY", "SELL"], ["BUY"]]), [
   *   [1, 0.5],
   *   [0.5, 1],
   * ]);
   * ```
   *
   * @param strategies Array of strategy sequences.
   * @returns Correlation matrix.
   */
  static buildCorrelationMatrix<T>(strategies: ArrayLike<T>[]): number[][] {
    const n = strategies.length;
    const matrix: number[][] = Array(n).fill(null).map(() => Array(n).fill(0));

    for (let i = 0; i < n; i++) {
      matrix[i][i] = 1.0; // Perfect self-correlation

      for (let j = i + 1; j < n; j++) {
        const lcs = this.calculate(strategies[i], strategies[j]);
        const maxLen = Math.max(strategies[i].length, strategies[j].length);
        const correlation = lcs / maxLen;

        matrix[i][j] = correlation;
        matrix[j][i] = correlation; // Symmetric
      }
    }

    return matrix;
  }
}
