// Copyright 2026 the @midstreamer/kit authors. MIT license.

/**
 * The server's handler threw (or rejected) while handling the request. The
 * message is the handler error's message, as sent back by the server.
 *
 * @example Recognising a handler failure
 * ```ts
 * import { RemoteError } from "@midstreamer/kit/transport";
 * import assert from "node:assert/strict";
 *
 * const error = new RemoteError("bad input");
 * assert.equal(error.message, "bad input");
 * assert.equal(error.name, "RemoteError");
 * ```
 */
export class RemoteError extends Error {
  /**
   * Constructs a new instance.
   *
   * @example An instance
   * ```ts
   * import { RemoteError } from "@midstreamer/kit/transport";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new RemoteError("message").name, "RemoteError");
   * ```
   *
   * @param message The message of the error thrown by the remote handler.
   * @param options Standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RemoteError";
  }
}
