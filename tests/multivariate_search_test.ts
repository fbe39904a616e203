// Copyright 2026 the @midstreamer/kit authors. MIT license.
// searchSubsequence of multivariate series (dependent and independent
// DTW, each dimension z-normalized on its own) against a brute force
// written here: every window, the scalar DTW references of ./_dtw_cases.ts,
// sort by (distance, start), exclusion-zone greedy. Fixed seeds.

import assert from "node:assert/strict";
import {
  type SearchOptions,
  type SearchStats,
  searchSubsequence,
  type Series,
  WorkerPool,
} from "@midstreamer/kit";
import { searchPartWindows } from "../kernels/internal.ts";
import { randInt, randomWalk, rng } from "../testing/rng.ts";
import { dtwRef } from "./_dtw_cases.ts";
import {
  assertCounted,
  type BruteOptions,
  options,
  pick,
  zNormalized,
} from "./_search_reference.ts";

type Multivariate = "dependent" | "independent";

interface Case extends BruteOptions {
  multivariate: Multivariate;
}

/** `n` points of `dims` values, point-major: correlated random walks. */
function walk(random: () => number, n: number, dims: number): Float64Array {
  const common = randomWalk(n, random);
  const out = new Float64Array(n * dims);
  for (let k = 0; k < dims; k++) {
    const own = randomWalk(n, random);
    for (let i = 0; i < n; i++) {
      out[i * dims + k] = (1 + k) * common[i] + own[i] + 3 * k;
    }
  }
  return out;
}

/** Copies of `q` planted into `x` at `at`, each dimension scaled and shifted. */
function plant(
  random: () => number,
  x: Float64Array,
  q: Float64Array,
  dims: number,
  at: number[],
): void {
  for (const p of at) {
    for (let k = 0; k < dims; k++) {
      const scale = 0.5 + 2 * random(), shift = 10 * (random() - 0.5);
      for (let i = 0; i < q.length / dims; i++) {
        x[(p + i) * dims + k] = scale * q[i * dims + k] + shift +
          0.05 * (random() - 0.5);
      }
    }
  }
}

/** Dimension `k` of points `from .. from + m` of `x` (`dims` per point). */
function column(
  x: Float64Array,
  dims: number,
  k: number,
  from: number,
  m: number,
): Float64Array {
  return Float64Array.from({ length: m }, (_, i) => x[(from + i) * dims + k]);
}

/**
 * The distance of the window at `start` to the query: each dimension
 * z-normalized in two passes, then DTW_D (the matrix of the cost summed
 * over the dimensions) or DTW_I (the sum, in index order, of each
 * dimension's DTW).
 */
function distance(
  x: Float64Array,
  q: Float64Array,
  dims: number,
  start: number,
  o: Case,
): number {
  const m = q.length / dims;
  const w = o.window === Infinity ? undefined : o.window;
  const wz = [], qz = [];
  for (let k = 0; k < dims; k++) {
    wz.push(zNormalized(column(x, dims, k, start, m), o.normalize));
    qz.push(zNormalized(column(q, dims, k, 0, m), o.normalize));
  }
  if (o.multivariate === "independent") {
    let sum = 0;
    for (let k = 0; k < dims; k++) sum += dtwRef(wz[k], qz[k], w, o.squared);
    return sum;
  }
  const a = new Float64Array(m * dims), b = new Float64Array(m * dims);
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < dims; k++) {
      a[i * dims + k] = wz[k][i];
      b[i * dims + k] = qz[k][i];
    }
  }
  return dtwRef(a, b, w, o.squared, { dims });
}

/** Brute force: every window's distance, sorted, then the greedy. */
function brute(x: Float64Array, q: Float64Array, dims: number, o: Case) {
  const m = q.length / dims, n = x.length / dims;
  const all = [];
  for (let start = 0; start + m <= n; start++) {
    all.push({
      start,
      end: start + m - 1,
      distance: distance(x, q, dims, start, o),
    });
  }
  return pick(all, o.k, o.exclusionZone);
}

/** The options of the search for case `o`. */
function searchOptions(o: Case, stats?: SearchStats): SearchOptions {
  return { ...options(o, stats as SearchStats), multivariate: o.multivariate };
}

/** Point-major values `v` in form number `form` (of 3). */
function asForm(v: Float64Array, dims: number, form: number): Series {
  if (form === 0) {
    return Array.from(
      { length: v.length / dims },
      (_, i) => Array.from(v.subarray(i * dims, (i + 1) * dims)),
    );
  }
  return { dims, values: form === 1 ? Array.from(v) : v.slice() };
}

const LENGTHS = [1, 2, 3, 4, 5, 6, 7, 8, 63, 64, 65];

