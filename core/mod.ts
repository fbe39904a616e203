// Copyright 2026 the @midstreamer/kit authors. MIT license.

/**
 * The original `@midstreamer/core` API, unchanged, on the kit's exact
 * WebAssembly SIMD kernels: {@linkcode StreamProcessor}, constructed with
 * the original options object (`mode`, `algorithm`, `simd`, `parallelism`,
 * `topK`, `memoryLimit`, …), with the original async methods
 * (`computeDTW`, `batchDTW`, `findTopMatches`, `computeLCS`,
 * `correlationMatrix`, `alignTimeframes`, `matchPattern`).
 *
 * ## Switching existing code over: one import-map line
 *
 * Code written for the original design imports it by its bare specifier,
 * `await import('@midstreamer/core')`. Map that specifier to this module
 * and the code runs unchanged, with results equal to the original pure-JS
 * algorithms bit for bit (the methods document the two corner cases: two
 * empty sequences correlate 1, not `NaN`; a `string` is a sequence of code
 * points). In `deno.json` (or an import map passed with `--import-map`):
 *
 * ```json
 * {
 *   "imports": {
 *     "@midstreamer/core": "jsr:@midstreamer/kit/core"
 *   }
 * }
 * ```
 *
 * Processors need no `close()` (the original never closes them): the worker
 * pool that parallel calls use is shared, started on first use and closed
 * when idle. Closing one, or `await using`, releases it at once.
 *
 * @example The original client code, after the switch
 * ```ts
 * import { StreamProcessor } from "@midstreamer/kit/core";
 * import { PureJSLCS } from "@midstreamer/kit/baseline";
 * import assert from "node:assert/strict";
 *
 * // From the design document: WasmLCS.calculate.
 * async function calculate(strategies1: string[], strategies2: string[]) {
 *   const processor = new StreamProcessor({
 *     mode: "correlation",
 *     algorithm: "lcs",
 *     bitParallel: true,
 *   });
 *   return processor.computeLCS(strategies1, strategies2);
 * }
 *
 * const a = ["BUY", "HOLD", "SELL", "SELL", "BUY"];
 * const b = ["HOLD", "SELL", "BUY", "BUY"];
 * assert.equal(await calculate(a, b), PureJSLCS.calculate(a, b));
 * ```
 *
 * @module
 */

export * from "./stream_processor.ts";
export * from "./memory_limit_error.ts";
export * from "./types.ts";
export { QueueFullError } from "../pool/queue_full_error.ts";
export type { LcsSequence } from "../kernels/lcs.ts";
export type { TimeframeAlignment } from "../kernels/align_timeframes.ts";
