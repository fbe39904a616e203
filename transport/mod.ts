// Copyright 2026 the @midstreamer/kit authors. MIT license.

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
 * Each direction of a connection is a byte stream of frames: a 16-byte
 * big-endian header, then the payload. On QUIC the frames follow each other
 * on a bidirectional stream. On WebSocket they are carried by binary
 * messages: usually one frame per message, but a message may hold several
 * frames, and may end inside a frame only if that frame's header (always
 * whole in one message) has the "continued" flag: its remaining bytes
 * follow in the next messages.
 *
 * | offset | size | field                                                 |
 * | ------ | ---- | ----------------------------------------------------- |
 * | 0      | 4    | payload length (bytes after the header)               |
 * | 4      | 1    | kind: 1 request, 2 reply, 3 error, 4 ack, 5 padding, 6 auth |
 * | 5      | 1    | error code (kind 3): 1 handler threw, 2 too large, 3 malformed, 4 unauthorized, 5 busy, 6 handler timed out; else 0 |
 * | 6      | 1    | flags: bit 0 = continued (WebSocket only); other bits 0 |
 * | 7      | 1    | reserved, 0                                           |
 * | 8      | 4    | stream id (WebSocket logical stream; 0 = channel; QUIC: 0) |
 * | 12     | 4    | request id, chosen by the client and echoed in the reply |
 *
 * An error payload is the UTF-8 error message; an error frame with request
 * id 0 concerns the whole connection (or stream), and the client fails
 * every pending request with it. A client given a `token` sends it first,
 * as an auth frame (kind 6, the UTF-8 token as payload, at most 4096
 * bytes; on QUIC on its first stream); the server answers nothing when it
 * matches, and closes the connection with error code 4 when it does not.
 * Error codes 4, 5 and 6 reach the caller as {@linkcode AuthenticationError},
 * `QueueFullError` and {@linkcode TimeoutError}. Kinds 4 and 5 are control
 * frames that receivers skip (payload included, whatever its length) and
 * never deliver: a WebSocket server sends an ack (kind 4, length 0, ids 0)
 * for every message that ends inside a frame, and padding (kind 5) fills a
 * message up to a size that is sent without delay. Deno's `WebSocket`
 * client writes messages above 1024 bytes as two writes on a socket without
 * TCP_NODELAY, which Nagle's algorithm and delayed ACKs stall by about 44 ms;
 * so with `client: "deno"` a frame of 1025-4096 bytes is sent as a
 * continued frame in messages of at most 1024 bytes (each ack releases the
 * next one at once), and a frame of 4097-65534 bytes is followed by padding
 * up to a 65535-byte message. Other clients send one message per frame and
 * never get an ack.
 *
 * A frame longer than `maxMessageBytes` is answered with error code 2 as
 * soon as its header arrives, and its payload is skipped; a malformed
 * header, or a WebSocket message cut short inside a frame that is not
 * continued, gets error code 3 (request id 0) and the QUIC stream is
 * finished, or the WebSocket is closed with code 1002.
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

export * from "./authentication_error.ts";
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
export * from "./server_limits.ts";
export * from "./timeout_error.ts";
export * from "./transport.ts";
export * from "./web_socket_client.ts";
