// Copyright 2026 the @midstreamer/kit authors. MIT license.
// The cluster's faults, bad input, keys and security, each against a real
// redis-server (started on a free loopback port in a temporary directory,
// stopped afterwards) and real worker processes. The results themselves
// are checked by the conformance test (async_kernels_test.ts). Skipped,
// with a message, when redis-server is not installed.

import assert from "node:assert/strict";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import {
  type Cluster,
  type ClusterEvent,
  connectCluster,
  JobLostError,
  type PatternSet,
  PatternSetExpiredError,
  RedisUnavailableError,
  ShardFailedError,
} from "../cluster/mod.ts";
import {
  checkVersion,
  redisTarget,
  SHARD_VERSION,
} from "../cluster/internal.ts";
import {
  correlationMatrix,
  dtw,
  dtwBatch,
  type DtwOptions,
  dtwPath,
  type SearchOptions,
  searchSubsequence,
  topK,
} from "../mod.ts";
import { randomWalk, randomWalks, rng } from "../testing/rng.ts";
import {
  findRedisServer,
  freePort,
  NO_REDIS,
  type RedisServer,
  startCluster,
  startRedis,
  startWorkerProcess,
  type WorkerProcess,
} from "../testing/redis.ts";
import { generateTls } from "../testing/tls.ts";

const hasRedis = findRedisServer() !== undefined;
if (!hasRedis) console.warn(NO_REDIS);

/** A test that needs redis-server. */
function redisTest(name: string, fn: () => Promise<void>): void {
  Deno.test({ name, ignore: !hasRedis, fn });
}

/** `p`, failing the test if it has not settled within `ms`. */
async function within<T>(ms: number, p: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) =>
        timer = setTimeout(
          () => reject(new Error(`${what}: still pending after ${ms} ms`)),
          ms,
        )
      ),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Every key of the server. */
async function allKeys(url: string): Promise<string[]> {
  const kv = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await kv.connect();
    return (await kv.keys("*")).sort();
  } finally {
    kv.disconnect();
  }
}

/** BullMQ's own keys of a queue: a fixed set of names. */
const BULLMQ_FIXED =
  /^midstreamer:shards:(events|id|meta|stalled-check|stalled|marker|wait|active|paused|prioritized|delayed|completed|failed|pc|limiter)$/;

/** Inputs of a two-shard dtwBatch whose shards take about `seconds` each. */
function twoShards(seed: number) {
  const random = rng(seed);
  return {
    reference: randomWalk(4000, random),
    patterns: randomWalks(1600, random, 500),
  };
}

/** Cuts `twoShards` into 2 equal shards of 800 patterns (about 1 s each). */
const TWO_SHARDS = { shardMs: 800 };

Deno.test("connectCluster: a bad URL or option is a TypeError or RangeError, before any connection", async () => {
  for (
    const redis of [
      "http://127.0.0.1:6379",
      "127.0.0.1:6379",
      "redis://",
      "redis://127.0.0.1:6379/x",
      "redis://127.0.0.1:6379?tls=1",
      42,
    ]
  ) {
    await assert.rejects(
      connectCluster({ redis } as never),
      TypeError,
      String(redis),
    );
  }
  await assert.rejects(
    connectCluster({ redis: "redis://127.0.0.1:99999" }),
    TypeError, // the URL parser refuses the port
  );
  await assert.rejects(
    connectCluster({ redis: "redis://h:6379", tls: { ca: "x" } }),
    /options.tls is given but options.redis is not a rediss:\/\/ URL/,
  );
  await assert.rejects(
    connectCluster({ redis: "redis://h:6379", shardMs: 0 }),
    RangeError,
  );
  await assert.rejects(
    connectCluster({
      redis: "redis://h:6379",
      limits: { maxSeriesLength: -1 },
    }),
    RangeError,
  );
  await assert.rejects(
    connectCluster({ redis: "redis://h:6379", queue: "a b" }),
    TypeError,
  );
  await assert.rejects(
    connectCluster({ redis: "redis://h:6379", nope: 1 } as never),
    /unknown option "nope"/,
  );
  const t = redisTarget("f", { redis: "rediss://u%40x:p%3Aw@[::1]:7000/3" });
  assert.deepEqual(
    [t.options.host, t.options.port, t.options.db, t.options.username],
    ["::1", 7000, 3, "u@x"],
  );
  assert.equal(t.options.password, "p:w");
  assert.equal(t.shown, "rediss://u%40x:***@[::1]:7000/3");
});

Deno.test("a Redis older than 6.2 is refused with a clear error", () => {
  assert.throws(
    () =>
      checkVersion("connectCluster", "redis://h", { redis_version: "6.0.16" }),
    /Redis at redis:\/\/h is version 6\.0\.16; the cluster needs Redis 6\.2 or later/,
  );
  assert.throws(() => checkVersion("f", "x", {}), /version unknown/);
  assert.equal(checkVersion("f", "x", { redis_version: "6.2.0" }), "6.2.0");
  assert.equal(checkVersion("f", "x", { redis_version: "7.0.15" }), "7.0.15");
});

