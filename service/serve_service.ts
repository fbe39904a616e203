// Copyright 2026 the @midstreamer/kit authors. MIT license.

import { correlationMatrix } from "../kernels/correlation_matrix.ts";
import { dtw } from "../kernels/dtw.ts";
import { dtwBatch } from "../kernels/dtw_batch.ts";
import { dtwPath } from "../kernels/dtw_path.ts";
import { lcs } from "../kernels/lcs.ts";
import {
  type SearchStats,
  searchSubsequence,
} from "../kernels/search_subsequence.ts";
import { topK, type TopKStats } from "../kernels/top_k.ts";
import type { AsyncKernels } from "../pool/async_kernels.ts";
import { ClosedError } from "../pool/closed_error.ts";
import { listen } from "../transport/listen.ts";
import type { Server, ServerStats } from "../transport/server.ts";
import type { ServerLimits } from "../transport/server_limits.ts";
import type { Transport } from "../transport/transport.ts";
import { decodeRequest } from "./decode_request.ts";
import { encodeReply } from "./encode_reply.ts";
import {
  type DecodedRequest,
  DEFAULT_SERVICE_LIMITS,
  type ServiceLimits,
} from "./protocol.ts";

/** Options of {@linkcode serveService}. */
export interface ServeServiceOptions extends ServiceLimits, ServerLimits {
  /** Which transport to serve. */
  transport: Transport;
  /**
   * The address to bind.
   *
   * @default {"127.0.0.1"}
   */
  hostname?: string;
  /**
   * The port to bind; `0` picks a free one (see {@linkcode ServiceServer.addr}).
   *
   * @default {0}
   */
  port?: number;
  /** Certificate chain (PEM). Required for QUIC; turns on wss:// for WebSocket. */
  cert?: string;
  /** Private key (PEM), paired with `cert`. */
  key?: string;
  /**
   * Where requests are computed. `0` computes them in this thread, one at
   * a time (each request blocks the event loop while it runs: keep the
   * limits such that a request stays short). A positive count starts a
   * {@linkcode WorkerPool}, owned by the server, that computes them off the
   * main thread; any other {@linkcode AsyncKernels} (a shared pool) is used
   * as it is and never closed by the server.
   *
   * @default {0}
   */
  workers?: number | AsyncKernels;
  /**
   * The bearer token clients must send (`connectService({ token })`), as
   * for `listen`: without it or with a wrong one a connection is closed
   * before any request is read.
   */
  token?: string;
  /**
   * Serve a non-loopback `hostname` without a `token`; without it,
   * `serveService` refuses to start then (protected mode).
   *
   * @default {false}
   */
  insecure?: boolean;
}

/** A running matching service, from {@linkcode serveService}. */
export interface ServiceServer extends AsyncDisposable {
  /** The transport being served. */
  readonly transport: Transport;
  /** The bound address (with the real port when `port` was `0`). */
  readonly addr: Deno.NetAddr;
  /** Requests being computed now. */
  readonly inFlight: number;
  /**
   * The transport server's counters (connections, streams, requests and
   * bytes held, refusals so far).
   *
   * @example No connection yet
   * ```ts
   * import { serveService } from "@midstreamer/kit/service";
   * import assert from "node:assert/strict";
   *
   * await using server = await serveService({ transport: "websocket" });
   * assert.equal(server.stats().connections, 0);
   * ```
   *
   * @returns A snapshot of the counters.
   */
  stats(): ServerStats;
  /**
   * Shuts down gracefully: requests arriving from now on get an error
   * reply (a `ClosedError`: "server is shutting down"); requests already
   * being computed finish and their replies are sent; after a short pause
   * (50 ms) that lets the last replies leave, connections are closed and
   * an owned pool is closed. Calling it again returns the same promise.
   *
   * @example Graceful shutdown
   * ```ts
   * import { serveService } from "@midstreamer/kit/service";
   * import assert from "node:assert/strict";
   *
   * const server = await serveService({ transport: "websocket" });
   * assert.equal(server.inFlight, 0);
   * await server.close();
   * ```
   *
   * @returns Resolves once everything is released.
   */
  close(): Promise<void>;
}

