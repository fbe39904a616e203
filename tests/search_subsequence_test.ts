// Copyright 2026 the @midstreamer/kit authors. MIT license.

import assert from "node:assert/strict";
import { type SearchStats, searchSubsequence } from "@midstreamer/kit";
import { plantedWalk, randInt, randomWalk, rng } from "../testing/rng.ts";
import { brute, options } from "./_search_reference.ts";

Deno.test("searchSubsequence equals brute force (fixed seeds)", () => {
  const random = rng(31);
  for (let trial = 0; trial < 24; trial++) {
    const n = randInt(random, 200, 2600);
    // Short queries run scalar rows; from 24 points on, DTW stripes with
    // every tail size, and bands narrower and wider than a stripe.
    const m = randInt(random, 1, trial < 12 ? 60 : 150);
    const o = {
      k: randInt(random, 1, 6),
      window: randInt(random, 0, trial < 12 ? 8 : 40),
      exclusionZone: [0, m / 2, m / 4, 3][trial % 4],
      squared: trial % 2 === 0,
      normalize: trial % 5 !== 4,
    };
    const x = randomWalk(n, random);
    const q = randomWalk(m, random);
    const stats = {} as SearchStats;
    const got = searchSubsequence(x, q, options(o, stats));
    assert.deepEqual(
      got,
      brute(x, q, o),
      `trial ${trial} ${JSON.stringify({ n, m, ...o })}`,
    );
    const counted = stats.prunedByKim + stats.prunedByKeoghEQ +
      stats.prunedByKeoghEC +
      stats.abandoned + stats.computed;
    assert.equal(counted, n - m + 1);
    assert.equal(stats.windows, n - m + 1);
  }
});

Deno.test("searchSubsequence equals brute force: queries of 1-8, 63-65 and 127-129 points", () => {
  const random = rng(36);
  const lengths = [1, 2, 3, 4, 5, 6, 7, 8, 63, 64, 65, 127, 128, 129];
  for (const [trial, m] of lengths.entries()) {
    // Window counts that are no multiple of any block of the kernel (two
    // windows per LB_Kim, 1,024 between exact sums, 4,096 per envelope
    // piece, 8 rows per DTW stripe), crossing block boundaries; the short
    // queries get more than one envelope piece.
    const windows = m <= 8 ? 4096 + 1024 + 2 * trial + 1 : 1024 + 8 * trial + 3;
    const n = windows + m - 1;
    const o = {
      k: 1 + (trial % 4),
      window: [0, 1, Math.floor(m / 10), m][trial % 4],
      exclusionZone: [m / 2, 0, 3, m][trial % 4],
      squared: trial % 2 === 0,
      normalize: trial % 5 !== 4,
    };
    const q = randomWalk(m, random);
    const at = m >= 8 ? [100, Math.floor(windows / 2), windows - 5] : [];
    const x = plantedWalk(n, q, at, random);
    const stats = {} as SearchStats;
    const got = searchSubsequence(x, q, options(o, stats));
    const label = `m ${m} n ${n} ${JSON.stringify(o)}`;
    assert.deepEqual(got, brute(x, q, o), label);
    const counted = stats.prunedByKim + stats.prunedByKeoghEQ +
      stats.prunedByKeoghEC + stats.abandoned + stats.computed;
    assert.equal(counted, windows, label);
  }
});

Deno.test("searchSubsequence ranks windows that tie up to rounding by their exact distances, then start", () => {
  // Two points normalize to ±(1, -1): every window ties at distance 0 or
  // at the same positive distance up to rounding. The kernel's running
  // sums round differently from the two-pass normalization, so its own
  // distances of the tied windows differ by about 1e-16: the matches must
  // still be the lowest starts among the exact ties. (Before the tie
  // tolerance, seed 36 with n 5,124, k 2, window 1, no exclusion zone and
  // the absolute cost returned starts 8 and 15 instead of 5 and 7.)
  const random = rng(36);
  randomWalk(1, random); // (the draws of the 1-8 points test before m = 2)
  plantedWalk(5121, [], [], random);
  const q = randomWalk(2, random);
  const x = plantedWalk(5124, q, [], random);
  const reproducer = {
    k: 2,
    window: 1,
    exclusionZone: 0,
    squared: false,
    normalize: true,
  };
  const stats = {} as SearchStats;
  const got = searchSubsequence(x, q, options(reproducer, stats));
  assert.deepEqual(got, brute(x, q, reproducer));
  assert.deepEqual(got.map((m) => m.start), [5, 7]);
  for (let trial = 0; trial < 12; trial++) {
    const o = {
      k: [1, 2, 5, 40][trial % 4],
      window: trial % 3,
      exclusionZone: [0, 1, 3][trial % 3],
      squared: trial % 2 === 0,
      normalize: true,
    };
    const n = randInt(random, 1000, 3000);
    const m = 2 + (trial % 3); // 3 and 4 points tie less often
    const x = randomWalk(n, random).map((v) => v + 3 * trial);
    const q = randomWalk(m, random);
    const label = `trial ${trial} ${JSON.stringify({ n, m, ...o })}`;
    assert.deepEqual(
      searchSubsequence(x, q, options(o, stats)),
      brute(x, q, o),
      label,
    );
  }
});