redisTest(
  "Redis unreachable at connect: a clear RedisUnavailableError, promptly",
  async () => {
    const port = freePort();
    const t0 = performance.now();
    await assert.rejects(
      connectCluster({ redis: `redis://127.0.0.1:${port}` }),
      (e: Error) => {
        assert.ok(e instanceof RedisUnavailableError, String(e));
        assert.match(
          e.message,
          /Redis at redis:\/\/127\.0\.0\.1:\d+ is unreachable: .*ECONNREFUSED/,
        );
        return true;
      },
    );
    assert.ok(performance.now() - t0 < 3000);
    // A server that accepts but never answers: within connectTimeout.
    const redis = await startRedis();
    try {
      redis.pause();
      const t1 = performance.now();
      await within(
        5000,
        assert.rejects(
          connectCluster({ redis: redis.url, connectTimeout: 500 }),
          (e: Error) => {
            assert.ok(e instanceof RedisUnavailableError, String(e));
            assert.match(e.message, /unreachable: .*(timed out|no answer)/);
            return true;
          },
        ),
        "connect to a paused server",
      );
      assert.ok(performance.now() - t1 < 2000);
    } finally {
      await redis.stop();
    }
  },
);

redisTest(
  "a Redis without scripting is refused, naming the command",
  async () => {
    const redis = await startRedis({ args: ["--rename-command", "EVAL", ""] });
    try {
      await assert.rejects(
        connectCluster({ redis: redis.url }),
        /does not offer EVAL \(ERR unknown command 'eval'.*needs Redis 6\.2 or later with scripting and streams/i,
      );
    } finally {
      await redis.stop();
    }
  },
);

redisTest(
  "bad input: the synchronous functions' errors, and the limits, before anything is enqueued",
  async () => {
    const f = await startCluster(0);
    try {
      await using cluster = await connectCluster({
        redis: f.redis.url,
        limits: { maxSeriesLength: 100 },
      });
      await assert.rejects(cluster.topK([1], [[1], [NaN]], { k: 1 }), {
        name: "TypeError",
        message: "topK: patterns[1][0] is NaN; expected a finite number",
      });
      await assert.rejects(
        cluster.dtwBatch([1], [[1], "x" as never]),
        TypeError,
      );
      await assert.rejects(
        cluster.dtw(new Float64Array(101), [1]),
        /dtw: a has 101 points; a cluster's shards keep to the matching service's limits, and its maxSeriesLength is 100/,
      );
      await assert.rejects(
        cluster.topK(new Float64Array(5), [[1], new Float64Array(101)]),
        /topK: patterns\[1\] has 101 points/,
      );
      await assert.rejects(
        cluster.searchSubsequence(new Float64Array(500), new Float64Array(90), {
          window: 1,
        }),
        /query has 90 points; to search a series longer than/,
      );
      await assert.rejects(
        cluster.correlationMatrix(["a", "b".repeat(101)]),
        /correlationMatrix: sequences\[1\] has 101 points/,
      );
      await assert.rejects(
        cluster.searchSubsequence([1, 2], [1], { window: 0, k: 0 }),
        RangeError,
      );
      // Several values per point and f32: checked as the synchronous
      // functions check them, on the caller.
      const ok = [[1, 2], [3, 4]];
      await assert.rejects(cluster.dtw([[1, 2], [3]], ok), {
        name: "RangeError",
        message:
          "dtw: a[1] has 1 values but a[0] has 2; every point of a series must have the same number of dimensions",
      });
      await assert.rejects(cluster.dtwBatch([1, 2], [[1], ok]), RangeError);
      await assert.rejects(
        cluster.topK(ok, [ok, { dims: 2, values: [1, NaN] }], {
          precision: "f32",
        }),
        /topK: patterns\[1\]\.values\[1\] \(point 0, dimension 1\) is NaN/,
      );
      await assert.rejects(
        cluster.dtw(ok, [[1, 1e39]], { precision: "f32" }),
        /rounds to Infinity in f32/,
      );
      await assert.rejects(
        cluster.dtwPath(ok, ok, { multivariate: "independent" }),
        /dtwPath: multivariate "independent" has no single warping path/,
      );
      await assert.rejects(
        cluster.topK(ok, [ok], { precision: "f16" } as never),
        TypeError,
      );
      // Points count against maxSeriesLength as on the service, not values.
      await assert.rejects(
        cluster.dtw({ dims: 2, values: new Float64Array(202) }, ok),
        /dtw: a has 101 points/,
      );
      await using tight = await connectCluster({
        redis: f.redis.url,
        limits: { maxCells: 1000 },
      });
      await assert.rejects(
        tight.dtw(new Float64Array(40), new Float64Array(30)),
        /^RangeError: dtw: the pair needs up to 1200 cells of compute in one shard; a cluster's shards keep to the matching service's limits, and its maxCells is 1000/,
      );
      await assert.rejects(
        tight.dtw({ dims: 3, values: new Float64Array(60) }, {
          dims: 3,
          values: new Float64Array(60),
        }),
        /dtw: the pair needs up to 1200 cells/, // 20 × 20 cells of 3 values
      );
      await assert.rejects(
        tight.topK([1, 2], [[1], new Float64Array(501)], { k: 1 }),
        /topK: patterns\[1\] against the reference needs up to 1002 cells/,
      );
      await assert.rejects(
        tight.searchSubsequence(new Float64Array(100), new Float64Array(20), {
          window: Infinity,
        }),
        /searchSubsequence: a shard of 81 windows needs up to 32400 cells/,
      );
      await assert.rejects(
        tight.correlationMatrix(["a".repeat(40), "b", "c".repeat(30)]),
        /correlationMatrix: the pair sequences\[0\], sequences\[2\] needs up to 1200 cells/,
      );
      await assert.rejects(tight.lcs("a".repeat(40), "b".repeat(30)), {
        name: "RangeError",
        message: /^lcs: the pair needs up to 1200 cells/,
      });
      assert.deepEqual(
        (await allKeys(f.redis.url)).filter((k) => !BULLMQ_FIXED.test(k)),
        [],
        "nothing was stored or enqueued",
      );
    } finally {
      await f.stop();
    }
  },
);

redisTest(
  "a worker refuses a shard over its limits or malformed; the call rejects with the worker's error",
  async () => {
    const f = await startCluster(1, [
      "--threads",
      "1",
      "--max-series-length",
      "300",
    ]);
    try {
      await using cluster = await connectCluster({ redis: f.redis.url });
      const t0 = performance.now();
      await assert.rejects(
        cluster.dtw(new Float64Array(400), [1, 2]),
        (e: Error) => {
          assert.ok(e instanceof RangeError, String(e));
          assert.match(
            e.message,
            /^dtw: shard 1 of 1 \(job [0-9a-f]{16}\): shard refused: a has 400 points; the worker's limit \(maxSeriesLength, as the matching service's\) is 300$/,
          );
          return true;
        },
      );
      assert.ok(performance.now() - t0 < 5000, "refused, not retried");
      // A shard that no caller of the kit would write: the worker refuses it
      // and it fails in the queue, without running.
      const queue = new Queue("shards", {
        connection: { host: "127.0.0.1", port: f.redis.port },
        prefix: "midstreamer",
      });
      try {
        const job = await queue.add("dtw", {
          v: SHARD_VERSION,
          job: "0123456789abcdef",
          op: "rm -rf",
          shard: 0,
          shards: 1,
          inputs: [],
          args: {},
        });
        let state = "";
        for (let i = 0; i < 100 && state !== "failed"; i++) {
          await new Promise((r) => setTimeout(r, 50));
          state = await job.getState();
        }
        assert.equal(state, "failed");
        const failed = await queue.getJob(job.id!);
        assert.match(
          failed!.failedReason,
          /malformed shard: unknown op "rm -rf"/,
        );
      } finally {
        await queue.obliterate({ force: true });
        await queue.close();
      }
    } finally {
      await f.stop();
    }
  },
);

