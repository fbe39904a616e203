// Copyright 2026 the @midstreamer/kit authors. MIT license.
// searchSubsequence with precision "f32": bit for bit the matches of a
// scalar reference written here (two-pass normalization in f64 from the
// f32 values, each normalized value rounded to f32 once, the f32 DTW with
// Math.fround after every operation, then (distance, start) order and the
// exclusion-zone greedy), univariate and multivariate, in parts, and on
// the pool.

import assert from "node:assert/strict";
import {
  dtw,
  type SearchOptions,
  type SearchStats,
  searchSubsequence,
  type SubsequenceMatch,
  WorkerPool,
} from "@midstreamer/kit";
import { plantedWalk, randInt, randomWalk, rng } from "../testing/rng.ts";
import {
  assertCounted,
  inParts,
  options,
  pick,
  zNormalized,
} from "./_search_reference.ts";

const f = Math.fround;

/** One dimension's f32 cost of two f32 values, rounded after each operation. */
function cost32(a: number, b: number, squared: boolean): number {
  const d = f(a - b);
  return squared ? f(d * d) : Math.abs(d);
}

/**
 * The f32 DTW of `a` and `b` (`m` points of `d` values each, point-major
 * `a[i * d + k]`) within the band: dependent (the cost summed over the
 * dimensions in index order, each addition rounded) or, for
 * `independent`, the f32 sum in index order of each dimension's DTW.
 */
function dtw32(
  a: Float32Array,
  b: Float32Array,
  m: number,
  d: number,
  band: number,
  squared: boolean,
  independent: boolean,
): number {
  const one = (dims: number[]): number => {
    let prev = new Float64Array(m).fill(Infinity);
    let cur = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      cur.fill(Infinity);
      for (let j = Math.max(0, i - band); j <= Math.min(m - 1, i + band); j++) {
        let c = cost32(a[i * d + dims[0]], b[j * d + dims[0]], squared);
        for (let t = 1; t < dims.length; t++) {
          c = f(c + cost32(a[i * d + dims[t]], b[j * d + dims[t]], squared));
        }
        const before = i === 0 && j === 0 ? 0 : Math.min(
          i > 0 ? prev[j] : Infinity,
          j > 0 ? cur[j - 1] : Infinity,
          i > 0 && j > 0 ? prev[j - 1] : Infinity,
        );
        cur[j] = f(c + before);
      }
      [prev, cur] = [cur, prev];
    }
    return prev[m - 1];
  };
  const all = Array.from({ length: d }, (_, k) => k);
  if (!independent) return one(all);
  let sum = one([0]);
  for (let k = 1; k < d; k++) sum = f(sum + one([k]));
  return sum;
}

/** `x[from .. from + m)` (points of `d` values) as the reference's f32 input. */
function prepared(
  x: ArrayLike<number>,
  from: number,
  m: number,
  d: number,
  normalize: boolean,
): Float32Array {
  const out = new Float32Array(m * d);
  for (let k = 0; k < d; k++) {
    const col = new Float64Array(m);
    for (let i = 0; i < m; i++) col[i] = f(x[(from + i) * d + k]);
    const z = zNormalized(col, normalize);
    for (let i = 0; i < m; i++) out[i * d + k] = z[i]; // rounded once
  }
  return out;
}

interface Case {
  k: number;
  band: number;
  exclusionZone: number;
  squared: boolean;
  normalize: boolean;
  independent?: boolean;
}

/** The reference: every window's f32 distance, then the greedy. */
function reference(
  x: ArrayLike<number>,
  q: ArrayLike<number>,
  d: number,
  c: Case,
): { start: number; end: number; distance: number }[] {
  const m = q.length / d;
  const qz = prepared(q, 0, m, d, c.normalize);
  const band = Math.min(c.band, m);
  const all = [];
  for (let start = 0; start + m <= x.length / d; start++) {
    const w = prepared(x, start, m, d, c.normalize);
    const distance = dtw32(
      w,
      qz,
      m,
      d,
      band,
      c.squared,
      c.independent === true,
    );
    all.push({ start, end: start + m - 1, distance });
  }
  return pick(all, c.k, c.exclusionZone);
}

