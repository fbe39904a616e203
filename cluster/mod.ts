// Copyright 2026 the @midstreamer/kit authors. MIT license.

/**
 * The kernels beyond one machine: a cluster of worker processes sharing a
 * Redis server (6.2 or later), with BullMQ as the queue.
 * {@linkcode connectCluster} gives a {@linkcode Cluster}, an
 * `AsyncKernels` whose calls are cut into shards, computed by whichever
 * worker is free, and merged on the caller exactly as `WorkerPool` merges
 * its parts; {@linkcode startWorker} (or `deno task worker --redis URL`)
 * runs a worker. A worker that dies loses nothing; a poison shard fails
 * its call with a {@linkcode ShardFailedError}; Redis going away ends a
 * call with a {@linkcode RedisUnavailableError} or a
 * {@linkcode JobLostError}, or it resumes. Every key a call writes
 * expires. A large candidate set ranked against many references is stored
 * once (`cluster.storePatterns`, a {@linkcode PatternSet} that `topK` and
 * `dtwBatch` take in place of the patterns), and workers keep it, so that
 * a call moves only its reference and its results.
 *
 * @example Top matches on a cluster, checked against one machine
 * ```ts
 * import { connectCluster } from "@midstreamer/kit/cluster";
 * import { topK } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * export async function rank(redis: string, reference: number[], patterns: number[][]) {
 *   await using cluster = await connectCluster({ redis });
 *   const best = await cluster.topK(reference, patterns, { k: 5 });
 *   assert.deepEqual(best, topK(reference, patterns, { k: 5 }));
 *   return best;
 * }
 * ```
 *
 * @module
 */

export * from "./connect_cluster.ts";
export * from "./start_worker.ts";
export * from "./redis_unavailable_error.ts";
export * from "./job_lost_error.ts";
export * from "./shard_failed_error.ts";
export * from "./pattern_set.ts";
export * from "./pattern_set_expired_error.ts";
