// Copyright 2026 the @midstreamer/kit authors. MIT license.

import assert from "node:assert/strict";
import {
  type Match,
  type SearchStats,
  searchSubsequence,
} from "@midstreamer/kit";
import { typedArrayDtw } from "@midstreamer/kit/baseline";
import { randInt, randomWalk, rng } from "./_rng.ts";

// The documented normalization, written out independently.
function norm(s1: number, s2: number, m: number): [number, number] {
  const mean = s1 / m;
  const v = s2 / m - mean * mean;
  return v > 1e-10 * (s2 / m) ? [mean, Math.sqrt(v)] : [0, Infinity];
}

function normalizedWindows(
  x: Float64Array,
  m: number,
  normalize: boolean,
): Float64Array[] {
  const out: Float64Array[] = [];
  let s1 = 0, s2 = 0;
  for (let p = 0; p + m <= x.length; p++) {
    if (p % 1024 === 0) {
      s1 = 0;
      s2 = 0;
      for (let i = p; i < p + m; i++) {
        s1 += x[i];
        s2 += x[i] * x[i];
      }
    } else {
      const xn = x[p + m - 1], xo = x[p - 1];
      s1 = s1 + xn - xo;
      s2 = s2 + xn * xn - xo * xo;
    }
    const [mean, sd] = normalize ? norm(s1, s2, m) : [0, 1];
    out.push(Float64Array.from(x.subarray(p, p + m), (v) => (v - mean) / sd));
  }
  return out;
}

function normalizedQuery(q: Float64Array, normalize: boolean): Float64Array {
  let s1 = 0, s2 = 0;
  for (const v of q) {
    s1 += v;
    s2 += v * v;
  }
  const [mean, sd] = normalize ? norm(s1, s2, q.length) : [0, 1];
  return q.map((v) => (v - mean) / sd);
}

/** Banded DTW with the squared cost (two rows). */
function squaredDtw(a: Float64Array, b: Float64Array, w: number): number {
  const m = b.length;
  let prev = new Float64Array(m + 1).fill(Infinity);
  let cur = new Float64Array(m + 1);
  prev[0] = 0;
  for (let i = 1; i <= a.length; i++) {
    cur.fill(Infinity);
    for (let j = Math.max(1, i - w); j <= Math.min(m, i + w); j++) {
      const d = a[i - 1] - b[j - 1];
      cur[j] = d * d + Math.min(prev[j], prev[j - 1], cur[j - 1]);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[m];
}

/** Brute force: every window's distance, then the exclusion-zone greedy. */
function brute(
  x: Float64Array,
  q: Float64Array,
  o: {
    k: number;
    window: number;
    exclusionZone: number;
    squared: boolean;
    normalize: boolean;
  },
): Match[] {
  const qz = normalizedQuery(q, o.normalize);
  const all = normalizedWindows(x, q.length, o.normalize).map((z, index) => ({
    index,
    distance: o.squared
      ? squaredDtw(z, qz, o.window)
      : typedArrayDtw(z, qz, o.window),
  })).sort((a, b) => a.distance - b.distance || a.index - b.index);
  const picked: Match[] = [];
  for (const c of all) {
    if (picked.length === o.k) break;
    if (picked.every((p) => Math.abs(p.index - c.index) >= o.exclusionZone)) {
      picked.push(c);
    }
  }
  return picked;
}

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
    const got = searchSubsequence(x, q, {
      k: o.k,
      window: o.window,
      exclusionZone: o.exclusionZone,
      cost: o.squared ? "squared" : "absolute",
      normalize: o.normalize,
      stats,
    });
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

Deno.test("searchSubsequence: defaults, flat windows and ties", () => {
  const random = rng(32);
  const x = randomWalk(1500, random);
  const q = randomWalk(40, random);
  // Default: k 1, 10% band, squared cost, exclusion zone m / 2.
  assert.deepEqual(
    searchSubsequence(x, q),
    brute(x, q, {
      k: 1,
      window: 4,
      exclusionZone: 20,
      squared: true,
      normalize: true,
    }),
  );
  // A flat series: every window normalizes to zeros, all distances tie.
  const flat = new Float64Array(300).fill(7);
  const got = searchSubsequence(flat, q, { k: 4 });
  assert.deepEqual(got.map((m) => m.index), [0, 20, 40, 60]);
  assert.ok(got.every((m) => m.distance === got[0].distance));
  // Query as long as the series: one window.
  assert.equal(searchSubsequence(q, q, { k: 3 }).length, 1);
});

Deno.test("searchSubsequence finds a planted, rescaled copy", () => {
  const random = rng(33);
  const x = randomWalk(20000, random);
  const q = x.slice(12345, 12345 + 128).map((v) => 2 * v - 40);
  const [best] = searchSubsequence(x, q, { window: 6 });
  assert.equal(best.index, 12345);
  assert.ok(best.distance < 1e-9);
});

Deno.test("searchSubsequence rejects bad input", () => {
  assert.throws(() => searchSubsequence([1, 2], [1, 2, 3]), RangeError);
  assert.throws(() => searchSubsequence([1, 2], []), RangeError);
  assert.throws(() => searchSubsequence([1, 2, 3], [1], { k: 0 }), RangeError);
  assert.throws(
    () => searchSubsequence([1, 2, 3], [1], { k: 2.5 }),
    RangeError,
  );
  assert.throws(
    () => searchSubsequence([1, 2, 3], [1], { exclusionZone: -1 }),
    RangeError,
  );
  assert.throws(
    () => searchSubsequence([1, 2, 3], [1], { window: 1.5 }),
    RangeError,
  );
  assert.throws(
    () => searchSubsequence([1, 2, 3], [1], { exclusionZone: "2" } as never),
    TypeError,
  );
  assert.throws(
    () => searchSubsequence([1, 2, 3], [1], { k: "2" } as never),
    TypeError,
  );
  assert.throws(
    () => searchSubsequence([1, 2, 3], [1], { normalize: "yes" } as never),
    TypeError,
  );
  assert.throws(
    () => searchSubsequence([1, 2, 3], [1], { cutoff: 3 } as never),
    TypeError,
  );
  assert.throws(
    () => searchSubsequence([1, 2, NaN], [1]),
    (e) => e instanceof TypeError && e.message.includes("series[2]"),
  );
});