function optionsOf(c: Case, stats?: SearchStats): SearchOptions {
  return {
    ...options({ ...c, window: c.band }, stats),
    precision: "f32",
    ...(c.independent === undefined
      ? {}
      : { multivariate: c.independent ? "independent" : "dependent" }),
  };
}

/** Plain objects (`deepEqual` ignores the non-enumerable `index`). */
function plain(r: SubsequenceMatch[]) {
  return r.map(({ start, end, distance }) => ({ start, end, distance }));
}

/** Query lengths of the univariate trials and a band for each trial. */
const LENGTHS = [1, 2, 3, 4, 5, 6, 7, 8, 63, 64, 65, 127, 128, 129];

Deno.test("searchSubsequence f32: bit for bit the scalar reference, query lengths 1-8, 63-65, 127-129, both costs, normalized or not, bands 0 / narrow / none, k = 1 and k > 1", () => {
  const random = rng(3201);
  let trial = 0;
  for (const m of LENGTHS) {
    for (const normalize of [true, false]) {
      for (const squared of [false, true]) {
        trial++;
        // Not a multiple of any block (1,024 windows, 4 lanes, 2 points).
        const n = m > 64 ? 1237 + (trial % 7) : 913 + (trial % 11);
        const q = randomWalk(m, random);
        const x = plantedWalk(n, q, [randInt(random, 0, n - m)], random);
        const band = [0, Math.max(1, Math.floor(m / 10)), Infinity][trial % 3];
        const k = [1, 3, 5][trial % 3];
        const exclusionZone = [m / 2, 0, m + 3][(trial >> 1) % 3];
        const c = { k, band, exclusionZone, squared, normalize };
        const label = JSON.stringify({ n, m, ...c });
        const stats = {} as SearchStats;
        const got = searchSubsequence(x, q, optionsOf(c, stats));
        assert.deepEqual(plain(got), reference(x, q, 1, c), label);
        assertCounted(stats, n - m + 1, label);
      }
    }
  }
});

Deno.test("searchSubsequence f32: multivariate, dependent and independent, d = 2 and 3, both forms, bit for bit the reference", () => {
  const random = rng(3202);
  let trial = 0;
  for (const d of [2, 3]) {
    for (const m of [1, 5, 8, 63, 65, 128]) {
      for (const independent of [false, true]) {
        trial++;
        const n = 611 + (trial % 13);
        const dimsOf = (len: number) =>
          Array.from({ length: d }, () => randomWalk(len, random));
        const xs = dimsOf(n), qs = dimsOf(m);
        const at = randInt(random, 0, n - m);
        for (let k = 0; k < d; k++) {
          for (let i = 0; i < m; i++) xs[k][at + i] = 2 * qs[k][i] + k;
        }
        const packed = (cols: Float64Array[], len: number) => {
          const v = new Float64Array(len * d);
          for (let i = 0; i < len; i++) {
            for (let k = 0; k < d; k++) v[i * d + k] = cols[k][i];
          }
          return v;
        };
        const xv = packed(xs, n), qv = packed(qs, m);
        const c: Case = {
          k: [1, 4][trial % 2],
          band: [0, Math.max(1, Math.floor(m / 8)), Infinity][trial % 3],
          exclusionZone: [m / 2, 0][trial % 2],
          squared: trial % 4 >= 2,
          normalize: trial % 5 !== 0,
          independent,
        };
        const label = JSON.stringify({ d, n, m, ...c });
        const want = reference(xv, qv, d, c);
        const stats = {} as SearchStats;
        const fromPacked = searchSubsequence(
          { dims: d, values: xv },
          { dims: d, values: qv },
          optionsOf(c, stats),
        );
        assert.deepEqual(plain(fromPacked), want, label);
        assertCounted(stats, n - m + 1, label);
        const points = (v: Float64Array, len: number) =>
          Array.from({ length: len }, (_, i) => v.subarray(i * d, i * d + d));
        const fromPoints = searchSubsequence(
          points(xv, n),
          points(qv, m),
          optionsOf(c),
        );
        assert.deepEqual(plain(fromPoints), want, label);
      }
    }
  }
});

