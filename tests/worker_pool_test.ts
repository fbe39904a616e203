// Copyright 2026 the @midstreamer/kit authors. MIT license.

import assert from "node:assert/strict";
import {
  ClosedError,
  dtwBatch,
  type SearchStats,
  searchSubsequence,
  topK,
  type TopKStats,
  WorkerPool,
  type WorkerPoolOptions,
} from "@midstreamer/kit";
import { WORKER_SCRIPT } from "../pool/internal.ts";
import { HOOKS } from "../testing/hooked_worker.ts";
import { randomWalk, randomWalks, rng } from "../testing/rng.ts";

Deno.test("WorkerPool results equal the single-threaded functions", async () => {
  const random = rng(61);
  const ref = randomWalk(120, random);
  const patterns = randomWalks(90, random, 60, 140);
  // Duplicates make ties across chunks.
  patterns.push(...patterns.slice(0, 20));
  await using pool = new WorkerPool({ workers: 2 });
  assert.equal(pool.size, 2);
  for (
    const options of [undefined, { window: 10 }, {
      cost: "squared" as const,
      cutoff: 900,
    }]
  ) {
    assert.deepEqual(
      await pool.dtwBatch(ref, patterns, options),
      dtwBatch(ref, patterns, options),
    );
    for (const k of [1, 7, 25, 500]) {
      const stats = {} as TopKStats;
      assert.deepEqual(
        await pool.topK(ref, patterns, { ...options, k, stats }),
        topK(ref, patterns, { ...options, k }),
      );
      assert.equal(
        stats.prunedByKim + stats.prunedByKeogh + stats.abandoned +
          stats.computed,
        patterns.length,
      );
    }
  }
  // 90,000 points: five parts, each starting from the bound of the parts
  // before it.
  const x = randomWalk(90000, random);
  const q = randomWalk(64, random);
  for (
    const options of [{ k: 5, window: 6 }, {
      k: 12,
      exclusionZone: 0,
      window: 3,
    }, { k: 3, normalize: false, window: Infinity, cost: "squared" as const }]
  ) {
    const stats = {} as SearchStats;
    assert.deepEqual(
      await pool.searchSubsequence(x, q, { ...options, stats }),
      searchSubsequence(x, q, options),
      JSON.stringify(options),
    );
    assert.equal(stats.windows, 90000 - 64 + 1);
  }
  assert.deepEqual(await pool.dtwBatch(ref, []), new Float64Array(0));
  assert.deepEqual(await pool.topK(ref, [], { k: 3 }), []);
});

Deno.test("WorkerPool.topK: parts after the first start from its k-th best", async () => {
  // 420 patterns: several parts of 64 or more; duplicates put exact ties
  // in different parts, and each part's cutoff is a distance of another.
  const random = rng(62);
  const ref = randomWalk(80, random);
  const base = randomWalks(300, random, 80);
  const patterns = [...base, ...base.slice(0, 120)];
  await using pool = new WorkerPool({ workers: 2 });
  for (const options of [{}, { cost: "squared" as const }, { cutoff: 40 }]) {
    for (const k of [1, 7, 25, 420]) {
      const stats = {} as TopKStats;
      assert.deepEqual(
        await pool.topK(ref, patterns, { ...options, k, stats }),
        topK(ref, patterns, { ...options, k }),
        `k ${k} ${JSON.stringify(options)}`,
      );
      assert.equal(
        stats.prunedByKim + stats.prunedByKeogh + stats.abandoned +
          stats.computed,
        patterns.length,
      );
      if (k === 7 || k === 25) {
        // Six parts that each started from nothing would compute at least
        // k DTWs in full each.
        assert.ok(stats.computed < 6 * k, `k ${k}: ${JSON.stringify(stats)}`);
      }
    }
  }
});

Deno.test("WorkerPool: dtwBatch and topK work on a snapshot of the patterns", async () => {
  // The pool packs the parts after the first ones are posted, but within
  // the call: changing the patterns once it has returned its promise must
  // not change the result.
  const random = rng(64);
  const ref = randomWalk(40, random);
  const patterns = randomWalks(300, random, 40);
  const expected = dtwBatch(ref, patterns);
  const best = topK(ref, patterns, { k: 5 });
  await using pool = new WorkerPool({ workers: 2 });
  const batch = pool.dtwBatch(ref, patterns);
  const top = pool.topK(ref, patterns, { k: 5 });
  for (const p of patterns) p.fill(1e6);
  assert.deepEqual(await batch, expected);
  assert.deepEqual(await top, best);
  // A bad element in a late part rejects as the synchronous call throws.
  const bad = randomWalks(300, random, 40);
  bad[290][3] = NaN;
  await assert.rejects(() => pool.dtwBatch(ref, bad), /patterns\[290\]\[3\]/);
  await assert.rejects(
    () => pool.topK(ref, bad, { k: 3 }),
    /patterns\[290\]\[3\]/,
  );
  assert.deepEqual(
    await pool.dtwBatch(ref, patterns.slice(0, 3)),
    dtwBatch(ref, patterns.slice(0, 3)),
  );
});

