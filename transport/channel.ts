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
   * {@linkcode ClosedError} ("0-RTT rejected") and later
   * requests use a fresh stream.
   */
  readonly resumed: boolean;
  /**
   * Sends one message and resolves with its reply. Many requests may be in
   * flight at once; each reply goes to its own request.
   *
   * @example Requests in flight together
   * ```ts
   * import { connect, listen } from "@midstreamer/kit/transport";
   * import assert from "node:assert/strict";
   *
   * await using server = await listen({ transport: "websocket", handler: (r) => r });
   * await using channel = await connect({ transport: "websocket", port: server.addr.port });
   * const replies = await Promise.all([1, 2].map((n) => channel.request(Uint8Array.of(n))));
   * assert.deepEqual(replies, [Uint8Array.of(1), Uint8Array.of(2)]);
   * ```
   *
   * @param message The request payload. Do not modify it until the promise
   * settles.
   * @returns The reply payload.
   */
  request(message: Uint8Array): Promise<Uint8Array>;
  /**
   * Opens a long-lived stream with its own `request`.
   *
   * @example A stream
   * ```ts
   * import { connect, listen } from "@midstreamer/kit/transport";
   * import assert from "node:assert/strict";
   *
   * await using server = await listen({ transport: "websocket", handler: (r) => r });
   * await using channel = await connect({ transport: "websocket", port: server.addr.port });
   * await using stream = await channel.openStream();
   * assert.deepEqual(await stream.request(Uint8Array.of(7)), Uint8Array.of(7));
   * ```
   *
   * @returns The new stream.
   */
  openStream(): Promise<RequestStream>;
  /**
   * Closes the connection. Pending requests reject with
   * {@linkcode ClosedError}. Calling it again is a no-op.
   *
   * @example Requests after close
   * ```ts
   * import { ClosedError, connect, listen } from "@midstreamer/kit/transport";
   * import assert from "node:assert/strict";
   *
   * await using server = await listen({ transport: "websocket", handler: (r) => r });
   * const channel = await connect({ transport: "websocket", port: server.addr.port });
   * await channel.close();
   * await assert.rejects(channel.request(Uint8Array.of(1)), ClosedError);
   * ```
   *
   * @returns Resolves once the connection is closed.
   */
  close(): Promise<void>;
}
