// Copyright 2026 the @midstreamer/kit authors. MIT license.

import assert from "node:assert/strict";
import { dtw, dtwBatch } from "@midstreamer/kit";
import { originalDtw } from "./_dtw_reference.ts";
import { randInt, randomWalk, rng } from "../testing/rng.ts";

Deno.test("dtwBatch equals PureJSDTW for every pattern (mixed lengths, windows)", () => {
  const random = rng(11);
  for (let trial = 0; trial < 12; trial++) {
    const ref = randomWalk(randInt(random, 1, 60), random);
    // Many patterns per length (lane groups) and a few odd lengths (single path).
    const patterns = Array.from(
      { length: 45 },
      (_, i) =>
        randomWalk(i < 40 ? 20 + (i % 3) * 7 : randInt(random, 0, 70), random),
    );
    const window = trial % 3 === 0 ? undefined : randInt(random, 0, 12);
    const got = dtwBatch(
      ref,
      patterns,
      window === undefined ? undefined : { window },
    );
    patterns.forEach((p, i) =>
      assert.equal(got[i], originalDtw(ref, p, window), `pattern ${i}`)
    );
  }
});

Deno.test("dtwBatch equals dtw bit for bit: squared cost, cutoff, narrow bands", () => {
  const random = rng(12);
  const ref = randomWalk(97, random);
  const patterns = Array.from(
    { length: 50 },
    (_, i) => randomWalk(i % 2 ? 97 : 60, random),
  );
  for (
    const options of [
      { cost: "squared" as const },
      { window: 0 },
      { window: 2, cost: "squared" as const },
      { cutoff: 40 },
      { window: 5, cutoff: 20, cost: "squared" as const },
    ]
  ) {
    const got = dtwBatch(ref, patterns, options);
    const want = patterns.map((p) => dtw(ref, p, options));
    assert.deepEqual(Array.from(got), want, JSON.stringify(options));
  }
});

Deno.test("dtwBatch handles empty inputs and single points", () => {
  assert.deepEqual(dtwBatch([1, 2], []), new Float64Array(0));
  assert.deepEqual(Array.from(dtwBatch([], [[], [1]])), [0, Infinity]);
  assert.deepEqual(Array.from(dtwBatch([1, 2, 3], [[], [2], [2], [2], [2]])), [
    Infinity,
    2,
    2,
    2,
    2,
  ]);
});

Deno.test("dtwBatch rejects bad input with the right error", () => {
  assert.throws(() => dtwBatch([1], 5 as never), TypeError);
  assert.throws(
    () => dtwBatch([1], [[1], [2], [3], [1, 2, 3, 4, 5, 6, 7, NaN]]),
    (e) => e instanceof TypeError && e.message.includes("patterns[3][7]"),
  );
  assert.throws(
    () => dtwBatch([1, "x" as never], [[1]]),
    /reference\[1\]/,
  );
  assert.throws(() => dtwBatch([1], [[1]], { window: -1 }), RangeError);
  assert.throws(() => dtwBatch([1], [[1]], { band: 2 } as never), TypeError);
});