Deno.test("searchSubsequence f32: d = 1 in a multivariate form gives the univariate result bit for bit", () => {
  const random = rng(3203);
  const x = randomWalk(1500, random), q = randomWalk(40, random);
  const c: Case = {
    k: 3,
    band: 4,
    exclusionZone: 20,
    squared: false,
    normalize: true,
  };
  const want = searchSubsequence(x, q, optionsOf(c));
  assert.deepEqual(
    searchSubsequence({ dims: 1, values: x }, { dims: 1, values: q }, {
      ...optionsOf(c),
      multivariate: "independent",
    }),
    want,
  );
  assert.deepEqual(plain(want), reference(x, q, 1, c));
});

Deno.test("searchSubsequence f32 in parts of 1,024 and 2,048 windows equals one pass and the reference", () => {
  const random = rng(3204);
  let trial = 0;
  for (const normalize of [true, false]) {
    for (const squared of [false, true]) {
      for (const k of [1, 4]) {
        trial++;
        const m = [16, 64][trial % 2];
        const n = 4100 + trial * 37;
        const q = randomWalk(m, random);
        const x = plantedWalk(n, q, [2048 - (m >> 1), 1023, 3500], random);
        const c: Case = {
          k,
          band: Math.floor(m / 10),
          exclusionZone: [m / 2, 1500][trial % 2],
          squared,
          normalize,
        };
        const label = JSON.stringify({ n, m, ...c });
        const want = reference(x, q, 1, c);
        for (const part of [1024, 2048]) {
          const stats = {} as SearchStats;
          const got = inParts(part, x, q, optionsOf(c, stats));
          assert.deepEqual(plain(got), want, `${label}, parts of ${part}`);
          assertCounted(stats, n - m + 1, label);
        }
        if (trial % 4 === 1) {
          // A multivariate series in parts too.
          const xv = new Float64Array(2 * n), qv = new Float64Array(2 * m);
          x.forEach((v, i) => [xv[2 * i], xv[2 * i + 1]] = [v, -v * v]);
          q.forEach((v, i) => [qv[2 * i], qv[2 * i + 1]] = [v, -v * v]);
          const c2 = { ...c, independent: trial % 8 === 1 };
          assert.deepEqual(
            plain(
              inParts(
                1024,
                { dims: 2, values: xv },
                { dims: 2, values: qv },
                optionsOf(c2),
              ),
            ),
            reference(xv, qv, 2, c2),
            `${label}, d = 2`,
          );
        }
      }
    }
  }
});

Deno.test("searchSubsequence f32: prices near 1e4 with small moves (which f32 rounds) still equal the reference", () => {
  const random = rng(3205);
  for (const squared of [false, true]) {
    for (const m of [24, 100]) {
      let p = 10_000;
      const x = Float64Array.from(
        { length: 2000 },
        () => (p += 0.37 * (random() - 0.5)),
      );
      const q = Array.from(x.subarray(700, 700 + m), (v) => v + 1e-3);
      const c: Case = {
        k: 3,
        band: 5,
        exclusionZone: m / 2,
        squared,
        normalize: true,
      };
      // The values lose precision in f32.
      assert.ok(x.some((v) => Math.fround(v) !== v));
      const got = searchSubsequence(x, q, optionsOf(c));
      assert.deepEqual(plain(got), reference(x, q, 1, c), `m = ${m}`);
      const raw = { ...c, normalize: false, exclusionZone: 0 };
      assert.deepEqual(
        plain(searchSubsequence(x, q, optionsOf(raw))),
        reference(x, q, 1, raw),
        `m = ${m}, not normalized`,
      );
    }
  }
});

