// Copyright 2026 the @midstreamer/kit authors. MIT license.

/**
 * `deno task cluster:measure`: the cluster measured on this machine, with a
 * real `redis-server` and real worker processes (`testing/redis.ts`), each
 * part a short job of its own, to run under the timing lock:
 *
 * ```sh
 * flock /tmp/kit-timing.lock deno task cluster:measure --part overhead
 * flock /tmp/kit-timing.lock deno task cluster:measure --part redis
 * flock /tmp/kit-timing.lock deno task cluster:measure --part scaling [--cases topK,dtwBatch,stored]
 *   [--stored-shard-ms 400] [--stored-concurrency 2]
 * flock /tmp/kit-timing.lock deno task cluster:measure --part recovery [--tries 20]
 * deno task cluster:measure --part model          # no timing: derived from the rest
 * ```
 *
 * Each part merges its section into `bench/cluster.json` (`--out FILE`),
 * which `deno task compare` attaches to its report as `extras.cluster`.
 *
 * 1. **overhead**: the coordination of one shard. A `dtwBatch` of
 *    `--shards` one-point patterns, one shard each (no compute), on 1
 *    worker process with concurrency 1 (the critical path, shard after
 *    shard) and on 2 (throughput), 3 trials each after a warm-up: wall µs
 *    per shard; the worker's µs per shard (fetch its inputs, post its
 *    result); the queue's hand-out and completion (the rest of the serial
 *    wall time per shard); the caller's enqueue µs per shard (`addBulk` in
 *    the batches the cluster uses, timed alone); CPU µs per shard of the
 *    caller, the workers and Redis (`/proc`); Redis commands per shard
 *    (`INFO commandstats`).
 * 2. **redis**: `redis-benchmark` (SET, GET, INCR, LPUSH, ZADD; 16-deep
 *    pipelines and none) in ops/s, and Redis's CPU per MB to store and to
 *    serve 3.2 MB blobs.
 * 3. **scaling**: a large job on 1 and on 2 worker processes (one thread
 *    each), interleaved 1, 2, 2, 1, 1, 2: the issue's `topK` of 200,000 patterns
 *    × 500 points (random walks, `k` 10, reference 500), and the same data
 *    as a `dtwBatch` (no pruning: every DTW is computed). For each: wall
 *    time, the workers' computing time, CPU per process, the caller's CPU
 *    while it waits, and one thread of this machine running the
 *    synchronous function; the speedup of 2 workers over 1 (median of the
 *    pairs), and the coordination overhead (the share of the worker
 *    processes' wall time not spent computing). The third case
 *    (`stored`) is the same `topK` on a set stored once
 *    (`storePatterns`): the workers (`--cache-mb 1536`) keep its shards,
 *    and before each measured call, warm-up calls with other references
 *    run until Redis sends less than 2 % of the set in a call (a worker
 *    restarted for the 2-worker runs fetches what it takes once), so the
 *    caches are warm in both settings; Redis's bytes out per call show it.
 *    The set is cut into shards of `--stored-shard-ms` (400: `topK`'s
 *    pruning leaves about a tenth of that to compute), and its workers take
 *    `--stored-concurrency` shards at once (2: the next shard's hand-out
 *    overlaps the computation; still one thread).
 *    `--cases` picks some (their figures replace the file's).
 * 4. **recovery**: `--tries` (default 20) times: a 2-shard `dtwBatch` on 2
 *    workers, one SIGKILLed 300 ms into its shard: the time from the kill
 *    until another worker starts the shard again and until the call
 *    completes, and whether the result is bit-identical to the synchronous
 *    function's.
 * 5. **model**: N machines, from the measured figures (see `modelOf`).
 *
 * Figures depend on the machine and on what else runs on it (this VM's
 * speed drifts by up to 30 %, and its 2 cores are shared): compare within
 * one run.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { Buffer } from "node:buffer";
import { connectCluster, type PatternSet } from "../cluster/mod.ts";
import { parseInfo } from "../cluster/internal.ts";
import { dtwBatch, topK } from "../mod.ts";
import { coresAvailable, cpuMs, loadAverage } from "../testing/cpu.ts";
import {
  type ClusterFixture,
  startCluster,
  startWorkerProcess,
  type WorkerProcess,
} from "../testing/redis.ts";
import { randomWalk, randomWalks, rng } from "../testing/rng.ts";
import { run } from "../testing/run.ts";

/** Median, minimum and maximum of some measurements. */
export interface Spread {
  /** The median. */
  median: number;
  /** The smallest. */
  min: number;
  /** The largest. */
  max: number;
  /** How many. */
  n: number;
}

