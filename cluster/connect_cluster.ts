// Copyright 2026 the @midstreamer/kit authors. MIT license.

import type { CorrelationMatrixOptions } from "../kernels/correlation_matrix.ts";
import type { DtwOptions, Series } from "../kernels/dtw.ts";
import type { DtwPathResult } from "../kernels/dtw_path.ts";
import { checkOptionKeys, describe } from "../kernels/internal.ts";
import type { LcsSequence } from "../kernels/lcs.ts";
import type {
  SearchOptions,
  SubsequenceMatch,
} from "../kernels/search_subsequence.ts";
import type { Match, TopKOptions } from "../kernels/top_k.ts";
import type { AsyncKernels, AsyncOptions } from "../pool/async_kernels.ts";
import type { ServiceLimits } from "../service/protocol.ts";
import { ClusterClient } from "./_cluster.ts";
import { checkLimits, numberOption } from "./_options.ts";
import { RedisUnavailableError } from "./redis_unavailable_error.ts";
import type { PatternSet, StorePatternsOptions } from "./pattern_set.ts";
import type { ClusterEvent } from "./_job.ts";
import { probe, type RedisConnectionOptions, redisTarget } from "./_redis.ts";

export type { ClusterEvent } from "./_job.ts";
export type { RedisConnectionOptions, RedisTlsOptions } from "./_redis.ts";

/** Options of {@linkcode connectCluster}. */
export interface ClusterOptions extends RedisConnectionOptions {
  /**
   * The limits every shard keeps to: a worker refuses a shard over its
   * own, which are the matching service's by default, `maxCells` (the
   * compute budget) counted per shard. A call whose single series (the
   * reference, one pattern, a query, one sequence, a `dtw` operand) is
   * over `maxSeriesLength`, or whose smallest shard (a `dtw` pair, one
   * pattern against the reference, 1,024 windows of a search, the two
   * longest sequences of a matrix) is over `maxCells`, is refused on the
   * caller with a `RangeError`; everything else is cut into shards that
   * fit. Give the callers the workers' limits.
   *
   * @default {DEFAULT_SERVICE_LIMITS}
   */
  limits?: ServiceLimits;
  /**
   * Single-thread milliseconds of work a shard aims at. The measured
   * coordination of one shard (enqueue, fetch, result: about 1 ms here) is
   * then about 1 % of it; smaller shards balance better over few workers
   * but cost more Redis work per point.
   *
   * @default {100}
   */
  shardMs?: number;
  /**
   * Seconds every key of a call lives without renewal (its inputs, its
   * marker, its results). A running call renews them every third of it,
   * and deletes them when it ends; the TTL cleans up after a caller that
   * died.
   *
   * @default {3600}
   */
  keyTtl?: number;
  /**
   * Milliseconds a running call waits for an unreachable or unresponsive
   * Redis before it rejects with a `RedisUnavailableError`. Within it, a
   * call resumes when Redis comes back with its state (a `"resumed"`
   * event), or rejects with a `JobLostError` when the state is gone.
   *
   * @default {30000}
   */
  outageTimeout?: number;
  /**
   * Called on connection changes and on calls that resumed after one
   * (see {@linkcode ClusterEvent}). Its exceptions are ignored.
   *
   * @default {undefined}
   */
  onEvent?: (event: ClusterEvent) => void;
}

/**
 * The kernels on a cluster of worker processes sharing a Redis server,
 * from {@linkcode connectCluster}: an {@linkcode AsyncKernels} whose
 * results are exactly the synchronous functions'. Arguments are checked on
 * the caller first (the same errors as the synchronous functions, before
 * anything is sent). A call is one job: its inputs are stored in Redis
 * once (content-addressed, with a TTL), cut into shards as `WorkerPool`
 * cuts it into parts, enqueued, computed by any worker (`deno task
 * worker`), and merged on the caller as the results arrive. `onProgress`
 * reports each shard; an aborted `signal` rejects the call, removes its
 * waiting shards and deletes its keys (shards already running finish,
 * unseen). A worker that dies mid-shard loses nothing: its shard is taken
 * again by another worker after the queue's stalled-job check (about 5 s
 * with the workers' defaults). A shard that stops every worker that takes
 * it fails the call with a `ShardFailedError`. No promise waits for ever
 * on Redis: see `outageTimeout`. With no worker running, calls wait for
 * one (use `signal`, e.g. `AbortSignal.timeout(ms)`, to bound them).
 */
