// Copyright 2026 the @midstreamer/kit authors. MIT license.

import type { CorrelationMatrixOptions } from "../kernels/correlation_matrix.ts";
import type { DtwOptions, Series } from "../kernels/dtw.ts";
import type { DtwPathResult } from "../kernels/dtw_path.ts";
import type { LcsSequence } from "../kernels/lcs.ts";
import type {
  SearchOptions,
  SubsequenceMatch,
} from "../kernels/search_subsequence.ts";
import type { Match, TopKOptions } from "../kernels/top_k.ts";

/** Progress of an asynchronous call, passed to {@linkcode AsyncOptions.onProgress}. */
export interface Progress {
  /** Units done so far. */
  done: number;
  /**
   * Units in the call: patterns for `dtwBatch` and `topK`, windows for
   * `searchSubsequence`, rows for `correlationMatrix`, and 1 for `dtw`,
   * `dtwPath` and `lcs`.
   */
  total: number;
}

/**
 * What every method of {@linkcode AsyncKernels} accepts on top of the
 * synchronous function's options.
 */
export interface AsyncOptions {
  /**
   * Cancels the call: its promise rejects at once with `signal.reason`,
   * and work not yet started is dropped (work already running on a worker
   * or a server finishes and is discarded).
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
  /**
   * Called as parts of the call finish, with `done` rising to `total`; the
   * last call has `done === total`. How finely it reports depends on the
   * implementation (a service client reports once, when the reply comes).
   * An exception thrown by it rejects the call.
   *
   * @default {undefined}
   */
  onProgress?: (progress: Progress) => void;
}

/**
 * The one asynchronous face of the kernels: the same methods, with the same
 * arguments and results, as the synchronous functions `dtw`, `dtwBatch`,
 * `topK`, `searchSubsequence`, `dtwPath`, `lcs` and `correlationMatrix`,
 * returning promises, and options that also take an abort `signal` and an
 * `onProgress` callback ({@linkcode AsyncOptions}). A {@linkcode WorkerPool}
 * and the service client (`connectService`) implement it, with results
 * equal to the synchronous functions' and the same error classes; code
 * written against it runs on either.
 *
 * @example Code that runs on a pool or a service
 * ```ts
 * import { type AsyncKernels, topK, WorkerPool } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * async function nearest(kernels: AsyncKernels, reference: number[], patterns: number[][]) {
 *   const [best] = await kernels.topK(reference, patterns, { k: 1 });
 *   return best.index;
 * }
 *
 * const patterns = [[5, 5, 5], [0, 1, 2], [2, 1, 0]];
 * await using pool = new WorkerPool({ workers: 1 });
 * assert.equal(await nearest(pool, [0, 1, 2], patterns), topK([0, 1, 2], patterns)[0].index);
 * ```
 */
