// Copyright 2026 the @midstreamer/kit authors. MIT license.

/**
 * A long-lived stream opened with {@linkcode Channel.openStream}: one
 * bidirectional QUIC stream, or a logical stream multiplexed by id over the
 * WebSocket. Requests on different streams never wait for each other on
 * QUIC (no head-of-line blocking between streams).
 *
 * @example Requests on a stream
 * ```ts
 * import { connect, listen } from "@midstreamer/kit/transport";
 * import type { RequestStream } from "@midstreamer/kit/transport";
 * import assert from "node:assert/strict";
 *
 * await using server = await listen({
 *   transport: "websocket",
 *   handler: (request) => request,
 * });
 * await using channel = await connect({
 *   transport: "websocket",
 *   port: server.addr.port,
 * });
 * await using stream: RequestStream = await channel.openStream();
 * const reply = await stream.request(new Uint8Array([1, 2]));
 * assert.deepEqual(reply, new Uint8Array([1, 2]));
 * ```
 */
export interface RequestStream extends AsyncDisposable {
  /** Stream id: the QUIC stream id, or the logical WebSocket stream id. */
  readonly id: number;
  /**
   * Sends one message on this stream and resolves with its reply. Many
   * requests may be in flight at once.
   *
   * @example One request on a stream
   * ```ts
   * import { connect, listen } from "@midstreamer/kit/transport";
   * import assert from "node:assert/strict";
   *
   * await using server = await listen({ transport: "websocket", handler: (r) => r });
   * await using channel = await connect({ transport: "websocket", port: server.addr.port });
   * await using stream = await channel.openStream();
   * assert.deepEqual(await stream.request(Uint8Array.of(4, 2)), Uint8Array.of(4, 2));
   * ```
   *
   * @param message The request payload. Do not modify it until the promise
   * settles.
   * @returns The reply payload.
   */
  request(message: Uint8Array): Promise<Uint8Array>;
  /**
   * Closes the stream; its pending requests reject with
   * {@linkcode ClosedError}.
   *
   * @example Closing a stream, not the channel
   * ```ts
   * import { connect, listen } from "@midstreamer/kit/transport";
   * import assert from "node:assert/strict";
   *
   * await using server = await listen({ transport: "websocket", handler: (r) => r });
   * await using channel = await connect({ transport: "websocket", port: server.addr.port });
   * const stream = await channel.openStream();
   * await stream.close();
   * assert.deepEqual(await channel.request(Uint8Array.of(1)), Uint8Array.of(1));
   * ```
   *
   * @returns Resolves once the stream is closed.
   */
  close(): Promise<void>;
}
