// Copyright 2026 the @midstreamer/kit authors. MIT license.

import { resolveListenOptions } from "./_options.ts";
import { listenQuic } from "./_quic.ts";
import { listenWebSocket } from "./_websocket.ts";
import type { ListenOptions } from "./listen_options.ts";
import type { Server } from "./server.ts";

/**
 * Starts a request/reply server over QUIC (`Deno.QuicEndpoint`) or
 * WebSocket (`Deno.serve` + `Deno.upgradeWebSocket`). Each request frame is
 * passed to `options.handler`; its result is sent back as the reply, and a
 * throw is sent back as an error that the client sees as a
 * {@linkcode RemoteError}. Malformed or oversize frames fail only the
 * request or stream they belong to; the server keeps serving. With a
 * `token`, connections must authenticate before any request is handled;
 * the {@linkcode ServerLimits} bound connections, requests, buffered bytes
 * and time, and {@linkcode Server.stats} counts them.
 *
 * QUIC needs the unstable `net` feature (`"unstable": ["net"]` in
 * deno.json or `--unstable-net`) and a certificate.
 *
 * @example An echo server over WebSocket
 * ```ts
 * import { connect, listen } from "@midstreamer/kit/transport";
 * import assert from "node:assert/strict";
 *
 * await using server = await listen({
 *   transport: "websocket",
 *   hostname: "127.0.0.1",
 *   port: 0,
 *   handler: (request) => request,
 * });
 * await using channel = await connect({
 *   transport: "websocket",
 *   port: server.addr.port,
 * });
 * const reply = await channel.request(new TextEncoder().encode("hi"));
 * assert.equal(new TextDecoder().decode(reply), "hi");
 * ```
 *
 * @example A QUIC server (runs when ./cert.pem and ./key.pem exist)
 * ```ts
 * import { listen } from "@midstreamer/kit/transport";
 *
 * const read = (path: string) => Deno.readTextFile(path).catch(() => null);
 * const [cert, key] = await Promise.all([read("./cert.pem"), read("./key.pem")]);
 * if (cert !== null && key !== null) {
 *   await using server = await listen({
 *     transport: "quic",
 *     port: 0,
 *     cert,
 *     key,
 *     handler: (request) => request,
 *   });
 *   console.log(server.addr);
 * }
 * ```
 *
 * @param options Transport, address, TLS material and the handler.
 * @returns The running server.
 * @throws {TypeError} for a wrong option type, an unknown option, a
 * missing certificate for QUIC, or a non-loopback `hostname` without a
 * `token` or `insecure: true` (protected mode).
 * @throws {RangeError} for an out-of-range port, `maxMessageBytes` or limit
 * (each a positive integer), or an empty or over-long token.
 */
export function listen(options: ListenOptions): Promise<Server> {
  try {
    const resolved = resolveListenOptions(options);
    return Promise.resolve(
      resolved.transport === "quic"
        ? listenQuic(resolved)
        : listenWebSocket(resolved),
    );
  } catch (error) {
    return Promise.reject(error);
  }
}