export interface Cluster extends AsyncKernels {
  /**
   * The Redis server, as a URL without the password.
   *
   * @example Where a cluster lives
   * ```ts
   * import type { Cluster } from "@midstreamer/kit/cluster";
   *
   * export function where(cluster: Cluster): string {
   *   return cluster.redis; // e.g. "redis://127.0.0.1:6379"
   * }
   * ```
   */
  readonly redis: string;
  /**
   * Calls running now.
   *
   * @example Busy or not
   * ```ts
   * import type { Cluster } from "@midstreamer/kit/cluster";
   *
   * export function idle(cluster: Cluster): boolean {
   *   return cluster.running === 0;
   * }
   * ```
   */
  readonly running: number;
  /**
   * `dtw(a, b, options)` as one shard.
   *
   * @example A distance
   * ```ts
   * import type { Cluster } from "@midstreamer/kit/cluster";
   * import { dtw } from "@midstreamer/kit";
   * import assert from "node:assert/strict";
   *
   * export async function check(cluster: Cluster) {
   *   assert.equal(await cluster.dtw([1, 2, 3], [1, 3]), dtw([1, 2, 3], [1, 3]));
   * }
   * ```
   *
   * @param a First series.
   * @param b Second series.
   * @param options Band, cost, cutoff, multivariate comparison and precision, as for the synchronous function, and the {@linkcode AsyncOptions}.
   * @returns The distance.
   * @throws {TypeError} as `dtw`, and on a bad `signal` or `onProgress`.
   * @throws {RangeError} as `dtw`, and on a series over `maxSeriesLength` or a pair over `maxCells`.
   */
  dtw(
    a: Series,
    b: Series,
    options?: DtwOptions & AsyncOptions,
  ): Promise<number>;
  /**
   * `dtwBatch(reference, patterns, options)`, in shards of patterns.
   *
   * @example Distances to each pattern
   * ```ts
   * import type { Cluster } from "@midstreamer/kit/cluster";
   * import { dtwBatch } from "@midstreamer/kit";
   * import assert from "node:assert/strict";
   *
   * export async function check(cluster: Cluster) {
   *   const patterns = [[1, 2], [3, 2, 1]];
   *   assert.deepEqual(await cluster.dtwBatch([1, 2, 3], patterns), dtwBatch([1, 2, 3], patterns));
   * }
   * ```
   *
   * @param reference The series every pattern is compared with.
   * @param patterns The patterns, or a {@linkcode PatternSet} stored by this cluster (computed in its precision).
   * @param options Band, cost, cutoff, multivariate comparison and precision, as for `dtwBatch`, and the {@linkcode AsyncOptions} (progress counts patterns).
   * @returns One distance per pattern.
   * @throws {TypeError} as `dtwBatch`, on a bad `signal` or `onProgress`, and on a set that was deleted or stored by another cluster, or whose precision `options.precision` contradicts.
   * @throws {RangeError} as `dtwBatch`, and on a series over `maxSeriesLength`, or a pattern (or a stored set's shard) whose cells against the reference are over `maxCells`.
   * @throws {PatternSetExpiredError} when a stored set's keys are gone from Redis.
   */
  dtwBatch(
    reference: Series,
    patterns: ArrayLike<Series> | PatternSet,
    options?: DtwOptions & AsyncOptions,
  ): Promise<Float64Array>;
  /**
   * `topK(reference, patterns, options)`, in shards of patterns: each
   * shard starts from the k-th best distance of the results merged so far
   * (a bound key the caller lowers as they arrive and a worker reads when
   * it starts a shard), and the union is cut to the `k` best, which is
   * exactly the global top `k`.
   *
   * @example The nearest patterns
   * ```ts
   * import type { Cluster } from "@midstreamer/kit/cluster";
   * import { topK } from "@midstreamer/kit";
   * import assert from "node:assert/strict";
   *
   * export async function check(cluster: Cluster, reference: number[], patterns: number[][]) {
   *   const best = await cluster.topK(reference, patterns, { k: 10 });
   *   assert.deepEqual(best, topK(reference, patterns, { k: 10 }));
   * }
   * ```
   *
   * @param reference The series every pattern is compared with.
   * @param patterns The candidate patterns (no limit on their total), or a {@linkcode PatternSet} stored by this cluster (computed in its precision).
   * @param options `k`, band, cost, cutoff, multivariate comparison, precision, `stats`, and the {@linkcode AsyncOptions} (progress counts patterns).
   * @returns Up to `k` matches `{ index, distance }`.
   * @throws {TypeError} as `topK`, on a bad `signal` or `onProgress`, and on a set that was deleted or stored by another cluster, or whose precision `options.precision` contradicts.
   * @throws {RangeError} as `topK`, and on a series over `maxSeriesLength`, or a pattern (or a stored set's shard) whose cells against the reference are over `maxCells`.
   * @throws {PatternSetExpiredError} when a stored set's keys are gone from Redis.
   */
  topK(
    reference: Series,
    patterns: ArrayLike<Series> | PatternSet,
    options?: TopKOptions & AsyncOptions,
  ): Promise<Match[]>;
  /**
   * Stores `patterns` in Redis once, checked as `topK` checks them and cut
   * into shards (each a content-addressed blob), and returns a handle that
   * `topK` and `dtwBatch` take in place of the patterns: a user ranking
   * many references against one large candidate set moves the set once,
   * and workers keep its shards in their cache (`cacheBytes`: give them
   * room for the whole set), so that a warm call moves only the reference
   * and the results. The results are exactly those of the same call with
   * the patterns. The set's keys are the user's: they stay until
   * {@linkcode PatternSet.delete} (or `await using`), or expire `ttl`
   * seconds after the set was last used; `close()` leaves them to expire.
   *
   * @example Many references against one candidate set
   * ```ts
   * import type { Cluster } from "@midstreamer/kit/cluster";
   * import { topK } from "@midstreamer/kit";
   * import assert from "node:assert/strict";
   *
   * export async function rankAll(cluster: Cluster, references: number[][], patterns: number[][]) {
   *   await using set = await cluster.storePatterns(patterns);
   *   for (const reference of references) {
   *     const best = await cluster.topK(reference, set, { k: 10 });
   *     assert.deepEqual(best, topK(reference, patterns, { k: 10 }));
   *   }
   * }
   * ```
   *
   * @param patterns The patterns (no limit on their total).
   * @param options `precision`, `ttl`, the reference length the shards are cut for, and a `signal`.
   * @returns The stored set.
   * @throws {TypeError} as `topK` for the patterns, and on a bad option.
   * @throws {RangeError} as `topK`, on a pattern over the cluster's limits, and on an out-of-range option.
   * @throws {RedisUnavailableError} when Redis does not store it within `outageTimeout`.
   */
  storePatterns(
    patterns: ArrayLike<Series>,
    options?: StorePatternsOptions,
  ): Promise<PatternSet>;
  /**
   * `searchSubsequence(series, query, options)`, in shards of window
   * starts whose points overlap by `query.length - 1`; each starts from
   * the best bound found so far, and the exclusion zone is applied to the
   * union on the caller. Series of `d` values per point (arrays of points
   * or `{ dims, values }`, with `multivariate`) are searched as the
   * function searches them, with its result bit for bit; a shard's cells
   * count `d` times against `maxCells`.
   *
   * @example Find a query
   * ```ts
   * import type { Cluster } from "@midstreamer/kit/cluster";
   * import { searchSubsequence } from "@midstreamer/kit";
   * import assert from "node:assert/strict";
   *
   * export async function check(cluster: Cluster, series: Float64Array) {
   *   const query = series.slice(1000, 1128);
   *   const found = await cluster.searchSubsequence(series, query, { window: 12, k: 3 });
   *   assert.deepEqual(found, searchSubsequence(series, query, { window: 12, k: 3 }));
   * }
   *
   * // Points of two values, each dimension warped on its own.
   * export async function check2(cluster: Cluster, series: number[][]) {
   *   const query = series.slice(500, 540);
   *   const options = { window: 4, multivariate: "independent" } as const;
   *   const found = await cluster.searchSubsequence(series, query, options);
   *   assert.deepEqual(found, searchSubsequence(series, query, options));
   * }
   * ```
   *
   * @param series The long series to search: one value per point, or points of `d` values.
   * @param query The query, with the `d` of `series`.
   * @param options `window` (required) and the other search options, and the {@linkcode AsyncOptions} (progress counts windows).
   * @returns Up to `k` matches `{ start, end, distance }`.
   * @throws {TypeError} as `searchSubsequence`, and on a bad `signal` or `onProgress`.
   * @throws {RangeError} as `searchSubsequence`, and on a query over the limits (too long for a shard, or 1,024 windows over `maxCells`).
   */
  searchSubsequence(
    series: Series,
    query: Series,
    options: SearchOptions & AsyncOptions,
  ): Promise<SubsequenceMatch[]>;
  /**
   * `dtwPath(a, b, options)` as one shard.
   *
   * @example Distance and path
   * ```ts
   * import type { Cluster } from "@midstreamer/kit/cluster";
   * import { dtwPath } from "@midstreamer/kit";
   * import assert from "node:assert/strict";
   *
   * export async function check(cluster: Cluster) {
   *   assert.deepEqual(await cluster.dtwPath([0, 1, 2], [0, 2]), dtwPath([0, 1, 2], [0, 2]));
   * }
   * ```
   *
   * @param a First series.
   * @param b Second series.
   * @param options Band, cost, cutoff, multivariate comparison and precision, as for the synchronous function, and the {@linkcode AsyncOptions}.
   * @returns The distance and an optimal warping path.
   * @throws {TypeError} as `dtwPath`, and on a bad `signal` or `onProgress`.
   * @throws {RangeError} as `dtwPath`, and on a series over `maxSeriesLength` or a pair over `maxCells`.
   */
  dtwPath(
    a: Series,
    b: Series,
    options?: DtwOptions & AsyncOptions,
  ): Promise<DtwPathResult>;
  /**
   * `lcs(a, b)` as one shard (the symbols are interned on the caller).
   *
   * @example LCS length
   * ```ts
   * import type { Cluster } from "@midstreamer/kit/cluster";
   * import assert from "node:assert/strict";
   *
   * export async function check(cluster: Cluster) {
   *   assert.equal(await cluster.lcs("AGGTAB", "GXTXAYB"), 4);
   * }
   * ```
   *
   * @param a First sequence.
   * @param b Second sequence.
   * @param options The {@linkcode AsyncOptions}.
   * @returns The LCS length.
   * @throws {TypeError} as `lcs`, and on a bad `signal` or `onProgress`.
   * @throws {RangeError} as `lcs`, and on a sequence over `maxSeriesLength` or a pair over `maxCells`.
   */
  lcs(a: LcsSequence, b: LcsSequence, options?: AsyncOptions): Promise<number>;
  /**
   * `correlationMatrix(sequences)` in tiles of pairs: the sequences,
   * sorted by length, are stored in blocks, and each shard is a band of
   * rows of one block against the rest of it or against a later block.
   * The tiles are written into the matrix as they arrive.
   *
   * @example Strategies
   * ```ts
   * import type { Cluster } from "@midstreamer/kit/cluster";
   * import { correlationMatrix } from "@midstreamer/kit";
   * import assert from "node:assert/strict";
   *
   * export async function check(cluster: Cluster) {
   *   const strategies = [["BUY", "HOLD", "SELL"], ["BUY", "SELL"], ["HOLD"]];
   *   assert.deepEqual(await cluster.correlationMatrix(strategies), correlationMatrix(strategies));
   * }
   * ```
   *
   * @param sequences The sequences.
   * @param options The {@linkcode AsyncOptions} (progress counts rows).
   * @returns The `n * n` matrix, row-major.
   * @throws {TypeError} as `correlationMatrix`, and on a bad `signal` or `onProgress`.
   * @throws {RangeError} as `correlationMatrix`, and on a sequence over `maxSeriesLength`, or two longest sequences over `maxCells`.
   */
  correlationMatrix(
    sequences: readonly LcsSequence[],
    options?: CorrelationMatrixOptions & AsyncOptions,
  ): Promise<Float64Array>;
  /**
   * Ends the calls still running (they reject with `ClosedError`, and
   * their shards and keys are removed), then closes the connections to
   * Redis. Later calls reject with `ClosedError`. Calling it again returns
   * the same promise. The workers are not affected.
   *
   * @example Closing
   * ```ts
   * import { type Cluster } from "@midstreamer/kit/cluster";
   * import { ClosedError } from "@midstreamer/kit";
   * import assert from "node:assert/strict";
   *
   * export async function finish(cluster: Cluster) {
   *   await cluster.close();
   *   await assert.rejects(cluster.lcs("a", "a"), ClosedError);
   * }
   * ```
   *
   * @returns Resolves once closed.
   */
  close(): Promise<void>;
}

