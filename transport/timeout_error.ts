// Copyright 2026 the @midstreamer/kit authors. MIT license.

/**
 * A request, a stream or a connection attempt did not settle within the
 * `timeout` given to {@linkcode connect}.
 *
 * @example Catching a timeout
 * ```ts
 * import { TimeoutError } from "@midstreamer/kit/transport";
 * import assert from "node:assert/strict";
 *
 * const error = new TimeoutError("request timed out after 5 ms");
 * assert.ok(error instanceof TimeoutError);
 * assert.equal(error.name, "TimeoutError");
 * ```
 */
export class TimeoutError extends Error {
  /**
   * Constructs a new instance.
   *
   * @example An instance
   * ```ts
   * import { TimeoutError } from "@midstreamer/kit/transport";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new TimeoutError("message").name, "TimeoutError");
   * ```
   *
   * @param message The error message.
   * @param options Standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "TimeoutError";
  }
}
