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
import { randInt, randomWalk, randomWalks, rng } from "../testing/rng.ts";

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
    const got = topK(ref, patterns, { ...options, k, stats });
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
    topK(ref, patterns, { k: 10, stats }),
    bruteTopK(ref, patterns, 10),
  );
  assert.ok(
    stats.prunedByKim + stats.prunedByKeogh + stats.abandoned > 200,
    JSON.stringify(stats),
  );
  assert.deepEqual(
    topK(ref, patterns, { k: 5, window: 10 }),
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
        topK(ref, patterns, { ...options, k }),
        brute.slice(0, k),
        `k ${k} ${JSON.stringify(options)}`,
      );
    }
  }
});

Deno.test("topK screens in f32 but stays exact: near ties, large offsets", () => {
  // Equal lengths, no band and k small: the f32 screening path. Distances
  // that differ far below f32's precision must still come out exact.
  const random = rng(25);
  for (const offset of [0, 1e5, 3e9, 1e16]) {
    const ref = randomWalk(96, random).map((x) => x + offset);
    const base = randomWalks(12, random, 96).map((p) =>
      p.map((x) => x + offset)
    );
    const patterns = base.flatMap((p) => [
      p,
      p.map((x, i) => (i === 40 ? x + 1e-9 * Math.max(1, offset) : x)),
      p.map((x, i) => (i === 7 ? x - 3e-10 * Math.max(1, offset) : x)),
    ]);
    for (const options of [{}, { cost: "squared" as const }]) {
      const brute = patterns
        .map((p, index) => ({ index, distance: dtw(ref, p, options) }))
        .sort((a, b) => a.distance - b.distance || a.index - b.index);
      for (const k of [1, 3, 8]) {
        assert.deepEqual(
          topK(ref, patterns, { ...options, k }),
          brute.slice(0, k),
          `offset ${offset} k ${k} ${JSON.stringify(options)}`,
        );
      }
    }
  }
});

/** DTW in f32 as `rust/src/screen.rs` computes it (round after each step). */
function f32Dtw(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  squared: boolean,
): number {
  const f = Math.fround;
  let prev = new Array<number>(b.length + 1).fill(Infinity);
  prev[0] = 0;
  for (let i = 0; i < a.length; i++) {
    const cur = new Array<number>(b.length + 1).fill(Infinity);
    for (let j = 0; j < b.length; j++) {
      const d = f(f(a[i]) - f(b[j]));
      const c = squared ? f(d * d) : Math.abs(d);
      cur[j + 1] = f(c + Math.min(prev[j], prev[j + 1], cur[j]));
    }
    prev = cur;
    prev[0] = Infinity;
  }
  return prev[b.length];
}

Deno.test("topK's f32 screening, four rows per sweep: lengths of every residue", () => {
  // The screening sweeps four reference rows at a time, and fewer when a
  // lane has fewer rows left (lengths not a multiple of four, and lanes
  // that start out of step with others). Every length pair here takes the
  // screening path. Results equal brute force whatever the screening
  // drops, as survivors are recomputed in f64; so on the longer series the
  // screening must also have dropped most candidates and left few
  // survivors, which a sweep that computed too small values would not.
  const random = rng(63);
  for (const n of [1, 2, 3, 6, 7, 40, 41]) {
    for (const m of [1, 2, 5, 33]) {
      const ref = randomWalk(n, random);
      const patterns = randomWalks(70, random, m);
      for (const options of [{}, { cost: "squared" as const }]) {
        const brute = patterns
          .map((p, index) => ({ index, distance: dtw(ref, p, options) }))
          .sort((a, b) => a.distance - b.distance || a.index - b.index);
        for (const k of [1, 4, 17]) {
          const stats = {} as TopKStats;
          const label = `n ${n} m ${m} k ${k} ${JSON.stringify(options)}`;
          assert.deepEqual(
            topK(ref, patterns, { ...options, k, stats }),
            brute.slice(0, k),
            label,
          );
          if (n >= 40 && m === 33) {
            assert.ok(
              stats.abandoned >= 10,
              `${label}: ${JSON.stringify(stats)}`,
            );
            assert.ok(
              stats.computed <= k + 2,
              `${label}: ${JSON.stringify(stats)}`,
            );
          }
        }
      }
    }
  }
});

Deno.test("topK: duplicated patterns count once in the screening's threshold", () => {
  // Exact duplicates (and so equal bounds) among the first candidates: a
  // threshold that counted one pattern twice would prune the true k-th.
  const random = rng(62);
  const ref = randomWalk(80, random);
  const base = randomWalks(300, random, 80);
  const patterns = [...base, ...base.slice(0, 120)];
  const brute = patterns
    .map((p, index) => ({ index, distance: dtw(ref, p) }))
    .sort((a, b) => a.distance - b.distance || a.index - b.index);
  for (const k of [1, 2, 7, 25, 60]) {
    assert.deepEqual(topK(ref, patterns, { k }), brute.slice(0, k), `k ${k}`);
  }
});

