// Copyright 2026 the @midstreamer/kit authors. MIT license.

/**
 * The object was closed: a {@linkcode WorkerPool}, a match queue, a service
 * client or a transport connection or stream (closed locally or by the
 * peer) was used after `close()`, or closed while a call was still
 * waiting for its result. The one "closed" error of the kit; the
 * transport's `ConnectionClosedError` is a deprecated alias of it.
 *
 * @example Using a closed pool
 * ```ts
 * import { ClosedError, WorkerPool } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * const pool = new WorkerPool({ workers: 1 });
 * await pool.close();
 * await assert.rejects(pool.dtw([1, 2], [1]), ClosedError);
 * ```
 */
export class ClosedError extends Error {
  /**
   * Constructs a new instance.
   *
   * @example A closed error
   * ```ts
   * import { ClosedError } from "@midstreamer/kit";
   * import assert from "node:assert/strict";
   *
   * const error = new ClosedError("connection closed by peer");
   * assert.equal(error.name, "ClosedError");
   * ```
   *
   * @param message The error message.
   * @param options Standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ClosedError";
  }
}
