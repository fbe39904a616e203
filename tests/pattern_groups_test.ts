// Copyright 2026 the @midstreamer/kit authors. MIT license.
// topK and dtwBatch over patterns staged in groups (when they hold more
// values than WebAssembly memory should take at once): the same results as
// one group.

import assert from "node:assert/strict";
import {
  dtw,
  dtwBatch,
  type DtwOptions,
  topK,
  type TopKStats,
  WorkerPool,
} from "@midstreamer/kit";
import { patternGroupValues } from "../kernels/internal.ts";
import { randInt, randomWalk, randomWalks, rng } from "../testing/rng.ts";

/** `f()` with groups of at most `values` values. */
function grouped<T>(values: number, f: () => T): T {
  const before = patternGroupValues(values);
  try {
    return f();
  } finally {
    patternGroupValues(before);
  }
}

/** Points of `d` values each (a multivariate series). */
function points(x: Float64Array, d: number): number[][] {
  return Array.from(
    { length: Math.floor(x.length / d) },
    (_, i) => Array.from(x.subarray(i * d, i * d + d)),
  );
}

Deno.test("topK and dtwBatch in groups of patterns equal one group: ties across groups, cutoffs, both costs, multivariate, f32", () => {
  const random = rng(61);
  for (let trial = 0; trial < 12; trial++) {
    const d = [1, 1, 2, 3][trial % 4];
    const reference = randomWalk(randInt(random, 20, 60) * d, random);
    const walks = randomWalks(randInt(random, 30, 90), random, 5 * d, 80 * d);
    // Repeats: equal distances in different groups (ties go to the lower
    // index).
    for (let i = 0; i < 10; i++) {
      walks.push(walks[randInt(random, 0, walks.length - 1)]);
    }
    const patterns = d === 1 ? walks : walks.map((w) => points(w, d));
    const ref = d === 1 ? reference : points(reference, d);
    const options: DtwOptions = {
      window: [undefined, 3, 10][trial % 3],
      cost: trial % 2 === 0 ? "squared" : "absolute",
      multivariate: trial % 8 < 4 ? "dependent" : "independent",
      precision: trial % 6 === 5 ? "f32" : "f64",
      cutoff: trial % 5 === 4 ? 30 : Infinity,
    };
    if (options.multivariate === "independent") options.window ??= 5;
    const k = [1, 5, 40][trial % 3];
    const label = `trial ${trial} ${JSON.stringify({ d, k, ...options })}`;
    const batch = dtwBatch(ref, patterns, options);
    const best = topK(ref, patterns, { ...options, k });
    // Groups of one pattern, of about 100 and 300 values.
    for (const values of [1, 100 * d, 300 * d]) {
      assert.deepEqual(
        grouped(values, () => dtwBatch(ref, patterns, options)),
        batch,
        `${label}, groups of ${values}`,
      );
      const stats = {} as TopKStats;
      assert.deepEqual(
        grouped(values, () => topK(ref, patterns, { ...options, k, stats })),
        best,
        `${label}, groups of ${values}`,
      );
      assert.equal(
        stats.prunedByKim + stats.prunedByKeogh + stats.abandoned +
          stats.computed,
        patterns.length,
        label,
      );
    }
  }
  // The reference: exact distances, ties by index.
  const reference = randomWalk(40, random);
  const patterns = randomWalks(50, random, 10, 60);
  patterns.push(patterns[3], patterns[17]);
  const all = patterns.map((p, index) => ({
    index,
    distance: dtw(reference, p, { window: 4 }),
  })).sort((a, b) => a.distance - b.distance || a.index - b.index);
  assert.deepEqual(
    grouped(120, () => topK(reference, patterns, { k: 10, window: 4 })),
    all.slice(0, 10),
  );
  // No patterns.
  assert.deepEqual(grouped(10, () => topK(reference, [], { k: 3 })), []);
  assert.deepEqual(
    grouped(10, () => dtwBatch(reference, [])),
    new Float64Array(0),
  );
  // A bad element in a later group is named by its index.
  const bad = patterns.map((p) => Array.from(p));
  bad[45][2] = NaN;
  assert.throws(
    () => grouped(100, () => topK(reference, bad, { k: 2 })),
    (e) => e instanceof TypeError && e.message.includes("patterns[45][2]"),
  );
});

Deno.test("WorkerPool.topK and dtwBatch stage at most a group of values per part", async () => {
  await using pool = new WorkerPool({ workers: 2 });
  const random = rng(62);
  const reference = randomWalk(50, random);
  const patterns = randomWalks(300, random, 10, 100);
  const options = { window: 5, k: 7 };
  const best = topK(reference, patterns, options);
  const batch = dtwBatch(reference, patterns, { window: 5 });
  const before = patternGroupValues(500);
  try {
    assert.deepEqual(await pool.topK(reference, patterns, options), best);
    assert.deepEqual(
      await pool.dtwBatch(reference, patterns, { window: 5 }),
      batch,
    );
  } finally {
    patternGroupValues(before);
  }
});