export interface AsyncKernels extends AsyncDisposable {
  /**
   * `dtw(a, b, options)`.
   *
   * @example DTW distance
   * ```ts
   * import { type AsyncKernels, dtw, WorkerPool } from "@midstreamer/kit";
   * import assert from "node:assert/strict";
   *
   * await using kernels: AsyncKernels = new WorkerPool({ workers: 1 });
   * assert.equal(await kernels.dtw([1, 2, 3], [1, 3]), dtw([1, 2, 3], [1, 3]));
   * ```
   *
   * @param a First series.
   * @param b Second series.
   * @param options Band, cost, cutoff, multivariate comparison and precision, and the {@linkcode AsyncOptions}.
   * @returns The distance.
   */
  dtw(
    a: Series,
    b: Series,
    options?: DtwOptions & AsyncOptions,
  ): Promise<number>;
  /**
   * `dtwBatch(reference, patterns, options)`.
   *
   * @example Distances to each pattern
   * ```ts
   * import { type AsyncKernels, dtwBatch, WorkerPool } from "@midstreamer/kit";
   * import assert from "node:assert/strict";
   *
   * await using kernels: AsyncKernels = new WorkerPool({ workers: 1 });
   * const patterns = [[1, 2], [3, 2, 1]];
   * assert.deepEqual(
   *   await kernels.dtwBatch([1, 2, 3], patterns),
   *   dtwBatch([1, 2, 3], patterns),
   * );
   * ```
   *
   * @param reference The series every pattern is compared with.
   * @param patterns The patterns.
   * @param options Band, cost, cutoff, multivariate comparison and precision, and the {@linkcode AsyncOptions}.
   * @returns One distance per pattern.
   */
  dtwBatch(
    reference: Series,
    patterns: ArrayLike<Series>,
    options?: DtwOptions & AsyncOptions,
  ): Promise<Float64Array>;
  /**
   * `topK(reference, patterns, options)`.
   *
   * @example The nearest pattern
   * ```ts
   * import { type AsyncKernels, WorkerPool } from "@midstreamer/kit";
   * import assert from "node:assert/strict";
   *
   * await using kernels: AsyncKernels = new WorkerPool({ workers: 1 });
   * const [best] = await kernels.topK([1, 2, 3], [[9, 9], [1, 2, 3]], { k: 1 });
   * assert.deepEqual(best, { index: 1, distance: 0 });
   * ```
   *
   * @param reference The series every pattern is compared with.
   * @param patterns The candidate patterns.
   * @param options `k`, band, cost, cutoff, `stats`, and the {@linkcode AsyncOptions}.
   * @returns Up to `k` matches `{ index, distance }`.
   */
  topK(
    reference: Series,
    patterns: ArrayLike<Series>,
    options?: TopKOptions & AsyncOptions,
  ): Promise<Match[]>;
  /**
   * `searchSubsequence(series, query, options)`.
   *
   * @example Find a query in a series
   * ```ts
   * import { type AsyncKernels, WorkerPool } from "@midstreamer/kit";
   * import assert from "node:assert/strict";
   *
   * await using kernels: AsyncKernels = new WorkerPool({ workers: 1 });
   * const series = Array.from({ length: 200 }, (_, i) => Math.sin(i / 7) + i / 50);
   * const [best] = await kernels.searchSubsequence(series, series.slice(90, 120), { window: 3 });
   * assert.equal(best.start, 90);
   * ```
   *
   * @param series The long series to search: one value per point, or several (a {@linkcode Series}).
   * @param query The query, of the same number of values per point.
   * @param options `window` (required) and the other search options, and the {@linkcode AsyncOptions}.
   * @returns Up to `k` matches `{ start, end, distance }`.
   */
  searchSubsequence(
    series: Series,
    query: Series,
    options: SearchOptions & AsyncOptions,
  ): Promise<SubsequenceMatch[]>;
  /**
   * `dtwPath(a, b, options)`.
   *
   * @example Distance and path
   * ```ts
   * import { type AsyncKernels, dtwPath, WorkerPool } from "@midstreamer/kit";
   * import assert from "node:assert/strict";
   *
   * await using kernels: AsyncKernels = new WorkerPool({ workers: 1 });
   * assert.deepEqual(await kernels.dtwPath([0, 1, 2], [0, 2]), dtwPath([0, 1, 2], [0, 2]));
   * ```
   *
   * @param a First series.
   * @param b Second series.
   * @param options Band, cost, cutoff, multivariate comparison and precision, and the {@linkcode AsyncOptions}.
   * @returns The distance and an optimal warping path.
   */
  dtwPath(
    a: Series,
    b: Series,
    options?: DtwOptions & AsyncOptions,
  ): Promise<DtwPathResult>;
  /**
   * `lcs(a, b)`.
   *
   * @example LCS length
   * ```ts
   * import { type AsyncKernels, WorkerPool } from "@midstreamer/kit";
   * import assert from "node:assert/strict";
   *
   * await using kernels: AsyncKernels = new WorkerPool({ workers: 1 });
   * assert.equal(await kernels.lcs("AGGTAB", "GXTXAYB"), 4);
   * ```
   *
   * @param a First sequence.
   * @param b Second sequence.
   * @param options The {@linkcode AsyncOptions}.
   * @returns The LCS length.
   */
  lcs(a: LcsSequence, b: LcsSequence, options?: AsyncOptions): Promise<number>;
  /**
   * `correlationMatrix(sequences, options)`.
   *
   * @example Two sequences
   * ```ts
   * import { type AsyncKernels, WorkerPool } from "@midstreamer/kit";
   * import assert from "node:assert/strict";
   *
   * await using kernels: AsyncKernels = new WorkerPool({ workers: 1 });
   * assert.deepEqual(Array.from(await kernels.correlationMatrix(["ab", "a"])), [1, 0.5, 0.5, 1]);
   * ```
   *
   * @param sequences The sequences.
   * @param options The {@linkcode AsyncOptions}.
   * @returns The `n * n` matrix, row-major.
   */
  correlationMatrix(
    sequences: readonly LcsSequence[],
    options?: CorrelationMatrixOptions & AsyncOptions,
  ): Promise<Float64Array>;
  /**
   * Releases the implementation (terminates workers, closes the
   * connection); calls not finished yet, and later calls, reject with
   * `ClosedError`. Calling it again does nothing.
   *
   * @example Closing
   * ```ts
   * import { type AsyncKernels, ClosedError, WorkerPool } from "@midstreamer/kit";
   * import assert from "node:assert/strict";
   *
   * const kernels: AsyncKernels = new WorkerPool({ workers: 1 });
   * await kernels.close();
   * await assert.rejects(kernels.lcs("a", "a"), ClosedError);
   * ```
   *
   * @returns Resolves once released.
   */
  close(): Promise<void>;
}
