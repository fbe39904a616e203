// Copyright 2026 the @midstreamer/kit authors. MIT license.

import { type Job, UnrecoverableError, Worker } from "bullmq";
import { Redis } from "ioredis";
import { Buffer } from "node:buffer";
import { checkOptionKeys, describe } from "../kernels/internal.ts";
import { WorkerPool } from "../pool/worker_pool.ts";
import type { ServiceLimits } from "../service/protocol.ts";
import { decodeBlob, type Decoded } from "./_blob_format.ts";
import { BlobCache, replies } from "./_blobs.ts";
import { execute } from "./_execute.ts";
import { Keys, POST } from "./_keys.ts";
import {
  KEY_PREFIX,
  lastingOptions,
  probe,
  type RedisConnectionOptions,
  redisTarget,
} from "./_redis.ts";
import { inputKinds, numberArg, parseShard, type Shard } from "./_shards.ts";
import { checkLimits } from "./_options.ts";

/** What a worker tells its observer about a shard ({@linkcode WorkerOptions.onShard}). */
export interface ShardEvent {
  /**
   * `start`: taken; `done`: its result posted; `skipped`: its call had
   * ended (cancelled, or its keys gone), so it was not computed; `failed`:
   * it raised an error (retried by the queue unless the shard was
   * refused).
   */
  type: "start" | "done" | "skipped" | "failed";
  /** The call's job id (`"?"` for a malformed shard). */
  job: string;
  /** The kernel (`"?"` for a malformed shard). */
  op: string;
  /** The shard's index in its job, from 0. */
  shard: number;
  /** The job's number of shards. */
  shards: number;
  /** When, in milliseconds since the epoch (`performance.timeOrigin + performance.now()`). */
  at: number;
  /** Milliseconds since the shard started (`done`, `skipped`, `failed`). */
  ms?: number;
  /** Of `ms`, those spent computing on the pool (`done`). */
  computeMs?: number;
  /** The error (`failed`). */
  error?: string;
}

/**
 * Decoded patterns with their values in shared memory, which the pool's
 * threads read without a copy (a stored set's, kept in the cache).
 */
function sharedPatterns(d: Decoded): Decoded {
  if (d.kind !== "patterns" && d.kind !== "patterns32") return d;
  const flat = d.value.flat;
  const memory = new SharedArrayBuffer(flat.byteLength);
  const copy = flat instanceof Float32Array
    ? new Float32Array(memory)
    : new Float64Array(memory);
  copy.set(flat);
  return { ...d, value: { ...d.value, flat: copy } } as Decoded;
}

/** Options of {@linkcode startWorker}. */
export interface WorkerOptions extends RedisConnectionOptions {
  /**
   * Threads of the worker's `WorkerPool`, each with its own WebAssembly
   * instance: shards computed at once.
   *
   * @default {navigator.hardwareConcurrency}
   */
  threads?: number;
  /**
   * Shards taken from the queue at once (at least `threads`; one more
   * lets the next shard's fetch overlap a computation).
   *
   * @default {threads}
   */
  concurrency?: number;
  /**
   * The limits every shard is checked against before it runs, as the
   * matching service checks a request (series lengths in points, bytes,
   * and the compute budget `maxCells` counted per shard, times the values
   * per point): a shard over them, or malformed, is refused (its call
   * rejects with the `RangeError` or `TypeError`) and never computed.
   *
   * @default {DEFAULT_SERVICE_LIMITS}
   */
  limits?: ServiceLimits;
  /**
   * Bytes of fetched inputs kept for later shards (least recently used
   * dropped first): references, queries, series, sequences, and the
   * shards of stored pattern sets (`Cluster.storePatterns`), not a call's
   * own patterns. A warm call on a stored set fetches nothing but its
   * reference when the whole set fits.
   *
   * @default {268435456}
   */
  cacheBytes?: number;
  /**
   * Milliseconds a shard's lock lives without renewal (renewed every
   * half of it while the shard runs). After a worker dies, its shards are
   * taken again once their lock has expired and another worker's stalled
   * check (every `stalledInterval`) sees it: within `lockDuration +
   * stalledInterval`, about 4 to 6 s with the defaults.
   *
   * @default {4000}
   */
  lockDuration?: number;
  /**
   * Milliseconds between the stalled-shard checks.
   *
   * @default {2000}
   */
  stalledInterval?: number;
  /**
   * How many times a shard may be found stalled (its worker died) and
   * taken again; the next time fails its call with a `ShardFailedError`
   * (a poison shard).
   *
   * @default {1}
   */
  maxStalledCount?: number;
  /**
   * Called as shards start and end (progress output). Its exceptions
   * are ignored.
   *
   * @default {undefined}
   */
  onShard?: (event: ShardEvent) => void;
}