/**
 * The former name of {@linkcode ServeServiceOptions}.
 *
 * @deprecated Use `ServeServiceOptions`. Removed in 1.0.
 */
export type ServeMatcherOptions = ServeServiceOptions;
/**
 * The former name of {@linkcode ServiceServer}.
 *
 * @deprecated Use `ServiceServer`. Removed in 1.0.
 */
export type MatcherServer = ServiceServer;
/**
 * What the server of 0.1 needed from a pool; now any
 * {@linkcode AsyncKernels}.
 *
 * @deprecated Use `AsyncKernels`. Removed in 1.0.
 */
export type ServicePool = AsyncKernels;

/** Pause between the last reply and closing connections. */
const FLUSH_MS = 50;

/**
 * Serves the kernels — `dtw`, `dtwBatch`, `topK`, `lcs`,
 * `searchSubsequence`, `dtwPath` and `correlationMatrix` — over QUIC or
 * WebSocket, with the binary protocol of `@midstreamer/kit/service` (see
 * {@link ./protocol.ts}). Malformed requests and requests over the limits
 * get an error reply; the server keeps serving. Use
 * {@linkcode connectService} as the client.
 *
 * @example A WebSocket service and its client
 * ```ts
 * import { dtw } from "@midstreamer/kit";
 * import { connectService, serveService } from "@midstreamer/kit/service";
 * import assert from "node:assert/strict";
 *
 * await using server = await serveService({ transport: "websocket" });
 * await using client = await connectService({
 *   transport: "websocket",
 *   port: server.addr.port,
 * });
 * assert.equal(await client.dtw([1, 2, 3], [1, 3]), dtw([1, 2, 3], [1, 3]));
 * assert.equal(await client.lcs("AGGTAB", "GXTXAYB"), 4);
 * ```
 *
 * Resource limits: the transport's ({@linkcode ServerLimits}: connections,
 * requests and bytes in flight, idle, handshake and request timeouts) and
 * the service's ({@linkcode ServiceLimits}: series and batch lengths,
 * request bytes, and the compute budget `maxCells`).
 *
 * @param options Transport, address, TLS material, token, limits and workers.
 * @returns The running server.
 * @throws {TypeError} for a bad transport option (as `listen`), or a bad limit or `workers`.
 * @throws {RangeError} for an out-of-range port or limit.
 */
export async function serveService(
  options: ServeServiceOptions,
): Promise<ServiceServer> {
  const {
    maxSeriesLength = DEFAULT_SERVICE_LIMITS.maxSeriesLength,
    maxBatchLength = DEFAULT_SERVICE_LIMITS.maxBatchLength,
    maxRequestBytes = DEFAULT_SERVICE_LIMITS.maxRequestBytes,
    maxCells = DEFAULT_SERVICE_LIMITS.maxCells,
    workers = 0,
    ...listenOptions
  } = options ?? {} as ServeServiceOptions;
  const limits: Required<ServiceLimits> = {
    maxSeriesLength: limit("maxSeriesLength", maxSeriesLength),
    maxBatchLength: limit("maxBatchLength", maxBatchLength),
    maxRequestBytes: limit("maxRequestBytes", maxRequestBytes),
    maxCells: limit("maxCells", maxCells),
  };
  let pool: AsyncKernels | undefined;
  let owned: AsyncKernels | undefined;
  if (typeof workers === "number") {
    if (!Number.isInteger(workers) || workers < 0) {
      throw new RangeError(
        `serveService: options.workers must be a non-negative integer or an AsyncKernels, got ${workers}`,
      );
    }
  } else if (
    workers === null || typeof workers !== "object" ||
    typeof workers.dtwBatch !== "function" ||
    typeof workers.topK !== "function"
  ) {
    throw new TypeError(
      "serveService: options.workers must be a worker count or an AsyncKernels (a WorkerPool)",
    );
  } else {
    pool = workers;
  }
  let inFlight = 0;
  let idle: PromiseWithResolvers<void> | undefined;
  let draining = false;
  const handler = async (request: Uint8Array): Promise<Uint8Array> => {
    try {
      if (draining) throw new ClosedError("server is shutting down");
      inFlight++;
      try {
        return await answer(decodeRequest(request, limits), pool);
      } finally {
        if (--inFlight === 0) idle?.resolve();
      }
    } catch (error) {
      // The class travels as the message's prefix (see protocol.ts).
      const e = error instanceof Error ? error : new Error(String(error));
      throw new Error(`${e.name}: ${e.message}`);
    }
  };
  let server: Server;
  try {
    if (typeof workers === "number" && workers > 0) {
      const { WorkerPool } = await import("../pool/worker_pool.ts");
      pool = owned = new WorkerPool({ workers });
    }
    server = await listen({
      ...listenOptions,
      handler,
      maxMessageBytes: limits.maxRequestBytes,
    });
  } catch (error) {
    await owned?.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      draining = true;
      while (inFlight > 0) {
        idle = Promise.withResolvers<void>();
        await idle.promise;
      }
      await new Promise((resolve) => setTimeout(resolve, FLUSH_MS));
      await server.close();
      await owned?.close();
    })();
    return closing;
  };
  return {
    transport: server.transport,
    addr: server.addr,
    get inFlight(): number {
      return inFlight;
    },
    stats: () => server.stats(),
    close,
    [Symbol.asyncDispose]: close,
  };
}

