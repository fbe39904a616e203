// Copyright 2026 the @midstreamer/kit authors. MIT license.
// The fast paths of the subsequence search kernel (`rust/src/search.rs`),
// each reached directly through `search_f64`'s `strategy` bits: with the
// path and without it, against a naive reference (every window normalized
// as the kernel documents it, written here, then the full-matrix DTW).

import assert from "node:assert/strict";
import {
  f64Heap,
  scratch,
  Slot,
  stagedNonFinite,
} from "../kernels/internal.ts";
import { plantedWalk, randomWalk, rng } from "../testing/rng.ts";
import { fullMatrixDtw } from "./_dtw_reference.ts";
import { rawSearch, type RawSearchArgs, SEARCH_PATH } from "./_raw_kernels.ts";
import { greedy, type RawCase as Case } from "./_search_reference.ts";

/** Window starts between exact recomputations of the running sums. */
const RESET = 1024;

/** Mean and deviation from the sums, `(0, +inf)` for a flat window. */
function norm(s1: number, s2: number, m: number): [number, number] {
  const mean = s1 / m;
  const v = s2 / m - mean * mean;
  return v > 1e-10 * (s2 / m) ? [mean, Math.sqrt(v)] : [0, Infinity];
}

/**
 * Every window of `x` z-normalized as the kernel does: running sums
 * `S1 + x_new - x_old`, `S2 + x_new² - x_old²`, recomputed from scratch at
 * every start that is a multiple of 1,024.
 */