/** A running worker, from {@linkcode startWorker}. */
export interface ClusterWorker extends AsyncDisposable {
  /**
   * Shards computed and posted so far.
   *
   * @example Counting
   * ```ts
   * import type { ClusterWorker } from "@midstreamer/kit/cluster";
   *
   * export function report(worker: ClusterWorker): string {
   *   return `${worker.shardsDone} shards done, ${worker.running} running`;
   * }
   * ```
   */
  readonly shardsDone: number;
  /**
   * Shards being computed now.
   *
   * @example Idle or not
   * ```ts
   * import type { ClusterWorker } from "@midstreamer/kit/cluster";
   *
   * export function idle(worker: ClusterWorker): boolean {
   *   return worker.running === 0;
   * }
   * ```
   */
  readonly running: number;
  /**
   * Stops taking shards, lets the running ones finish and post their
   * results, then closes the pool and the connections. Calling it again
   * returns the same promise.
   *
   * @example Stopping on SIGTERM
   * ```ts
   * import type { ClusterWorker } from "@midstreamer/kit/cluster";
   *
   * export function stopOnTerm(worker: ClusterWorker) {
   *   Deno.addSignalListener("SIGTERM", () => worker.close().then(() => Deno.exit(0)));
   * }
   * ```
   *
   * @returns Resolves once stopped.
   */
  close(): Promise<void>;
}

/**
 * Starts a worker of a cluster in this process: it takes shards from the
 * queue on Redis, checks each (its format, the types and shapes of its
 * inputs, the limits), computes it on a `WorkerPool` of its own (off the
 * main thread, so the shard's lock is renewed while it runs) and posts the
 * result to the call's stream. `deno task worker` runs one from the
 * command line. Listens on no port. As `connectCluster`, it first checks
 * the server with one plain connection.
 *
 * @example A worker in a process of its own
 * ```ts
 * import { startWorker } from "@midstreamer/kit/cluster";
 *
 * export async function serve(redis: string) {
 *   const worker = await startWorker({ redis, threads: 2 });
 *   Deno.addSignalListener("SIGTERM", () => worker.close().then(() => Deno.exit(0)));
 * }
 * ```
 *
 * @param options The server (`redis`, `tls`), the queue, threads, concurrency, limits and the queue's recovery settings.
 * @returns The running worker.
 * @throws {TypeError} on a malformed URL or option.
 * @throws {RangeError} on an out-of-range option.
 * @throws {RedisUnavailableError} when Redis is unreachable or does not answer within `connectTimeout`.
 * @throws {Error} when Redis refuses the credentials or the TLS handshake, or is older than 6.2 or lacks scripting or streams.
 */
