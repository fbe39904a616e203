// Copyright 2026 the @midstreamer/kit authors. MIT license.

import assert from "node:assert/strict";
import { dtw, type StreamMatch, StreamMonitor } from "@midstreamer/kit";
import { fullMatrixDtw } from "./_dtw_reference.ts";
import { dtwRef } from "./_dtw_cases.ts";
import { randInt, randomWalk, rng } from "../testing/rng.ts";

function run(
  monitor: StreamMonitor,
  stream: ArrayLike<number | ArrayLike<number>>,
): StreamMatch[] {
  const out: StreamMatch[] = [];
  for (let i = 0; i < stream.length; i++) {
    const m = monitor.push(stream[i]);
    if (m) out.push(m);
  }
  const last = monitor.flush();
  if (last) out.push(last);
  return out;
}

/** Brute force: `distance(s, e)` of every subsequence [s, e] of `n` points. */
function allDistances(
  n: number,
  distance: (s: number, e: number) => number,
): number[][] {
  return Array.from(
    { length: n },
    (_, s) =>
      Array.from({ length: n }, (_, e) => e < s ? Infinity : distance(s, e)),
  );
}

function checkAgainstBruteForce(
  stream: Float64Array,
  query: Float64Array,
  cutoff: number,
  w?: number,
): number {
  const matches = run(
    new StreamMonitor(query, { cutoff, window: w }),
    stream,
  );
  const dist = allDistances(stream.length, (s, e) => {
    const sub = stream.subarray(s, e + 1);
    return w === undefined
      ? dtw(sub, query)
      : fullMatrixDtw(sub, query, { window: w, widen: false });
  });
  const label = `n=${stream.length} m=${query.length} w=${w} thr=${
    cutoff.toFixed(3)
  }`;
  checkMatches(matches, dist, cutoff, label);
  return matches.length;
}

/**
 * The monitor's guarantees, given the brute-force distances `dist[s][e]` of
 * every subsequence: exact distances within `cutoff`, disjoint matches in
 * order, none beaten inside, and no qualifying subsequence dismissed.
 */
function checkMatches(
  matches: StreamMatch[],
  dist: number[][],
  cutoff: number,
  label: string,
): void {
  const n = dist.length;
  let prevEnd = -1;
  for (const m of matches) {
    // Exact distance of the reported interval, within the cutoff.
    assert.equal(
      m.distance,
      dist[m.start][m.end],
      `${label} ${JSON.stringify(m)}`,
    );
    assert.ok(m.distance <= cutoff);
    // Disjoint and in order.
    assert.ok(m.start > prevEnd && m.end >= m.start, `${label} overlap`);
    prevEnd = m.end;
    // No qualifying interval inside a reported match is better than it.
    for (let s = m.start; s <= m.end; s++) {
      for (let e = s; e <= m.end; e++) {
        assert.ok(
          dist[s][e] >= m.distance,
          `${label} [${s},${e}] beats ${JSON.stringify(m)}`,
        );
      }
    }
  }
  // No false dismissal: every qualifying interval lies in a chain of
  // overlapping qualifying intervals (a connected union) that holds a report.
  const qualifying: [number, number][] = [];
  for (let s = 0; s < n; s++) {
    for (let e = s; e < n; e++) {
      if (dist[s][e] <= cutoff) qualifying.push([s, e]);
    }
  }
  const unions: [number, number][] = [];
  for (const [s, e] of qualifying.sort((x, y) => x[0] - y[0])) {
    const last = unions.at(-1);
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else unions.push([s, e]);
  }
  for (const [s, e] of unions) {
    assert.ok(
      matches.some((m) => m.start <= e && s <= m.end),
      `${label} qualifying subsequences in [${s},${e}] dismissed`,
    );
  }
}

/** Dimension `k` of point-major values `v` of `dims` per point. */
function column(v: ArrayLike<number>, dims: number, k: number): number[] {
  return Array.from({ length: v.length / dims }, (_, i) => v[i * dims + k]);
}

Deno.test("StreamMonitor agrees with brute-force subsequence DTW (SPRING)", () => {
  const random = rng(11);
  let found = 0;
  for (let t = 0; t < 40; t++) {
    const query = randomWalk(randInt(random, 1, 8), random);
    const stream = randomWalk(randInt(random, 20, 70), random);
    found += checkAgainstBruteForce(
      stream,
      query,
      random() * query.length * 0.8,
    );
  }
  assert.ok(found > 20, `the cutoffs produce matches (${found})`);
});