/**
 * Connects to the Redis server of a cluster of workers and returns the
 * {@linkcode Cluster}: the kernels computed by the workers (`deno task
 * worker --redis URL`, any number, on any machines), each shard of a call
 * on whichever worker is free. Before any queue object exists, one plain
 * connection checks the server: reachable within `connectTimeout`, the
 * credentials accepted, version 6.2 or later, scripting and streams
 * available.
 *
 * @example Ranking patterns on a cluster
 * ```ts
 * import { connectCluster } from "@midstreamer/kit/cluster";
 *
 * export async function rank(reference: number[], patterns: number[][]) {
 *   await using cluster = await connectCluster({ redis: "redis://127.0.0.1:6379" });
 *   return await cluster.topK(reference, patterns, {
 *     k: 10,
 *     onProgress: ({ done, total }) => console.log(`${done} / ${total}`),
 *   });
 * }
 * ```
 *
 * @example A bad URL
 * ```ts
 * import { connectCluster } from "@midstreamer/kit/cluster";
 * import assert from "node:assert/strict";
 *
 * await assert.rejects(connectCluster({ redis: "http://127.0.0.1:6379" }), TypeError);
 * ```
 *
 * @param options The server (`redis`, `tls`), the queue, limits, timeouts and an event callback.
 * @returns The connected cluster; `close()` or `await using` releases it.
 * @throws {TypeError} on a malformed URL or option.
 * @throws {RangeError} on an out-of-range option.
 * @throws {RedisUnavailableError} when Redis is unreachable or does not answer within `connectTimeout`.
 * @throws {Error} when Redis refuses the credentials or the TLS handshake, or is older than 6.2 or lacks scripting or streams.
 */