Deno.test("WorkerPool: validation errors reject like the synchronous functions", async () => {
  await using pool = new WorkerPool({ workers: 1 });
  await assert.rejects(() => pool.topK([1], [[1]], { k: 0 }), RangeError);
  await assert.rejects(() => pool.topK([1], [[1]], 0), RangeError);
  await assert.rejects(
    () => pool.dtwBatch([1], [[1], [NaN]]),
    /patterns\[1\]\[0\]/,
  );
  await assert.rejects(
    () => pool.searchSubsequence([1], [1, 2], { window: 1 }),
    RangeError,
  );
  await assert.rejects(
    () => pool.searchSubsequence([1, 2], [1], {} as never),
    /window is required/,
  );
  await assert.rejects(
    () => pool.dtw([1], [1], { signal: "x" } as never),
    TypeError,
  );
  await assert.rejects(
    () => pool.lcs("a", "b", { onProgress: 3 } as never),
    TypeError,
  );
  await assert.rejects(() => pool.lcs(3 as never, "b"), TypeError);
  await assert.rejects(
    () => pool.dtwPath([1], [1], { window: -1 }),
    RangeError,
  );
});

Deno.test("WorkerPool: errors thrown in a worker keep their class; a crash rejects and the worker is replaced", async () => {
  const pool = new WorkerPool({
    workers: 1,
    [WORKER_SCRIPT]: new URL("../testing/hooked_worker.ts", import.meta.url),
  } as WorkerPoolOptions);
  try {
    await assert.rejects(
      () => pool.dtw([HOOKS.rangeError], [1]),
      (e) => e instanceof RangeError && /^dtw: options.window/.test(e.message),
    );
    await assert.rejects(
      () => pool.dtw([HOOKS.typeError], [1]),
      (e) => e instanceof TypeError && /^dtw: a must be/.test(e.message),
    );
    await assert.rejects(
      () => pool.dtw([HOOKS.crash], [1]),
      (e) =>
        e instanceof Error && !(e instanceof TypeError) &&
        /a worker crashed while running dtw\(\)/.test(e.message),
    );
    assert.deepEqual(await pool.topK([1, 2], [[1, 2], [3]]), [{
      index: 0,
      distance: 0,
    }]);
  } finally {
    await pool.close();
  }
});

Deno.test("WorkerPool: close() rejects pending jobs with ClosedError; so does use after close", async () => {
  const pool = new WorkerPool({ workers: 1 });
  const ref = randomWalk(400, rng(62));
  const pending = pool.dtwBatch(ref, Array.from({ length: 200 }, () => ref));
  await pool.close();
  await assert.rejects(() => pending, ClosedError);
  await assert.rejects(() => pool.topK([1], [[1]]), ClosedError);
  await assert.rejects(() => pool.dtw([1], [1]), /after close/);
  await pool.close(); // idempotent
  assert.throws(() => new WorkerPool({ workers: 0 }), RangeError);
  assert.throws(() => new WorkerPool({ workers: 1.5 }), RangeError);
  assert.throws(() => new WorkerPool({ workers: "2" } as never), TypeError);
  assert.throws(
    () => new WorkerPool({ worker: 2 } as never),
    /unknown option "worker"/,
  );
});

Deno.test("WorkerPool: an aborted signal rejects at once and drops the queued parts", async () => {
  await using pool = new WorkerPool({ workers: 1 });
  const random = rng(65);
  const ref = randomWalk(600, random);
  const patterns = randomWalks(400, random, 600);
  const already = new AbortController();
  already.abort(new Error("before"));
  await assert.rejects(
    pool.dtwBatch(ref, patterns, { signal: already.signal }),
    { message: "before" },
  );
  const controller = new AbortController();
  const seen: number[] = [];
  const call = pool.dtwBatch(ref, patterns, {
    signal: controller.signal,
    onProgress: ({ done }) => seen.push(done),
  });
  controller.abort(new Error("later"));
  await assert.rejects(call, { message: "later" });
  assert.ok(seen.length < 2, `parts kept running: ${seen}`);
  // The pool stays usable and exact.
  assert.deepEqual(
    await pool.dtwBatch(ref, patterns.slice(0, 5)),
    dtwBatch(ref, patterns.slice(0, 5)),
  );
});
