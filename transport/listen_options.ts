// Copyright 2026 the @midstreamer/kit authors. MIT license.

import type { Transport } from "./transport.ts";
import type { Handler } from "./handler.ts";

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
export interface ListenOptions {
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
}
