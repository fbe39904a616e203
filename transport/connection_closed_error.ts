// Copyright 2026 the @midstreamer/kit authors. MIT license.

/**
 * The connection or the stream closed (locally or by the peer) while a
 * request was still waiting for its reply, or a request was made on a
 * closed channel or stream.
 *
 * @example Detecting a closed connection
 * ```ts
 * import { ConnectionClosedError } from "@midstreamer/kit/transport";
 * import assert from "node:assert/strict";
 *
 * const error = new ConnectionClosedError("connection closed by peer");
 * assert.equal(error.name, "ConnectionClosedError");
 * ```
 */
export class ConnectionClosedError extends Error {
  /**
   * Constructs a new instance.
   *
   * @param message The error message.
   * @param options Standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ConnectionClosedError";
  }
}
