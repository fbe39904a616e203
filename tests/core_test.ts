// Copyright 2026 the @midstreamer/kit authors. MIT license.

import assert from "node:assert/strict";
import {
  alignTimeframes,
  correlationMatrix,
  dtw,
  dtwBatch,
  lcs,
  QueueFullError as KitQueueFullError,
  topK,
} from "@midstreamer/kit";
import { PureJSDTW } from "@midstreamer/kit/baseline";
import {
  MemoryLimitError,
  QueueFullError,
  StreamProcessor,
  type StreamProcessorOptions,
} from "@midstreamer/kit/core";
import { ALGORITHMS, MODES, OPTION_KEYS } from "../core/internal.ts";
import { formatBytes, matchBytes, parseMemoryLimit } from "../core/internal.ts";
import { IDLE_CLOSE_MS, runningWorkers } from "../core/internal.ts";
import { randInt, randomWalk, rng } from "../testing/rng.ts";

/** Tests that start workers or timers: nothing may outlive them. */
const strict = { sanitizeOps: true, sanitizeResources: true };

const CORES = navigator.hardwareConcurrency ?? 1;
/** What `"auto"` resolves to. */
const AUTO = CORES >= 2 ? CORES : 0;

function walks(seed: number, count: number, lo: number, hi: number) {
  const random = rng(seed);
  return Array.from(
    { length: count },
    () => randomWalk(randInt(random, lo, hi), random),
  );
}

function signals(seed: number, count: number, lo: number, hi: number) {
  const random = rng(seed);
  const kinds = ["BUY", "SELL", "HOLD"];
  return Array.from(
    { length: count },
    () =>
      Array.from(
        { length: randInt(random, lo, hi) },
        () => kinds[randInt(random, 0, 2)],
      ),
  );
}

function throwsType(options: unknown, ...parts: (string | RegExp)[]): void {
  assert.throws(
    () => new StreamProcessor(options as StreamProcessorOptions),
    (e: unknown) => {
      assert.ok(e instanceof TypeError, `expected a TypeError, got ${e}`);
      for (const part of parts) {
        if (typeof part === "string") {
          assert.ok(e.message.includes(part), e.message);
        } else assert.match(e.message, part);
      }
      return true;
    },
  );
}

function throwsRange(options: unknown, ...parts: string[]): void {
  assert.throws(
    () => new StreamProcessor(options as StreamProcessorOptions),
    (e: unknown) => {
      assert.ok(e instanceof RangeError, `expected a RangeError, got ${e}`);
      for (const part of parts) assert.ok(e.message.includes(part), e.message);
      return true;
    },
  );
}

// --- Options -----------------------------------------------------------

Deno.test("StreamProcessor: an unknown mode is a TypeError listing every mode", () => {
  throwsType(
    { mode: "pattern-matching" },
    "options.mode",
    '"pattern-matching"',
    ...MODES.map((m) => `"${m}"`),
  );
  throwsType({ mode: 3 }, "options.mode", "number 3");
  assert.deepEqual(MODES, [
    "pattern_matching",
    "correlation",
    "correlation_matrix",
    "multi_timeframe",
    "high_concurrency",
    "streaming",
  ]);
});

Deno.test("StreamProcessor: an unknown algorithm is a TypeError listing every algorithm", () => {
  throwsType(
    { algorithm: "fastdtw" },
    "options.algorithm",
    '"fastdtw"',
    ...ALGORITHMS.map((a) => `"${a}"`),
  );
  assert.deepEqual(ALGORITHMS, ["dtw", "dtw_batch", "lcs", "parallel_lcs"]);
});

Deno.test("StreamProcessor: an unknown option key is a TypeError listing the accepted keys", () => {
  throwsType(
    { mode: "streaming", bufferSzie: 10 },
    '"bufferSzie"',
    OPTION_KEYS.join(", "),
  );
  for (const key of ["threads", "cutoff", "batchSize", "timeout"]) {
    throwsType({ [key]: 1 }, `"${key}"`);
  }
  throwsType("pattern_matching", "options must be an object");
});

