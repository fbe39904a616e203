// Copyright 2026 the @midstreamer/kit authors. MIT license.

import { checkOptionKeys, DTW_OPTION_KEYS } from "../kernels/_options.ts";
import type { LcsSequence } from "../kernels/lcs.ts";
import type { Match } from "../kernels/search_types.ts";
import type { DtwOptions } from "../kernels/types.ts";
import type { Channel } from "../transport/channel.ts";
import { connect } from "../transport/connect.ts";
import type { Transport } from "../transport/transport.ts";
import type { WebSocketClient } from "../transport/web_socket_client.ts";
import {
  decodeReply,
  encodeRequest,
  type ServiceOp,
  type ServiceReplies,
  type ServiceRequest,
} from "./protocol.ts";

/** Options of {@linkcode connectMatcher}. */
export interface ConnectMatcherOptions {
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
   * Extra root certificates (PEM) trusted for the server's certificate
   * (for WebSocket, giving them selects wss://).
   */
  caCerts?: readonly string[];
  /**
   * The name checked against the server certificate.
   *
   * @default {hostname}
   */
  serverName?: string;
  /**
   * WebSocket only: the client implementation. The default is npm:ws:
   * Deno's `WebSocket` stalls about 44 ms on messages of 1 to 64 KiB (a
   * 500-point DTW request is 8 KiB) unless the transport's workaround
   * chunks or pads them, and padding sends an 8 KiB request as 64 KiB.
   *
   * @default {"ws"}
   */
  client?: WebSocketClient;
  /**
   * Milliseconds after which connecting or a call rejects with a
   * `TimeoutError`; `Infinity` for none.
   *
   * @default {30000}
   */
  timeout?: number;
}

/**
 * A connection to a matching service, from {@linkcode connectMatcher}. Each
 * method sends one request; many may be in flight at once. Arguments are
 * checked locally first (the same errors as the local kernels); failures
 * on the server reject with `RemoteError` (its message starts with the
 * server-side error class).
 */
export interface MatcherClient extends AsyncDisposable {
  /**
   * `dtw(a, b, options)` on the server.
   *
   * @param a First series.
   * @param b Second series.
   * @param options Band, cost and cutoff.
   * @returns The distance.
   */
  dtw(
    a: ArrayLike<number>,
    b: ArrayLike<number>,
    options?: DtwOptions,
  ): Promise<number>;
  /**
   * `dtwBatch(reference, patterns, options)` on the server.
   *
   * @param reference The series every pattern is compared with.
   * @param patterns The patterns.
   * @param options Band, cost and cutoff.
   * @returns One distance per pattern.
   */
  dtwBatch(
    reference: ArrayLike<number>,
    patterns: ArrayLike<ArrayLike<number>>,
    options?: DtwOptions,
  ): Promise<Float64Array>;
  /**
   * `topK(reference, patterns, k, options)` on the server (without the
   * `stats` option).
   *
   * @param reference The series every pattern is compared with.
   * @param patterns The candidate patterns.
   * @param k How many matches.
   * @param options Band, cost and cutoff.
   * @returns The `k` best matches, sorted by distance then index.
   */
  topK(
    reference: ArrayLike<number>,
    patterns: ArrayLike<ArrayLike<number>>,
    k: number,
    options?: DtwOptions,
  ): Promise<Match[]>;
  /**
   * `lcs(a, b)` on the server, with the same semantics.
   *
   * @param a First sequence.
   * @param b Second sequence.
   * @returns The LCS length.
   */
  lcs(a: LcsSequence, b: LcsSequence): Promise<number>;
  /**
   * Closes the connection; pending calls reject with
   * `ConnectionClosedError`. Calling it again is a no-op.
   */
  close(): Promise<void>;
}

/**
 * Connects to a matching service started with {@linkcode serveMatcher} (or
 * `deno task serve`).
 *
 * @example Calls over QUIC (runs when ./ca.pem exists and a service listens on port 4433)
 * ```ts
 * import { connectMatcher } from "@midstreamer/kit/service";
 *
 * const ca = await Deno.readTextFile("./ca.pem").catch(() => null);
 * if (ca !== null) {
 *   await using client = await connectMatcher({
 *     transport: "quic",
 *     port: 4433,
 *     caCerts: [ca],
 *     serverName: "localhost",
 *   });
 *   console.log(await client.topK([1, 2, 3], [[1, 2], [3, 2, 1]], 1));
 * }
 * ```
 *
 * @example Batches over WebSocket
 * ```ts
 * import { dtwBatch } from "@midstreamer/kit";
 * import { connectMatcher, serveMatcher } from "@midstreamer/kit/service";
 * import assert from "node:assert/strict";
 *
 * await using server = await serveMatcher({ transport: "websocket" });
 * await using client = await connectMatcher({
 *   transport: "websocket",
 *   port: server.addr.port,
 * });
 * const reference = [0, 1, 2, 3];
 * const patterns = [[0, 1], [3, 2, 1, 0], [1, 2, 3]];
 * assert.deepEqual(
 *   await client.dtwBatch(reference, patterns, { window: 1 }),
 *   dtwBatch(reference, patterns, { window: 1 }),
 * );
 * ```
 *
 * @param options Transport, address, TLS trust, WebSocket client and timeout.
 * @returns The connected client.
 * @throws {TypeError} for a bad option (as `connect`).
 * @throws {RangeError} for an out-of-range port or timeout.
 */
export async function connectMatcher(
  options: ConnectMatcherOptions,
): Promise<MatcherClient> {
  checkOptionKeys("connectMatcher", options, [
    "transport",
    "hostname",
    "port",
    "caCerts",
    "serverName",
    "client",
    "timeout",
  ]);
  const channel: Channel = await connect({
    ...options,
    ...(options.transport === "websocket"
      ? { client: options.client ?? "ws" }
      : {}),
  });
  const call = async <Op extends ServiceOp>(
    op: Op,
    request: () => ServiceRequest,
  ): Promise<ServiceReplies[Op]> =>
    decodeReply(op, await channel.request(encodeRequest(request())));
  const dtwOptions = (fn: string, o: DtwOptions | undefined): DtwOptions => {
    checkOptionKeys(fn, o, DTW_OPTION_KEYS);
    return { window: o?.window, cost: o?.cost, cutoff: o?.cutoff };
  };
  return {
    dtw: (a, b, o) =>
      call("dtw", () => ({ op: "dtw", a, b, ...dtwOptions("dtw", o) })),
    dtwBatch: (reference, patterns, o) =>
      call("dtwBatch", () => ({
        op: "dtwBatch",
        reference,
        patterns,
        ...dtwOptions("dtwBatch", o),
      })),
    topK: (reference, patterns, k, o) =>
      call("topK", () => ({
        op: "topK",
        reference,
        patterns,
        k,
        ...dtwOptions("topK", o),
      })),
    lcs: (a, b) => call("lcs", () => ({ op: "lcs", a, b })),
    close: () => channel.close(),
    [Symbol.asyncDispose]: () => channel.close(),
  };
}