Deno.test("StreamMonitor with a band agrees with a brute-force banded search", () => {
  const random = rng(12);
  let found = 0;
  for (let t = 0; t < 40; t++) {
    const query = randomWalk(randInt(random, 2, 8), random);
    const stream = randomWalk(randInt(random, 20, 60), random);
    found += checkAgainstBruteForce(
      stream,
      query,
      random() * query.length,
      randInt(random, 0, 3),
    );
  }
  assert.ok(found > 20, `the cutoffs produce matches (${found})`);
});

Deno.test("StreamMonitor of points (d = 2 to 5) agrees with the brute-force dependent and independent distances, both costs", () => {
  const random = rng(14);
  let found = 0;
  for (let t = 0; t < 48; t++) {
    const dims = 2 + (t % 4);
    const independent = t % 2 === 1;
    // The independent distance needs a band; half the dependent cases have none.
    const w = independent || t % 4 === 2 ? randInt(random, 0, 3) : undefined;
    const squared = t % 3 === 0;
    const m = randInt(random, 1, 7), n = randInt(random, 15, 45);
    const walk = (len: number) => {
      const v = new Float64Array(len * dims);
      for (let k = 0; k < dims; k++) {
        const one = randomWalk(len, random);
        for (let i = 0; i < len; i++) v[i * dims + k] = one[i];
      }
      return v;
    };
    const query = walk(m), stream = walk(n);
    const dist = allDistances(n, (s, e) => {
      const sub = stream.subarray(s * dims, (e + 1) * dims);
      if (!independent) {
        return dtwRef(sub, query, w, squared, { dims, widen: false });
      }
      let sum = 0;
      for (let k = 0; k < dims; k++) {
        const one = dtwRef(
          column(sub, dims, k),
          column(query, dims, k),
          w,
          squared,
          { widen: false },
        );
        sum = k === 0 ? one : sum + one;
      }
      return sum;
    });
    const finite = dist.flat().filter(Number.isFinite).sort((x, y) => x - y);
    const cutoff = finite[Math.floor(random() * Math.min(finite.length, 30))];
    const monitor = new StreamMonitor({ dims, values: query }, {
      cutoff,
      window: w,
      cost: squared ? "squared" : "absolute",
      multivariate: independent ? "independent" : "dependent",
    });
    // Points pushed as arrays and as typed-array views, alternately.
    const points = Array.from(
      { length: n },
      (_, i) =>
        i % 2 === 0
          ? Array.from(stream.subarray(i * dims, (i + 1) * dims))
          : stream.subarray(i * dims, (i + 1) * dims),
    );
    const matches = run(monitor, points);
    checkMatches(
      matches,
      dist,
      cutoff,
      `d=${dims} n=${n} m=${m} w=${w} ${
        independent ? "independent" : "dependent"
      } squared=${squared}`,
    );
    found += matches.length;
  }
  assert.ok(found > 40, `the cutoffs produce matches (${found})`);
});

Deno.test("StreamMonitor of points rejects bad input", () => {
  const query = [[1, 2], [3, 4]];
  assert.throws(
    () => new StreamMonitor([[1, 2], [3]], { cutoff: 1 }),
    (e) => e instanceof RangeError && /query\[1\] has 1 values/.test(e.message),
  );
  assert.throws(
    () => new StreamMonitor({ dims: 0, values: [] }, { cutoff: 1 }),
    RangeError,
  );
  assert.throws(
    () => new StreamMonitor({ dims: 2, values: [1, 2, 3] }, { cutoff: 1 }),
    RangeError,
  );
  assert.throws(
    () => new StreamMonitor([[1, 2], [3, NaN]], { cutoff: 1 }),
    (e) => e instanceof TypeError && /query\[1\]\[1\] is NaN/.test(e.message),
  );
  assert.throws(
    () => new StreamMonitor(query, { cutoff: 1, multivariate: "x" } as never),
    (e) => e instanceof TypeError && /options.multivariate/.test(e.message),
  );
  assert.throws(
    () => new StreamMonitor(query, { cutoff: 1, multivariate: "independent" }),
    (e) =>
      e instanceof TypeError && /needs a finite options.window/.test(e.message),
  );
  const monitor = new StreamMonitor(query, { cutoff: 1 });
  assert.throws(() => monitor.push([1, 2, 3]), RangeError);
  assert.throws(() => monitor.push(1), TypeError);
  assert.throws(
    () => monitor.push([1, Infinity]),
    (e) => e instanceof TypeError && /dimension 1/.test(e.message),
  );
  assert.equal(monitor.position, 0);
});

