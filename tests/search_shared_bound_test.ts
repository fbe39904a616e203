// Copyright 2026 the @midstreamer/kit authors. MIT license.
// The bound that a search shares with the host (the `SHARED_BOUND`
// strategy bit of `search_f64` and `search_dims_f64`, through the module's
// import `kit.exchange_bound`), reached directly: the kernel offers the
// bound of its k-th match at every block of 1,024 window starts and takes
// the host's answer when it is lower. Checked against a brute force
// written elsewhere (`_search_reference.ts`) and against the same search
// started from that bound (`t0`). Fixed seeds.

import assert from "node:assert/strict";
import {
  f64Heap,
  scratch,
  SEARCH_RESET,
  type SearchArgs,
  searchStaged,
  Slot,
} from "../kernels/internal.ts";
import { plantedWalk, randomWalk, rng } from "../testing/rng.ts";
import { rawSearch, SEARCH_PATH } from "./_raw_kernels.ts";
import { brute, greedy, type RawCase as Case } from "./_search_reference.ts";

const SHARED = SEARCH_PATH.sharedBound;

/** An exchange that records the bounds offered and answers with `answer`. */
function recording(answer: (t: number, call: number) => number) {
  const offered: number[] = [];
  return {
    offered,
    exchange: (t: number) => answer(t, offered.push(t) - 1),
  };
}

/**
 * Walks of 1 to 5 blocks of window starts with planted copies of the
 * query; one case not normalized.
 */
function cases(): Case[] {
  const random = rng(1901);
  return [
    [1, 300],
    [7, 1000],
    [64, 2 * SEARCH_RESET + 63],
    [129, 3 * SEARCH_RESET + 500],
    [40, 5 * SEARCH_RESET + 17],
  ].map(([m, n], i) => {
    const q = randomWalk(m, random);
    // Copies late in the series: a bound known from elsewhere prunes the
    // blocks before them.
    const at = m > 8 ? [n - 3 * m, Math.floor(n / 2)] : [];
    const x = plantedWalk(n, q, at, random);
    return {
      x,
      q,
      a: {
        window: Math.ceil(m / 10),
        squared: i % 2 === 0,
        normalize: i !== 2,
        k: i % 3 === 0 ? 1 : 3,
        ez: Math.max(1, m / 2),
        base: 0,
        t0: Infinity,
      },
    };
  });
}

/** The brute force's matches as `[start, distance]`, and its k-th distance. */
function reference({ x, q, a }: Case) {
  const want = brute(x, q, {
    window: a.window ?? Infinity,
    squared: a.squared,
    normalize: a.normalize,
    k: a.k,
    exclusionZone: a.ez,
  });
  return { starts: want.map((w) => w.start), kth: want.at(-1)!.distance };
}

/** Asserts that the candidates' greedy selection is the brute force's. */
function assertMatches(
  got: Array<[number, number]>,
  c: Case,
  starts: number[],
  what: string,
) {
  const sel = greedy(got, c.a.k, c.a.ez);
  assert.deepEqual(sel.map((s) => s[0]), starts, what);
}

const blocks = (c: Case) =>
  Math.ceil((c.x.length - c.q.length + 1) / SEARCH_RESET);

Deno.test("search_f64 with a shared bound: offered once per block, and a host that shares nothing changes nothing", () => {
  for (const [i, c] of cases().entries()) {
    const alone = rawSearch(c.x, c.q, c.a, 0)!;
    for (
      const answer of [
        (t: number) => t,
        () => NaN,
        () => Infinity,
        (t: number) => 2 * t + 1,
        () => -1,
      ]
    ) {
      const r = recording(answer);
      const got = rawSearch(c.x, c.q, c.a, SHARED, r.exchange)!;
      const what = `case ${i}, answer ${answer}`;
      assert.deepEqual(got, alone, what);
      assert.equal(r.offered.length, blocks(c), what);
      // The offers are the search's own bound: it only falls.
      for (let j = 1; j < r.offered.length; j++) {
        assert.ok(r.offered[j] <= r.offered[j - 1], what);
      }
      assert.equal(r.offered[0], Infinity, what);
    }
    // Without the bit, the host is never asked.
    const r = recording((t) => t);
    rawSearch(c.x, c.q, c.a, 0, r.exchange);
    assert.equal(r.offered.length, 0, `case ${i}`);
  }
});

Deno.test("search_f64 with a shared bound: an exchange that throws is thrown once the search returns, and the kernels work on", () => {
  const [c] = cases().slice(3);
  const alone = rawSearch(c.x, c.q, c.a, 0)!;
  let calls = 0;
  const boom = new Error("boom");
  assert.throws(
    () =>
      rawSearch(c.x, c.q, c.a, SHARED, () => {
        calls++;
        throw boom;
      }),
    (e) => e === boom,
  );
  // Asked once: the search ran on with its own bound.
  assert.equal(calls, 1);
  assert.deepEqual(rawSearch(c.x, c.q, c.a, SHARED, (t) => t), alone);
  assert.deepEqual(rawSearch(c.x, c.q, c.a, 0), alone);
});

