// Copyright 2026 the @midstreamer/kit authors. MIT license.

/**
 * The resource limits of a server started with {@linkcode listen} (all
 * options of `listen`; each a positive integer). Past a limit the server
 * refuses new work with an error the client can read and keeps answering
 * the work it has accepted. `deno task serve` takes each as a flag
 * (`--max-connections`, `--idle-timeout`, ...).
 *
 * @example Tighter limits for a small server
 * ```ts
 * import { listen, type ServerLimits } from "@midstreamer/kit/transport";
 *
 * const limits: ServerLimits = { maxConnections: 64, idleTimeout: 30_000 };
 * await using server = await listen({ transport: "websocket", handler: (r) => r, ...limits });
 * console.log(server.stats().connections); // 0
 * ```
 */
export interface ServerLimits {
  /**
   * Most open connections. One more is accepted only to be closed at once
   * with the reason (WebSocket close code 1013, QUIC close code 2).
   *
   * @default {1024}
   */
  maxConnections?: number;
  /**
   * QUIC only: most bidirectional streams a client may have open at once
   * on one connection (QUIC flow control makes it wait for more).
   *
   * @default {1024}
   */
  maxStreamsPerConnection?: number;
  /**
   * Most requests of one connection admitted and not yet answered. One
   * more is answered at once with a "server busy" error (the client sees
   * a `QueueFullError`).
   *
   * @default {1024}
   */
  maxRequestsPerConnection?: number;
  /**
   * Most request bytes one connection may have admitted and not yet
   * answered (counted from a frame's header until its reply is handed to
   * the socket). A request that would pass it is refused as busy, its
   * payload skipped unread into memory.
   *
   * @default {67108864}
   */
  maxBufferedBytesPerConnection?: number;
  /**
   * The same, for all connections together.
   *
   * @default {268435456}
   */
  maxBufferedBytes?: number;
  /**
   * Milliseconds a connection may stay without a complete request frame
   * while none of its requests is being answered; then it is closed
   * ("idle timeout"). A request frame dribbled slower than this also
   * closes it (slowloris).
   *
   * @default {120000}
   */
  idleTimeout?: number;
  /**
   * Milliseconds from a connection's arrival until its QUIC handshake is
   * done and, with a `token`, its token has been verified; then it is
   * closed ("handshake timeout").
   *
   * @default {10000}
   */
  handshakeTimeout?: number;
  /**
   * Milliseconds the handler may take for one request; then that request
   * gets an error reply (the client sees a `TimeoutError`) and its
   * resources are released. The handler itself cannot be stopped: it
   * runs on, and its late result is dropped.
   *
   * @default {60000}
   */
  requestTimeout?: number;
}

/**
 * The default {@linkcode ServerLimits}.
 *
 * @example Reading a default
 * ```ts
 * import { DEFAULT_SERVER_LIMITS } from "@midstreamer/kit/transport";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_SERVER_LIMITS.maxConnections, 1024);
 * ```
 */
export const DEFAULT_SERVER_LIMITS: Readonly<Required<ServerLimits>> = Object
  .freeze({
    maxConnections: 1024,
    maxStreamsPerConnection: 1024,
    maxRequestsPerConnection: 1024,
    maxBufferedBytesPerConnection: 64 * 1024 * 1024,
    maxBufferedBytes: 256 * 1024 * 1024,
    idleTimeout: 120_000,
    handshakeTimeout: 10_000,
    requestTimeout: 60_000,
  });
