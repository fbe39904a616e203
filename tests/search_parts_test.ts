// Copyright 2026 the @midstreamer/kit authors. MIT license.
// searchSubsequence on a series streamed through WebAssembly memory in
// parts: the same matches as one pass, at every kind of part boundary.

import assert from "node:assert/strict";
import {
  type SearchStats,
  searchSubsequence,
  WorkerPool,
} from "@midstreamer/kit";
import { searchPartWindows } from "../kernels/internal.ts";
import { plantedWalk, randInt, randomWalk, rng } from "../testing/rng.ts";
import { assertCounted, brute, inParts, options } from "./_search_reference.ts";

Deno.test("searchSubsequence in parts equals one pass: both costs, normalized or not, k = 1 and k > 1, exclusion zones wider than a part, matches across part boundaries", () => {
  const random = rng(51);
  let trial = 0;
  for (const normalize of [true, false]) {
    for (const cost of ["absolute", "squared"] as const) {
      for (const k of [1, 3, 7]) {
        const m = [16, 64, 128][trial % 3];
        const n = randInt(random, 6000, 9000);
        const q = randomWalk(m, random);
        // Copies across the part boundaries at 2,048 and 4,096 (and at
        // 1,024 multiples for parts of 1,024), and one in a part.
        const at = [2048 - (m >> 1), 4096 - 1, 3000];
        const x = plantedWalk(n, q, at, random);
        // Exclusion zones: none, the default, and wider than a part of
        // 1,024 windows and its overlap.
        const exclusionZone = [0, m / 2, 1500][trial % 3];
        const o = { window: Math.floor(m / 10), k, normalize, cost };
        const label = JSON.stringify({ n, m, exclusionZone, ...o });
        const whole = inParts(Infinity, x, q, { ...o, exclusionZone });
        if (exclusionZone < 1500) assert.equal(whole.length, k, label);
        else assert.ok(whole.length >= 3, label); // 9,000 / 1,500 at most
        for (const part of [1024, 2048, 3072]) {
          const stats = {} as SearchStats;
          const got = inParts(part, x, q, { ...o, exclusionZone, stats });
          // Same starts, same distances to the bit, same order.
          assert.deepEqual(got, whole, `${label}, parts of ${part}`);
          assertCounted(stats, n - m + 1, label);
        }
        trial++;
      }
    }
  }
});

Deno.test("searchSubsequence in parts equals brute force on small series (fixed seeds)", () => {
  const random = rng(52);
  for (let trial = 0; trial < 16; trial++) {
    const m = randInt(random, 1, trial < 8 ? 12 : 70);
    const n = randInt(random, 1100, 4200);
    const o = {
      k: randInt(random, 1, 5),
      window: randInt(random, 0, 10),
      exclusionZone: [0, m / 2, 1100, 3][trial % 4],
      squared: trial % 2 === 0,
      normalize: trial % 3 !== 2 && m !== 2, // (m = 2: see the tie test)
    };
    const q = randomWalk(m, random);
    const x = plantedWalk(n, q, m >= 8 ? [1024 - 3, 2040] : [], random);
    const stats = {} as SearchStats;
    const label = `trial ${trial} ${JSON.stringify({ n, m, ...o })}`;
    const got = inParts(1024, x, q, options(o, stats));
    assert.deepEqual(got, brute(x, q, o), label);
    assertCounted(stats, n - m + 1, label);
  }
});

Deno.test("searchSubsequence in parts: window counts a multiple of the part, one off either way, a last part shorter than the query, and k beyond a part", () => {
  const random = rng(53);
  const part = 1024;
  const m = 64;
  const q = randomWalk(m, random);
  const cases: [string, number][] = [
    ["3 parts exactly", 3 * part],
    ["one window fewer", 3 * part - 1],
    ["one window more", 3 * part + 1],
    ["last part of 5 windows, 68 points", 3 * part + 5],
    ["a single window", 1],
  ];
  for (const [label, windows] of cases) {
    const n = windows + m - 1;
    const x = plantedWalk(n, q, windows > 100 ? [windows - 1] : [], random);
    for (const k of [1, 4]) {
      const o = {
        k,
        window: 6,
        exclusionZone: 0,
        squared: true,
        normalize: true,
      };
      const stats = {} as SearchStats;
      const got = inParts(part, x, q, options(o, stats));
      assert.deepEqual(got, brute(x, q, o), `${label}, k ${k}`);
      assertCounted(stats, windows, label);
      if (windows > 100) assert.equal(got[0].start, windows - 1, label);
    }
  }
  // More matches than a part has windows (each part returns all of its
  // windows that may be among them).
  const x = randomWalk(2600, random);
  const o = {
    k: 1500,
    window: 3,
    exclusionZone: 0,
    squared: false,
    normalize: true,
  };
  const small = randomWalk(8, random);
  assert.deepEqual(
    inParts(part, x, small, options(o, {} as SearchStats)),
    brute(x, small, o),
  );
});