Deno.test("StreamProcessor: option values of the wrong type or range", () => {
  throwsType({ simd: "yes" }, "options.simd", "boolean");
  throwsType({ bitParallel: 1 }, "options.bitParallel", "boolean");
  throwsType({ topK: "10" }, "options.topK");
  throwsRange({ topK: 0 }, "options.topK", "positive integer");
  throwsRange({ topK: 2.5 }, "options.topK");
  throwsRange({ maxConcurrent: -1 }, "options.maxConcurrent");
  throwsRange({ queueSize: 0 }, "options.queueSize");
  throwsType({ bufferSize: null }, "options.bufferSize");
  throwsType({ parallelism: "max" }, "options.parallelism", '"auto"');
  throwsRange({ workers: -2 }, "options.workers");
  throwsRange({ parallel: 1.5 }, "options.parallel");
  throwsRange({ window: -1 }, "window");
  throwsType({ cost: "cubic" }, "cost");
  // Aliases that disagree.
  throwsType({ parallelism: 2, workers: 4 }, "parallelism", "workers");
  throwsType({ parallel: false, workers: 3 }, "parallel", "workers");
  throwsType({ parallel: true, workers: 0 }, "parallel", "workers");
  throwsType({ queueSize: 10, bufferSize: 20 }, "queueSize", "bufferSize");
});

Deno.test("StreamProcessor: options resolve to a frozen config", async () => {
  await using plain = new StreamProcessor();
  assert.deepEqual(plain.config, {
    mode: "pattern_matching",
    algorithm: undefined,
    workers: 0,
    topK: 10,
    maxConcurrent: 64,
    queueSize: 1024,
    memoryLimit: Infinity,
    window: undefined,
    cost: "absolute",
  });
  assert.ok(Object.isFrozen(plain.config));
  const workers = (options: StreamProcessorOptions) =>
    new StreamProcessor(options).config.workers;
  assert.equal(workers({ parallelism: "auto" }), AUTO);
  assert.equal(workers({ workers: "auto" }), AUTO);
  assert.equal(workers({ parallel: true }), AUTO);
  assert.equal(workers({ parallel: false }), 0);
  assert.equal(workers({ parallelism: 1 }), 0); // one core: this thread
  assert.equal(workers({ parallelism: 3 }), 3);
  assert.equal(workers({ parallel: true, workers: 3 }), 3);
  assert.equal(workers({ parallelism: 3, workers: 3 }), 3);
  assert.equal(workers({ algorithm: "parallel_lcs" }), AUTO);
  assert.equal(workers({ algorithm: "parallel_lcs", workers: 0 }), 0);
  const c = new StreamProcessor({
    mode: "streaming",
    bufferSize: 10000,
    topK: Infinity,
    maxConcurrent: 5,
    memoryLimit: "1GB",
    window: 3,
    cost: "squared",
    simd: false,
    bitParallel: false,
  }).config;
  assert.equal(c.queueSize, 10000);
  assert.equal(c.topK, Infinity);
  assert.equal(c.maxConcurrent, 5);
  assert.equal(c.memoryLimit, 2 ** 30);
  assert.equal(c.window, 3);
  assert.equal(c.cost, "squared");
  assert.equal(
    new StreamProcessor({ parallelism: 2 }).config.maxConcurrent,
    64 * 4,
  );
});

// --- memoryLimit -------------------------------------------------------

Deno.test("parseMemoryLimit: units are 1024-based, case-insensitive; numbers are bytes", () => {
  const cases: [unknown, number][] = [
    [undefined, Infinity],
    [Infinity, Infinity],
    ["1GB", 2 ** 30],
    ["512MB", 512 * 2 ** 20],
    ["512 mb", 512 * 2 ** 20],
    [" 2 GiB ", 2 ** 31],
    ["1.5KB", 1536],
    [".5kb", 512],
    ["100B", 100],
    ["4096", 4096],
    ["1TB", 2 ** 40],
    ["1.0000001B", 1],
    [1_000_000, 1_000_000],
    [1, 1],
  ];
  for (const [value, bytes] of cases) {
    assert.equal(parseMemoryLimit("f", value), bytes, String(value));
  }
});