Deno.test("StreamMonitor finds a noisy embedded query at the right position", async () => {
  const random = rng(13);
  const query = Float64Array.from(
    { length: 50 },
    (_, i) => 3 * Math.sin(i / 4),
  );
  const stream = randomWalk(5_000, random).map((x) => x * 0.2);
  const at = [1_200, 3_700];
  for (const p of at) {
    for (let i = 0; i < query.length; i++) {
      stream[p + i] = query[i] + (random() - 0.5) * 0.2;
    }
  }
  const monitor = new StreamMonitor(query, { cutoff: 10 });
  const found: StreamMatch[] = [];
  for await (const m of monitor.monitor(stream)) found.push(m);
  assert.equal(found.length, 2);
  for (let k = 0; k < 2; k++) {
    assert.ok(
      Math.abs(found[k].start - at[k]) <= 2,
      `start ${found[k].start} vs ${at[k]}`,
    );
    assert.ok(
      Math.abs(found[k].end - (at[k] + 49)) <= 2,
      `end ${found[k].end}`,
    );
    assert.equal(
      found[k].distance,
      dtw(stream.subarray(found[k].start, found[k].end + 1), query),
    );
  }
});

Deno.test("StreamMonitor squared cost and position", () => {
  const monitor = new StreamMonitor([0, 2], { cutoff: 1, cost: "squared" });
  assert.equal(monitor.push(5), undefined);
  assert.equal(monitor.push(0), undefined);
  assert.equal(monitor.push(2.5), undefined);
  assert.equal(monitor.position, 3);
  assert.deepEqual(monitor.flush(), { start: 1, end: 2, distance: 0.25 });
  assert.equal(monitor.flush(), undefined);
});

Deno.test("StreamMonitor rejects bad input", () => {
  assert.throws(() => new StreamMonitor([], { cutoff: 1 }), RangeError);
  assert.throws(
    () => new StreamMonitor([1, NaN], { cutoff: 1 }),
    /query\[1\] is NaN/,
  );
  assert.throws(
    () => new StreamMonitor("ab" as never, { cutoff: 1 }),
    TypeError,
  );
  assert.throws(
    () => new StreamMonitor([1], undefined as never),
    (e) => e instanceof TypeError && /cutoff is required/.test(e.message),
  );
  assert.throws(() => new StreamMonitor([1], {}), /cutoff is required/);
  assert.throws(
    () => new StreamMonitor([1], { cutoff: "1" } as never),
    (e) => e instanceof TypeError && /cutoff must be a number/.test(e.message),
  );
  assert.throws(() => new StreamMonitor([1], { cutoff: -1 }), RangeError);
  assert.throws(() => new StreamMonitor([1], { cutoff: NaN }), RangeError);
  assert.throws(
    () => new StreamMonitor([1], { cutoff: 1, window: -2 }),
    RangeError,
  );
  assert.throws(
    () => new StreamMonitor([1], { cutoff: 1, window: "2" } as never),
    TypeError,
  );
  assert.throws(
    () => new StreamMonitor([1], { cutoff: 1, foo: 1 } as never),
    /unknown option "foo"/,
  );
  const monitor = new StreamMonitor([1], { cutoff: 1 });
  assert.throws(() => monitor.push(Infinity), /position 0 is Infinity/);
  assert.throws(() => monitor.push("3" as never), TypeError);
});

Deno.test("StreamMonitor: the deprecated threshold option", () => {
  const query = [1, 2, 3, 2, 1];
  const stream = [0, 0, 0, 1, 2, 3, 3, 2, 1, 0, 0, 1, 2, 2, 1, 0];
  for (const window of [undefined, 1]) {
    const expected = run(
      new StreamMonitor(query, { cutoff: 1.5, window }),
      stream,
    );
    assert.ok(expected.length >= 2);
    assert.deepEqual(
      run(new StreamMonitor(query, { threshold: 1.5, window }), stream),
      expected,
    );
  }
  assert.throws(
    () => new StreamMonitor(query, { cutoff: 1, threshold: 1 }),
    (e) => e instanceof TypeError && /give cutoff only/.test(e.message),
  );
  assert.throws(
    () => new StreamMonitor([1], { threshold: "1" } as never),
    (e) =>
      e instanceof TypeError && /threshold must be a number/.test(e.message),
  );
  assert.throws(() => new StreamMonitor([1], { threshold: -1 }), RangeError);
});
