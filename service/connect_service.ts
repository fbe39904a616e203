// Copyright 2026 the @midstreamer/kit authors. MIT license.

import type { CorrelationMatrixOptions } from "../kernels/correlation_matrix.ts";
import type { DtwOptions, Series } from "../kernels/dtw.ts";
import type { DtwPathResult } from "../kernels/dtw_path.ts";
import {
  checkOptionKeys,
  DTW_OPTION_KEYS,
  f64SearchOnly,
  SEARCH_KEYS,
  statsArg,
  TOP_K_KEYS,
  topKArgs,
} from "../kernels/internal.ts";
import type { LcsSequence } from "../kernels/lcs.ts";
import type {
  SearchOptions,
  SearchStats,
  SubsequenceMatch,
} from "../kernels/search_subsequence.ts";
import type { Match, TopKOptions, TopKStats } from "../kernels/top_k.ts";
import type { AsyncKernels, AsyncOptions } from "../pool/async_kernels.ts";
import { asyncArgs, reviveError, withAsyncKeys } from "../pool/internal.ts";
import type { Channel } from "../transport/channel.ts";
import { connect } from "../transport/connect.ts";
import { RemoteError } from "../transport/remote_error.ts";
import type { Transport } from "../transport/transport.ts";
import type { WebSocketClient } from "../transport/web_socket_client.ts";
import { decodeReply } from "./decode_reply.ts";
import { encodeRequest } from "./encode_request.ts";
import type { ServiceOp, ServiceReplies, ServiceRequest } from "./protocol.ts";

/** Options of {@linkcode connectService}. */
export interface ConnectServiceOptions {
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
   * WebSocket only: the client implementation, as for `connect`. The
   * default is npm:ws: Deno's `WebSocket` stalls about 44 ms on messages
   * of 1 to 64 KiB (a 500-point DTW request is 8 KiB) unless the
   * transport's workaround chunks or pads them, and padding sends an
   * 8 KiB request as 64 KiB.
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
  /** The service's bearer token (see `serveService`'s `token`). */
  token?: string;
  /**
   * QUIC only: milliseconds of silence after which the server is taken
   * as dead, as for `connect`.
   *
   * @default {30000}
   */
  peerTimeout?: number;
}

/**
 * A connection to a matching service, from {@linkcode connectService}: the
 * {@linkcode AsyncKernels} computed by the server. Each method sends one
 * request; many may be in flight at once. Arguments are checked locally
 * first (the same errors as the local functions); an error of the server
 * rejects with the same class as the local call would throw
 * (`TypeError`, `RangeError`, `ClosedError`, `QueueFullError`), and an
 * unexpected one with the transport's `RemoteError`. `onProgress` is
 * called once, when the reply arrives; an aborted `signal` rejects the
 * call at once (the server still computes it). Closing the client rejects
 * pending calls with {@linkcode ClosedError}.
 */
export interface ServiceClient extends AsyncKernels {
  /**
   * The deprecated form of `topK`, with `k` as the third argument.
   *
   * @example Migrating
   * ```ts
   * import { connectService, serveService } from "@midstreamer/kit/service";
   * import assert from "node:assert/strict";
   *
   * await using server = await serveService({ transport: "websocket" });
   * await using client = await connectService({ transport: "websocket", port: server.addr.port });
   * const patterns = [[1, 2], [0, 1, 2]];
   * assert.deepEqual(
   *   await client.topK([0, 1, 2], patterns, 1),
   *   await client.topK([0, 1, 2], patterns, { k: 1 }),
   * );
   * ```
   *
   * @deprecated Pass `k` as an option: `client.topK(reference, patterns, { k })`.
   * This form is removed in 1.0.
   *
   * @param reference The series every pattern is compared with.
   * @param patterns The candidate patterns.
   * @param k How many matches.
   * @param options The other options.
   * @returns The `k` best matches, sorted by distance then index.
   */
  topK(
    reference: Series,
    patterns: ArrayLike<Series>,
    k: number,
    options?: TopKOptions & AsyncOptions,
  ): Promise<Match[]>;
  /**
   * `topK(reference, patterns, options)` on the server.
   *
   * @example The nearest pattern
   * ```ts
   * import { topK } from "@midstreamer/kit";
   * import { connectService, serveService } from "@midstreamer/kit/service";
   * import assert from "node:assert/strict";
   *
   * await using server = await serveService({ transport: "websocket" });
   * await using client = await connectService({ transport: "websocket", port: server.addr.port });
   * const patterns = [[1, 2], [0, 1, 2], [2, 2]];
   * assert.deepEqual(await client.topK([0, 1, 2], patterns), topK([0, 1, 2], patterns));
   * ```
   *
   * @param reference The series every pattern is compared with.
   * @param patterns The candidate patterns.
   * @param options `k`, band, cost, cutoff, `stats`, and {@linkcode AsyncOptions}.
   * @returns The `k` best matches, sorted by distance then index.
   */
  topK(
    reference: Series,
    patterns: ArrayLike<Series>,
    options?: TopKOptions & AsyncOptions,
  ): Promise<Match[]>;
  /**
   * `searchSubsequence(series, query, options)` on the server, with every
   * form of series that the function takes: one value per point, or points
   * of `d` values (an array of points, or `{ dims, values }`), searched
   * `"dependent"` or `"independent"` as `multivariate` says. The result
   * is the function's, bit for bit, and so is any error about the
   * arguments, raised here before anything is sent.
   *
   * @example Two instruments that move together
   * ```ts
   * import { searchSubsequence } from "@midstreamer/kit";
   * import { connectService, serveService } from "@midstreamer/kit/service";
   * import assert from "node:assert/strict";
   *
   * await using server = await serveService({ transport: "websocket" });
   * await using client = await connectService({ transport: "websocket", port: server.addr.port });
   * const series = Array.from({ length: 300 }, (_, i) => [Math.sin(i / 9), Math.cos(i / 13) + i / 100]);
   * const query = series.slice(120, 150);
   * const options = { window: 3, k: 2, multivariate: "independent" } as const;
   * const matches = await client.searchSubsequence(series, query, options);
   * assert.deepEqual(matches, searchSubsequence(series, query, options));
   * assert.equal(matches[0].start, 120);
   * ```
   *
   * @param series The long series to search: one value per point, or points of `d` values.
   * @param query The query, with the `d` of `series`.
   * @param options As for `searchSubsequence` (`window` is required), and {@linkcode AsyncOptions}.
   * @returns Up to `k` matches `{ start, end, distance }`, sorted by distance then start.
   */
  searchSubsequence(
    series: Series,
    query: Series,
    options: SearchOptions & AsyncOptions,
  ): Promise<SubsequenceMatch[]>;
}