Deno.test("parseMemoryLimit: bad values are TypeErrors or RangeErrors naming memoryLimit", () => {
  for (
    const value of ["1 XB", "GB", "", "1GB2", "one GB", "1,5GB", {}, true, null]
  ) {
    assert.throws(
      () => parseMemoryLimit("StreamProcessor", value),
      (e: unknown) =>
        e instanceof TypeError && e.message.includes("options.memoryLimit") &&
        e.message.includes("StreamProcessor"),
      String(value),
    );
  }
  for (const value of ["0MB", "-1GB", "0.5B", 0, -5, NaN, -Infinity]) {
    assert.throws(
      () => parseMemoryLimit("StreamProcessor", value),
      (e: unknown) =>
        e instanceof RangeError && e.message.includes("options.memoryLimit"),
      String(value),
    );
  }
  throwsType({ memoryLimit: "lots" }, "options.memoryLimit", '"lots"');
  throwsRange({ memoryLimit: "0GB" }, "options.memoryLimit");
  assert.equal(formatBytes(1536), "1.5 KiB");
  assert.equal(formatBytes(2 ** 30), "1 GiB");
  assert.equal(formatBytes(100), "100 B");
});

Deno.test("memoryLimit: every method rejects with MemoryLimitError above the limit, and works below", async () => {
  const big = randomWalk(20_000, rng(1));
  const bigSignals = signals(2, 1, 20_000, 20_000)[0];
  await using tight = new StreamProcessor({ memoryLimit: "256KB" });
  const calls: [string, () => Promise<unknown>][] = [
    ["computeDTW", () => tight.computeDTW(big, big)],
    ["batchDTW", () => tight.batchDTW(big, [big])],
    ["findTopMatches", () => tight.findTopMatches(big, [big])],
    ["computeLCS", () => tight.computeLCS(bigSignals, bigSignals)],
    ["correlationMatrix", () => tight.correlationMatrix([bigSignals])],
    ["alignTimeframes", () => tight.alignTimeframes([big, big])],
    ["matchPattern", () => tight.matchPattern(big, big)],
  ];
  for (const [name, call] of calls) {
    await assert.rejects(call(), (e: unknown) => {
      assert.ok(e instanceof MemoryLimitError, `${name}: ${e}`);
      assert.equal(e.name, "MemoryLimitError");
      assert.equal(e.limit, 256 * 1024);
      assert.ok(e.estimate > e.limit);
      assert.ok(e.message.includes(`StreamProcessor.${name}`), e.message);
      assert.ok(e.message.includes('memoryLimit 256 KiB ("256KB")'), e.message);
      assert.ok(e.message.includes(formatBytes(e.estimate)), e.message);
      return true;
    });
  }
  // Small calls fit, and a rejected call held nothing.
  const a = [1, 2, 3];
  assert.equal(await tight.computeDTW(a, a), 0);
  assert.deepEqual(Array.from(await tight.batchDTW(a, [a, a])), [0, 0]);
  assert.equal(await tight.computeLCS("abc", "abd"), 2);
  assert.equal(await tight.matchPattern(a, [1, 3]), 1);
  // A limit of bytes as a number.
  await using bytes = new StreamProcessor({ memoryLimit: 1000 });
  await assert.rejects(
    bytes.computeDTW(new Float64Array(100), new Float64Array(100)),
    (e: unknown) =>
      e instanceof MemoryLimitError && e.limit === 1000 && e.estimate === 4800,
  );
  // Unlimited by default.
  await using free = new StreamProcessor();
  assert.equal(await free.computeDTW(big, big), 0);
});