Deno.test("searchSubsequence in parts validates each part: a bad element anywhere is named by its index", () => {
  const x = Array.from({ length: 5000 }, (_, i) => Math.sin(i / 7));
  for (const bad of [10, 1100, 4999]) {
    const y = x.slice();
    y[bad] = NaN;
    assert.throws(
      () => inParts(1024, y, x.slice(0, 30), { window: 3 }),
      (e) =>
        e instanceof TypeError && e.message.includes(`series[${bad}] is NaN`),
    );
    // Typed arrays are checked in the kernels' SIMD: the same index, in
    // any part and at any place of a group of eight.
    for (const [v, text] of [[NaN, "NaN"], [-Infinity, "-Infinity"]] as const) {
      for (const at of [bad, bad - 3]) {
        for (const z of [Float64Array.from(x), Float32Array.from(x)]) {
          z[at] = v;
          assert.throws(
            () => inParts(1024, z, x.slice(0, 30), { window: 3 }),
            (e) =>
              e instanceof TypeError &&
              e.message.includes(`series[${at}] is ${text}`),
            `${z.constructor.name} ${at} ${text}`,
          );
        }
      }
    }
  }
  // Typed arrays of every kind are read part by part too.
  const f32 = Float32Array.from(x);
  const i16 = Int16Array.from(x, (v) => Math.round(100 * v));
  for (const s of [f32, i16]) {
    assert.deepEqual(
      inParts(1024, s, Array.from(s.subarray(2000, 2040)), { window: 4, k: 2 }),
      inParts(Infinity, s, Array.from(s.subarray(2000, 2040)), {
        window: 4,
        k: 2,
      }),
    );
  }
});

Deno.test("searchSubsequence searches a series over 2^25 points", () => {
  // The limit of the other kernels' series, which the search no longer
  // has. A Float32Array keeps the test's own memory at 130 MiB.
  const n = 2 ** 25 + 100_000;
  const random = rng(54);
  const x = new Float32Array(n);
  let v = 0;
  for (let i = 0; i < n; i++) x[i] = v += random() - 0.5;
  const at = n - 5000;
  const q = Array.from(x.subarray(at, at + 128), (y) => 2 * y + 1);
  const stats = {} as SearchStats;
  const [best] = searchSubsequence(x, q, { window: 12, stats });
  assert.equal(best.start, at);
  assert.ok(best.distance < 1e-6);
  assertCounted(stats, n - 127, "2^25 + 100,000 points");
});

Deno.test("WorkerPool.searchSubsequence in parts equals one pass", async () => {
  await using pool = new WorkerPool({ workers: 2 });
  const random = rng(55);
  const m = 40;
  const q = randomWalk(m, random);
  const x = plantedWalk(20_000, q, [1024 * 5 - 20, 9000], random);
  for (
    const o of [
      { window: 4, k: 3 },
      { window: 4, k: 2, exclusionZone: 3000, cost: "squared" as const },
      { window: 2, k: 5, normalize: false, exclusionZone: 0 },
    ]
  ) {
    const whole = inParts(Infinity, x, q, o);
    const before = searchPartWindows(1024);
    try {
      const stats = {} as SearchStats;
      assert.deepEqual(
        await pool.searchSubsequence(x, q, { ...o, stats }),
        whole,
      );
      assertCounted(stats, x.length - m + 1, JSON.stringify(o));
      // A plain array, validated part by part as the parts are handed out.
      const plain = Array.from(x);
      assert.deepEqual(await pool.searchSubsequence(plain, q, o), whole);
      plain[15_000] = Infinity;
      await assert.rejects(
        pool.searchSubsequence(plain, q, o),
        (e) => e instanceof TypeError && e.message.includes("series[15000]"),
      );
    } finally {
      searchPartWindows(before);
    }
  }
});
