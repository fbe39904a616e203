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

// The kernels: pure computation, also shipped to Node and browsers.
export * from "./kernels/mod.ts";
// Streams, workers and concurrency.
export * from "./kernels/stream_monitor.ts";
export * from "./kernels/worker_pool.ts";
export type { WorkerPoolOptions } from "./kernels/search_types.ts";
export * from "./kernels/matcher.ts";
