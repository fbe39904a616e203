// Copyright 2026 the @midstreamer/kit authors. MIT license.

/**
 * The server refused the connection's token: none was sent, or it was
 * wrong. The server closes the connection before it reads any request;
 * every request of the channel rejects with this error (the message is
 * the server's reason), and so do later ones. Retrying with the same token
 * cannot succeed.
 *
 * @example Connecting with a wrong token
 * ```ts
 * import { AuthenticationError, connect, listen } from "@midstreamer/kit/transport";
 * import assert from "node:assert/strict";
 *
 * await using server = await listen({
 *   transport: "websocket",
 *   token: "s3cret",
 *   handler: (request) => request,
 * });
 * await using channel = await connect({
 *   transport: "websocket",
 *   port: server.addr.port,
 *   token: "guess",
 * });
 * await assert.rejects(channel.request(Uint8Array.of(1)), AuthenticationError);
 * ```
 */
export class AuthenticationError extends Error {
  /**
   * Constructs a new instance.
   *
   * @example An instance
   * ```ts
   * import { AuthenticationError } from "@midstreamer/kit/transport";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new AuthenticationError("wrong token").name, "AuthenticationError");
   * ```
   *
   * @param message Why the token was refused.
   * @param options Standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "AuthenticationError";
  }
}
