// Copyright 2026 the @midstreamer/kit authors. MIT license.

/**
 * Time-series pattern matching on WebAssembly SIMD: exact Dynamic Time
 * Warping and Longest Common Subsequence kernels exposed as plain synchronous
 * functions.
 *
 * @example DTW distance
 * ```ts
 * import { dtw } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * assert.equal(dtw([1, 2, 3, 4], [1, 2, 3, 3, 4]), 0);
 * ```
 *
 * @module
 */

export * from "./kernels/dtw.ts";
export * from "./kernels/types.ts";
export { MAX_SERIES_LENGTH } from "./kernels/_input.ts";
export * from "./kernels/stream_monitor.ts";
export * from "./kernels/lcs.ts";
export * from "./kernels/correlation_matrix.ts";
export * from "./kernels/dtw_batch.ts";
export * from "./kernels/top_k.ts";
export * from "./kernels/search_subsequence.ts";
export * from "./kernels/dtw_path.ts";
export * from "./kernels/align_timeframes.ts";
export * from "./kernels/worker_pool.ts";
export * from "./kernels/search_types.ts";
export * from "./kernels/lcs_alignment.ts";
export * from "./kernels/matcher.ts";
