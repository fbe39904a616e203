// Copyright 2026 the @midstreamer/kit authors. MIT license.

import assert from "node:assert/strict";
import {
  type Match,
  type SearchOptions,
  type SearchStats,
  searchSubsequence,
} from "@midstreamer/kit";
import { searchArgs } from "../kernels/_search_input.ts";
import {
  searchPacked,
  SearchPath,
  selectMatches,
} from "../kernels/_search_kernels.ts";
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

interface BruteOptions {
  k: number;
  window: number;
  exclusionZone: number;
  squared: boolean;
  normalize: boolean;
}

/** Every window's distance, by brute force. */
function bruteDistances(
  x: Float64Array,
  q: Float64Array,
  o: BruteOptions,
): number[] {
  const qz = normalizedQuery(q, o.normalize);
  return normalizedWindows(x, q.length, o.normalize).map((z) =>
    o.squared ? squaredDtw(z, qz, o.window) : typedArrayDtw(z, qz, o.window)
  );
}

/** Brute force: every window's distance, then the exclusion-zone greedy. */
function brute(
  x: Float64Array,
  q: Float64Array,
  o: BruteOptions,
  distances: number[] = bruteDistances(x, q, o),
): Match[] {
  const all = distances.map((distance, index) => ({ index, distance }))
    .sort((a, b) => a.distance - b.distance || a.index - b.index);
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

/** Options of {@linkcode searchSubsequence} for brute-force options. */
function searchOptions(o: BruteOptions, stats?: SearchStats): SearchOptions {
  return {
    k: o.k,
    window: o.window,
    exclusionZone: o.exclusionZone,
    cost: o.squared ? "squared" : "absolute",
    normalize: o.normalize,
    stats,
  };
}

/** A walk with noisy, rescaled copies of `q` planted at `at`. */
function plantedWalk(
  n: number,
  q: Float64Array,
  at: number[],
  random: () => number,
): Float64Array {
  const x = randomWalk(n, random);
  for (const p of at) {
    const scale = 0.5 + 2 * random(), shift = 10 * (random() - 0.5);
    for (let i = 0; i < q.length; i++) {
      x[p + i] = scale * q[i] + shift + 0.05 * (random() - 0.5);
    }
  }
  return x;
}

Deno.test("searchSubsequence equals brute force: queries of 1-8, 63-65 and 127-129 points", () => {
  const random = rng(34);
  const lengths = [1, 2, 3, 4, 5, 6, 7, 8, 63, 64, 65, 127, 128, 129];
  for (const [trial, m] of lengths.entries()) {
    // Window counts that are no multiple of any block of the kernel (two
    // windows per LB_Kim, 1,024 between exact sums, 4,096 per envelope
    // piece, 8 rows per DTW stripe), crossing block boundaries; the short
    // queries get more than one envelope piece.
    const windows = m <= 8 ? 4096 + 1024 + 2 * trial + 1 : 1024 + 8 * trial + 3;
    const n = windows + m - 1;
    const o: BruteOptions = {
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
    const got = searchSubsequence(x, q, searchOptions(o, stats));
    const label = `m ${m} n ${n} ${JSON.stringify(o)}`;
    assert.deepEqual(got, brute(x, q, o), label);
    const counted = stats.prunedByKim + stats.prunedByKeoghEQ +
      stats.prunedByKeoghEC + stats.abandoned + stats.computed;
    assert.equal(counted, windows, label);
  }
});

/**
 * Runs the search kernel with `strategy` (fast paths off) and checks it
 * against the brute force: the matches, and every candidate's distance bit
 * for bit. Returns the counters.
 */
function checkStrategy(
  x: Float64Array,
  q: Float64Array,
  o: BruteOptions,
  distances: number[],
  strategy: number,
  label: string,
): number[] {
  const args = searchArgs("test", x.length, q.length, searchOptions(o));
  const r = searchPacked(x, 0, q, args, Infinity, strategy);
  const l = `${label} strategy ${strategy}`;
  assert.deepEqual(
    selectMatches([r.candidates], o.k, o.exclusionZone),
    brute(x, q, o, distances),
    l,
  );
  assert.ok(r.candidates.length >= 2 * o.k, l);
  for (let c = 0; c < r.candidates.length; c += 2) {
    assert.equal(r.candidates[c + 1], distances[r.candidates[c]], l);
  }
  return r.stats;
}

/**
 * Checks that turning the fast path `path` off changes neither the result
 * nor the counters, on searches made by `inputs`.
 */
function checkPath(
  path: SearchPath,
  inputs: Array<{ x: Float64Array; q: Float64Array; o: BruteOptions }>,
  reached: (stats: number[]) => boolean,
) {
  for (const [i, { x, q, o }] of inputs.entries()) {
    const label = `input ${i}: n ${x.length} m ${q.length} ${
      JSON.stringify(o)
    }`;
    const distances = bruteDistances(x, q, o);
    const fast = checkStrategy(x, q, o, distances, 0, label);
    assert.ok(reached(fast), `${label}: the fast path is not reached`);
    const slow = checkStrategy(x, q, o, distances, path, label);
    // A window-by-window pipeline: the same counts either way.
    assert.deepEqual(fast, slow, label);
  }
}

Deno.test("search kernel: LB_Kim of two windows at once equals one at a time", () => {
  const random = rng(35);
  const inputs = [2, 3, 5, 6, 7, 64, 65].map((m, i) => {
    const q = randomWalk(m, random);
    // Odd window counts: the last window of a block goes alone.
    const x = plantedWalk(
      2047 + 2 * i + m,
      q,
      m > 8 ? [700, 1500] : [],
      random,
    );
    const o = {
      k: 2,
      window: Math.ceil(m / 10),
      exclusionZone: m / 2,
      squared: i % 2 === 0,
      normalize: i !== 3,
    };
    return { x, q, o };
  });
  checkPath(SearchPath.ScalarKim, inputs, (s) => s[0] > 0);
});

Deno.test("search kernel: DTWs that skip dead cells equal full DTWs", () => {
  const random = rng(36);
  // Many near copies of the query, so that many DTWs run to the end or
  // far into the matrix with cells skipped on both sides; bands from one
  // stripe wide to none, an odd number of rows.
  const inputs = [[40, 2], [41, 9], [97, 20], [150, 150], [129, 6]].map(
    ([m, window], i) => {
      const q = randomWalk(m, random);
      const at = Array.from({ length: 12 }, (_, j) => 60 + j * (m + 37));
      const x = plantedWalk(at[11] + m + 300 + i, q, at, random);
      const o = {
        k: 8,
        window,
        exclusionZone: m / 4,
        squared: i % 2 === 1,
        normalize: true,
      };
      return { x, q, o };
    },
  );
  checkPath(SearchPath.UnprunedDtw, inputs, (s) => s[3] + s[4] >= 12);
});

Deno.test("search kernel: the envelope piece by piece equals the whole one", () => {
  const random = rng(37);
  // Several envelope pieces of 4,096 windows, windows reaching LB_Keogh EC
  // in each; bands from 0 to the whole query.
  const inputs = [[16, 0], [16, 3], [33, 33], [20, 40]].map(
    ([m, window], i) => {
      const q = randomWalk(m, random);
      const at = Array.from({ length: 10 }, (_, j) => 200 + j * 1500);
      const x = plantedWalk(15000 + 3 * i + 1, q, at, random);
      const o = {
        k: 3,
        window,
        exclusionZone: m / 2,
        squared: i % 2 === 0,
        normalize: i !== 2,
      };
      return { x, q, o };
    },
  );
  checkPath(
    SearchPath.WholeEnvelope,
    inputs,
    (s) => s[3] + s[4] + s[2] > 10,
  );
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
