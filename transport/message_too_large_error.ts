// Copyright 2026 the @midstreamer/kit authors. MIT license.

/**
 * A message is larger than `maxMessageBytes`: either the local side refused
 * to send it, or the peer refused to accept it.
 *
 * @example Checking the limit
 * ```ts
 * import { MessageTooLargeError } from "@midstreamer/kit/transport";
 * import assert from "node:assert/strict";
 *
 * const error = new MessageTooLargeError("message of 17 bytes exceeds 16");
 * assert.equal(error.name, "MessageTooLargeError");
 * ```
 */
export class MessageTooLargeError extends Error {
  /**
   * Constructs a new instance.
   *
   * @example An instance
   * ```ts
   * import { MessageTooLargeError } from "@midstreamer/kit/transport";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new MessageTooLargeError("message").name, "MessageTooLargeError");
   * ```
   *
   * @param message The error message.
   * @param options Standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "MessageTooLargeError";
  }
}