/** CPU µs per shard of each process kind. */
export interface CpuSplit {
  /** The calling process. */
  caller: number;
  /** The worker processes together. */
  workers: number;
  /** redis-server. */
  redis: number;
}

/** Part 1: the coordination of one shard. */
export interface OverheadReport {
  /** Shards per trial. */
  shards: number;
  /** Trials per setting. */
  trials: number;
  /** Wall µs per shard, 1 worker with concurrency 1 (the serial path). */
  serialUs: Spread;
  /** Wall µs per shard, 2 workers (throughput). */
  parallelUs: Spread;
  /** Of the serial µs: the worker's, fetching inputs and posting the result. */
  workerUs: Spread;
  /** Of the serial µs: the queue's hand-out and completion, and the result's delivery. */
  queueUs: Spread;
  /** The caller's `addBulk` µs per shard (in batches of 8). */
  enqueueUs: Spread;
  /** CPU µs per shard (serial trials). */
  cpuUs: CpuSplit;
  /** Redis commands per shard, scripts' inner calls included. */
  redisCommands: number;
}

/** Part 2: Redis itself. */
export interface RedisReport {
  /** `redis_version`. */
  version: string;
  /** redis-benchmark ops/s, 16-deep pipelines, by command. */
  pipelinedOpsPerS: Record<string, number>;
  /** redis-benchmark ops/s, one command at a time (50 clients). */
  opsPerS: Record<string, number>;
  /** Redis CPU ms per MB stored (SET of 3.2 MB values). */
  setCpuMsPerMB: number;
  /** Redis CPU ms per MB served (GET of 3.2 MB values). */
  getCpuMsPerMB: number;
}

/** One run of a large job. */
export interface ScalingRun {
  /** Worker processes (one thread each). */
  workers: number;
  /** Wall time of the call, ms. */
  wallMs: number;
  /** Time until the first shard's result, ms. */
  firstResultMs: number;
  /**
   * The workers' time computing on their pools, summed, ms (per worker,
   * the union of its shards' computing intervals).
   */
  computeMs: number;
  /** Shards. */
  shards: number;
  /** CPU ms by process kind during the call. */
  cpuMs: CpuSplit;
  /**
   * The caller's CPU ms after its last shard was enqueued (it only waited
   * for results, and merged them), and how long that was.
   */
  callerWaitingCpuMs: number;
  /** Wall ms of that waiting. */
  waitingMs: number;
  /** Bytes Redis sent during the call (`total_net_output_bytes`). */
  redisOutBytes?: number;
  /** Warm-up calls just before it (stored set: until the caches are warm). */
  warmups?: number;
}

/** A large job measured on 1 and 2 workers. */
export interface ScalingCase {
  /** What ran. */
  name: string;
  /** Patterns. */
  patterns: number;
  /** Points per pattern. */
  points: number;
  /** Points of the reference. */
  reference: number;
  /** Bytes of input sent. */
  inputBytes: number;
  /** The runs, in order (1, 2, 2, 1, 1, 2 workers). */
  runs: ScalingRun[];
  /** The synchronous function on one thread of this machine, ms. */
  oneThreadMs: number;
  /** 2 workers' speedup over 1 (per pair: 1-worker wall / 2-worker wall). */
  speedup: Spread;
  /** Speedup / 2. */
  efficiency: number;
  /** Share of the worker processes' wall time not spent computing, %, by workers. */
  overheadPct: { one: number; two: number };
  /** Patterns per second, by workers (medians). */
  throughput: { one: number; two: number };
  /** Stored set: the wall ms of `storePatterns`, once. */
  storeMs?: number;
  /** Stored set: the bytes of its blobs in Redis. */
  storedBytes?: number;
  /** Stored set: its `shardMs`. */
  storedShardMs?: number;
  /** Stored set: the workers' `--concurrency`. */
  workerConcurrency?: number;
}

/** Part 3. */
export interface ScalingReport {
  /** The cases. */
  cases: ScalingCase[];
}

/** Part 4: SIGKILL mid-shard. */
export interface RecoveryReport {
  /** Tries. */
  tries: number;
  /** Tries whose result was bit-identical. */
  identical: number;
  /** From the kill until another worker started the shard, ms. */
  restartMs: Spread;
  /** From the kill until the call completed, ms. */
  completeMs: Spread;
  /** A shard's computing time, ms (median). */
  shardMs: number;
  /** The workers' settings: lockDuration and stalledInterval, ms. */
  lockDurationMs: number;
  stalledIntervalMs: number;
}