/**
 * The former name of {@linkcode ConnectServiceOptions}.
 *
 * @deprecated Use `ConnectServiceOptions`. Removed in 1.0.
 */
export type ConnectMatcherOptions = ConnectServiceOptions;
/**
 * The former name of {@linkcode ServiceClient}.
 *
 * @deprecated Use `ServiceClient`. Removed in 1.0.
 */
export type MatcherClient = ServiceClient;

const DTW_KEYS = withAsyncKeys(DTW_OPTION_KEYS);
const TOP_K_ASYNC_KEYS = withAsyncKeys(TOP_K_KEYS);
const SEARCH_ASYNC_KEYS = withAsyncKeys(SEARCH_KEYS);
const NO_KEYS = withAsyncKeys([]);

/** The kit's error class of a server's error reply, or the reply itself. */
function rethrown(error: unknown): unknown {
  if (!(error instanceof RemoteError)) return error;
  const match = /^(\w+): ([^]*)$/.exec(error.message);
  if (match === null) return error;
  return reviveError(match[1], match[2], { cause: error }) ?? error;
}

/** Races `promise` against an abort of `signal`. */
function abortable<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (signal === undefined) return promise;
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() =>
      signal.removeEventListener("abort", onAbort)
    );
  });
}

/**
 * Connects to a matching service started with {@linkcode serveService} (or
 * `deno task serve`).
 *
 * @example Calls over QUIC (runs when ./ca.pem exists and a service listens on port 4433)
 * ```ts
 * import { connectService } from "@midstreamer/kit/service";
 *
 * const ca = await Deno.readTextFile("./ca.pem").catch(() => null);
 * if (ca !== null) {
 *   await using client = await connectService({
 *     transport: "quic",
 *     port: 4433,
 *     caCerts: [ca],
 *     serverName: "localhost",
 *   });
 *   console.log(await client.topK([1, 2, 3], [[1, 2], [3, 2, 1]], { k: 1 }));
 * }
 * ```
 *
 * @example Batches over WebSocket
 * ```ts
 * import { dtwBatch } from "@midstreamer/kit";
 * import { connectService, serveService } from "@midstreamer/kit/service";
 * import assert from "node:assert/strict";
 *
 * await using server = await serveService({ transport: "websocket" });
 * await using client = await connectService({
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
export async function connectService(
  options: ConnectServiceOptions,
): Promise<ServiceClient> {
  checkOptionKeys("connectService", options, [
    "transport",
    "hostname",
    "port",
    "caCerts",
    "serverName",
    "client",
    "timeout",
    "token",
    "peerTimeout",
  ]);
  const channel: Channel = await connect(options);
  /**
   * Sends the request made by `request()` (which validates its arguments)
   * and decodes the reply; `total` is the call's progress units (a
   * search's are its windows, read from the request).
   */
  const call = async <Op extends ServiceOp>(
    op: Op,
    given: unknown,
    request: () => ServiceRequest,
    total = 1,
  ): Promise<ServiceReplies[Op]> => {
    const { signal, onProgress } = asyncArgs(op, given);
    signal?.throwIfAborted();
    const bytes = encodeRequest(request());
    // The points of the series and of the query (a search's matches end
    // m - 1 points after their starts), in any form, as encoded.
    const header = new DataView(bytes.buffer, bytes.byteOffset, 32);
    const n = header.getUint32(24, true), m = header.getUint32(28, true);
    if (op === "searchSubsequence") total = n - m + 1;
    let reply: Uint8Array;
    try {
      reply = await abortable(channel.request(bytes), signal);
    } catch (error) {
      throw rethrown(error);
    }
    const result = decodeReply(op, reply, m);
    onProgress?.({ done: total, total });
    return result;
  };
  /** The DTW options of `o`, its keys checked. */
  const dtwOptions = (fn: string, o: unknown): DtwOptions => {
    const { window, cost, cutoff, multivariate, precision } = checkOptionKeys(
      fn,
      o,
      DTW_KEYS,
    );
    return { window, cost, cutoff, multivariate, precision } as DtwOptions;
  };
  const count = (x: unknown): number =>
    (x as { length?: unknown })?.length as number;
  const close = () => channel.close();
  const client: ServiceClient = {
    dtw: (a, b, o) =>
      call("dtw", o, () => ({ op: "dtw", a, b, ...dtwOptions("dtw", o) })),
    dtwBatch: (reference, patterns, o) =>
      call("dtwBatch", o, () => ({
        op: "dtwBatch",
        reference,
        patterns,
        ...dtwOptions("dtwBatch", o),
      }), count(patterns)),
    async topK(
      reference: Series,
      patterns: ArrayLike<Series>,
      kOrOptions?: number | (TopKOptions & AsyncOptions),
      options?: TopKOptions & AsyncOptions,
    ): Promise<Match[]> {
      const fn = "topK";
      const given = typeof kOrOptions === "number" ? options : kOrOptions;
      let stats: TopKStats | undefined;
      const reply = await call(fn, given, () => {
        const a = topKArgs(fn, kOrOptions, options, TOP_K_ASYNC_KEYS);
        stats = a.stats;
        return {
          op: fn,
          reference,
          patterns,
          k: a.k,
          ...dtwOptions(fn, {
            window: given?.window,
            cost: given?.cost,
            cutoff: given?.cutoff,
            multivariate: given?.multivariate,
            precision: given?.precision,
          }),
        };
      }, count(patterns));
      if (stats !== undefined) Object.assign(stats, reply.stats);
      return reply.matches;
    },
    async searchSubsequence(
      series: Series,
      query: Series,
      o: SearchOptions & AsyncOptions,
    ): Promise<SubsequenceMatch[]> {
      const fn = "searchSubsequence";
      let stats: SearchStats | undefined;
      const reply = await call(fn, o, () => {
        const { window, k, normalize, exclusionZone, cost, multivariate } =
          checkOptionKeys(fn, o, SEARCH_ASYNC_KEYS);
        f64SearchOnly(fn, o, "the service");
        stats = statsArg<SearchStats>(
          fn,
          (o as SearchOptions | undefined)?.stats,
        );
        return {
          op: fn,
          series,
          query,
          ...{
            window,
            k,
            normalize,
            exclusionZone,
            cost,
            multivariate,
          } as SearchOptions,
        };
      });
      if (stats !== undefined) Object.assign(stats, reply.stats);
      return reply.matches;
    },
    dtwPath: (a, b, o): Promise<DtwPathResult> =>
      call(
        "dtwPath",
        o,
        () => ({ op: "dtwPath", a, b, ...dtwOptions("dtwPath", o) }),
      ),
    lcs: (a, b, o) =>
      call("lcs", o, () => {
        checkOptionKeys("lcs", o, NO_KEYS);
        return { op: "lcs", a, b };
      }),
    correlationMatrix: (
      sequences: readonly LcsSequence[],
      o?: CorrelationMatrixOptions & AsyncOptions,
    ) =>
      call("correlationMatrix", o, () => {
        checkOptionKeys("correlationMatrix", o, NO_KEYS);
        return { op: "correlationMatrix", sequences };
      }, count(sequences)),
    close,
    [Symbol.asyncDispose]: close,
  };
  return client;
}

/**
 * The former name of {@linkcode connectService}.
 *
 * @example Old code keeps working
 * ```ts
 * import { connectMatcher, serveService } from "@midstreamer/kit/service";
 * import assert from "node:assert/strict";
 *
 * await using server = await serveService({ transport: "websocket" });
 * await using client = await connectMatcher({ transport: "websocket", port: server.addr.port });
 * assert.equal(await client.dtw([1, 2], [1, 2]), 0);
 * ```
 *
 * @deprecated Use `connectService`. Removed in 1.0.
 *
 * @param options As for `connectService`.
 * @returns The connected client.
 * @throws {TypeError} as `connectService`.
 * @throws {RangeError} as `connectService`.
 */
export function connectMatcher(
  options: ConnectServiceOptions,
): Promise<ServiceClient> {
  return connectService(options);
}
