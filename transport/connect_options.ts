// Copyright 2026 the @midstreamer/kit authors. MIT license.

import type { Transport } from "./transport.ts";
import type { WebSocketClient } from "./web_socket_client.ts";

/**
 * Options for {@linkcode connect}.
 *
 * @example WebSocket client options
 * ```ts
 * import type { ConnectOptions } from "@midstreamer/kit/transport";
 *
 * const options: ConnectOptions = {
 *   transport: "websocket",
 *   hostname: "127.0.0.1",
 *   port: 8080,
 *   client: "ws",
 *   timeout: 5_000,
 * };
 * console.log(options.port);
 * ```
 */
export interface ConnectOptions {
  /** Which transport to use; must match the server's. */
  transport: Transport;
  /**
   * The server's host name or IP address.
   *
   * @default {"127.0.0.1"}
   */
  hostname?: string;
  /** The server's port. */
  port: number;
  /**
   * Extra root certificates (PEM) trusted for the server's certificate. For
   * WebSocket, giving `caCerts` implies `secure: true`.
   */
  caCerts?: readonly string[];
  /**
   * The name checked against the server certificate (and sent as SNI).
   * With WebSocket client `"deno"` it must equal `hostname` (Deno's
   * `WebSocket` has no separate server-name option).
   *
   * @default {hostname}
   */
  serverName?: string;
  /**
   * WebSocket only: use wss:// (TLS) instead of ws://.
   *
   * @default {caCerts !== undefined}
   */
  secure?: boolean;
  /**
   * WebSocket only: the client implementation, npm:ws or Deno's
   * `WebSocket`. The default is npm:ws: Deno's `WebSocket` stalls about
   * 44 ms on messages of 1 to 64 KiB (no `TCP_NODELAY`) unless the
   * transport's workaround chunks or pads them, and padding sends an
   * 8 KiB request as 64 KiB.
   *
   * @default {"ws"}
   */
  client?: WebSocketClient;
  /**
   * Milliseconds after which connecting or a request rejects with a
   * {@linkcode TimeoutError}. `Infinity` disables the timeout.
   *
   * @default {30000}
   */
  timeout?: number;
  /**
   * Largest request or reply payload, in bytes. Larger requests reject
   * before anything is sent; larger replies reject their request.
   *
   * @default {16777216}
   */
  maxMessageBytes?: number;
  /**
   * QUIC only: the local endpoint to connect from. Reusing one endpoint
   * across connections keeps the TLS session tickets needed for 0-RTT
   * resumption. An endpoint passed here is not closed by
   * {@linkcode Channel.close}.
   *
   * @default {a new endpoint, closed with the channel}
   */
  endpoint?: Deno.QuicEndpoint;
  /**
   * QUIC only: try 0-RTT resumption with a session ticket held by
   * `endpoint`. Whether it happened is reported by
   * {@linkcode Channel.resumed}. Requests sent in 0-RTT can be replayed by
   * an attacker.
   *
   * @default {false}
   */
  zeroRtt?: boolean;
  /**
   * The server's bearer token, sent once as the connection's first frame.
   * A wrong or missing one rejects the channel's requests with an
   * {@linkcode AuthenticationError}.
   */
  token?: string;
  /**
   * QUIC only: milliseconds of silence from the server after which the
   * connection is taken as dead (a killed server sends no close) and its
   * pending requests reject with {@linkcode ClosedError}. Keep-alives go
   * out every third of it, so a live server busy with a long request is
   * never dropped. WebSocket needs none: a dead peer's TCP connection is
   * reset by its operating system.
   *
   * @default {30000}
   */
  peerTimeout?: number;
}
