// Copyright 2026 the @midstreamer/kit authors. MIT license.

/**
 * The peer sent a frame that does not follow the wire format (bad header,
 * unknown kind, inconsistent length). The affected stream or connection is
 * closed.
 *
 * @example Recognising a protocol violation
 * ```ts
 * import { ProtocolError } from "@midstreamer/kit/transport";
 * import assert from "node:assert/strict";
 *
 * const error = new ProtocolError("malformed frame: unknown kind 9");
 * assert.equal(error.name, "ProtocolError");
 * ```
 */
export class ProtocolError extends Error {
  /**
   * Constructs a new instance.
   *
   * @example An instance
   * ```ts
   * import { ProtocolError } from "@midstreamer/kit/transport";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new ProtocolError("message").name, "ProtocolError");
   * ```
   *
   * @param message The error message.
   * @param options Standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ProtocolError";
  }
}