export async function startWorker(
  options: WorkerOptions,
): Promise<ClusterWorker> {
  const fn = "startWorker";
  const o = checkOptionKeys(fn, options, [
    "redis",
    "tls",
    "queue",
    "connectTimeout",
    "threads",
    "concurrency",
    "limits",
    "cacheBytes",
    "lockDuration",
    "stalledInterval",
    "maxStalledCount",
    "onShard",
  ]) as unknown as WorkerOptions;
  const target = redisTarget(fn, o);
  const limits = checkLimits(fn, o.limits);
  const int = (name: string, v: unknown, fallback: number, lo: number) => {
    if (v === undefined) return fallback;
    if (typeof v !== "number") {
      throw new TypeError(
        `${fn}: options.${name} must be a number, got ${describe(v)}`,
      );
    }
    if (!Number.isInteger(v) || v < lo) {
      throw new RangeError(
        `${fn}: options.${name} must be an integer >= ${lo}, got ${v}`,
      );
    }
    return v;
  };
  const threads = int(
    "threads",
    o.threads,
    navigator.hardwareConcurrency ?? 1,
    1,
  );
  const concurrency = int("concurrency", o.concurrency, threads, 1);
  const cacheBytes = int("cacheBytes", o.cacheBytes, 256 * 2 ** 20, 0);
  const lockDuration = int("lockDuration", o.lockDuration, 4000, 100);
  const stalledInterval = int(
    "stalledInterval",
    o.stalledInterval,
    2000,
    100,
  );
  const maxStalledCount = int("maxStalledCount", o.maxStalledCount, 1, 0);
  if (o.onShard !== undefined && typeof o.onShard !== "function") {
    throw new TypeError(
      `${fn}: options.onShard must be a function, got ${describe(o.onShard)}`,
    );
  }
  const tell = (e: Omit<ShardEvent, "at">) => {
    try {
      o.onShard?.({ ...e, at: performance.timeOrigin + performance.now() });
    } catch {
      // An observer's error must not fail the shard.
    }
  };
  await probe(fn, target);

  const keys = new Keys(target.queue);
  // Commands wait for a reconnection, for about 15 s at most (20 retries):
  // a shard's result is posted after a short outage, and a worker that
  // stops while Redis is gone does not wait for ever.
  const kv = new Redis({
    ...lastingOptions(target, false),
    maxRetriesPerRequest: 20,
  });
  kv.on("error", () => {});
  const cache = new BlobCache(cacheBytes);
  const pool = new WorkerPool({ workers: threads });
  let shardsDone = 0;
  let running = 0;
  /** Jobs whose failure this worker already posted (refused shards). */
  const posted = new Set<string>();

  const post = async (shard: Shard, fields: (string | Buffer)[]) => {
    return await kv.eval(
      POST,
      2,
      keys.job(shard.job),
      keys.results(shard.job),
      "s",
      String(shard.shard),
      ...fields,
    ) as number;
  };

  const processor = async (job: Job): Promise<number> => {
    const t0 = performance.now();
    const ms = () => Math.round((performance.now() - t0) * 1000) / 1000;
    let shard: Shard;
    try {
      shard = parseShard(job.data);
    } catch (e) {
      tell({
        type: "failed",
        job: "?",
        op: "?",
        shard: 0,
        shards: 0,
        ms: ms(),
        error: (e as Error).message,
      });
      throw new UnrecoverableError((e as Error).message);
    }
    const about = {
      job: shard.job,
      op: shard.op,
      shard: shard.shard,
      shards: shard.shards,
    };
    tell({ type: "start", ...about });
    running++;
    try {
      const kinds = inputKinds(shard);
      const dims = shard.args.dims === undefined
        ? 1
        : numberArg(shard.args, "dims");
      const keyOf = (i: number) => `${kinds[i]}:${shard.inputs[i]}`;
      // The inputs at hand (held here even if the cache drops them), and
      // those to fetch.
      const local = new Map<string, Decoded>();
      const missing: string[] = [];
      for (let i = 0; i < shard.inputs.length; i++) {
        const k = keyOf(i);
        if (local.has(k) || missing.includes(k)) continue;
        const d = cache.get(k);
        if (d === undefined) missing.push(k);
        else local.set(k, d);
      }
      const p = kv.pipeline().exists(keys.job(shard.job)).get(
        keys.bound(shard.job),
      );
      for (const k of missing) {
        p.getBuffer(keys.blob(k.slice(k.indexOf(":") + 1)));
      }
      const [alive, bound, ...blobs] = replies(await p.exec()) as [
        number,
        string | null,
        ...(Buffer | null)[],
      ];
      if (alive === 0) {
        tell({ type: "skipped", ...about, ms: ms() });
        return 0;
      }
      const sizes = new Map<string, number>();
      /** Inputs fetched for this shard alone, which it may move. */
      const owned = new Set<Decoded>();
      try {
        missing.forEach((k, j) => {
          const bytes = blobs[j];
          if (bytes === null) {
            throw new Error(
              `input ${
                k.slice(k.indexOf(":") + 1, k.indexOf(":") + 13)
              }… is gone from Redis (expired?)`,
            );
          }
          const kind = k.slice(0, k.indexOf(":")) as Decoded["kind"];
          const decoded = decodeBlob(
            kind,
            bytes,
            limits,
            `input ${kind}`,
            dims,
          );
          // A call's own patterns are used once: not cached, and handed to
          // the pool's thread without a copy. A stored set's (`keep`) and
          // the rest are shared by shards.
          let kept = decoded;
          if (kind !== "patterns" && kind !== "patterns32") {
            cache.set(k, decoded, bytes.byteLength);
          } else if (shard.args.keep === 1) {
            kept = sharedPatterns(decoded);
            cache.set(k, kept, bytes.byteLength);
          } else {
            owned.add(decoded);
          }
          local.set(k, kept);
          sizes.set(k, bytes.byteLength);
        });
        const inputs = shard.inputs.map((_, i) => local.get(keyOf(i))!);
        const c0 = performance.now();
        const result = await execute(
          pool,
          shard,
          inputs,
          inputs.map((d, i) => sizes.get(keyOf(i)) ?? byteLength(d)),
          bound === null ? Infinity : Number(bound),
          limits,
          owned,
        );
        const computeMs = Math.round((performance.now() - c0) * 1000) / 1000;
        const bytes = new Uint8Array(
          result.buffer,
          result.byteOffset,
          result.byteLength,
        );
        await post(shard, [
          "r",
          Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
        ]);
        shardsDone++;
        tell({ type: "done", ...about, ms: ms(), computeMs });
        return 1;
      } catch (e) {
        const error = e as Error;
        tell({ type: "failed", ...about, ms: ms(), error: error.message });
        if (
          error instanceof TypeError || error instanceof RangeError ||
          /is gone from Redis/.test(error.message)
        ) {
          // Refused or impossible: no retry; the call learns why.
          posted.add(job.id ?? "");
          await post(shard, [
            "e",
            JSON.stringify({
              name: error.name,
              message: error.message,
              attempts: job.attemptsMade + 1,
            }),
          ]).catch(() => {});
          throw new UnrecoverableError(`${error.name}: ${error.message}`);
        }
        throw error;
      }
    } finally {
      running--;
    }
  };

  const connection = new Redis(lastingOptions(target, false, 2000));
  connection.on("error", () => {});
  const worker = new Worker(target.queue, processor, {
    connection,
    prefix: KEY_PREFIX,
    concurrency,
    lockDuration,
    stalledInterval,
    maxStalledCount,
    autorun: false,
  });
  worker.on("error", () => {}); // connection errors: it reconnects
  worker.on("failed", (job, error) => {
    // Only a final failure reaches the call: a shard the queue gave up on
    // (stalled too often: its workers died), or out of retries.
    if (job === undefined || !job.finishedOn) return;
    if (posted.delete(job.id ?? "")) return;
    let shard: Shard;
    try {
      shard = parseShard(job.data);
    } catch {
      return;
    }
    const poison = /stalled more than allowable limit/.test(error.message);
    post(shard, [
      "e",
      JSON.stringify({
        name: error.name,
        message: error.message,
        attempts: poison
          ? Math.max(job.stalledCounter, maxStalledCount + 1)
          : job.attemptsMade,
        poison,
      }),
    ]).catch(() => {});
  });
  await worker.waitUntilReady();
  worker.run().catch(() => {});

  let closing: Promise<void> | undefined;
  const close = () =>
    closing ??= (async () => {
      // The queue's close waits for the running shards (their results are
      // posted) and quits its connections; with Redis gone it would wait
      // for ever, so once no shard runs it gets a few seconds, and then the
      // connections are dropped.
      const graceful = worker.close().catch(() => {});
      const idle = (async () => {
        while (running > 0) await new Promise((r) => setTimeout(r, 50));
        await new Promise((r) => setTimeout(r, 3000));
      })();
      await Promise.race([graceful, idle]);
      connection.disconnect();
      kv.disconnect();
      await pool.close();
    })();
  return {
    get shardsDone() {
      return shardsDone;
    },
    get running() {
      return running;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** The encoded size of a decoded blob (for the byte limit of cached inputs). */
function byteLength(d: Decoded): number {
  switch (d.kind) {
    case "f64":
    case "f32":
    case "i32":
      return d.value.byteLength;
    case "patterns":
    case "patterns32":
      return 8 * (1 + d.value.offsets.length) + d.value.flat.byteLength;
    case "sequences":
      return 4 * (d.value.starts.length + d.value.ids.length);
  }
}