Deno.test("searchSubsequence f32: copies of a pattern perturbed near f32's resolution", () => {
  // A pattern repeated with perturbations far below f32's resolution of
  // the normalized values: the f64 distances of the copies are tiny and
  // ordered one way, the f32 ones are rounding noise ordered another.
  const random = rng(3206);
  for (const squared of [false, true]) {
    for (const normalize of [true, false]) {
      for (const m of [16, 50]) {
        const base = randomWalk(m, random);
        const copies = 60;
        const x = new Float64Array(copies * m + 7);
        for (let c = 0; c < copies; c++) {
          for (let i = 0; i < m; i++) {
            x[c * m + i] = base[i] * (1 + 1e-7 * (random() - 0.5));
          }
        }
        for (let i = copies * m; i < x.length; i++) x[i] = base[i % m];
        const c: Case = {
          k: 5,
          band: 2,
          exclusionZone: m / 2,
          squared,
          normalize,
        };
        const label = JSON.stringify({ m, ...c });
        assert.deepEqual(
          plain(searchSubsequence(x, base, optionsOf(c))),
          reference(x, base, 1, c),
          label,
        );
      }
    }
  }
});

Deno.test("searchSubsequence f32: sums that f32 rounds into ties that f64 tells apart (fails without the rounding slack)", () => {
  // Values 1 or 1 + 2^-23 (exact in f32) against a query of zeros: the f64
  // distances count the 2^-23s, the f32 sums round most of them away
  // (2 + 2^-23 is halfway and rounds to even), so windows that f64 tells
  // apart tie in f32, where the lowest start wins, not the f64 best.
  const random = rng(3209);
  for (const squared of [false, true]) {
    for (const k of [1, 3]) {
      for (const m of [8, 9, 24]) {
        const x = Float64Array.from(
          { length: 501 },
          () => 1 + (random() < 0.5 ? 2 ** -23 : 0),
        );
        const q = new Float64Array(m);
        for (const band of [0, 2]) {
          const c: Case = {
            k,
            band,
            exclusionZone: m / 2,
            squared,
            normalize: false,
          };
          const label = JSON.stringify({ m, ...c });
          const want = reference(x, q, 1, c);
          assert.deepEqual(
            plain(searchSubsequence(x, q, optionsOf(c))),
            want,
            label,
          );
        }
      }
    }
  }
});

Deno.test("WorkerPool.searchSubsequence f32 equals searchSubsequence f32 and the reference", async () => {
  const random = rng(3207);
  await using pool = new WorkerPool({ workers: 2 });
  for (const normalize of [true, false]) {
    for (const d of [1, 2]) {
      const n = 3001, m = 33;
      const x = randomWalk(n * d, random), q = randomWalk(m * d, random);
      const c: Case = {
        k: 3,
        band: 3,
        exclusionZone: m / 2,
        squared: d === 2,
        normalize,
        ...(d === 2 ? { independent: normalize } : {}),
      };
      const xs = d === 1 ? x : { dims: d, values: x };
      const qs = d === 1 ? q : { dims: d, values: q };
      const want = reference(x, q, d, c);
      const stats = {} as SearchStats;
      const got = await pool.searchSubsequence(xs, qs, optionsOf(c, stats));
      assert.deepEqual(plain(got), want, JSON.stringify({ d, ...c }));
      assert.deepEqual(got, searchSubsequence(xs, qs, optionsOf(c)));
      assertCounted(stats, n - m + 1, JSON.stringify(c));
      // A Float64Array on shared memory is read in place.
      if (d === 1) {
        const shared = new Float64Array(new SharedArrayBuffer(8 * n));
        shared.set(x);
        assert.deepEqual(
          plain(await pool.searchSubsequence(shared, q, optionsOf(c))),
          want,
        );
      }
    }
  }
});