Deno.test("multivariate searchSubsequence equals brute force: d = 1-4, queries of 1-8 and 63-65 points, both costs and forms, normalized or not, k = 1 and k > 1, bands 0 to none", () => {
  const random = rng(161);
  for (let trial = 0; trial < 88; trial++) {
    const dims = 1 + (trial % 4);
    const m = LENGTHS[trial % LENGTHS.length];
    const n = m + randInt(random, m < 10 ? 40 : 150, m < 10 ? 300 : 400);
    const q = walk(random, m, dims);
    const x = walk(random, n, dims);
    if (n - m > 2 * m) {
      plant(random, x, q, dims, [randInt(random, 0, n - 2 * m)]);
    }
    const o: Case = {
      k: [1, 3, 6][trial % 3],
      window: [0, Math.floor(m / 10), 2, m, Infinity][trial % 5],
      exclusionZone: [m / 2, 0, 1.5][(trial >> 1) % 3],
      squared: (trial >> 2) % 2 === 0,
      normalize: (trial >> 3) % 2 === 0 || m === 1,
      multivariate: (trial >> 4) % 2 === 0 ? "dependent" : "independent",
    };
    const label = JSON.stringify({ trial, dims, n, m, ...o });
    const stats = {} as SearchStats;
    const got = searchSubsequence(
      asForm(x, dims, trial % 3),
      asForm(q, dims, (trial + 1) % 3),
      searchOptions(o, stats),
    );
    assert.deepEqual(got, brute(x, q, dims, o), label);
    assertCounted(stats, n - m + 1, label);
  }
});

Deno.test("multivariate searchSubsequence prunes and stays exact on long walks with planted copies", () => {
  const random = rng(162);
  for (const multivariate of ["dependent", "independent"] as const) {
    for (const normalize of [true, false]) {
      const dims = 3, m = 32, n = 3000;
      const q = walk(random, m, dims);
      const x = walk(random, n, dims);
      plant(random, x, q, dims, [400, 1700, 2500]);
      const o: Case = {
        k: 3,
        window: 3,
        exclusionZone: m / 2,
        squared: normalize,
        normalize,
        multivariate,
      };
      const stats = {} as SearchStats;
      const got = searchSubsequence(
        { dims, values: x },
        { dims, values: q },
        searchOptions(o, stats),
      );
      const label = JSON.stringify(o);
      assert.deepEqual(got, brute(x, q, dims, o), label);
      assertCounted(stats, n - m + 1, label);
      // The bounds do prune (most windows never reach a full DTW).
      assert.ok(stats.computed < (n - m + 1) / 2, JSON.stringify(stats));
      if (normalize) {
        assert.deepEqual(got.map((g) => g.start).sort((a, b) => a - b), [
          400,
          1700,
          2500,
        ]);
      }
    }
  }
});

Deno.test("multivariate searchSubsequence of d = 1 equals the univariate search bit for bit, stats included", () => {
  const random = rng(163);
  for (let trial = 0; trial < 12; trial++) {
    const m = [3, 16, 40][trial % 3], n = randInt(random, 500, 1500);
    const x = randomWalk(n, random), q = randomWalk(m, random);
    const o: SearchOptions = {
      window: trial % 4,
      k: 1 + (trial % 3),
      normalize: trial % 2 === 0,
      cost: trial % 4 < 2 ? "squared" : "absolute",
      multivariate: trial % 3 === 0 ? "independent" : "dependent",
    };
    const plain = {} as SearchStats, multi = {} as SearchStats;
    const want = searchSubsequence(x, q, { ...o, stats: plain });
    for (let form = 0; form < 3; form++) {
      const got = searchSubsequence(
        asForm(x, 1, form),
        asForm(q, 1, 2 - form),
        {
          ...o,
          stats: multi,
        },
      );
      assert.deepEqual(got, want);
      assert.deepEqual(multi, plain);
    }
  }
});

Deno.test("multivariate searchSubsequence in parts equals one pass and brute force", () => {
  const random = rng(164);
  for (let trial = 0; trial < 4; trial++) {
    const dims = 2 + (trial % 2), m = 24, n = 4100 + 37 * trial;
    const q = walk(random, m, dims);
    const x = walk(random, n, dims);
    // Copies across the part boundaries of parts of 1,024 windows.
    plant(random, x, q, dims, [1024 - 12, 2048 - 1, 3000]);
    const o: Case = {
      k: [1, 4][trial % 2],
      window: 2,
      exclusionZone: [m / 2, 1500][trial >> 1],
      squared: trial % 2 === 1,
      normalize: trial !== 2,
      multivariate: trial % 2 === 0 ? "dependent" : "independent",
    };
    const label = JSON.stringify({ trial, dims, ...o });
    const whole = searchSubsequence(
      { dims, values: x },
      { dims, values: q },
      searchOptions(o),
    );
    assert.deepEqual(whole, brute(x, q, dims, o), label);
    const before = searchPartWindows(1024);
    try {
      const stats = {} as SearchStats;
      const got = searchSubsequence(
        { dims, values: x },
        { dims, values: q },
        searchOptions(o, stats),
      );
      assert.deepEqual(got, whole, label);
      assertCounted(stats, n - m + 1, label);
    } finally {
      searchPartWindows(before);
    }
  }
});

