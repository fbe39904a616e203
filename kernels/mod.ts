// Copyright 2026 the @midstreamer/kit authors. MIT license.

/**
 * The kernels of `@midstreamer/kit` alone: the pure-computation API (exact
 * DTW and LCS on WebAssembly SIMD, and the `StreamMonitor` of a live
 * stream) with its option and result types, and nothing else. No module reachable from here uses a `Deno.*` API, so this
 * entry point runs unchanged in Deno, Node and browsers; it is the source of
 * the npm bundle (`deno task build:npm`). The WebAssembly module is inlined
 * and instantiated synchronously on first use; an engine without WebAssembly
 * SIMD128 gets a clear error then. `warmUp()` does that ahead of time and
 * waits until the engine has optimised the hot kernels (see the README's
 * "Cold start").
 *
 * The worker pool and the match queue (the root module), the transports
 * (`@midstreamer/kit/transport`) and the service are not part of it.
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

export * from "./dtw.ts";
export * from "./dtw_batch.ts";
export * from "./top_k.ts";
export * from "./search_subsequence.ts";
export * from "./dtw_path.ts";
export * from "./align_timeframes.ts";
export * from "./lcs.ts";
export * from "./correlation_matrix.ts";
export * from "./lcs_alignment.ts";
export * from "./stream_monitor.ts";
export * from "./warm_up.ts";
export { MAX_SERIES_LENGTH } from "./_validate.ts";
