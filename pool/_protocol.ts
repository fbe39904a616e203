// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Messages between WorkerPool and its workers (`_worker.ts`). Internal.
//
// The pool posts a `Request`; the worker runs `KERNELS[kernel](...args)` on
// its own WebAssembly instance and posts a `Reply`: the result
// (transferring its typed arrays), or the error's class name and message,
// which the pool rebuilds as the same class (`reviveError`). Adding a
// kernel to the pool is one entry in `_worker.ts` and one method in
// `worker_pool.ts`.

/** What the pool posts to a worker. */
export interface Request {
  /** Matches the reply to the job. */
  id: number;
  /** A key of the worker's kernel registry. */
  kernel: string;
  /** The kernel's arguments, validated and packed by the pool. */
  args: unknown[];
}

/** What a worker posts back. */
export type Reply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { name: string; message: string } };

/**
 * Key of a `WorkerPoolOptions` entry that replaces the worker script (a
 * URL): tests start workers that wrap the real one, to crash them on
 * purpose. Not exported from any entry point.
 */
export const WORKER_SCRIPT: unique symbol = Symbol("WorkerPool worker script");
