// Copyright 2026 the @midstreamer/kit authors. MIT license.

import type { Transport } from "./transport.ts";
import type { Handler } from "./handler.ts";
import type { ServerLimits } from "./server_limits.ts";

/**
 * Options for {@linkcode listen}.
 *
 * @example WebSocket server options
 * ```ts
 * import type { ListenOptions } from "@midstreamer/kit/transport";
 *
 * const options: ListenOptions = {
 *   transport: "websocket",
 *   hostname: "127.0.0.1",
 *   port: 0,
 *   handler: (request) => request,
 * };
 * console.log(options.transport);
 * ```
 */
export interface ListenOptions extends ServerLimits {
  /** Which transport to serve. */
  transport: Transport;
  /**
   * The address to bind.
   *
   * @default {"127.0.0.1"}
   */
  hostname?: string;
  /**
   * The port to bind; `0` picks an ephemeral port (read it from
   * {@linkcode Server.addr}).
   *
   * @default {0}
   */
  port?: number;
  /**
   * Certificate chain in PEM format. Required for QUIC; for WebSocket it
   * turns on TLS (wss://). Must be given together with `key`.
   */
  cert?: string;
  /** Private key in PEM format, paired with `cert`. */
  key?: string;
  /** Computes the reply to each request. */
  handler: Handler;
  /**
   * Largest request payload accepted, in bytes. Larger requests are
   * answered with an error that the client sees as a
   * {@linkcode MessageTooLargeError}; the connection stays usable.
   *
   * @default {16777216}
   */
  maxMessageBytes?: number;
  /**
   * QUIC only: accept connections in 0.5-RTT mode so that 0-RTT requests
   * from resuming clients are answered before the handshake completes.
   * 0-RTT data can be replayed by an attacker: only enable this for
   * idempotent handlers.
   *
   * @default {false}
   */
  zeroRtt?: boolean;
  /**
   * The bearer token every client must send (`connect({ token })`) before
   * its first request: a connection without it, or with a wrong one, is
   * closed with an {@linkcode AuthenticationError} before any of its
   * requests is read, and no request reaches the handler before its
   * connection's token has been verified (0-RTT requests included). Compared
   * in constant time; at most 4096 UTF-8 bytes. Without a token, serving an
   * address other than loopback needs `insecure: true`.
   */
  token?: string;
  /**
   * Serve a non-loopback `hostname` without a `token` (protected mode is
   * off). Without it, `listen` refuses to start in that case.
   *
   * @default {false}
   */
  insecure?: boolean;
}