Deno.test("memoryLimit: pending matchPattern calls hold their estimate until they settle", async () => {
  const reference = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const pattern = randomWalk(100, rng(5));
  const first = matchBytes(10, 100, true);
  const next = matchBytes(10, 100, false);
  assert.equal(first, 2560);
  assert.equal(next, 2400);
  const limit = first + next + 1000;
  await using processor = new StreamProcessor({ memoryLimit: limit });
  const calls = [1, 2, 3].map(() => processor.matchPattern(reference, pattern));
  const results = await Promise.allSettled(calls);
  const expected = dtw(reference, pattern);
  assert.deepEqual(results.slice(0, 2), [
    { status: "fulfilled", value: expected },
    { status: "fulfilled", value: expected },
  ]);
  const third = results[2];
  assert.ok(third.status === "rejected");
  assert.ok(third.reason instanceof MemoryLimitError);
  assert.equal(third.reason.estimate, first + 2 * next);
  assert.match(third.reason.message, /held by pending calls/);
  // All settled: nothing is held any more.
  assert.equal(
    await Promise.all(
      [1, 2].map(() => processor.matchPattern(reference, pattern)),
    )
      .then((d) => d.length),
    2,
  );
});

Deno.test("memoryLimit: in-thread calls release their estimate at once", async () => {
  const a = randomWalk(100, rng(6));
  // Each computeDTW needs 4800 bytes; together they would not fit.
  await using processor = new StreamProcessor({ memoryLimit: 6000 });
  const d = await Promise.all([1, 2, 3].map(() => processor.computeDTW(a, a)));
  assert.deepEqual(d, [0, 0, 0]);
});

// --- Results -----------------------------------------------------------

Deno.test("StreamProcessor: each method returns what the kit function returns", async () => {
  const series = walks(11, 30, 0, 70);
  const reference = randomWalk(60, rng(12));
  series.push(...series.slice(0, 5).map((s) => s.slice())); // ties
  for (
    const options of [
      {},
      { window: 5 },
      { window: 0, cost: "squared" as const },
    ]
  ) {
    await using p = new StreamProcessor({ ...options, topK: 7 });
    for (let i = 0; i + 1 < series.length; i += 3) {
      assert.equal(
        await p.computeDTW(series[i], series[i + 1]),
        dtw(series[i], series[i + 1], options),
      );
    }
    assert.deepEqual(
      await p.batchDTW(reference, series),
      dtwBatch(reference, series, options),
    );
    assert.deepEqual(
      await p.findTopMatches(reference, series),
      topK(reference, series, 7, options).map(({ index, distance }) => ({
        index,
        pattern: series[index],
        distance,
      })),
    );
    assert.deepEqual(
      await p.alignTimeframes(series.slice(0, 6)),
      alignTimeframes(series.slice(0, 6), options),
    );
    for (const s of series.slice(0, 8)) {
      assert.equal(
        await p.matchPattern(reference, s),
        dtw(reference, s, options),
      );
    }
  }
  const strategies = signals(13, 12, 0, 40);
  await using p = new StreamProcessor({ mode: "correlation" });
  for (let i = 0; i + 1 < strategies.length; i++) {
    assert.equal(
      await p.computeLCS(strategies[i], strategies[i + 1]),
      lcs(strategies[i], strategies[i + 1]),
    );
  }
  assert.deepEqual(
    await p.correlationMatrix(strategies),
    correlationMatrix(strategies),
  );
});

Deno.test("StreamProcessor: findTopMatches is the sort-based top k (default 10, Infinity for all)", async () => {
  const patterns = walks(21, 40, 1, 50);
  const reference = randomWalk(30, rng(22));
  const sorted = patterns
    .map((pattern, index) => ({
      index,
      pattern,
      distance: PureJSDTW.calculate(pattern, reference),
    }))
    .sort((a, b) => a.distance - b.distance);
  await using ten = new StreamProcessor({ mode: "pattern_matching" });
  assert.deepEqual(
    await ten.findTopMatches(reference, patterns),
    sorted.slice(0, 10),
  );
  await using all = new StreamProcessor({ topK: Infinity });
  assert.deepEqual(await all.findTopMatches(reference, patterns), sorted);
  assert.deepEqual(await all.findTopMatches(reference, []), []);
});