/** A point of the model's throughput curve. */
export interface ModelPoint {
  /** Worker machines. */
  workers: number;
  /** Projected patterns per second. */
  throughput: number;
  /** What limits it there. */
  limit: "compute" | "redis-commands" | "redis-bytes" | "caller-upload";
}

/** Part 5: N machines. */
export interface ModelReport {
  /** What the model assumes, in words. */
  assumptions: string[];
  /** Per case: its ceilings, projected throughput and break-even job sizes. */
  cases: {
    /** The case's name. */
    name: string;
    /** Computing µs per pattern on one worker thread (measured). */
    computeUsPerPattern: number;
    /** Input bytes per pattern. */
    bytesPerPattern: number;
    /** Patterns per shard. */
    patternsPerShard: number;
    /** Threads per machine (this one's cores). */
    threadsPerMachine: number;
    /** Patterns/s one Redis core allows for the coordination alone. */
    redisCommandsCeiling: number;
    /** Patterns/s one Redis core allows for the bytes (in and out). */
    redisBytesCeiling: number;
    /** Patterns/s one caller can upload (its measured rate). */
    callerUploadCeiling: number;
    /** Fixed cost of a call (its start, first shard, end), ms. */
    fixedMs: number;
    /**
     * Per-shard coordination (the empty shard's serial µs, times the
     * shards) as a share of the measured call, %, on 1 and 2 workers.
     */
    coordinationPct: { one: number; two: number };
    /** The curve. */
    points: ModelPoint[];
    /**
     * Smallest job (patterns) on which N machines beat one machine
     * running the synchronous function on all its threads; `null` when
     * they never do (a ceiling below one machine's rate).
     */
    breakEven: { workers: number; patterns: number | null }[];
  }[];
}

/** `bench/cluster.json`. */
export interface ClusterReport {
  /** Where and when. */
  meta: {
    date: string;
    deno: string;
    cpus: number;
    /** 1-minute load average at the start of each part. */
    load: Record<string, number>;
    /**
     * Cores two busy threads of this process got at the start of each
     * part (2 on an idle machine; other engineers' jobs share it).
     */
    coresAvailable: Record<string, number>;
    note: string;
  };
  /** Part 1. */
  overhead?: OverheadReport;
  /** Part 2. */
  redis?: RedisReport;
  /** Part 3. */
  scaling?: ScalingReport;
  /** Part 4. */
  recovery?: RecoveryReport;
  /** Part 5. */
  model?: ModelReport;
}

/** The spread of `xs`. */
export function spread(xs: number[]): Spread {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  const median = n === 0
    ? NaN
    : n % 2 === 1
    ? s[(n - 1) / 2]
    : (s[n / 2 - 1] + s[n / 2]) / 2;
  return { median, min: s[0] ?? NaN, max: s[n - 1] ?? NaN, n };
}

const round = (x: number, digits = 1) => Number(x.toFixed(digits));

/** Commands executed by Redis so far, scripts' inner calls included. */
async function commandCalls(kv: Redis): Promise<number> {
  const info = parseInfo(await kv.info("commandstats"));
  let calls = 0;
  for (const [k, v] of Object.entries(info)) {
    const m = /calls=(\d+)/.exec(v);
    if (m && !/^cmdstat_(info|client)/.test(k)) calls += Number(m[1]);
  }
  return calls;
}

/** Per-shard events a verbose worker printed: op, job, shard, type, at, ms. */
interface Logged {
  shard: number;
  type: string;
  at: number;
  ms: number;
  computeMs: number;
}

function logged(w: WorkerProcess): Logged[] {
  const out: Logged[] = [];
  for (
    const m of w.output().matchAll(
      /shard (\d+)\/\d+ of job \w+ (\w+)(?: \(([\d.]+) ms(?:, computing ([\d.]+) ms)?\))?(?:: [^\n]*?)? at=([\d.]+)/g,
    )
  ) {
    out.push({
      shard: Number(m[1]) - 1,
      type: m[2],
      ms: Number(m[3] ?? 0),
      computeMs: Number(m[4] ?? 0),
      at: Number(m[5]),
    });
  }
  return out;
}

const VERBOSE = ["--threads", "1", "--verbose"];

/**
 * The time one worker's pool computed, from its shards' `done` events: the
 * union of their computing intervals (each ends about when it is told),
 * so that a shard waiting for the thread (`--concurrency` above the
 * threads) is not counted twice.
 */
function busyMs(done: Logged[]): number {
  const spans = done.map((e) => [e.at - e.computeMs, e.at]).sort((a, b) =>
    a[0] - b[0]
  );
  let total = 0, end = -Infinity;
  for (const [a, b] of spans) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
}