Deno.test("searchSubsequence f32: bad input", async () => {
  const x = randomWalk(300, rng(3208)), q = x.slice(10, 30);
  const o = { window: 2, precision: "f32" } as const;
  assert.throws(
    () =>
      searchSubsequence(x, q, {
        window: 2,
        precision: "f16" as unknown as "f32",
      }),
    TypeError,
    'searchSubsequence: options.precision must be "f64" or "f32", got "f16"',
  );
  // A finite value beyond f32's range: the error of the other f32 functions.
  const dtwError = (() => {
    try {
      dtw([0, 1, 1e39], [0], { precision: "f32" });
      return undefined;
    } catch (e) {
      return e as TypeError;
    }
  })();
  if (!(dtwError instanceof TypeError)) throw new Error("dtw accepted 1e39");
  assert.match(dtwError.message, /^dtw: a\[2\] is 1e\+39, which rounds to/);
  const big = Array.from(x);
  big[250] = -1e39;
  const series =
    /^searchSubsequence: series\[250\] is -1e\+39, which rounds to -Infinity in f32 \(precision "f32"\)/;
  assert.throws(() => searchSubsequence(big, q, o), (e: Error) => {
    assert.ok(e instanceof TypeError);
    assert.match(e.message, series);
    // The same message as dtw's, but for the name.
    assert.equal(
      e.message.replace(/^.*?, which/, ""),
      dtwError.message.replace(/^.*?, which/, "").replace(
        "Infinity",
        "-Infinity",
      ),
    );
    return true;
  });
  // Fine in f64.
  assert.equal(searchSubsequence(big, q, { window: 2 }).length, 1);
  // Either lane of a pair, and the last value, in a typed array.
  for (const at of [0, 251, 299]) {
    const t = Float64Array.from(x);
    t[at] = 3.5e38;
    assert.throws(
      () => searchSubsequence(t, q, o),
      TypeError,
      `searchSubsequence: series[${at}] is 3.5e+38, which rounds to Infinity`,
    );
  }
  const bigQ = Array.from(q);
  bigQ[3] = 4e38;
  assert.throws(
    () => searchSubsequence(x, bigQ, o),
    TypeError,
    "searchSubsequence: query[3] is 4e+38, which rounds to Infinity in f32",
  );
  assert.throws(
    () => searchSubsequence([[0, 1], [1, 1e39], [2, 2]], [[0, 0]], o),
    TypeError,
    "searchSubsequence: series[1][1] is 1e+39, which rounds to Infinity in f32",
  );
  await using pool = new WorkerPool({ workers: 2 });
  await assert.rejects(
    () => pool.searchSubsequence(big, q, o),
    (e: Error) => e instanceof TypeError && series.test(e.message),
  );
  await assert.rejects(
    () =>
      pool.searchSubsequence(x, q, {
        window: 2,
        precision: "F32" as unknown as "f32",
      }),
    TypeError,
  );
});

Deno.test("searchSubsequence f32: a query of millions of points (where the rounding allowance says nothing) keeps every window and gives the reference's result", () => {
  // At m = 3.5M points the doubled g of search.rs Keep is above 1: the
  // allowance is no bound at all, so the search must keep every window.
  const random = rng(1900);
  const m = 3_500_000, x = randomWalk(m + 3, random);
  const q = x.slice(2, 2 + m).map((v, i) => v + (i % 7 === 0 ? 0.01 : 0));
  // The band-0 f32 DTW of equal lengths is the f32 sum of the diagonal.
  const diagonal = (a: Float32Array, b: Float32Array): number => {
    let sum = 0;
    for (let i = 0; i < a.length; i++) sum = f(cost32(a[i], b[i], true) + sum);
    return sum;
  };
  const prepare = (from: ArrayLike<number>, start: number) => {
    const col = new Float64Array(m);
    for (let i = 0; i < m; i++) col[i] = f(from[start + i]);
    return Float32Array.from(zNormalized(col, true));
  };
  const qz = prepare(q, 0);
  const expected = [0, 1, 2, 3]
    .map((start) => ({ start, distance: diagonal(prepare(x, start), qz) }))
    .sort((a, b) => a.distance - b.distance || a.start - b.start);
  const [best] = searchSubsequence(x, q, {
    window: 0,
    cost: "squared",
    precision: "f32",
  });
  assert.equal(best.start, expected[0].start);
  assert.equal(best.distance, expected[0].distance);
});