function kernelWindows(x: Float64Array, m: number): Float64Array[] {
  const out: Float64Array[] = [];
  let s1 = 0, s2 = 0;
  for (let p = 0; p + m <= x.length; p++) {
    if (p % RESET === 0) {
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
    const [mean, sd] = norm(s1, s2, m);
    out.push(Float64Array.from(x.subarray(p, p + m), (v) => (v - mean) / sd));
  }
  return out;
}

/** Every window's distance to `q`, normalized as the kernel does. */
function distances(x: Float64Array, q: Float64Array, a: RawSearchArgs) {
  const m = q.length;
  let s1 = 0, s2 = 0;
  for (const v of q) {
    s1 += v;
    s2 += v * v;
  }
  const [mean, sd] = norm(s1, s2, m);
  const qz = q.map((v) => (v - mean) / sd);
  const cost = a.squared ? "squared" : "absolute";
  return kernelWindows(x, m).map((z) =>
    fullMatrixDtw(z, qz, { window: a.window ?? Infinity, cost })
  );
}

/**
 * Runs each case with and without the fast path `path` and checks both
 * against the reference: the matches, and every candidate's distance bit
 * for bit. Both must count the same prunings (the kernel makes the
 * decisions of a window-by-window pipeline). `reached` checks from the
 * counters that the case exercises the path.
 */
function checkPath(
  path: number,
  cases: Case[],
  reached: (stats: number[]) => boolean,
) {
  for (const [i, { x, q, a }] of cases.entries()) {
    const d = distances(x, q, a);
    const want = greedy(d.map((v, p) => [p, v]), a.k, a.ez);
    const counts: number[][] = [];
    for (const strategy of [0, path]) {
      const what = `case ${i} (n ${x.length}, m ${q.length}, ${
        JSON.stringify(a)
      }), strategy ${strategy}`;
      const got = rawSearch(x, q, a, strategy);
      assert.ok(got !== undefined, what);
      assert.deepEqual(greedy(got.candidates, a.k, a.ez), want, what);
      assert.ok(got.candidates.length >= a.k, what);
      for (const [p, v] of got.candidates) assert.equal(v, d[p], what);
      assert.equal(
        got.stats.reduce((s, v) => s + v),
        x.length - q.length + 1,
        what,
      );
      counts.push(got.stats);
    }
    assert.ok(
      reached(counts[0]),
      `case ${i}: the path is not reached (${counts[0]})`,
    );
    assert.deepEqual(counts[0], counts[1], `case ${i}: counters`);
  }
}

function args(
  window: number | undefined,
  k: number,
  ez: number,
  squared: boolean,
): RawSearchArgs {
  return { window, squared, normalize: true, k, ez, base: 0, t0: Infinity };
}

Deno.test("search_f64: LB_Kim of two windows at once, and one at a time", () => {
  const random = rng(201);
  // Query lengths with every LB_Kim level count (1 level below 6 points);
  // odd window counts, so that the last window of a block goes alone.
  const cases = [2, 3, 5, 6, 7, 64, 65].map((m, i) => {
    const q = randomWalk(m, random);
    const at = m > 8 ? [700, 1500] : [];
    const x = plantedWalk(2047 + 2 * i + m, q, at, random);
    return { x, q, a: args(Math.ceil(m / 10), 2, m / 2, i % 2 === 0) };
  });
  checkPath(SEARCH_PATH.scalarKim, cases, (s) => s[0] >= 100);
});

Deno.test("search_f64: DTWs that skip dead cells, and full DTWs", () => {
  const random = rng(202);
  // Many near copies of the query: many DTWs run far into the matrix or
  // to the end with cells skipped on both sides. Bands of one stripe and
  // wider, no band; an odd number of rows; both costs.
  const cases = [[40, 2], [41, 9], [97, 20], [150, undefined], [129, 6]].map(
    ([m, window], i) => {
      const q = randomWalk(m!, random);
      const at = Array.from({ length: 12 }, (_, j) => 60 + j * (m! + 37));
      const x = plantedWalk(at[11] + m! + 300 + i, q, at, random);
      return { x, q, a: args(window, 8, m! / 4, i % 2 === 1) };
    },
  );
  checkPath(SEARCH_PATH.unprunedDtw, cases, (s) => s[3] + s[4] >= 12);
});

Deno.test("search_f64: the series' envelope piece by piece, and at once", () => {
  const random = rng(203);
  // Several envelope pieces of 4,096 windows with windows reaching
  // LB_Keogh EC in each; bands from none to the whole query.
  const cases = [[16, 0], [16, 3], [33, 33], [20, 40]].map(([m, w], i) => {
    const q = randomWalk(m, random);
    const at = Array.from({ length: 10 }, (_, j) => 200 + j * 1500);
    const x = plantedWalk(15000 + 3 * i + 1, q, at, random);
    return { x, q, a: args(w, 3, m / 2, i % 2 === 0) };
  });
  checkPath(
    SEARCH_PATH.wholeEnvelope,
    cases,
    (s) => s[2] + s[3] + s[4] > 10,
  );
});

Deno.test("search_f64: unknown strategy bits are refused", () => {
  const x = randomWalk(50, rng(204)), q = x.slice(10, 20);
  assert.equal(rawSearch(x, q, args(2, 1, 5, true), 64), undefined);
  assert.equal(rawSearch(x, q, args(2, 1, 5, true), 3), undefined);
  const all = SEARCH_PATH.scalarKim | SEARCH_PATH.unprunedDtw |
    SEARCH_PATH.wholeEnvelope | SEARCH_PATH.sharedBound;
  assert.ok(rawSearch(x, q, args(2, 1, 5, true), all | 2) !== undefined);
});

Deno.test("first_non_finite: the first NaN or infinity of a staged series, eight values at a time and one by one, against a scalar scan", () => {
  const random = rng(205);
  const specials = [NaN, Infinity, -Infinity];
  let found = 0;
  // Lengths around the 8-value steps; 0 to 3 non-finite values anywhere,
  // among finite values as large as f64 goes; staged at 8-byte offsets
  // that are and are not 16-byte aligned.
  for (let n = 0; n <= 41; n++) {
    for (let trial = 0; trial < 6; trial++) {
      const x = Float64Array.from(
        { length: n },
        () => (random() - 0.5) * (trial === 5 ? Number.MAX_VALUE : 100),
      );
      for (let s = Math.floor(random() * 4); s > 0 && n > 0; s--) {
        x[Math.floor(random() * n)] = specials[Math.floor(random() * 3)];
      }
      let want = -1;
      for (let i = 0; i < n && want < 0; i++) {
        if (!Number.isFinite(x[i])) want = i;
      }
      const shift = trial % 2;
      const px = scratch(Slot.A, (n + 1) * 8) + 8 * shift;
      f64Heap().set(x, px >>> 3);
      assert.equal(
        stagedNonFinite(px, n),
        want,
        `n ${n}, trial ${trial}: ${x}`,
      );
      if (want >= 0) found++;
    }
  }
  assert.ok(found > 100, `${found} series with a non-finite value`);
});