redisTest(
  "maxCells per shard: a worker refuses a shard over it; a caller with the same limit cuts calls into shards that fit, with the exact result",
  async () => {
    const f = await startCluster(1, [
      "--threads",
      "1",
      "--max-cells",
      "100000",
      "--verbose",
    ]);
    try {
      const random = rng(31);
      const walk2 = (n: number) => {
        const x = randomWalk(n, random), y = randomWalk(n, random);
        return Array.from({ length: n }, (_, i) => [x[i], y[i]]);
      };
      const reference = walk2(300);
      const patterns = Array.from({ length: 12 }, () => walk2(100));
      // A caller that does not know the worker's budget: one shard of
      // 300 × 300 cells, or of 12 patterns × 300 × 100 cells of 2 values.
      await using loose = await connectCluster({ redis: f.redis.url });
      const a = randomWalk(400, random);
      await assert.rejects(loose.dtw(a, a), (e: Error) => {
        assert.ok(e instanceof RangeError, String(e));
        assert.match(
          e.message,
          /^dtw: shard 1 of 1 \(job [0-9a-f]{16}\): dtw: the request needs up to 160000 cells of compute; the server's budget is 100000 \(maxCells\)/,
        );
        return true;
      });
      await assert.rejects(
        loose.topK(reference, patterns, { k: 2 }),
        /^RangeError: topK: shard 1 of 1 \(job [0-9a-f]{16}\): topK: the request needs up to 720000 cells of compute/,
      );
      // The same limit on the caller: shards that fit, the exact results.
      await using tight = await connectCluster({
        redis: f.redis.url,
        limits: { maxCells: 100_000 },
      });
      for (
        const options of [
          {},
          { multivariate: "independent", precision: "f32" },
        ] as DtwOptions[]
      ) {
        assert.deepEqual(
          await tight.topK(reference, patterns, { ...options, k: 3 }),
          topK(reference, patterns, { ...options, k: 3 }),
        );
        assert.deepEqual(
          await tight.dtwBatch(reference, patterns, options),
          dtwBatch(reference, patterns, options),
        );
      }
      const b = randomWalk(300, random);
      assert.equal(await tight.dtw(b, b.slice(10)), dtw(b, b.slice(10)));
      const series = randomWalk(10_000, random);
      const query = series.slice(4000, 4016);
      assert.deepEqual(
        await tight.searchSubsequence(series, query, { window: 2, k: 3 }),
        searchSubsequence(series, query, { window: 2, k: 3 }),
      );
      // A search of 2 values per point counts twice the cells: 181 windows
      // of 20 × 20 cells fit the worker's budget in one dimension, not in
      // two; the tight caller cuts the latter into shards that fit.
      const s2 = walk2(200), q2 = s2.slice(60, 80);
      const unbanded = { window: Infinity, k: 2 };
      const first = (x: number[][]) => x.map((p) => p[0]);
      assert.deepEqual(
        await loose.searchSubsequence(first(s2), first(q2), unbanded),
        searchSubsequence(first(s2), first(q2), unbanded),
      );
      await assert.rejects(
        loose.searchSubsequence(s2, q2, unbanded),
        /^RangeError: searchSubsequence: shard 1 of 1 \(job [0-9a-f]{16}\): searchSubsequence: the request needs up to 144800 cells of compute; the server's budget is 100000 \(maxCells\)/,
      );
      // 10 × 3 cells of 2 values per window: shards of 1,024 windows.
      const long2 = walk2(10_000), q = long2.slice(4000, 4010);
      for (
        const options of [
          { window: 1, k: 3 },
          { window: 1, k: 2, multivariate: "independent", cost: "squared" },
        ] as SearchOptions[]
      ) {
        assert.deepEqual(
          await tight.searchSubsequence(long2, q, options),
          searchSubsequence(long2, q, options),
        );
      }
      const sequences = Array.from(
        { length: 30 },
        (_, i) => "ab".repeat(1 + (i * 7) % 50),
      );
      assert.deepEqual(
        await tight.correlationMatrix(sequences),
        correlationMatrix(sequences),
      );
      // Each call was cut into several shards.
      const out = f.workers[0].output();
      for (const op of ["topK", "dtwBatch", "searchSubsequence"]) {
        const counts = [...out.matchAll(
          new RegExp(`${op} shard \\d+/(\\d+) of job \\w+ done`, "g"),
        )].map((m) => Number(m[1]));
        assert.ok(Math.max(...counts) > 1, `${op}: ${counts}`);
      }
      const tiles = [...out.matchAll(
        /correlationMatrix shard \d+\/(\d+) of job \w+ done/g,
      )].map((m) => Number(m[1]));
      assert.ok(Math.max(...tiles) > 1, `correlationMatrix: ${tiles}`);
    } finally {
      await f.stop();
    }
  },
);

