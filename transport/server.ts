// Copyright 2026 the @midstreamer/kit authors. MIT license.

import type { Transport } from "./transport.ts";

/**
 * A running server returned by {@linkcode listen}.
 *
 * @example Serving and closing
 * ```ts
 * import { listen, type Server } from "@midstreamer/kit/transport";
 *
 * const server: Server = await listen({
 *   transport: "websocket",
 *   handler: (request) => request,
 * });
 * console.log(server.addr.port);
 * await server.close();
 * ```
 */
export interface Server extends AsyncDisposable {
  /** The transport being served. */
  readonly transport: Transport;
  /** The bound address (with the real port when `port` was `0`). */
  readonly addr: Deno.NetAddr;
  /**
   * Stops accepting, closes every connection (their pending requests reject
   * on the client side) and resolves once everything is released. Calling
   * it again is a no-op.
   *
   * @example Closing twice
   * ```ts
   * import { listen } from "@midstreamer/kit/transport";
   *
   * const server = await listen({ transport: "websocket", handler: (r) => r });
   * await server.close();
   * await server.close(); // no-op
   * ```
   *
   * @returns Resolves once everything is released.
   */
  close(): Promise<void>;
  /**
   * The server's counters now: what it holds, and what it has refused
   * since it started. Meant for tests and monitoring.
   *
   * @example Counting connections
   * ```ts
   * import { connect, listen } from "@midstreamer/kit/transport";
   * import assert from "node:assert/strict";
   *
   * await using server = await listen({ transport: "websocket", handler: (r) => r });
   * await using channel = await connect({ transport: "websocket", port: server.addr.port });
   * await channel.request(Uint8Array.of(1));
   * assert.equal(server.stats().connections, 1);
   * assert.equal(server.stats().requests, 0);
   * ```
   *
   * @returns A snapshot of the counters.
   */
  stats(): ServerStats;
}

/**
 * The counters of a {@linkcode Server}, from {@linkcode Server.stats}.
 *
 * @example After a refused token
 * ```ts
 * import type { ServerStats } from "@midstreamer/kit/transport";
 *
 * const idle: ServerStats = {
 *   connections: 0,
 *   streams: 0,
 *   requests: 0,
 *   bufferedBytes: 0,
 *   refusedConnections: 0,
 *   refusedRequests: 0,
 *   unauthorized: 1,
 *   timedOut: 0,
 * };
 * console.log(idle.unauthorized);
 * ```
 */
export interface ServerStats {
  /** Open connections. */
  connections: number;
  /** Open QUIC streams, or open WebSockets. */
  streams: number;
  /** Requests admitted and not yet answered (including partly received ones). */
  requests: number;
  /** Request bytes admitted and not yet answered. */
  bufferedBytes: number;
  /** Connections closed at once because of `maxConnections`, so far. */
  refusedConnections: number;
  /** Requests refused as busy or too large, so far. */
  refusedRequests: number;
  /** Connections closed for a missing or wrong token, so far. */
  unauthorized: number;
  /** Requests answered with a timeout error (`requestTimeout`), so far. */
  timedOut: number;
}