async function measureOverhead(shards: number): Promise<OverheadReport> {
  const f = await startCluster(1, VERBOSE);
  try {
    await using cluster = await connectCluster({
      redis: f.redis.url,
      shardMs: 1e-9, // one pattern per shard
    });
    const kv = new Redis(f.redis.url);
    const reference = [0];
    const patterns = Array.from({ length: shards }, (_, i) => [i % 7]);
    const trial = async (workers: WorkerProcess[]) => {
      const before = workers.map((w) => logged(w).length);
      const pids = [Deno.pid, f.redis.pid, ...workers.map((w) => w.pid)];
      const cpu0 = pids.map(cpuMs);
      const calls0 = await commandCalls(kv);
      const t0 = performance.now();
      await cluster.dtwBatch(reference, patterns);
      const wall = performance.now() - t0;
      const cpu = pids.map((p, i) => cpuMs(p) - cpu0[i]);
      const calls = await commandCalls(kv) - calls0 - 1;
      const events = workers.flatMap((w, i) =>
        logged(w).slice(before[i]).filter((e) => e.type === "done")
      );
      return {
        wallUs: 1000 * wall / shards,
        workerUs: 1000 * events.reduce((a, e) => a + e.ms, 0) / shards,
        cpu: {
          caller: 1000 * cpu[0] / shards,
          redis: 1000 * cpu[1] / shards,
          workers: 1000 * cpu.slice(2).reduce((a, b) => a + b, 0) / shards,
        },
        calls: calls / shards,
      };
    };
    const one = [f.workers[0]];
    await trial(one); // warm-up
    const serial = [];
    for (let i = 0; i < 3; i++) serial.push(await trial(one));
    f.workers.push(await startWorkerProcess(f.redis.url, VERBOSE));
    await trial(f.workers);
    const parallel = [];
    for (let i = 0; i < 3; i++) parallel.push(await trial(f.workers));
    // The caller's enqueueing alone: addBulk of shard-sized jobs in the
    // cluster's batches, on a queue no worker reads.
    const queue = new Queue("enqueue-only", {
      connection: kv,
      prefix: "midstreamer",
      defaultJobOptions: { removeOnComplete: true, attempts: 3 },
    });
    const enqueue = [];
    for (let t = 0; t < 4; t++) {
      const t0 = performance.now();
      for (let from = 0; from < shards; from += 8) {
        await queue.addBulk(
          Array.from({ length: Math.min(8, shards - from) }, (_, k) => ({
            name: "dtwBatch",
            data: {
              v: 1,
              job: "0123456789abcdef",
              op: "dtwBatch",
              shard: from + k,
              shards,
              inputs: ["0".repeat(64), "1".repeat(64)],
              args: { window: -1, squared: 0, cutoff: "Infinity" },
            },
            opts: { jobId: `0123456789abcdef-${t}-${from + k}` },
          })),
        );
      }
      if (t > 0) enqueue.push(1000 * (performance.now() - t0) / shards);
      await queue.obliterate({ force: true });
    }
    await queue.close();
    kv.disconnect();
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    return {
      shards,
      trials: 3,
      serialUs: spread(serial.map((s) => round(s.wallUs))),
      parallelUs: spread(parallel.map((s) => round(s.wallUs))),
      workerUs: spread(serial.map((s) => round(s.workerUs))),
      queueUs: spread(serial.map((s) => round(s.wallUs - s.workerUs))),
      enqueueUs: spread(enqueue.map((x) => round(x))),
      cpuUs: {
        caller: round(mean(serial.map((s) => s.cpu.caller))),
        workers: round(mean(serial.map((s) => s.cpu.workers))),
        redis: round(mean(serial.map((s) => s.cpu.redis))),
      },
      redisCommands: round(mean(serial.map((s) => s.calls))),
    };
  } finally {
    await f.stop();
  }
}

