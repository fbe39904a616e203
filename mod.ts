// Copyright 2026 the @midstreamer/kit authors. MIT license.

/**
 * Time-series pattern matching on WebAssembly SIMD: exact Dynamic Time
 * Warping and Longest Common Subsequence kernels exposed as plain synchronous
 * functions (`kernels/mod.ts`, also the npm package), and the same kernels
 * asynchronously on a pool of workers, with a bounded match queue
 * (`pool/mod.ts`).
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
// Workers, the async interface, the match queue and their errors.
export * from "./pool/mod.ts";