Deno.test("the f32 screening's error bound holds on adversarial inputs", () => {
  // The margins of rust/src/screen.rs: |D64 - D32| <= rel D32 + abs.
  const random = rng(26);
  for (let trial = 0; trial < 60; trial++) {
    const n = randInt(random, 1, 80), m = randInt(random, 1, 80);
    const offset = [0, 1e3, 1e6, 1e9, 1e12, 1e15][trial % 6];
    const scale = [1, 1e-3, 1e4][trial % 3];
    const a = randomWalk(n, random).map((x) => x * scale + offset);
    const b = randomWalk(m, random).map((x) => x * scale - offset / 3);
    const squared = trial % 2 === 1;
    const magnitude = Math.max(...[...a, ...b].map(Math.abs));
    const terms = n + 2 * m + 8;
    const delta = squared ? magnitude ** 2 / 2 ** 18 : magnitude / 2 ** 21;
    const rel = 1.1 * terms / 2 ** 24, abs = terms * delta;
    const d32 = f32Dtw(a, b, squared);
    const d64 = dtw(a, b, { cost: squared ? "squared" : "absolute" });
    assert.ok(
      d32 * (1 - rel) - abs <= d64 && d64 <= d32 * (1 + rel) + abs,
      `trial ${trial}: f32 ${d32}, f64 ${d64}, margin ${rel * d32 + abs}`,
    );
  }
});

Deno.test("topK with cutoff and squared cost matches brute force over dtw", () => {
  const random = rng(23);
  const ref = randomWalk(40, random);
  const patterns = randomWalks(40, random, 30, 50);
  const all = bruteTopK(ref, patterns, 40);
  const cutoff = all[6].distance; // ties with the cutoff are kept
  assert.deepEqual(
    topK(ref, patterns, { k: 10, cutoff }),
    bruteTopK(ref, patterns, 10, undefined, cutoff),
  );
  assert.equal(
    topK(ref, patterns, { k: 10, cutoff }).filter((m) => m.distance < Infinity)
      .length,
    7,
  );
  const sq = { cost: "squared" as const, window: 4 };
  const brute = patterns
    .map((p, index) => ({ index, distance: dtw(ref, p, sq) }))
    .sort((a, b) => a.distance - b.distance || a.index - b.index);
  assert.deepEqual(topK(ref, patterns, { ...sq, k: 8 }), brute.slice(0, 8));
});

Deno.test("topK: k above the count returns all; empty list gives []", () => {
  assert.deepEqual(topK([1, 2], [[1, 2], [0]], { k: 5 }), [
    { index: 0, distance: 0 },
    { index: 1, distance: 3 },
  ]);
  assert.deepEqual(topK([1, 2], [], { k: 3 }), []);
  assert.deepEqual(
    topK([1, 2], [[5], [1, 2]], { k: Infinity }).map((m) => m.index),
    [
      1,
      0,
    ],
  );
});

Deno.test("topK rejects bad input", () => {
  for (const k of [0, -1, 1.5, NaN]) {
    assert.throws(() => topK([1], [[1]], { k }), RangeError, String(k));
  }
  for (const k of ["2", null, {}]) {
    assert.throws(
      () => topK([1], [[1]], { k: k as number }),
      TypeError,
      String(k),
    );
  }
  assert.throws(
    () => topK([1], [[1], [1, Infinity]], { k: 1 }),
    (e) => e instanceof TypeError && e.message.includes("patterns[1][1]"),
  );
  assert.throws(() => topK([1], [[1]], { stats: 3 } as never), TypeError);
  assert.throws(() => topK([1], [[1]], { cutoff: "1" } as never), TypeError);
  assert.throws(() => topK([1], [[1]], { cutoff: NaN }), RangeError);
  assert.throws(() => topK([1], [[1]], { window: "1" } as never), TypeError);
  assert.throws(() => topK([1], [[1]], { kk: 1 } as never), /unknown option/);
  assert.throws(() => topK([1], [[1]], "2" as never), TypeError);
  assert.throws(() => topK([1], [[1]], { k: 1 } as never, {}), TypeError);
});

Deno.test("topK: the deprecated positional k", () => {
  const random = rng(75);
  const ref = randomWalk(30, random);
  const patterns = randomWalks(40, random, 20, 40);
  for (const k of [1, 3, 40, Infinity]) {
    assert.deepEqual(topK(ref, patterns, k), topK(ref, patterns, { k }));
    const stats = {} as TopKStats;
    assert.deepEqual(
      topK(ref, patterns, k, { window: 5, stats }),
      topK(ref, patterns, { k, window: 5 }),
    );
    assert.equal(
      stats.computed + stats.abandoned + stats.prunedByKeogh +
        stats.prunedByKim,
      40,
    );
  }
  for (const k of [0, 1.5]) {
    assert.throws(() => topK([1], [[1]], k), RangeError);
  }
  assert.throws(
    () => topK([1], [[1]], 1, { k: 3 }),
    (e) => e instanceof TypeError && /k is given twice/.test(e.message),
  );
});
