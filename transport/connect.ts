// Copyright 2026 the @midstreamer/kit authors. MIT license.

import { resolveConnectOptions } from "./_options.ts";
import { connectQuic } from "./_quic.ts";
import { connectWebSocket } from "./_websocket.ts";
import type { Channel } from "./channel.ts";
import type { ConnectOptions } from "./connect_options.ts";

/**
 * Connects to a server started with {@linkcode listen} and returns a
 * {@linkcode Channel}: `request(bytes)` resolves with the reply to that
 * request (many may be in flight at once), and `openStream()` opens a
 * long-lived stream (a bidirectional QUIC stream, or a logical stream
 * multiplexed by id over the WebSocket).
 *
 * For QUIC 0-RTT resumption, pass the same `endpoint` (and `serverName`)
 * as an earlier connection to the same server together with
 * `zeroRtt: true`; {@linkcode Channel.resumed} tells whether 0-RTT was
 * used, based on whether `Deno.connectQuic` returned the connection
 * synchronously. The first request goes out in the 0-RTT flight; its reply
 * can only be read once the handshake completes (one round trip). Each
 * connection, resumed or not, receives fresh session tickets just after
 * its handshake: a connection closed right after its first reply may miss
 * them, leaving the endpoint without an unused ticket (then the next
 * connection does a full handshake). Keeping it open a moment longer
 * (measured: 1 ms on loopback) avoids that.
 *
 * Errors while connecting: {@linkcode TimeoutError} after `timeout`,
 * {@linkcode ClosedError} if the server refuses or closes, or the
 * TLS error thrown by Deno.
 *
 * @example Many requests in flight over WebSocket with npm:ws
 * ```ts
 * import { connect, listen } from "@midstreamer/kit/transport";
 * import assert from "node:assert/strict";
 *
 * await using server = await listen({
 *   transport: "websocket",
 *   handler: (request) => new Uint8Array([request[0]! * 2]),
 * });
 * await using channel = await connect({
 *   transport: "websocket",
 *   port: server.addr.port,
 *   client: "ws",
 *   timeout: 5_000,
 * });
 * const replies = await Promise.all(
 *   [1, 2, 3].map((n) => channel.request(new Uint8Array([n]))),
 * );
 * assert.deepEqual(replies.map((reply) => reply[0]), [2, 4, 6]);
 * ```
 *
 * @example QUIC with 0-RTT resumption (runs when ./ca.pem exists and a
 * QUIC server listens on port 4433)
 * ```ts
 * import { connect, type ConnectOptions } from "@midstreamer/kit/transport";
 *
 * const ca = await Deno.readTextFile("./ca.pem").catch(() => null);
 * if (ca !== null) {
 *   const endpoint = new Deno.QuicEndpoint();
 *   const options: ConnectOptions = {
 *     transport: "quic",
 *     port: 4433,
 *     caCerts: [ca],
 *     serverName: "localhost",
 *     endpoint,
 *     timeout: 2_000,
 *   };
 *   try {
 *     const first = await connect(options);
 *     await first.request(new Uint8Array(1)); // the server sends a ticket
 *     await first.close();
 *     await using second = await connect({ ...options, zeroRtt: true });
 *     console.log(second.resumed); // true when 0-RTT was used
 *   } finally {
 *     endpoint.close();
 *   }
 * }
 * ```
 *
 * @param options Transport, address, TLS trust and limits.
 * @returns The open channel.
 * @throws {TypeError} for a wrong option type, an unknown option or an
 * option that does not apply to the transport.
 * @throws {RangeError} for an out-of-range port, timeout or
 * `maxMessageBytes`.
 */
export function connect(options: ConnectOptions): Promise<Channel> {
  try {
    const resolved = resolveConnectOptions(options);
    return resolved.transport === "quic"
      ? connectQuic(resolved)
      : connectWebSocket(resolved);
  } catch (error) {
    return Promise.reject(error);
  }
}