export async function connectCluster(
  options: ClusterOptions,
): Promise<Cluster> {
  const fn = "connectCluster";
  const o = checkOptionKeys(fn, options, [
    "redis",
    "tls",
    "queue",
    "connectTimeout",
    "limits",
    "shardMs",
    "keyTtl",
    "outageTimeout",
    "onEvent",
  ]) as unknown as ClusterOptions;
  if (options === undefined) {
    throw new TypeError(`${fn}: options with a redis URL are required`);
  }
  const target = redisTarget(fn, o);
  const limits = checkLimits(fn, o.limits);
  const shardMs = numberOption(fn, "shardMs", o.shardMs, 100, 0, 3_600_000);
  const keyTtl = numberOption(fn, "keyTtl", o.keyTtl, 3600, 1, 30 * 86400);
  const outageMs = numberOption(
    fn,
    "outageTimeout",
    o.outageTimeout,
    30_000,
    0,
    86_400_000,
  );
  if (o.onEvent !== undefined && typeof o.onEvent !== "function") {
    throw new TypeError(
      `${fn}: options.onEvent must be a function, got ${describe(o.onEvent)}`,
    );
  }
  const facts = await probe(fn, target);
  const cluster = new ClusterClient({
    target,
    runId: facts.runId,
    limits,
    shardMs,
    ttlMs: Math.round(keyTtl * 1000),
    outageMs,
    onEvent: o.onEvent,
  });
  if (!await cluster.ready(target.connectTimeout)) {
    await cluster.close();
    throw new RedisUnavailableError(
      `${fn}: the queue on Redis at ${target.shown} did not get ready within ${target.connectTimeout} ms`,
    );
  }
  return cluster;
}