/**
 * Counts the shards each worker (started with `--verbose`) has started;
 * the function returned waits (4 s at most) until each has started one
 * more: from then on, each computes a `twoShards` shard for about a second.
 */
function shardStarts(workers: WorkerProcess[]): () => Promise<void> {
  const started = (w: WorkerProcess) =>
    [...w.output().matchAll(/dtwBatch shard \d\/2 of job \w+ start/g)].length;
  const before = workers.map(started);
  const all = () => workers.every((w, i) => started(w) > before[i]);
  return async () => {
    for (let i = 0; i < 400 && !all(); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(all(), workers.map((w) => w.output()).join("\n"));
  };
}

/**
 * Runs a two-shard dtwBatch, SIGKILLs the worker of one shard mid-way; on
 * `set` (a stored set of the same patterns) if given.
 */
async function killOneWorker(
  f: { redis: RedisServer; workers: WorkerProcess[] },
  cluster: Cluster,
  seed: number,
  set?: PatternSet,
): Promise<{ afterKillMs: number; shardMs: number }> {
  const { reference, patterns } = twoShards(seed);
  const t0 = performance.now();
  const bothStarted = shardStarts(f.workers);
  const call = cluster.dtwBatch(reference, set ?? patterns);
  // Both workers have started their shard: kill the first.
  await bothStarted();
  await new Promise((r) => setTimeout(r, 300));
  const victim = f.workers.shift()!;
  await victim.kill();
  const killed = performance.now();
  const got = await within(30_000, call, "the call after a SIGKILL");
  const afterKillMs = performance.now() - killed;
  assert.deepEqual(got, dtwBatch(reference, patterns), "bit-identical");
  // The survivor prints a shard's "done" line after it posted the result,
  // so the call can settle before the line reaches us: wait for it (5 s).
  const doneLines = () =>
    [...f.workers[0].output().matchAll(/dtwBatch shard \d\/2 of job \w+ done/g)]
      .length;
  for (let i = 0; i < 100 && doneLines() < 2; i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const survivor = f.workers[0].output();
  const shardMs = Math.max(
    ...[
      ...survivor.matchAll(
        /dtwBatch shard \d\/2 of job \w+ done \(([\d.]+) ms/g,
      ),
    ]
      .map((m) => Number(m[1])),
  );
  // The survivor computed its own shard and the dead worker's.
  assert.equal(
    [...survivor.matchAll(/dtwBatch shard (\d)\/2 of job \w+ done/g)].length >=
      2,
    true,
    survivor,
  );
  void t0;
  return { afterKillMs, shardMs };
}

redisTest(
  "a worker SIGKILLed mid-shard: its shard is recomputed elsewhere, bit-identical, within the recovery time plus the shard time",
  async () => {
    const f = await startCluster(2, ["--threads", "1", "--verbose"]);
    try {
      await using cluster = await connectCluster({
        redis: f.redis.url,
        ...TWO_SHARDS,
      });
      for (let attempt = 0; attempt < 2; attempt++) {
        const { afterKillMs, shardMs } = await killOneWorker(
          f,
          cluster,
          attempt,
        );
        // lockDuration 4000 + stalledInterval 2000 (the workers' defaults),
        // then the shard again; 1.5 s of slack for a loaded machine.
        assert.ok(
          afterKillMs < 6000 + shardMs + 1500,
          `${afterKillMs} ms after the kill (shard ${shardMs} ms)`,
        );
        f.workers.push(
          await startWorkerProcess(f.redis.url, [
            "--threads",
            "1",
            "--verbose",
          ]),
        );
      }
    } finally {
      await f.stop();
    }
  },
);

redisTest(
  "a stored PatternSet: a worker SIGKILLed during a warm call, its shard recomputed elsewhere, bit-identical",
  async () => {
    const f = await startCluster(2, ["--threads", "1", "--verbose"]);
    try {
      await using cluster = await connectCluster({
        redis: f.redis.url,
        ...TWO_SHARDS,
      });
      const { reference, patterns } = twoShards(7);
      // Cut for the reference's 4,000 points: 2 shards of 800 patterns.
      await using set = await cluster.storePatterns(patterns, {
        referenceLength: 4000,
      });
      // Warm: each worker has fetched (and keeps) a shard of the set.
      assert.deepEqual(
        await cluster.dtwBatch(reference, set),
        dtwBatch(reference, patterns),
      );
      const { afterKillMs, shardMs } = await killOneWorker(f, cluster, 7, set);
      assert.ok(
        afterKillMs < 6000 + shardMs + 1500,
        `${afterKillMs} ms after the kill (shard ${shardMs} ms)`,
      );
      // The set is still there, and still exact, for the next call.
      assert.deepEqual(
        await cluster.topK(reference, set, { k: 5 }),
        topK(reference, patterns, { k: 5 }),
      );
    } finally {
      await f.stop();
    }
  },
);

redisTest(
  "a stored PatternSet: a warm call moves only the reference and the results; its keys stay until deleted, expire after its ttl; bad handles are refused",
  async () => {
    const f = await startCluster(1, ["--threads", "1"]);
    const kv = new Redis(f.redis.url);
    try {
      let enqueued: (() => void) | undefined;
      await using cluster = await connectCluster({
        redis: f.redis.url,
        keyTtl: 120,
        shardMs: 1, // shards of 200 patterns of 100 points
        onEvent: (e) => {
          if (e.type === "enqueued") enqueued?.();
        },
      });
      await using other = await connectCluster({ redis: f.redis.url });
      const random = rng(17);
      const patterns = randomWalks(2000, random, 100);
      const reference = randomWalk(100, random);
      const setBytes = 8 * 2000 * 102;
      const stray = async () =>
        (await allKeys(f.redis.url)).filter((k) => !BULLMQ_FIXED.test(k));

      // Bad input, before anything is stored.
      await assert.rejects(cluster.storePatterns(42 as never), TypeError);
      await assert.rejects(
        cluster.storePatterns([[1], [2, "x" as never]]),
        (e: Error) => e instanceof TypeError && /patterns\[1\]/.test(e.message),
      );
      await assert.rejects(
        cluster.storePatterns([[1]], { ttl: 0 }),
        RangeError,
      );
      await assert.rejects(
        cluster.storePatterns([[1]], { ttl: 0.0001 }),
        (e: Error) => e instanceof RangeError && /options\.ttl/.test(e.message),
      );
      await assert.rejects(
        cluster.storePatterns([[1]], { shardMs: -1 }),
        RangeError,
      );
      await assert.rejects(
        cluster.storePatterns([[1]], { referenceLength: 2.5 }),
        RangeError,
      );
      await assert.rejects(
        cluster.storePatterns([[1]], { precision: "f16" } as never),
        TypeError,
      );
      await assert.rejects(
        cluster.storePatterns([[1]], { colour: 1 } as never),
        TypeError,
      );
      assert.deepEqual(await stray(), []);

      const set = await cluster.storePatterns(patterns);
      const blobs = (await stray()).filter((k) => !k.endsWith(":refs"));
      assert.ok(blobs.length >= 8, blobs.join(" "));
      for (const k of blobs) {
        const ttl = await kv.pttl(k);
        assert.ok(ttl > 100_000 && ttl <= 120_000, `${k}: ${ttl}`);
        assert.equal(await kv.get(`${k}:refs`), "1");
      }
      const outBytes = async () =>
        Number(/total_net_output_bytes:(\d+)/.exec(await kv.info("stats"))![1]);
      const expected = topK(reference, patterns, { k: 4 });
      let before = await outBytes();
      assert.deepEqual(await cluster.topK(reference, set, { k: 4 }), expected);
      const cold = await outBytes() - before;
      before = await outBytes();
      assert.deepEqual(await cluster.topK(reference, set, { k: 4 }), expected);
      const warm = await outBytes() - before;
      assert.ok(cold > setBytes, `cold: ${cold} bytes out of Redis`);
      assert.ok(warm < setBytes / 10, `warm: ${warm} bytes out of Redis`);
      // Between calls, the set's blobs are held by the set alone.
      for (const k of blobs) assert.equal(await kv.get(`${k}:refs`), "1");

      // Aborted at once: the call rejects, the set stays.
      const controller = new AbortController();
      const aborted = cluster.dtwBatch(reference, set, {
        signal: controller.signal,
      });
      controller.abort(new Error("stop"));
      await assert.rejects(aborted, /stop/);
      assert.deepEqual(
        (await stray()).filter((k) => !/:blob:/.test(k)),
        [],
      );
      for (const k of blobs) assert.equal(await kv.get(`${k}:refs`), "1");

      // A handle from another cluster.
      await assert.rejects(
        other.topK(reference, set),
        (e: Error) =>
          e instanceof TypeError && /another cluster/.test(e.message),
      );

      // Deleted while a call runs: the call holds the blobs, and ends
      // exact; then nothing is left.
      const running = new Promise<void>((r) => enqueued = r);
      const call = cluster.dtwBatch(reference, set);
      await within(10_000, running, "the call enqueued");
      await set.delete();
      assert.equal(set.deleted, true);
      assert.deepEqual(await call, dtwBatch(reference, patterns));
      assert.deepEqual(await stray(), []);
      await set.delete(); // again: nothing
      await assert.rejects(
        cluster.topK(reference, set),
        (e: Error) => e instanceof TypeError && /deleted/.test(e.message),
      );

      // A set unused for its ttl expires: its keys are gone, and a call
      // says so.
      const brief = await cluster.storePatterns(patterns.slice(0, 300), {
        ttl: 1,
      });
      assert.ok((await stray()).length > 0);
      await new Promise((r) => setTimeout(r, 1500));
      assert.deepEqual(await stray(), []);
      await assert.rejects(
        cluster.topK(reference, brief),
        (e: Error) =>
          e instanceof PatternSetExpiredError &&
          /store the patterns again/.test(e.message),
      );
      assert.deepEqual(await stray(), []);
      await brief.delete();
      assert.deepEqual(await stray(), []);
    } finally {
      kv.disconnect();
      await f.stop();
    }
  },
);

redisTest(
  "a poison shard fails its call after the queue's limit, with a clear error, and never hangs",
  async () => {
    const script = new URL("../testing/poison_worker.ts", import.meta.url);
    const f = await startCluster(0);
    const workers: WorkerProcess[] = [];
    let stop = false;
    // A supervisor that replaces dead workers (at most 6), as a real
    // deployment's would: the queue needs a live worker to notice.
    const supervise = (async () => {
      let started = 0;
      while (!stop && started < 6) {
        while (
          workers.filter((w) => w.alive).length < 2 && started < 6 && !stop
        ) {
          const w = await startWorkerProcess(f.redis.url, [], script);
          workers.push(w);
          started++;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    try {
      await using cluster = await connectCluster({ redis: f.redis.url });
      const t0 = performance.now();
      await within(
        40_000,
        assert.rejects(cluster.dtwPath([1, 2, 3], [1, 2]), (e: Error) => {
          assert.ok(e instanceof ShardFailedError, String(e));
          assert.equal(e.poison, true);
          assert.equal(e.attempts, 2);
          assert.match(
            e.message,
            /^dtwPath: shard 1 of 1 \(job [0-9a-f]{16}\) stopped every worker that took it \(2 attempts, each ended by the worker dying\): a poison shard; the queue gave up: job stalled more than allowable limit$/,
          );
          return true;
        }),
        "the poison shard's call",
      );
      const ms = performance.now() - t0;
      assert.ok(ms > 3000, `${ms} ms: two workers had to die first`);
      // Other calls still work on the surviving workers.
      assert.equal(await cluster.lcs("ab", "b"), 1);
      assert.deepEqual(
        await allKeys(f.redis.url).then((ks) =>
          ks.filter((k) => /:job:|:blob:/.test(k))
        ),
        [],
      );
    } finally {
      stop = true;
      await supervise;
      await Promise.all(workers.map((w) => w.stop()));
      await f.stop();
    }
  },
);

redisTest(
  "Redis restarted mid-call without persistence: the call rejects with a JobLostError saying so",
  async () => {
    const f = await startCluster(2, ["--threads", "1", "--verbose"]);
    try {
      await using cluster = await connectCluster({
        redis: f.redis.url,
        ...TWO_SHARDS,
      });
      const { reference, patterns } = twoShards(7);
      const bothStarted = shardStarts(f.workers);
      const call = cluster.dtwBatch(reference, patterns);
      // Mid-call: both shards computing (a fixed sleep raced their speed).
      await bothStarted();
      await f.redis.restart();
      const restarted = performance.now();
      await within(
        15_000,
        assert.rejects(call, (e: Error) => {
          assert.ok(e instanceof JobLostError, String(e));
          assert.match(
            e.message,
            /^dtwBatch: Redis at redis:\/\/127\.0\.0\.1:\d+ restarted \(run_id \w+… → \w+…\) without the job's state \(no persistence\); job [0-9a-f]{16} is lost: call again$/,
          );
          return true;
        }),
        "the call",
      );
      assert.ok(performance.now() - restarted < 5000);
      // The cluster and its workers go on with the new server.
      assert.equal(await cluster.lcs("abc", "bc"), 2);
    } finally {
      await f.stop();
    }
  },
);

redisTest(
  "Redis restarted mid-call with persistence: the call resumes, exact, and says so",
  async () => {
    const f = await startCluster(2, ["--threads", "1", "--verbose"], {
      persistence: true,
    });
    try {
      const events: ClusterEvent[] = [];
      await using cluster = await connectCluster({
        redis: f.redis.url,
        ...TWO_SHARDS,
        onEvent: (e) => events.push(e),
      });
      const { reference, patterns } = twoShards(8);
      const bothStarted = shardStarts(f.workers);
      const call = cluster.dtwBatch(reference, patterns);
      await bothStarted();
      await f.redis.restart();
      const got = await within(30_000, call, "the resumed call");
      assert.deepEqual(got, dtwBatch(reference, patterns));
      assert.ok(
        events.some((e) =>
          e.type === "resumed" && e.restarted && e.op === "dtwBatch"
        ),
        JSON.stringify(events),
      );
      assert.ok(events.some((e) => e.type === "disconnected"));
    } finally {
      await f.stop();
    }
  },
);

redisTest(
  "Redis gone, or silent, for longer than outageTimeout: the call rejects with a RedisUnavailableError",
  async () => {
    for (const how of ["killed", "paused"] as const) {
      const f = await startCluster(1, ["--threads", "1", "--verbose"]);
      try {
        await using cluster = await connectCluster({
          redis: f.redis.url,
          outageTimeout: 1500,
          ...TWO_SHARDS,
        });
        const { reference, patterns } = twoShards(9);
        const started = shardStarts(f.workers);
        const call = cluster.dtwBatch(reference, patterns);
        // The worker computes its first of 2 shards: the call is mid-way.
        await started();
        if (how === "killed") await f.redis.kill();
        else f.redis.pause();
        await within(
          12_000,
          assert.rejects(call, (e: Error) => {
            assert.ok(e instanceof RedisUnavailableError, `${how}: ${e}`);
            assert.match(
              e.message,
              /^dtwBatch: lost Redis at redis:\/\/127\.0\.0\.1:\d+ for more than 1500 ms \(outageTimeout\) during job [0-9a-f]{16}: /,
            );
            return true;
          }),
          `the call with Redis ${how}`,
        );
        // Back, so that the worker stops gracefully.
        if (how === "killed") await f.redis.restart();
        else f.redis.resume();
      } finally {
        await f.stop();
      }
    }
  },
);

redisTest(
  "abort or timeout: the call rejects, its waiting shards are removed and its keys deleted; every key of a call expires",
  async () => {
    // No worker while the call is cut short: a signal that fires at a set
    // time would race the kernels' speed (a faster topK once finished the
    // whole call first). With no worker, every shard is still waiting when
    // the call times out; the soak aborts calls while shards run.
    const f = await startCluster(0);
    try {
      let enqueued: (() => void) | undefined;
      const allEnqueued = new Promise<void>((r) => enqueued = r);
      await using cluster = await connectCluster({
        redis: f.redis.url,
        keyTtl: 120,
        shardMs: 20,
        onEvent: (e) => {
          if (e.type === "enqueued") enqueued?.();
        },
      });
      const random = rng(10);
      const reference = randomWalk(500, random);
      const patterns = randomWalks(4000, random, 500);
      const kv = new Redis(f.redis.url);
      try {
        const timeout = new AbortController();
        const call = cluster.topK(reference, patterns, {
          k: 3,
          signal: timeout.signal,
        });
        call.catch(() => {});
        await within(30_000, allEnqueued, "the call's shards enqueued");
        const queue = new Queue("shards", {
          connection: kv,
          prefix: "midstreamer",
        });
        try {
          assert.ok(await queue.getWaitingCount() > 1);
          const keys = (await kv.keys("midstreamer:shards:*")).filter((k) =>
            /:job:|:blob:/.test(k)
          );
          const ttls = await Promise.all(
            keys.map(async (k) => [k, await kv.pttl(k)] as [string, number]),
          );
          assert.ok(ttls.length >= 4, JSON.stringify(ttls));
          for (const [k, ttl] of ttls) {
            assert.ok(ttl > 100_000 && ttl <= 120_000, `${k}: ${ttl}`);
          }
          timeout.abort(new DOMException("timed out", "TimeoutError"));
          await assert.rejects(
            within(5_000, call, "the aborted call"),
            { name: "TimeoutError" },
          );
          // Its waiting shards and its keys are gone at once.
          assert.equal(await queue.getWaitingCount(), 0);
        } finally {
          await queue.close();
        }
        const left = await allKeys(f.redis.url);
        assert.deepEqual(left.filter((k) => !BULLMQ_FIXED.test(k)), []);
        // Many calls later, only the queue's fixed bookkeeping is there.
        f.workers.push(
          await startWorkerProcess(f.redis.url, ["--threads", "1"]),
        );
        for (let i = 0; i < 10; i++) {
          await cluster.topK(reference, patterns.slice(0, 50 + i), { k: 2 });
          await cluster.dtw([i], [1]);
        }
        const after = await allKeys(f.redis.url);
        assert.deepEqual(after.filter((k) => !BULLMQ_FIXED.test(k)), []);
        assert.ok(after.length <= 6, after.join(" "));
        assert.ok(await kv.xlen("midstreamer:shards:events") < 300);
      } finally {
        kv.disconnect();
      }
    } finally {
      await f.stop();
    }
  },
);

/** Inodes of the sockets listening on TCP (IPv4 and IPv6). */
function listeningInodes(): Set<string> {
  const inodes = new Set<string>();
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = Deno.readTextFileSync(file);
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] === "0A") inodes.add(f[9]);
    }
  }
  return inodes;
}

/** Whether process `pid` holds a listening TCP socket. */
function listens(pid: number): boolean {
  const listening = listeningInodes();
  for (const fd of Deno.readDirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(
        Deno.readLinkSync(`/proc/${pid}/fd/${fd.name}`),
      );
      if (m && listening.has(m[1])) return true;
    } catch {
      // closed meanwhile
    }
  }
  return false;
}

redisTest(
  "security: ACL user and password end to end, wrong credentials refused, nothing but Redis listens",
  async () => {
    const f = await startCluster(0, [], {
      args: [
        "--user",
        "default",
        "off",
        "--user",
        "kit",
        "on",
        ">s3cret",
        "~midstreamer:*",
        "&*",
        "-@all",
        "+@read",
        "+@write",
        "+@stream",
        "+@list",
        "+@sortedset",
        "+@hash",
        "+@string",
        "+@keyspace",
        "+@scripting",
        "+@connection",
        "+@transaction",
        "+@blocking",
        "+info",
      ],
    });
    const url = `redis://kit:s3cret@127.0.0.1:${f.redis.port}`;
    try {
      f.workers.push(await startWorkerProcess(url, ["--threads", "1"]));
      await using cluster = await connectCluster({ redis: url });
      const random = rng(11);
      const reference = randomWalk(60, random);
      const patterns = randomWalks(80, random, 10, 90);
      assert.deepEqual(
        await cluster.topK(reference, patterns, { k: 3 }),
        topK(reference, patterns, { k: 3 }),
      );
      for (
        const bad of [
          `redis://kit:wrong@127.0.0.1:${f.redis.port}`,
          `redis://127.0.0.1:${f.redis.port}`,
        ]
      ) {
        await assert.rejects(
          connectCluster({ redis: bad }),
          /refused the credentials \((WRONGPASS|NOAUTH)/,
        );
      }
      assert.equal(listens(Deno.pid), false, "the caller listens on no port");
      assert.equal(
        listens(f.workers[0].pid),
        false,
        "a worker listens on no port",
      );
      assert.equal(listens(f.redis.pid), true, "Redis does");
    } finally {
      await f.stop();
    }
  },
);

redisTest(
  "security: rediss:// (TLS) end to end, with throwaway certificates",
  async () => {
    const tls = await generateTls(["127.0.0.1"]);
    const f = await startCluster(0, [], {
      tls: { cert: tls.cert, key: tls.key, ca: tls.caCert },
      args: ["--requirepass", "pw"],
    });
    const url = `rediss://:pw@127.0.0.1:${f.redis.port}`;
    try {
      f.workers.push(
        await startWorkerProcess(url, [
          "--threads",
          "1",
          "--ca",
          `${f.redis.dir}/ca.crt`,
        ]),
      );
      await using cluster = await connectCluster({
        redis: url,
        tls: { ca: tls.caCert },
      });
      assert.deepEqual(
        await cluster.dtwPath([1, 2, 3], [1, 3]),
        dtwPath([1, 2, 3], [1, 3]),
      );
      await assert.rejects(
        connectCluster({ redis: url }),
        /TLS with Redis at rediss:\/\/:\*\*\*@127\.0\.0\.1:\d+ failed/,
      );
      await assert.rejects(
        connectCluster({
          redis: `redis://:pw@127.0.0.1:${f.redis.port}`,
          connectTimeout: 1000,
        }),
        RedisUnavailableError,
      );
    } finally {
      await f.stop();
    }
  },
);