/**
 * The former name of {@linkcode serveService}.
 *
 * @example Old code keeps working
 * ```ts
 * import { serveMatcher } from "@midstreamer/kit/service";
 *
 * await using server = await serveMatcher({ transport: "websocket" });
 * console.log(server.addr.port);
 * ```
 *
 * @deprecated Use `serveService`. Removed in 1.0.
 *
 * @param options As for `serveService`.
 * @returns The running server.
 * @throws {TypeError} as `serveService`.
 * @throws {RangeError} as `serveService`.
 */
export function serveMatcher(
  options: ServeServiceOptions,
): Promise<ServiceServer> {
  return serveService(options);
}

function limit(name: string, value: unknown): number {
  if (typeof value !== "number") {
    throw new TypeError(
      `serveService: options.${name} must be a number, got ${typeof value}`,
    );
  }
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(
      `serveService: options.${name} must be a positive integer, got ${value}`,
    );
  }
  return value;
}

/**
 * Computes the reply to a decoded request, on `pool` when there is one
 * (and it has the method: a 0.1 pool has only `dtwBatch` and `topK`).
 */
async function answer(
  request: DecodedRequest,
  pool: Partial<AsyncKernels> | undefined,
): Promise<Uint8Array> {
  switch (request.op) {
    case "dtw": {
      const { a, b, options } = request;
      return encodeReply(
        "dtw",
        pool?.dtw ? await pool.dtw(a, b, options) : dtw(a, b, options),
      );
    }
    case "dtwBatch": {
      const { reference, patterns, options } = request;
      return encodeReply(
        "dtwBatch",
        pool?.dtwBatch
          ? await pool.dtwBatch(reference, patterns, options)
          : dtwBatch(reference, patterns, options),
      );
    }
    case "topK": {
      const { reference, patterns, options } = request;
      const stats = {} as TopKStats;
      const o = { ...options, stats };
      const matches = pool?.topK
        ? await pool.topK(reference, patterns, o)
        : topK(reference, patterns, o);
      return encodeReply("topK", { matches, stats });
    }
    case "lcs": {
      const { a, b } = request;
      return encodeReply("lcs", pool?.lcs ? await pool.lcs(a, b) : lcs(a, b));
    }
    case "searchSubsequence": {
      const { series, query, options } = request;
      const stats = {} as SearchStats;
      const o = { ...options, stats };
      const matches = pool?.searchSubsequence
        ? await pool.searchSubsequence(series, query, o)
        : searchSubsequence(series, query, o);
      return encodeReply("searchSubsequence", { matches, stats });
    }
    case "dtwPath": {
      const { a, b, options } = request;
      return encodeReply(
        "dtwPath",
        pool?.dtwPath
          ? await pool.dtwPath(a, b, options)
          : dtwPath(a, b, options),
      );
    }
    case "correlationMatrix": {
      const { sequences } = request;
      return encodeReply(
        "correlationMatrix",
        pool?.correlationMatrix
          ? await pool.correlationMatrix(sequences)
          : correlationMatrix(sequences),
      );
    }
  }
}
