// Copyright 2026 the midstreamer authors. MIT license.

/**
 * QUIC and WebSocket behind one request/stream interface.
 *
 * {@linkcode listen} starts a server that answers each request with
 * `handler(request)`; {@linkcode connect} returns a {@linkcode Channel}
 * whose `request(bytes)` resolves with the reply and whose `openStream()`
 * opens a long-lived multiplexed stream. QUIC supports 0-RTT resumption
 * ({@linkcode Channel.resumed}).
 *
 * ## Wire format
 *
 * Every message is one frame: a 16-byte big-endian header, then the
 * payload. On QUIC frames follow each other on a bidirectional stream; on
 * WebSocket each binary message holds exactly one frame.
 *
 * | offset | size | field                                                 |
 * | ------ | ---- | ----------------------------------------------------- |
 * | 0      | 4    | payload length (bytes after the header)               |
 * | 4      | 1    | kind: 1 request, 2 reply, 3 error                     |
 * | 5      | 1    | error code (kind 3): 1 handler threw, 2 too large, 3 malformed; else 0 |
 * | 6      | 2    | reserved, 0                                           |
 * | 8      | 4    | stream id (WebSocket logical stream; 0 = channel; QUIC: 0) |
 * | 12     | 4    | request id, chosen by the client and echoed in the reply |
 *
 * An error payload is the UTF-8 error message. A frame longer than
 * `maxMessageBytes` is answered with error code 2 and skipped; a malformed
 * header gets error code 3 (request id 0) and the QUIC stream is finished,
 * or the WebSocket is closed with code 1002.
 *
 * @example Request and streams over WebSocket
 * ```ts
 * import { connect, listen } from "@midstreamer/kit/transport";
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
 * await using stream = await channel.openStream();
 * const reply = await stream.request(new Uint8Array([42]));
 * assert.deepEqual(reply, new Uint8Array([42]));
 * ```
 *
 * @module
 */

export * from "./channel.ts";
export * from "./connect.ts";
export * from "./connect_options.ts";
export * from "./connection_closed_error.ts";
export * from "./handler.ts";
export * from "./listen.ts";
export * from "./listen_options.ts";
export * from "./message_too_large_error.ts";
export * from "./protocol_error.ts";
export * from "./remote_error.ts";
export * from "./request_stream.ts";
export * from "./server.ts";
export * from "./timeout_error.ts";
export * from "./transport.ts";
export * from "./web_socket_client.ts";