Deno.test("searchSubsequence: defaults, flat windows and ties", () => {
  const random = rng(32);
  const x = randomWalk(1500, random);
  const q = randomWalk(40, random);
  // Defaults: k 1, absolute cost, exclusion zone m / 2, normalized.
  assert.deepEqual(
    searchSubsequence(x, q, { window: 4 }),
    brute(x, q, {
      k: 1,
      window: 4,
      exclusionZone: 20,
      squared: false,
      normalize: true,
    }),
  );
  // No band.
  assert.deepEqual(
    searchSubsequence(x, q, { window: Infinity, k: 2 }),
    brute(x, q, {
      k: 2,
      window: 40,
      exclusionZone: 20,
      squared: false,
      normalize: true,
    }),
  );
  // A flat series: every window normalizes to zeros, all distances tie.
  const flat = new Float64Array(300).fill(7);
  const got = searchSubsequence(flat, q, { window: 4, k: 4 });
  assert.deepEqual(got.map((m) => m.start), [0, 20, 40, 60]);
  assert.ok(got.every((m) => m.distance === got[0].distance));
  // Query as long as the series: one window; a query of one point.
  assert.deepEqual(searchSubsequence(q, q, { window: 2, k: 3 }), [
    { start: 0, end: 39, distance: 0 },
  ]);
  assert.deepEqual(
    searchSubsequence([3, 1, 2], [2], { window: 0, normalize: false }),
    [{ start: 2, end: 2, distance: 0 }],
  );
});

Deno.test("searchSubsequence distances are exact where running sums are not", () => {
  // A walk far from zero: the running sums lose low bits, so the kernel's
  // own distances differ from the two-pass ones; the reported distances
  // must equal the two-pass reference to the last bit.
  const random = rng(35);
  for (const offset of [1e4, 1e6]) {
    const x = randomWalk(5000, random).map((v) => v + offset);
    const q = randomWalk(64, random).map((v) => v + offset);
    for (const cost of ["absolute", "squared"] as const) {
      const options = { window: 6, k: 5, cost };
      assert.deepEqual(
        searchSubsequence(x, q, options),
        brute(x, q, {
          k: 5,
          window: 6,
          exclusionZone: 32,
          squared: cost === "squared",
          normalize: true,
        }),
        `offset ${offset}, ${cost}`,
      );
    }
  }
});

Deno.test("searchSubsequence finds a planted, rescaled copy", () => {
  const random = rng(33);
  const x = randomWalk(20000, random);
  const q = x.slice(12345, 12345 + 128).map((v) => 2 * v - 40);
  const [best] = searchSubsequence(x, q, { window: 6 });
  assert.equal(best.start, 12345);
  assert.equal(best.end, 12345 + 127);
  assert.ok(best.distance < 1e-9);
});

Deno.test("searchSubsequence: the deprecated index getter", () => {
  const [best] = searchSubsequence([5, 1, 2, 3, 9], [1, 2, 3], { window: 1 });
  assert.equal(best.start, 1);
  assert.equal(best.index, 1); // deprecated: the start
  assert.deepEqual(Object.keys(best), ["start", "end", "distance"]);
  assert.equal(JSON.stringify(best), '{"start":1,"end":3,"distance":0}');
});

Deno.test("searchSubsequence rejects bad input", () => {
  const w = { window: 1 };
  assert.throws(
    () => searchSubsequence([1, 2, 3], [1], undefined as never),
    (e) =>
      e instanceof TypeError && /window is required/.test(e.message) &&
      /Math\.floor\(query\.length \/ 10\)/.test(e.message),
  );
  assert.throws(
    () => searchSubsequence([1, 2, 3], [1], { k: 2 } as never),
    /window is required/,
  );
  assert.throws(() => searchSubsequence([1, 2], [1, 2, 3], w), RangeError);
  assert.throws(() => searchSubsequence([1, 2], [], w), RangeError);
  assert.throws(
    () => searchSubsequence([1, 2, 3], [1], { ...w, k: 0 }),
    RangeError,
  );
  assert.throws(
    () => searchSubsequence([1, 2, 3], [1], { ...w, k: 2.5 }),
    RangeError,
  );
  assert.throws(
    () => searchSubsequence([1, 2, 3], [1], { ...w, exclusionZone: -1 }),
    RangeError,
  );
  assert.throws(
    () => searchSubsequence([1, 2, 3], [1], { window: 1.5 }),
    RangeError,
  );
  assert.throws(
    () => searchSubsequence([1, 2, 3], [1], { window: "2" } as never),
    TypeError,
  );
  assert.throws(
    () =>
      searchSubsequence([1, 2, 3], [1], { ...w, exclusionZone: "2" } as never),
    TypeError,
  );
  assert.throws(
    () => searchSubsequence([1, 2, 3], [1], { ...w, k: "2" } as never),
    TypeError,
  );
  assert.throws(
    () =>
      searchSubsequence([1, 2, 3], [1], { ...w, normalize: "yes" } as never),
    TypeError,
  );
  assert.throws(
    () => searchSubsequence([1, 2, 3], [1], { ...w, cutoff: 3 } as never),
    TypeError,
  );
  assert.throws(
    () => searchSubsequence([1, 2, NaN], [1], w),
    (e) => e instanceof TypeError && e.message.includes("series[2]"),
  );
});