Deno.test({
  name:
    "StreamProcessor: with workers, large calls use the pool and equal the in-thread results",
  ...strict,
  fn: async () => {
    const reference = randomWalk(300, rng(31));
    const patterns = walks(32, 40, 250, 350); // about 2^23 cells
    const strategies = signals(33, 50, 250, 260); // about 2^26.2 cells
    await using p = new StreamProcessor({ parallelism: 2, topK: 5 });
    assert.equal(runningWorkers(), 0);
    assert.deepEqual(
      await p.batchDTW(reference, patterns),
      dtwBatch(reference, patterns),
    );
    assert.equal(runningWorkers(), 2);
    assert.deepEqual(
      (await p.findTopMatches(reference, patterns)).map((m) => m.index),
      topK(reference, patterns, 5).map((m) => m.index),
    );
    assert.deepEqual(
      await p.correlationMatrix(strategies),
      correlationMatrix(strategies),
    );
    const ds = await Promise.all(
      patterns.map((s) => p.matchPattern(reference, s)),
    );
    assert.deepEqual(ds, Array.from(dtwBatch(reference, patterns)));
    await p.close();
    assert.equal(runningWorkers(), 0);
  },
});

Deno.test({
  name: "StreamProcessor: small calls stay in this thread even with workers",
  ...strict,
  fn: async () => {
    await using p = new StreamProcessor({ parallelism: 2 });
    const patterns = walks(41, 10, 5, 20);
    assert.deepEqual(
      await p.batchDTW(patterns[0], patterns),
      dtwBatch(patterns[0], patterns),
    );
    assert.equal(
      await p.computeDTW(patterns[1], patterns[2]),
      dtw(patterns[1], patterns[2]),
    );
    assert.equal(runningWorkers(), 0);
  },
});

Deno.test("StreamProcessor: kernel errors propagate as rejections", async () => {
  await using p = new StreamProcessor();
  await assert.rejects(p.computeDTW([1, NaN], [1]), {
    name: "TypeError",
    message: /a\[1\]/,
  });
  await assert.rejects(p.batchDTW([1], [[1], [2, "x" as never]]), {
    name: "TypeError",
    message: /patterns\[1\]\[1\]/,
  });
  await assert.rejects(p.matchPattern([1, Infinity], [1]), {
    name: "TypeError",
    message: /reference\[1\]/,
  });
  await assert.rejects(p.matchPattern([1, 2], [NaN]), {
    name: "TypeError",
    message: /pattern\[0\]/,
  });
  await assert.rejects(p.computeLCS("ab", 3 as never), TypeError);
});

// --- matchPattern ------------------------------------------------------