async function measureRedis(): Promise<RedisReport> {
  const f = await startCluster(0);
  try {
    const bench = async (pipeline: number) => {
      const r = await run("redis-benchmark", [
        "-p",
        String(f.redis.port),
        "-q",
        "--csv",
        "-n",
        pipeline > 1 ? "400000" : "100000",
        "-P",
        String(pipeline),
        "-t",
        "set,get,incr,lpush,zadd",
      ]);
      const out: Record<string, number> = {};
      for (const line of r.stdout.split("\n")) {
        const m = /^"(\w+)[^"]*","([\d.]+)"/.exec(line);
        if (m) out[m[1]] = Math.round(Number(m[2]));
      }
      return out;
    };
    const pipelinedOpsPerS = await bench(16);
    const opsPerS = await bench(1);
    const kv = new Redis(f.redis.url);
    const info = parseInfo(await kv.info("server"));
    const blob = Buffer.alloc(3_200_000, 7);
    let set = 0, get = 0;
    for (let t = 0; t < 4; t++) {
      let c0 = cpuMs(f.redis.pid);
      for (let i = 0; i < 25; i++) await kv.set(`b${i}`, blob);
      if (t > 0) set += cpuMs(f.redis.pid) - c0;
      c0 = cpuMs(f.redis.pid);
      for (let i = 0; i < 25; i++) await kv.getBuffer(`b${i}`);
      if (t > 0) get += cpuMs(f.redis.pid) - c0;
      await kv.flushall();
    }
    kv.disconnect();
    const mb = 3 * 25 * 3.2;
    return {
      version: info.redis_version,
      pipelinedOpsPerS,
      opsPerS,
      setCpuMsPerMB: round(set / mb, 3),
      getCpuMsPerMB: round(get / mb, 3),
    };
  } finally {
    await f.stop();
  }
}

/** The scaling part's cases (`--cases`). */
export type ScalingKind = "topK" | "dtwBatch" | "stored";

/** Worker flags of the scaling part: one thread, room for a stored set. */
const SCALING_WORKER = [
  ...["--threads", "1", "--verbose"],
  "--cache-mb",
  "1536",
];

/** How the stored case runs (`--stored-shard-ms`, `--stored-concurrency`). */
export interface StoredSettings {
  /** The set's `shardMs`. */
  shardMs: number;
  /** The workers' `--concurrency` (shards taken at once, one thread). */
  concurrency: number;
}

