// Copyright 2026 the @midstreamer/kit authors. MIT license.

import { dtw } from "../kernels/dtw.ts";
import { dtwBatch } from "../kernels/dtw_batch.ts";
import { lcs } from "../kernels/lcs.ts";
import type { Match } from "../kernels/search_types.ts";
import { topK } from "../kernels/top_k.ts";
import type { DtwOptions } from "../kernels/types.ts";
import { listen } from "../transport/listen.ts";
import type { Server } from "../transport/server.ts";
import type { Transport } from "../transport/transport.ts";
import {
  type DecodedRequest,
  decodeRequest,
  DEFAULT_SERVICE_LIMITS,
  encodeReply,
  type ServiceLimits,
} from "./protocol.ts";

/**
 * What the server needs from a pool of workers: asynchronous `dtwBatch`
 * and `topK`. A {@linkcode WorkerPool} is one.
 */
export interface ServicePool {
  /**
   * As the synchronous `dtwBatch`.
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
   * As the synchronous `topK`.
   *
   * @param reference The series every pattern is compared with.
   * @param patterns The patterns.
   * @param k How many matches.
   * @param options Band, cost and cutoff.
   * @returns The best matches.
   */
  topK(
    reference: ArrayLike<number>,
    patterns: ArrayLike<ArrayLike<number>>,
    k: number,
    options?: DtwOptions,
  ): Promise<Match[]>;
}

/** Options of {@linkcode serveMatcher}. */
export interface ServeMatcherOptions extends ServiceLimits {
  /** Which transport to serve. */
  transport: Transport;
  /**
   * The address to bind.
   *
   * @default {"127.0.0.1"}
   */
  hostname?: string;
  /**
   * The port to bind; `0` picks a free one (see {@linkcode MatcherServer.addr}).
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
   * {@linkcode WorkerPool}, owned by the server, that computes `dtw`,
   * `dtwBatch` and `topK` off the main thread (`lcs` stays in-thread); a
   * pool object is shared and never closed by the server.
   *
   * @default {0}
   */
  workers?: number | ServicePool;
}

/** A running matching service, from {@linkcode serveMatcher}. */
export interface MatcherServer extends AsyncDisposable {
  /** The transport being served. */
  readonly transport: Transport;
  /** The bound address (with the real port when `port` was `0`). */
  readonly addr: Deno.NetAddr;
  /** Requests being computed now. */
  readonly inFlight: number;
  /**
   * Shuts down gracefully: requests arriving from now on get an error
   * reply ("server is shutting down"); requests already being computed
   * finish and their replies are sent; after a short pause (50 ms) that
   * lets the last replies leave, connections are closed and an owned pool
   * is closed. Calling it again returns the same promise.
   *
   * @returns Resolves once everything is released.
   */
  close(): Promise<void>;
}

/** Pause between the last reply and closing connections. */
const FLUSH_MS = 50;

/**
 * Serves `dtw`, `dtwBatch`, `topK` and `lcs` over QUIC or WebSocket, with
 * the binary protocol of `@midstreamer/kit/service` (see
 * {@link ./protocol.ts}). Malformed requests and requests over the limits
 * get an error reply; the server keeps serving. Use
 * {@linkcode connectMatcher} as the client.
 *
 * @example A WebSocket service and its client
 * ```ts
 * import { dtw } from "@midstreamer/kit";
 * import { connectMatcher, serveMatcher } from "@midstreamer/kit/service";
 * import assert from "node:assert/strict";
 *
 * await using server = await serveMatcher({ transport: "websocket" });
 * await using client = await connectMatcher({
 *   transport: "websocket",
 *   port: server.addr.port,
 * });
 * assert.equal(await client.dtw([1, 2, 3], [1, 3]), dtw([1, 2, 3], [1, 3]));
 * assert.equal(await client.lcs("AGGTAB", "GXTXAYB"), 4);
 * ```
 *
 * @param options Transport, address, TLS material, limits and workers.
 * @returns The running server.
 * @throws {TypeError} for a bad transport option (as `listen`), or a bad limit or `workers`.
 * @throws {RangeError} for an out-of-range port or limit.
 */
export async function serveMatcher(
  options: ServeMatcherOptions,
): Promise<MatcherServer> {
  const {
    maxSeriesLength = DEFAULT_SERVICE_LIMITS.maxSeriesLength,
    maxBatchLength = DEFAULT_SERVICE_LIMITS.maxBatchLength,
    maxRequestBytes = DEFAULT_SERVICE_LIMITS.maxRequestBytes,
    workers = 0,
    ...listenOptions
  } = options ?? {} as ServeMatcherOptions;
  const limits: Required<ServiceLimits> = {
    maxSeriesLength: limit("maxSeriesLength", maxSeriesLength),
    maxBatchLength: limit("maxBatchLength", maxBatchLength),
    maxRequestBytes: limit("maxRequestBytes", maxRequestBytes),
  };
  let pool: ServicePool | undefined;
  let owned: (ServicePool & { close(): Promise<void> }) | undefined;
  if (typeof workers === "number") {
    if (!Number.isInteger(workers) || workers < 0) {
      throw new RangeError(
        `serveMatcher: options.workers must be a non-negative integer or a pool, got ${workers}`,
      );
    }
  } else if (
    workers === null || typeof workers !== "object" ||
    typeof workers.dtwBatch !== "function" ||
    typeof workers.topK !== "function"
  ) {
    throw new TypeError(
      "serveMatcher: options.workers must be a worker count or a pool with dtwBatch and topK methods",
    );
  } else {
    pool = workers;
  }
  let inFlight = 0;
  let idle: PromiseWithResolvers<void> | undefined;
  let draining = false;
  const handler = async (request: Uint8Array): Promise<Uint8Array> => {
    if (draining) throw new Error("server is shutting down");
    inFlight++;
    try {
      return await answer(decodeRequest(request, limits), pool);
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      throw new Error(`${e.name}: ${e.message}`);
    } finally {
      if (--inFlight === 0) idle?.resolve();
    }
  };
  let server: Server;
  try {
    if (typeof workers === "number" && workers > 0) {
      const { WorkerPool } = await import("../kernels/worker_pool.ts");
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
    close,
    [Symbol.asyncDispose]: close,
  };
}

function limit(name: string, value: unknown): number {
  if (typeof value !== "number") {
    throw new TypeError(
      `serveMatcher: options.${name} must be a number, got ${typeof value}`,
    );
  }
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(
      `serveMatcher: options.${name} must be a positive integer, got ${value}`,
    );
  }
  return value;
}

/** Computes the reply to a decoded request. */
async function answer(
  request: DecodedRequest,
  pool: ServicePool | undefined,
): Promise<Uint8Array> {
  switch (request.op) {
    case "dtw": {
      const { a, b, options } = request;
      const d = pool === undefined
        ? dtw(a, b, options)
        : (await pool.dtwBatch(a, [b], options))[0];
      return encodeReply("dtw", d);
    }
    case "dtwBatch": {
      const { reference, patterns, options } = request;
      return encodeReply(
        "dtwBatch",
        pool === undefined
          ? dtwBatch(reference, patterns, options)
          : await pool.dtwBatch(reference, patterns, options),
      );
    }
    case "topK": {
      const { reference, patterns, k, options } = request;
      return encodeReply(
        "topK",
        pool === undefined
          ? topK(reference, patterns, k, options)
          : await pool.topK(reference, patterns, k, options),
      );
    }
    case "lcs":
      return encodeReply("lcs", lcs(request.a, request.b));
  }
}
