// Copyright 2026 the @midstreamer/kit authors. MIT license.

import type { Transport } from "./transport.ts";
import type { RequestStream } from "./request_stream.ts";

/**
 * A client connection returned by {@linkcode connect}.
 *
 * @example One request
 * ```ts
 * import { connect, listen, type Channel } from "@midstreamer/kit/transport";
 * import assert from "node:assert/strict";
 *
 * await using server = await listen({
 *   transport: "websocket",
 *   handler: (request) => request.toReversed(),
 * });
 * await using channel: Channel = await connect({
 *   transport: "websocket",
 *   port: server.addr.port,
 * });
 * assert.deepEqual(
 *   await channel.request(new Uint8Array([1, 2, 3])),
 *   new Uint8Array([3, 2, 1]),
 * );
 * assert.equal(channel.resumed, false);
 * ```
 */
export interface Channel extends AsyncDisposable {
  /** The transport in use. */
  readonly transport: Transport;
  /**
   * QUIC: whether the connection was resumed with 0-RTT (the handshake was
   * not waited for), i.e. `Deno.connectQuic` returned the connection
   * synchronously. Always `false` for WebSocket. The server may still
   * reject the early data (e.g. when a session ticket is reused); requests
   * sent before the handshake then reject with
   * {@linkcode ConnectionClosedError} ("0-RTT rejected") and later
   * requests use a fresh stream.
   */
  readonly resumed: boolean;
  /**
   * Sends one message and resolves with its reply. Many requests may be in
   * flight at once; each reply goes to its own request.
   *
   * @param message The request payload. Do not modify it until the promise
   * settles.
   * @returns The reply payload.
   */
  request(message: Uint8Array): Promise<Uint8Array>;
  /**
   * Opens a long-lived stream with its own `request`.
   *
   * @returns The new stream.
   */
  openStream(): Promise<RequestStream>;
  /**
   * Closes the connection. Pending requests reject with
   * {@linkcode ConnectionClosedError}. Calling it again is a no-op.
   */
  close(): Promise<void>;
}