Deno.test({
  name: "matchPattern: past queueSize, calls reject with QueueFullError",
  ...strict,
  fn: async () => {
    assert.equal(QueueFullError, KitQueueFullError);
    await using p = new StreamProcessor({
      mode: "high_concurrency",
      maxConcurrent: 1,
      queueSize: 3,
    });
    const reference = randomWalk(20, rng(51));
    const patterns = walks(52, 6, 5, 30);
    const results = await Promise.allSettled(
      patterns.map((s) => p.matchPattern(reference, s)),
    );
    assert.deepEqual(
      results.slice(0, 3),
      patterns.slice(0, 3).map((s) => ({
        status: "fulfilled",
        value: PureJSDTW.calculate(reference, s),
      })),
    );
    for (const r of results.slice(3)) {
      assert.ok(r.status === "rejected" && r.reason instanceof QueueFullError);
      assert.match(r.reason.message, /queue is full \(3 patterns/);
    }
    // The queue drained: calls are accepted again.
    assert.equal(await p.matchPattern(reference, reference), 0);
  },
});

Deno.test("matchPattern: bufferSize is the queue size", async () => {
  await using p = new StreamProcessor({
    mode: "streaming",
    bufferSize: 2,
    maxConcurrent: 1,
  });
  const reference = [1, 2];
  const results = await Promise.allSettled(
    [[1], [2], [3]].map((s) => p.matchPattern(reference, s)),
  );
  assert.deepEqual(results.map((r) => r.status), [
    "fulfilled",
    "fulfilled",
    "rejected",
  ]);
});

Deno.test({
  name:
    "matchPattern: a reference changed in place gets a new matcher; many references are fine",
  ...strict,
  fn: async () => {
    await using p = new StreamProcessor();
    const reference = Float64Array.of(0, 1, 2, 3);
    assert.equal(await p.matchPattern(reference, [0, 1, 2, 3]), 0);
    reference[2] = 5;
    assert.equal(await p.matchPattern(reference, [0, 1, 2, 3]), 3);
    reference[2] = NaN;
    await assert.rejects(p.matchPattern(reference, [1]), TypeError);
    // More references than cached matchers, concurrently.
    const refs = walks(61, 30, 1, 40);
    const pats = walks(62, 30, 1, 40);
    const ds = await Promise.all(
      [...refs, ...refs].map((r, i) => p.matchPattern(r, pats[i % 30])),
    );
    assert.deepEqual(
      ds,
      [...refs, ...refs].map((r, i) => dtw(r, pats[i % 30])),
    );
  },
});

// --- close -------------------------------------------------------------

Deno.test({
  name: "close: methods reject afterwards with an Error; close twice is fine",
  ...strict,
  fn: async () => {
    const p = new StreamProcessor();
    await p.close();
    await p.close();
    const calls: [string, Promise<unknown>][] = [
      ["computeDTW", p.computeDTW([1], [1])],
      ["batchDTW", p.batchDTW([1], [[1]])],
      ["findTopMatches", p.findTopMatches([1], [[1]])],
      ["computeLCS", p.computeLCS("a", "a")],
      ["correlationMatrix", p.correlationMatrix(["a"])],
      ["alignTimeframes", p.alignTimeframes([[1], [1]])],
      ["matchPattern", p.matchPattern([1], [1])],
    ];
    for (const [name, call] of calls) {
      await assert.rejects(call, (e: unknown) => {
        assert.ok(e instanceof Error && e.constructor === Error);
        assert.equal(
          e.message,
          `StreamProcessor.${name}: the processor is closed`,
        );
        return true;
      });
    }
  },
});

Deno.test({
  name: "close: pending calls finish first, then the workers are released",
  ...strict,
  fn: async () => {
    const p = new StreamProcessor({ workers: 2 });
    const reference = randomWalk(64, rng(71));
    const patterns = walks(72, 50, 32, 96);
    const pending = patterns.map((s) => p.matchPattern(reference, s));
    const closed = p.close();
    assert.equal(p.close(), closed);
    assert.deepEqual(
      await Promise.all(pending),
      Array.from(dtwBatch(reference, patterns)),
    );
    await closed;
    assert.equal(runningWorkers(), 0);
    await assert.rejects(p.matchPattern(reference, reference), /closed/);
  },
});

Deno.test({
  name: "await using releases the workers",
  ...strict,
  fn: async () => {
    const reference = randomWalk(400, rng(81));
    const patterns = walks(82, 20, 300, 400);
    {
      await using p = new StreamProcessor({ parallel: true, workers: 2 });
      await p.batchDTW(reference, patterns);
      assert.equal(runningWorkers(), 2);
    }
    assert.equal(runningWorkers(), 0);
  },
});

Deno.test({
  name: "an unclosed processor's workers close by themselves when idle",
  ...strict,
  fn: async () => {
    const reference = randomWalk(400, rng(91));
    const patterns = walks(92, 20, 300, 400);
    const first = new StreamProcessor({ parallelism: 2 });
    const second = new StreamProcessor({ parallelism: 2 });
    await first.batchDTW(reference, patterns);
    await second.batchDTW(reference, patterns); // the same, shared pool
    assert.equal(runningWorkers(), 2);
    await new Promise((resolve) => setTimeout(resolve, IDLE_CLOSE_MS + 200));
    assert.equal(runningWorkers(), 0);
    // Used again after that: a new pool, released by close.
    assert.deepEqual(
      await first.batchDTW(reference, patterns),
      dtwBatch(reference, patterns),
    );
    assert.equal(runningWorkers(), 2);
    await first.close();
    assert.equal(runningWorkers(), 0);
    await second.close();
  },
});