Deno.test("search_f64 with a shared bound: a bound from the host prunes as the same bound given as t0, and the matches stay exact", () => {
  let pruned = 0;
  for (const [i, c] of cases().entries()) {
    const { starts, kth } = reference(c);
    // A bound of the final k-th match from elsewhere (rounding aside).
    const bound = kth * (1 + 1e-9) + 1e-12;
    const alone = rawSearch(c.x, c.q, c.a, 0)!;
    assertMatches(alone.candidates, c, starts, `case ${i}, alone`);

    // From the first block: exactly the search started from the bound.
    const first = rawSearch(c.x, c.q, c.a, SHARED, () => bound)!;
    const started = rawSearch(c.x, c.q, { ...c.a, t0: bound }, 0)!;
    assert.deepEqual(first, started, `case ${i}, from the first block`);
    assertMatches(first.candidates, c, starts, `case ${i}, first block`);

    // From the second block on: the matches are still exact, and the
    // search computes no more DTWs than alone, no fewer than from t0.
    const fromSecond = recording((t, call) => call >= 1 ? bound : t);
    const later = rawSearch(c.x, c.q, c.a, SHARED, fromSecond.exchange)!;
    assertMatches(later.candidates, c, starts, `case ${i}, later blocks`);
    const dtws = (s: number[]) => s[3] + s[4];
    assert.ok(dtws(later.stats) <= dtws(alone.stats), `case ${i}`);
    assert.ok(dtws(later.stats) >= dtws(started.stats), `case ${i}`);
    if (blocks(c) > 1 && dtws(later.stats) < dtws(alone.stats)) pruned++;
    for (const [p, v] of later.candidates) {
      const same = alone.candidates.find((a) => a[0] === p);
      assert.ok(same !== undefined, `case ${i}: window ${p} not kept alone`);
      assert.equal(v, same[1], `case ${i}: window ${p}`);
    }
  }
  // The bound from the host did prune something mid-series.
  assert.ok(pruned >= 2, `${pruned} cases pruned more`);
});

/** A kernel's candidates, `(start, distance)` after one another, as pairs. */
function pairs(candidates: Float64Array): Array<[number, number]> {
  return Array.from(
    { length: candidates.length / 2 },
    (_, j) => [candidates[2 * j], candidates[2 * j + 1]],
  );
}

/**
 * `searchStaged` of `x` (`dims` values per point) with `exchange`: the
 * candidates, counters, bound, and the offers made.
 */
function staged(
  x: Float64Array,
  q: Float64Array,
  args: SearchArgs,
  dims: number,
  cutoff: number,
  answer?: (t: number, call: number) => number,
) {
  const n = x.length / dims;
  const px = scratch(Slot.A, x.length * 8);
  f64Heap().set(x, px >>> 3);
  const r = answer === undefined ? undefined : recording(answer);
  const got = searchStaged(px, n, 0, q, args, cutoff, dims, r?.exchange);
  return { got, offered: r?.offered.length ?? 0 };
}

Deno.test("search_dims_f64 with a shared bound: offered once per block, and a bound from the host prunes as t0 does", () => {
  const random = rng(1902);
  for (const [i, [dims, m, n]] of [[2, 24, 3000], [3, 9, 2100]].entries()) {
    const q = randomWalk(m * dims, random);
    const x = randomWalk(n * dims, random);
    // A copy of the query in the last block, each value scaled.
    x.set(q.map((v) => 1.5 * v + 2), (n - 2 * m) * dims);
    for (const independent of [false, true]) {
      const args: SearchArgs = {
        window: 2,
        squared: 1,
        normalize: 1,
        k: 2,
        exclusionZone: m / 2,
        independent,
      };
      const what = `case ${i}, independent ${independent}`;
      const alone = staged(x, q, args, dims, Infinity).got;
      const same = staged(x, q, args, dims, Infinity, (t) => t);
      assert.deepEqual(same.got, alone, what);
      assert.equal(same.offered, Math.ceil((n - m + 1) / SEARCH_RESET), what);
      // The k-th distance of the search alone (its selection is checked
      // against brute force in multivariate_search_test.ts) as the host's
      // bound from the first block: the search started from it.
      const sel = greedy(pairs(alone.candidates), args.k, args.exclusionZone);
      const bound = sel.at(-1)![1];
      const first = staged(x, q, args, dims, Infinity, () => bound).got;
      const started = staged(x, q, args, dims, bound).got;
      assert.deepEqual(first, started, what);
      const dtws = (s: number[]) => s[3] + s[4];
      assert.ok(dtws(first.stats) < dtws(alone.stats), what);
      // From the second block on: the same matches, as many DTWs as alone
      // at most, as from the first block at least.
      const later = staged(
        x,
        q,
        args,
        dims,
        Infinity,
        (t, call) => call >= 1 ? bound : t,
      ).got;
      for (const got of [first, later]) {
        const p = pairs(got.candidates);
        assert.deepEqual(greedy(p, args.k, args.exclusionZone), sel, what);
      }
      assert.ok(dtws(later.stats) <= dtws(alone.stats), what);
      assert.ok(dtws(later.stats) >= dtws(first.stats), what);
    }
  }
});
