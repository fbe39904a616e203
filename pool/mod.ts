// Copyright 2026 the @midstreamer/kit authors. MIT license.

/**
 * The kernels off the calling thread: {@linkcode WorkerPool} (Web Workers,
 * each with its own WebAssembly instance), the one asynchronous interface
 * it implements ({@linkcode AsyncKernels}, shared with the service
 * client), the bounded match queue ({@linkcode createMatchQueue}), and the
 * errors they throw ({@linkcode ClosedError}, {@linkcode QueueFullError}).
 * Re-exported by the root module; not part of the npm bundle.
 *
 * @example A pool as AsyncKernels
 * ```ts
 * import { type AsyncKernels, dtw, WorkerPool } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * await using kernels: AsyncKernels = new WorkerPool({ workers: 2 });
 * assert.equal(await kernels.dtw([1, 2, 3], [1, 3]), dtw([1, 2, 3], [1, 3]));
 * ```
 *
 * @module
 */

export * from "./async_kernels.ts";
export * from "./worker_pool.ts";
export * from "./match_queue.ts";
export * from "./closed_error.ts";
export * from "./queue_full_error.ts";