async function measureScaling(
  patterns: number,
  quick: boolean,
  kinds: ScalingKind[],
  stored: StoredSettings,
): Promise<ScalingReport> {
  const random = rng(2026);
  const reference = randomWalk(500, random);
  const data = randomWalks(patterns, random, 500);
  const f = await startCluster(1, SCALING_WORKER);
  const kv = new Redis(f.redis.url);
  const cases: ScalingCase[] = [];
  // When the call's last shard was enqueued, and the caller's CPU then.
  let enqueued: [number, number] | undefined;
  const outBytes = async () =>
    Number(/total_net_output_bytes:(\d+)/.exec(await kv.info("stats"))![1]);
  try {
    await using cluster = await connectCluster({
      redis: f.redis.url,
      onEvent: (e) => {
        if (e.type === "enqueued") {
          enqueued = [performance.now(), cpuMs(Deno.pid)];
        }
      },
    });
    for (const kind of kinds) {
      // The stored case: the set stored once, then every call on it. The
      // workers keep its shards (--cache-mb 1536: the 800 MB set fits):
      // before each measured call, warm-up calls (other references) run
      // until a call makes Redis send less than 1 MB, no shard of the set
      // (a worker started afresh has to fetch what it takes, once), or 12
      // calls.
      let set: PatternSet | undefined;
      let storeMs: number | undefined;
      let storedBytes: number | undefined;
      if (kind === "stored") {
        const t0 = performance.now();
        set = await cluster.storePatterns(data, { shardMs: stored.shardMs });
        storeMs = performance.now() - t0;
        storedBytes = 8 * patterns * 502;
        console.error(`stored the set in ${(storeMs / 1000).toFixed(2)} s`);
      }
      const call = (ref: Float64Array, onProgress?: () => void) =>
        kind === "topK"
          ? cluster.topK(ref, data, { k: 10, onProgress })
          : kind === "stored"
          ? cluster.topK(ref, set!, { k: 10, onProgress })
          : cluster.dtwBatch(ref, data, { onProgress });
      const runs: ScalingRun[] = [];
      const order = quick ? [1, 2] : [1, 2, 2, 1, 1, 2];
      const args = kind === "stored"
        ? [...SCALING_WORKER, "--concurrency", String(stored.concurrency)]
        : SCALING_WORKER;
      // Each case starts from fresh workers with its own flags.
      while (f.workers.length > 0) await f.workers.pop()!.stop();
      for (const workers of order) {
        // A second worker process only for the 2-worker runs (stopped, it
        // takes no shard).
        while (f.workers.length < workers) {
          f.workers.push(await startWorkerProcess(f.redis.url, args));
        }
        while (f.workers.length > workers) await f.workers.pop()!.stop();
        let warmups = 0;
        if (kind === "stored") {
          while (warmups < 12) {
            const b0 = await outBytes();
            await call(randomWalk(500, random));
            warmups++;
            if (await outBytes() - b0 < 1e6) break; // no shard fetched
          }
        }
        const active = f.workers;
        const before = active.map((w) => logged(w).length);
        const pids = [Deno.pid, f.redis.pid, ...active.map((w) => w.pid)];
        const bytes0 = await outBytes();
        const cpu0 = pids.map(cpuMs);
        let first = 0;
        enqueued = undefined;
        const t0 = performance.now();
        await call(reference, () => {
          first ||= performance.now() - t0;
        });
        const wall = performance.now() - t0;
        const cpu = pids.map((p, i) => cpuMs(p) - cpu0[i]);
        const redisOutBytes = await outBytes() - bytes0;
        const done = active.flatMap((w, i) =>
          logged(w).slice(before[i]).filter((e) => e.type === "done")
        );
        // The caller's CPU while it waited: after its last shard was
        // enqueued, it has nothing left to send.
        const waiting = enqueued === undefined
          ? 0
          : cpu[0] + cpu0[0] - enqueued[1];
        runs.push({
          workers,
          wallMs: round(wall),
          firstResultMs: round(first),
          computeMs: round(
            active.reduce(
              (sum, w, i) =>
                sum +
                busyMs(
                  logged(w).slice(before[i]).filter((e) => e.type === "done"),
                ),
              0,
            ),
          ),
          shards: done.length,
          cpuMs: {
            caller: round(cpu[0]),
            redis: round(cpu[1]),
            workers: round(cpu.slice(2).reduce((a, b) => a + b, 0)),
          },
          callerWaitingCpuMs: round(waiting),
          waitingMs: round(
            enqueued === undefined ? 0 : t0 + wall - enqueued[0],
          ),
          redisOutBytes,
          ...(kind === "stored" ? { warmups } : {}),
        });
        console.error(
          `scaling ${kind} ${workers} worker(s): ${
            (wall / 1000).toFixed(2)
          } s (${done.length} shards, Redis sent ${
            (redisOutBytes / 1e6).toFixed(1)
          } MB${kind === "stored" ? `, after ${warmups} warm-up calls` : ""})`,
        );
      }
      await set?.delete();
      const t0 = performance.now();
      if (kind === "dtwBatch") dtwBatch(reference, data);
      else topK(reference, data, { k: 10 });
      const oneThreadMs = performance.now() - t0;
      const ones = runs.filter((r) => r.workers === 1);
      const twos = runs.filter((r) => r.workers === 2);
      const pairs = ones.map((r, i) => r.wallMs / twos[i].wallMs);
      const s = spread(pairs.map((x) => round(x, 3)));
      const overhead = (rs: ScalingRun[]) =>
        round(
          100 * spread(rs.map((r) => 1 - r.computeMs / (r.workers * r.wallMs)))
            .median,
        );
      const rate = (rs: ScalingRun[]) =>
        Math.round(patterns / (spread(rs.map((r) => r.wallMs)).median / 1000));
      cases.push({
        name: kind === "topK"
          ? `topK (k 10) of ${patterns} random walks × 500 points, reference 500`
          : kind === "stored"
          ? `stored-set topK (k 10) of the same ${patterns} × 500 (storePatterns once, workers' caches warm)`
          : `dtwBatch of the same ${patterns} × 500 (every DTW computed)`,
        patterns,
        points: 500,
        reference: 500,
        // What a call sends: for a stored set, the reference alone.
        inputBytes: kind === "stored" ? 8 * 500 : 8 * (500 + patterns * 502),
        runs,
        oneThreadMs: round(oneThreadMs),
        speedup: s,
        efficiency: round(s.median / 2, 3),
        overheadPct: { one: overhead(ones), two: overhead(twos) },
        throughput: { one: rate(ones), two: rate(twos) },
        ...(kind === "stored"
          ? {
            storeMs: round(storeMs!),
            storedBytes: storedBytes!,
            storedShardMs: stored.shardMs,
            workerConcurrency: stored.concurrency,
          }
          : {}),
      });
    }
  } finally {
    kv.disconnect();
    await f.stop();
  }
  return { cases };
}

/** Two shards of about `shardMs` each, from `seed`. */
function twoShards(seed: number) {
  const random = rng(seed);
  return {
    reference: randomWalk(4000, random),
    patterns: randomWalks(1600, random, 500),
  };
}

