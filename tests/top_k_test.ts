// Copyright 2026 the @midstreamer/kit authors. MIT license.

import assert from "node:assert/strict";
import {
  dtw,
  type DtwOptions,
  type Match,
  topK,
  type TopKStats,
} from "@midstreamer/kit";
import { originalDtw } from "./_dtw_reference.ts";
import { randInt, randomWalk, randomWalks, rng } from "./_rng.ts";

/** Brute force: every distance with the baseline, sorted by (distance, index), cut to k. */
function bruteTopK(
  ref: ArrayLike<number>,
  patterns: ArrayLike<number>[],
  k: number,
  window?: number,
  cutoff = Infinity,
): Match[] {
  return patterns
    .map((p, index) => {
      const d = originalDtw(ref, p, window);
      return { index, distance: d > cutoff ? Infinity : d };
    })
    .sort((a, b) => a.distance - b.distance || a.index - b.index)
    .slice(0, k);
}

Deno.test("topK equals brute force, with ties, windows and unequal lengths", () => {
  const random = rng(21);
  for (let trial = 0; trial < 16; trial++) {
    const ref = randomWalk(randInt(random, 1, 50), random);
    const base = randomWalks(30, random, 0, 55);
    // Duplicates make exact ties, also at the k-th place.
    const patterns = [...base, ...base.slice(0, 12), ...base.slice(3, 9)];
    const k = [1, 3, 10, 17, 48, 100][trial % 6];
    const window = trial % 2 ? randInt(random, 0, 10) : undefined;
    const options: DtwOptions = window === undefined ? {} : { window };
    const stats = {} as TopKStats;
    const got = topK(ref, patterns, k, { ...options, stats });
    assert.deepEqual(
      got,
      bruteTopK(ref, patterns, k, window),
      `trial ${trial}`,
    );
    assert.equal(
      stats.prunedByKim + stats.prunedByKeogh + stats.abandoned +
        stats.computed,
      patterns.length,
    );
  }
});

Deno.test("topK prunes random walks and keeps the brute-force answer", () => {
  const random = rng(22);
  const ref = randomWalk(200, random);
  const patterns = randomWalks(300, random, 200);
  const stats = {} as TopKStats;
  assert.deepEqual(
    topK(ref, patterns, 10, { stats }),
    bruteTopK(ref, patterns, 10),
  );
  assert.ok(
    stats.prunedByKim + stats.prunedByKeogh + stats.abandoned > 200,
    JSON.stringify(stats),
  );
  assert.deepEqual(
    topK(ref, patterns, 5, { window: 10 }),
    bruteTopK(ref, patterns, 5, 10),
  );
});

Deno.test("topK on equal-length patterns (streaming lanes) keeps ties exact", () => {
  const random = rng(24);
  const ref = randomWalk(64, random);
  const base = randomWalks(40, random, 64);
  const patterns = [...base, ...base.slice(5, 25), ...base.slice(0, 9)];
  for (const options of [{}, { cost: "squared" as const }, { cutoff: 60 }]) {
    const brute = patterns
      .map((p, index) => ({ index, distance: dtw(ref, p, options) }))
      .sort((a, b) => a.distance - b.distance || a.index - b.index);
    for (const k of [1, 2, 7, 30, 69, 80]) {
      assert.deepEqual(
        topK(ref, patterns, k, options),
        brute.slice(0, k),
        `k ${k} ${JSON.stringify(options)}`,
      );
    }
  }
});

Deno.test("topK with cutoff and squared cost matches brute force over dtw", () => {
  const random = rng(23);
  const ref = randomWalk(40, random);
  const patterns = randomWalks(40, random, 30, 50);
  const all = bruteTopK(ref, patterns, 40);
  const cutoff = all[6].distance; // ties with the cutoff are kept
  assert.deepEqual(
    topK(ref, patterns, 10, { cutoff }),
    bruteTopK(ref, patterns, 10, undefined, cutoff),
  );
  assert.equal(
    topK(ref, patterns, 10, { cutoff }).filter((m) => m.distance < Infinity)
      .length,
    7,
  );
  const sq = { cost: "squared" as const, window: 4 };
  const brute = patterns
    .map((p, index) => ({ index, distance: dtw(ref, p, sq) }))
    .sort((a, b) => a.distance - b.distance || a.index - b.index);
  assert.deepEqual(topK(ref, patterns, 8, sq), brute.slice(0, 8));
});

Deno.test("topK: k above the count returns all; empty list gives []", () => {
  assert.deepEqual(topK([1, 2], [[1, 2], [0]], 5), [
    { index: 0, distance: 0 },
    { index: 1, distance: 3 },
  ]);
  assert.deepEqual(topK([1, 2], [], 3), []);
  assert.deepEqual(topK([1, 2], [[5], [1, 2]], Infinity).map((m) => m.index), [
    1,
    0,
  ]);
});

Deno.test("topK rejects bad input", () => {
  for (const k of [0, -1, 1.5, NaN]) {
    assert.throws(() => topK([1], [[1]], k), RangeError, String(k));
  }
  for (const k of ["2", null, {}]) {
    assert.throws(() => topK([1], [[1]], k as number), TypeError, String(k));
  }
  assert.throws(
    () => topK([1], [[1], [1, Infinity]], 1),
    (e) => e instanceof TypeError && e.message.includes("patterns[1][1]"),
  );
  assert.throws(() => topK([1], [[1]], 1, { stats: 3 } as never), TypeError);
  assert.throws(() => topK([1], [[1]], 1, { k: 3 } as never), TypeError);
});