Deno.test("WorkerPool.searchSubsequence takes multivariate series and equals the synchronous search", async () => {
  const random = rng(165);
  await using pool = new WorkerPool({ workers: 2 });
  const dims = 3, m = 40, n = 40_000;
  const q = walk(random, m, dims);
  const x = walk(random, n, dims);
  plant(random, x, q, dims, [5000, 33_000]);
  for (const multivariate of ["dependent", "independent"] as const) {
    const o: SearchOptions = { window: 4, k: 3, multivariate };
    const want = searchSubsequence({ dims, values: x }, asForm(q, dims, 0), o);
    const stats = {} as SearchStats;
    const got = await pool.searchSubsequence(
      asForm(x, dims, 0),
      { dims, values: q },
      { ...o, stats },
    );
    assert.deepEqual(got, want);
    assertCounted(stats, n - m + 1, multivariate);
    assert.deepEqual(
      got.map((g) => g.start).slice(0, 2).sort((a, b) => a - b),
      [5000, 33_000],
    );
  }
});

Deno.test("multivariate searchSubsequence rejects bad input", () => {
  const x = [[1, 2], [2, 3], [3, 1], [4, 4], [5, 0]];
  const q = [[1, 2], [2, 1]];
  const o = { window: 1 };
  assert.throws(
    () => searchSubsequence([...x.slice(0, 3), [1], ...x.slice(3)], q, o),
    (e: Error) => e instanceof RangeError && /series\[3\]/.test(e.message),
  );
  assert.throws(
    () => searchSubsequence(x, [[1, 2], [2, 1, 0]], o),
    (e: Error) => e instanceof RangeError && /query\[1\]/.test(e.message),
  );
  assert.throws(
    () => searchSubsequence(x, [[1, 2, 3]], o),
    (e: Error) => e instanceof RangeError && /dimension/.test(e.message),
  );
  assert.throws(
    () => searchSubsequence({ dims: 3, values: [1, 2, 3, 4] }, q, o),
    RangeError,
  );
  assert.throws(
    () => searchSubsequence({ dims: 0, values: [] }, q, o),
    RangeError,
  );
  assert.throws(
    () => searchSubsequence([[1, 2], [2, NaN], [3, 1]], q, o),
    (e: Error) => e instanceof TypeError && /series\[1\]\[1\]/.test(e.message),
  );
  assert.throws(
    () => searchSubsequence({ dims: 2, values: [1, 2, 3, Infinity] }, q, o),
    (e: Error) =>
      e instanceof TypeError && /point 1, dimension 1/.test(e.message),
  );
  assert.throws(
    () => searchSubsequence(x, [[1, 2], [Infinity, 1]], o),
    (e: Error) => e instanceof TypeError && /query\[1\]\[0\]/.test(e.message),
  );
  for (const multivariate of ["both", 1, null]) {
    assert.throws(
      () =>
        searchSubsequence(x, q, {
          window: 1,
          multivariate: multivariate as "dependent",
        }),
      (e: Error) => e instanceof TypeError && /multivariate/.test(e.message),
    );
    // Checked for series of one value per point too.
    assert.throws(
      () =>
        searchSubsequence([1, 2, 3], [1, 2], {
          window: 1,
          multivariate: multivariate as "dependent",
        }),
      (e: Error) => e instanceof TypeError && /multivariate/.test(e.message),
    );
  }
  assert.throws(
    () =>
      searchSubsequence(x, q, {
        window: 1,
        precision: "f16",
      } as unknown as SearchOptions),
    (e: Error) => e instanceof TypeError && /precision/.test(e.message),
  );
  assert.throws(() => searchSubsequence(x, [], o), RangeError);
  assert.throws(() => searchSubsequence(q, x, o), RangeError);
});

Deno.test("examples/multivariate_search.ts finds its planted pattern under both multivariate DTWs", async () => {
  const { main, PLANTED } = await import("../examples/multivariate_search.ts");
  for (const { matches, stats } of Object.values(main())) {
    assert.deepEqual(
      matches.map((m) => m.start).sort((a, b) => a - b),
      PLANTED,
    );
    assertCounted(stats, stats.windows, "example");
  }
  // And it runs as a script.
  const { code, stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "examples/multivariate_search.ts"],
    cwd: new URL("..", import.meta.url),
    stdout: "piped",
  }).output();
  assert.equal(code, 0);
  const text = new TextDecoder().decode(stdout);
  assert.match(text, /dependent:/);
  assert.match(text, new RegExp(`points ${PLANTED[0]}\\.\\.`));
});
