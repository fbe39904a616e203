// Copyright 2026 the @midstreamer/kit authors. MIT license.

import assert from "node:assert/strict";
import {
  type AsyncKernels,
  ClosedError,
  createMatcher,
  createMatchQueue,
  dtw,
  dtwBatch,
  type DtwOptions,
  type Matcher,
  type MatcherLatency,
  type MatcherOptions,
  type MatcherPool,
  type MatcherStats,
  type MatchQueueKernels,
  QueueFullError,
  WorkerPool,
} from "@midstreamer/kit";
import { PureJSDTW } from "@midstreamer/kit/baseline";
import { randInt, randomWalk, randomWalks, rng } from "../testing/rng.ts";

/** Resolves after the current macrotask (lets a queue run its batches). */
function tick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Whether `promise` has settled, observed after the microtasks queued now. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(() => done = true, () => done = true);
  for (let i = 0; i < 5; i++) await null;
  return done;
}

/**
 * A pool computing `dtwBatch` after `delay` ms, recording how many batches
 * overlap. `hold` keeps batches from finishing until it is released.
 */
class FakePool implements MatchQueueKernels {
  running = 0;
  maxRunning = 0;
  batches: number[] = [];
  #gate: PromiseWithResolvers<void> | undefined;

  hold(): void {
    this.#gate = Promise.withResolvers<void>();
  }

  release(): void {
    this.#gate?.resolve();
    this.#gate = undefined;
  }