async function measureRecovery(tries: number): Promise<RecoveryReport> {
  const f: ClusterFixture = await startCluster(2, VERBOSE);
  const restart: number[] = [], complete: number[] = [], shard: number[] = [];
  let identical = 0;
  try {
    await using cluster = await connectCluster({
      redis: f.redis.url,
      shardMs: 800, // 2 shards of 800 patterns
    });
    for (let t = 0; t < tries; t++) {
      const { reference, patterns } = twoShards(100 + t);
      const expected = dtwBatch(reference, patterns);
      const before = f.workers.map((w) => logged(w).length);
      const call = cluster.dtwBatch(reference, patterns);
      for (let i = 0; i < 1000; i++) {
        if (
          f.workers.every((w, k) =>
            logged(w).slice(before[k]).some((e) => e.type === "start")
          )
        ) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      await new Promise((r) => setTimeout(r, 300));
      const victim = f.workers.shift()!;
      const lost = logged(victim).slice(before[0]).find((e) =>
        e.type === "start"
      )!.shard;
      await victim.kill();
      const killedAt = performance.timeOrigin + performance.now();
      const got = await call;
      const doneAt = performance.timeOrigin + performance.now();
      const survivor = f.workers[0];
      const again = logged(survivor).slice(before[1]).find((e) =>
        e.type === "start" && e.shard === lost
      );
      const ms = logged(survivor).slice(before[1]).filter((e) =>
        e.type === "done"
      );
      shard.push(...ms.map((e) => e.computeMs));
      restart.push(round((again?.at ?? NaN) - killedAt));
      complete.push(round(doneAt - killedAt));
      const same = Buffer.from(got.buffer).equals(Buffer.from(expected.buffer));
      if (same) identical++;
      console.error(
        `recovery ${t + 1}/${tries}: restarted ${restart.at(-1)} ms, complete ${
          complete.at(-1)
        } ms after the kill, ${same ? "bit-identical" : "DIFFERENT"}`,
      );
      f.workers.push(await startWorkerProcess(f.redis.url, VERBOSE));
    }
  } finally {
    await f.stop();
  }
  return {
    tries,
    identical,
    restartMs: spread(restart),
    completeMs: spread(complete),
    shardMs: round(spread(shard).median),
    lockDurationMs: 4000,
    stalledIntervalMs: 2000,
  };
}

/**
 * N machines from the measured figures. Each worker machine has the
 * threads of this one and computes a pattern in the measured time; a call
 * costs a fixed time (its start, first result and end, measured on the
 * smallest job); and every shard needs Redis's CPU for its coordination
 * (commands) and its bytes (stored once, read once). Throughput at N
 * machines is the least of N machines' compute rate and three ceilings:
 * Redis's CPU for the coordination, Redis's CPU for the bytes, and the
 * caller's upload rate (a call's inputs all leave one process). A call of
 * W patterns takes the fixed time plus W / throughput; one machine running
 * the synchronous function on all its threads takes W times its
 * per-pattern time divided by its threads; the break-even W is where the
 * two meet.
 */
export function modelOf(report: ClusterReport): ModelReport {
  const o = report.overhead!, r = report.redis!, s = report.scaling!;
  const threads = report.meta.cpus;
  const cases = s.cases.map((c) => {
    const one = c.runs.filter((x) => x.workers === 1);
    const computeUs = 1000 * spread(one.map((x) => x.computeMs)).median /
      c.patterns;
    const bytes = c.inputBytes / c.patterns;
    const shards = spread(one.map((x) => x.shards)).median;
    const perShard = c.patterns / shards;
    const redisCommandsCeiling = 1e6 / o.cpuUs.redis * perShard;
    const redisBytesCeiling = 1e3 /
      ((r.setCpuMsPerMB + r.getCpuMsPerMB) * bytes / 1e6);
    // The caller's CPU per pattern while it packs, hashes and sends.
    const callerMs = spread(one.map((x) => x.cpuMs.caller)).median;
    const callerUploadCeiling = c.patterns / (callerMs / 1000);
    const fixedMs = spread(one.map((x) => x.firstResultMs)).median +
      o.serialUs.median / 1000;
    const oneMachine = threads * 1e6 / (c.oneThreadMs * 1000 / c.patterns);
    const rate = (n: number): ModelPoint => {
      const options: [number, ModelPoint["limit"]][] = [
        [n * threads * 1e6 / computeUs, "compute"],
        [redisCommandsCeiling, "redis-commands"],
        [redisBytesCeiling, "redis-bytes"],
        [callerUploadCeiling, "caller-upload"],
      ];
      options.sort((a, b) => a[0] - b[0]);
      return {
        workers: n,
        throughput: Math.round(options[0][0]),
        limit: options[0][1],
      };
    };
    const points = [1, 2, 3, 5, 10, 20, 30, 50, 100].map(rate);
    const breakEven = [2, 10, 100].map((n) => {
      const x = rate(n).throughput;
      // fixed + W / x < W / oneMachine  ⇔  W > fixed / (1/oneMachine - 1/x)
      const gain = 1 / oneMachine - 1 / x;
      return {
        workers: n,
        patterns: gain > 0 ? Math.ceil(fixedMs / 1000 / gain) : null,
      };
    });
    const share = (workers: number) => {
      const rs = c.runs.filter((x) => x.workers === workers);
      const wall = spread(rs.map((x) => x.wallMs)).median;
      return round(100 * o.serialUs.median * shards / 1000 / workers / wall, 2);
    };
    return {
      name: c.name,
      coordinationPct: { one: share(1), two: share(2) },
      computeUsPerPattern: round(computeUs, 2),
      bytesPerPattern: Math.round(bytes),
      patternsPerShard: Math.round(perShard),
      threadsPerMachine: threads,
      redisCommandsCeiling: Math.round(redisCommandsCeiling),
      redisBytesCeiling: Math.round(redisBytesCeiling),
      callerUploadCeiling: Math.round(callerUploadCeiling),
      fixedMs: round(fixedMs),
      points,
      breakEven,
    };
  });
  return {
    assumptions: [
      `each worker machine has ${threads} threads, each computing a pattern in the time measured on one worker here`,
      "one Redis (one core) carries the coordination and the bytes: its CPU per shard and per MB as measured here",
      "a call's inputs leave one caller at the rate measured here (pack, hash, send)",
      "one machine = the synchronous function on all its threads, without Redis",
    ],
    cases,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      part: { type: "string", multiple: true },
      out: { type: "string", default: "bench/cluster.json" },
      tries: { type: "string", default: "20" },
      shards: { type: "string", default: "2000" },
      patterns: { type: "string", default: "200000" },
      quick: { type: "boolean", default: false },
      cases: { type: "string" },
      "stored-shard-ms": { type: "string", default: "400" },
      "stored-concurrency": { type: "string", default: "2" },
      json: { type: "boolean", default: false },
    },
  });
  const parts = (values.part ?? ["overhead", "redis", "scaling", "recovery"])
    .flatMap((p) => p.split(","));
  let report: ClusterReport;
  try {
    report = JSON.parse(await Deno.readTextFile(values.out));
  } catch {
    report = {
      meta: {
        date: "",
        deno: Deno.version.deno,
        cpus: navigator.hardwareConcurrency,
        load: {},
        coresAvailable: {},
        note:
          "2-core shared VM; every timing part ran alone under flock /tmp/kit-timing.lock",
      },
    };
  }
  report.meta.date = new Date().toISOString();
  report.meta.deno = Deno.version.deno;
  report.meta.cpus = navigator.hardwareConcurrency;
  for (const part of parts) {
    report.meta.load[part] = loadAverage();
    report.meta.coresAvailable ??= {};
    report.meta.coresAvailable[part] = round(await coresAvailable(), 2);
    console.error(
      `part ${part} (load ${report.meta.load[part]}, ${
        report.meta.coresAvailable[part]
      } cores available)`,
    );
    if (part === "overhead") {
      report.overhead = await measureOverhead(Number(values.shards));
    } else if (part === "redis") report.redis = await measureRedis();
    else if (part === "scaling") {
      // Cases measured now replace those of the same name.
      const kinds = (values.cases ?? "topK,dtwBatch,stored").split(
        ",",
      ) as ScalingKind[];
      for (const k of kinds) {
        if (!["topK", "dtwBatch", "stored"].includes(k)) {
          throw new TypeError(`unknown case ${k}`);
        }
      }
      const fresh = await measureScaling(
        Number(values.patterns),
        values.quick,
        kinds,
        {
          shardMs: Number(values["stored-shard-ms"]),
          concurrency: Number(values["stored-concurrency"]),
        },
      );
      const order = ["topK", "dtwBatch", "stored"];
      const keyOf = (c: ScalingCase) =>
        c.name.startsWith("dtwBatch")
          ? "dtwBatch"
          : c.name.startsWith("stored-set")
          ? "stored"
          : "topK";
      const kept = (report.scaling?.cases ?? []).filter((c) =>
        !kinds.includes(keyOf(c) as ScalingKind)
      );
      report.scaling = {
        cases: [...kept, ...fresh.cases].sort((a, b) =>
          order.indexOf(keyOf(a)) - order.indexOf(keyOf(b))
        ),
      };
    } else if (part === "recovery") {
      report.recovery = await measureRecovery(Number(values.tries));
    } else if (part !== "model") {
      throw new TypeError(`unknown part ${part}`);
    }
  }
  if (report.overhead && report.redis && report.scaling) {
    report.model = modelOf(report);
  }
  const text = JSON.stringify(report, null, 2) + "\n";
  await Deno.writeTextFile(values.out, text);
  if (values.json) console.log(text);
  else console.error(`wrote ${values.out}`);
}

if (import.meta.main) await main();