  async dtwBatch(
    reference: ArrayLike<number>,
    patterns: ArrayLike<ArrayLike<number>>,
    options?: DtwOptions,
  ): Promise<Float64Array> {
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    this.batches.push(patterns.length);
    try {
      await tick();
      if (this.#gate !== undefined) await this.#gate.promise;
      return dtwBatch(reference, patterns, options);
    } finally {
      this.running--;
    }
  }
}

const OPTION_CASES: DtwOptions[] = [
  {},
  { window: 0 },
  { window: 3 },
  { window: 12, cost: "squared" },
  { cost: "squared" },
];

Deno.test("match queue: results equal dtw (in-thread, randomised)", async () => {
  for (let seed = 1; seed <= 4; seed++) {
    const random = rng(seed);
    for (const options of OPTION_CASES) {
      const reference = randomWalk(randInt(random, 1, 60), random);
      // Lengths include 0, 1 and lengths far from the reference's, so the
      // window is often narrower than the length difference.
      const patterns = Array.from(
        { length: 70 },
        () => Array.from(randomWalk(randInt(random, 0, 90), random)),
      );
      await using queue = await createMatchQueue(reference, {
        ...options,
        batchSize: randInt(random, 1, 16),
      });
      const got = await Promise.all(patterns.map((p) => queue.match(p)));
      const want = patterns.map((p) => dtw(reference, p, options));
      assert.deepEqual(got, want, `seed ${seed} ${JSON.stringify(options)}`);
      const stats = queue.stats();
      assert.equal(stats.completed, patterns.length);
      assert.equal(stats.inFlight, 0);
      assert.equal(stats.queued, 0);
    }
  }
});

Deno.test("match queue: results equal the original PureJSDTW", async () => {
  const random = rng(11);
  const reference = randomWalk(40, random);
  const patterns = randomWalks(20, random, 1, 50);
  await using queue = await createMatchQueue(Array.from(reference));
  for (
    const [i, d] of (await Promise.all(patterns.map((p) => queue.match(p))))
      .entries()
  ) {
    assert.equal(d, PureJSDTW.calculate(reference, patterns[i]));
  }
});

Deno.test("match queue: results equal dtw on a shared pool, within maxConcurrent", async () => {
  const random = rng(21);
  const pool = new FakePool();
  const reference = randomWalk(50, random);
  const patterns = randomWalks(200, random, 0, 70);
  {
    await using queue = await createMatchQueue(reference, {
      workers: pool,
      maxConcurrent: 3,
      batchSize: 16,
      window: 5,
    });
    const got = await Promise.all(patterns.map((p) => queue.match(p)));
    assert.deepEqual(
      got,
      patterns.map((p) => dtw(reference, p, { window: 5 })),
    );
    assert.equal(queue.stats().completed, 200);
  }
  assert.equal(pool.maxRunning, 3);
  assert.ok(pool.batches.every((n) => n >= 1 && n <= 16), `${pool.batches}`);
  assert.equal(pool.batches.reduce((a, b) => a + b, 0), 200);
});

Deno.test("match queue: the pattern is copied at enqueue", async () => {
  await using queue = await createMatchQueue([1, 2, 3]);
  const pattern = [1, 2, 3];
  const pending = queue.match(pattern);
  pattern.fill(100);
  assert.equal(await pending, 0);
});

Deno.test("match queue: a full queue rejects at once with QueueFullError", async () => {
  await using queue = await createMatchQueue([0, 1, 2], { queueSize: 4 });
  const accepted = Array.from({ length: 4 }, (_, i) => queue.match([i]));
  const overflow = queue.match([9]);
  assert.equal(await settled(overflow), true);
  await assert.rejects(overflow, (error: unknown) => {
    assert.ok(error instanceof QueueFullError);
    assert.equal(error.name, "QueueFullError");
    assert.match(error.message, /queue is full \(4 patterns waiting\)/);
    return true;
  });
  let stats = queue.stats();
  assert.equal(stats.rejected, 1);
  assert.equal(stats.queued, 4);
  assert.deepEqual(
    await Promise.all(accepted),
    [0, 1, 2, 3].map((i) => dtw([0, 1, 2], [i])),
  );
  // Room again once the queue drained.
  assert.equal(await queue.match([0, 1, 2]), 0);
  stats = queue.stats();
  assert.equal(stats.completed, 5);
  assert.equal(stats.rejected, 1);
});

Deno.test("match queue: overload with a stalled pool never grows the queue", async () => {
  const pool = new FakePool();
  pool.hold();
  const queue = await createMatchQueue([0, 1], {
    workers: pool,
    maxConcurrent: 1,
    batchSize: 2,
    queueSize: 3,
  });
  try {
    const outcome = (i: number) =>
      queue.match([i]).then(() => "ok", (e) => e.name);
    // A synchronous burst: 3 are queued, the rest rejected at once.
    const results = Array.from({ length: 10 }, (_, i) => outcome(i));
    assert.equal(queue.stats().rejected, 7);
    await tick(); // the first batch of 2 starts and stalls
    assert.equal(queue.stats().inFlight, 2);
    assert.equal(queue.stats().queued, 1);
    for (let i = 0; i < 40; i++) results.push(outcome(i));
    const stats = queue.stats();
    assert.equal(stats.inFlight, 2);
    assert.equal(stats.queued, 3);
    assert.equal(stats.rejected, 45);
    pool.release();
    const outcomes = await Promise.all(results);
    assert.equal(outcomes.filter((o) => o === "ok").length, 5);
    assert.equal(outcomes.filter((o) => o === "QueueFullError").length, 45);
  } finally {
    pool.release();
    await queue.close();
  }
});

Deno.test("match queue: abort before enqueue, while queued and while running", async (t) => {
  await t.step("already aborted: rejects at once with the reason", async () => {
    await using queue = await createMatchQueue([1, 2, 3]);
    const reason = new Error("gone");
    const pending = queue.match([1], { signal: AbortSignal.abort(reason) });
    assert.equal(await settled(pending), true);
    await assert.rejects(pending, (e) => e === reason);
    assert.equal(queue.stats().aborted, 1);
    assert.equal(queue.stats().queued, 0);
  });

  await t.step("while queued: removed from the queue", async () => {
    await using queue = await createMatchQueue([1, 2, 3], { queueSize: 3 });
    const controller = new AbortController();
    const a = queue.match([1, 2]);
    const b = queue.match([3], { signal: controller.signal });
    const c = queue.match([2, 3]);
    assert.equal(queue.stats().queued, 3);
    controller.abort();
    assert.equal(queue.stats().queued, 2);
    await assert.rejects(b, (e: unknown) => (e as Error).name === "AbortError");
    // The freed slot is usable before the queue drains.
    const d = queue.match([1, 2, 3]);
    assert.deepEqual(await Promise.all([a, c, d]), [
      dtw([1, 2, 3], [1, 2]),
      dtw([1, 2, 3], [2, 3]),
      0,
    ]);
    const stats = queue.stats();
    assert.equal(stats.completed, 3);
    assert.equal(stats.aborted, 1);
  });

  await t.step(
    "while running on a pool: rejects, result discarded",
    async () => {
      const pool = new FakePool();
      pool.hold();
      await using queue = await createMatchQueue([1, 2, 3], { workers: pool });
      const controller = new AbortController();
      const running = queue.match([1, 2], { signal: controller.signal });
      const other = queue.match([3, 3]);
      await tick();
      assert.equal(queue.stats().inFlight, 2);
      controller.abort("stop");
      assert.equal(await settled(running), true);
      await assert.rejects(running, (e) => e === "stop");
      pool.release();
      assert.equal(await other, dtw([1, 2, 3], [3, 3]));
      const stats = queue.stats();
      assert.equal(stats.completed, 1);
      assert.equal(stats.aborted, 1);
      assert.equal(stats.inFlight, 0);
    },
  );
});

Deno.test("match queue: close rejects queued work and refuses new work", async () => {
  const queue = await createMatchQueue([1, 2, 3]);
  const queued = Promise.allSettled(
    Array.from({ length: 10 }, (_, i) => queue.match([i])),
  );
  await queue.close();
  for (const outcome of await queued) {
    assert.equal(outcome.status, "rejected");
    assert.ok(outcome.reason instanceof ClosedError);
    assert.match(
      String(outcome.reason),
      /match queue was closed before the pattern was matched/,
    );
  }
  await assert.rejects(queue.match([1]), ClosedError);
  await assert.rejects(queue.match([1]), /the match queue is closed/);
  const stats = queue.stats();
  assert.equal(stats.failed, 10);
  assert.equal(stats.completed, 0);
  assert.equal(stats.queued, 0);
  await queue.close(); // idempotent
});

Deno.test("match queue: close waits for batches running on a pool", async () => {
  const pool = new FakePool();
  pool.hold();
  const queue = await createMatchQueue([1, 2, 3], {
    workers: pool,
    maxConcurrent: 1,
    batchSize: 2,
  });
  const running = [queue.match([1]), queue.match([2])];
  const queued = queue.match([3]);
  await tick();
  const closed = queue.close();
  await assert.rejects(queued, /closed/);
  pool.release();
  await closed;
  assert.deepEqual(await Promise.all(running), [
    dtw([1, 2, 3], [1]),
    dtw([1, 2, 3], [2]),
  ]);
  assert.equal(queue.stats().completed, 2);
});

Deno.test("match queue: a failing pool rejects its batch and counts it", async () => {
  const pool: MatchQueueKernels = {
    dtwBatch: () => Promise.reject(new Error("worker crashed")),
  };
  await using queue = await createMatchQueue([1], { workers: pool });
  await assert.rejects(queue.match([1]), /worker crashed/);
  assert.equal(queue.stats().failed, 1);
});

Deno.test("match queue: stats latency percentiles", async () => {
  await using queue = await createMatchQueue(randomWalk(100, rng(5)));
  const before = queue.stats().latency;
  assert.ok(Number.isNaN(before.p50) && Number.isNaN(before.p99));
  const patterns = Array.from(
    { length: 300 },
    (_, i) => randomWalk(100, rng(i)),
  );
  await Promise.all(patterns.map((p) => queue.match(p)));
  const { mean, p50, p99 } = queue.stats().latency;
  assert.ok(p50 > 0 && p50 <= p99 && Number.isFinite(p99), `${p50} ${p99}`);
  assert.ok(mean > 0);
});

Deno.test("match queue: bad arguments", async () => {
  await assert.rejects(
    createMatchQueue([1, NaN]),
    (e: unknown) =>
      e instanceof TypeError && /reference\[1\] is NaN/.test(e.message),
  );
  await assert.rejects(
    createMatchQueue([1], { windows: 3 } as never),
    (e: unknown) =>
      e instanceof TypeError && /unknown option "windows"/.test(e.message),
  );
  await assert.rejects(createMatchQueue([1], { window: -1 }), RangeError);
  await assert.rejects(createMatchQueue([1], { queueSize: 0 }), /queueSize/);
  await assert.rejects(createMatchQueue([1], { batchSize: 1.5 }), RangeError);
  await assert.rejects(
    createMatchQueue([1], { maxConcurrent: "2" as never }),
    TypeError,
  );
  await assert.rejects(createMatchQueue([1], { workers: -1 }), RangeError);
  await assert.rejects(
    createMatchQueue([1], { workers: {} as never }),
    TypeError,
  );
  await using queue = await createMatchQueue([1, 2]);
  await assert.rejects(
    queue.match([1, "2" as never]),
    (e: unknown) => e instanceof TypeError && /pattern\[1\]/.test(e.message),
  );
  await assert.rejects(queue.match(3 as never), /pattern must be an array/);
  await assert.rejects(
    queue.match([1], { signal: "x" as never }),
    /options.signal must be an AbortSignal/,
  );
});

Deno.test("match queue: an owned WorkerPool gives the same results and is closed", async () => {
  const random = rng(31);
  const reference = randomWalk(80, random);
  const patterns = randomWalks(150, random, 0, 100);
  const queue = await createMatchQueue(reference, {
    workers: 2,
    window: 9,
    cost: "squared",
  });
  const got = await Promise.all(patterns.map((p) => queue.match(p)));
  await queue.close();
  assert.deepEqual(
    got,
    patterns.map((p) => dtw(reference, p, { window: 9, cost: "squared" })),
  );
  assert.equal(queue.stats().completed, 150);
});

Deno.test("match queue: the deprecated createMatcher and Matcher* names", async () => {
  const options: MatcherOptions = { window: 2, queueSize: 8 };
  const pool: MatcherPool = new FakePool();
  await using matcher: Matcher = await createMatcher([0, 1, 2, 3], {
    ...options,
    workers: pool,
  });
  assert.equal(
    await matcher.match([0, 2, 3]),
    dtw([0, 1, 2, 3], [0, 2, 3], { window: 2 }),
  );
  const stats: MatcherStats = matcher.stats();
  const latency: MatcherLatency = stats.latency;
  assert.equal(stats.completed, 1);
  assert.ok(latency.p50 > 0);
  await assert.rejects(createMatcher([1], { window: -1 }), RangeError);
});

Deno.test("match queue: runs on any AsyncKernels (a WorkerPool, only dtwBatch used)", async () => {
  const random = rng(32);
  const reference = randomWalk(50, random);
  const patterns = randomWalks(60, random, 10, 60);
  await using pool = new WorkerPool({ workers: 2 });
  const kernels: AsyncKernels = pool;
  await using queue = await createMatchQueue(reference, { workers: kernels });
  assert.deepEqual(
    await Promise.all(patterns.map((p) => queue.match(p))),
    patterns.map((p) => dtw(reference, p)),
  );
});
