// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Series of several values per point and precision "f32" through the
// public functions (dtw, dtwBatch, topK, dtwPath, alignTimeframes), in
// every form (arrays of points, { dims, values } with number[],
// Float64Array and Float32Array), against the scalar references of
// ./_dtw_cases.ts (the dependent matrix, f32 as Math.fround after each
// operation) and the independent sum written here, with fixed seeds.

import assert from "node:assert/strict";
import {
  alignTimeframes,
  dtw,
  dtwBatch,
  type DtwOptions,
  dtwPath,
  type Series,
  topK,
  type TopKStats,
} from "@midstreamer/kit";
import { randInt, randomWalk, rng } from "../testing/rng.ts";
import { below, dtwRef, matrix, same, topRef, trace } from "./_dtw_cases.ts";

const DIMS = [1, 2, 3, 4, 5, 6, 7, 8];
type Precision = "f64" | "f32";
type Multivariate = "dependent" | "independent";

/** `n` points of `dims` values, point-major: independent random walks. */
function walk(random: () => number, n: number, dims: number): number[] {
  const out = new Array<number>(n * dims);
  for (let k = 0; k < dims; k++) {
    const one = randomWalk(n, random);
    for (let i = 0; i < n; i++) out[i * dims + k] = one[i] * (1 + k / 2);
  }
  return out;
}

/** Point-major values `v` as an array of points. */
function toPoints(v: ArrayLike<number>, dims: number): number[][] {
  return Array.from(
    { length: v.length / dims },
    (_, i) => Array.from({ length: dims }, (_, k) => v[i * dims + k]),
  );
}

/**
 * The forms of one series (point-major values `v`): an array of points,
 * and packed with a `number[]` and a `Float64Array` (and, when `f32`, a
 * `Float32Array`: the input rounded once, as the kit rounds it); with one
 * dimension also the plain array.
 */
function forms(v: number[], dims: number, f32: boolean): [string, Series][] {
  const out: [string, Series][] = [
    ["points", toPoints(v, dims)],
    ["packed number[]", { dims, values: v }],
    ["packed Float64Array", { dims, values: Float64Array.from(v) }],
  ];
  if (f32) {
    out.push(["packed Float32Array", { dims, values: Float32Array.from(v) }]);
  }
  if (dims === 1) out.push(["values", v]);
  return out;
}

/** Dimension `k` of point-major values `v`. */
function column(v: ArrayLike<number>, dims: number, k: number): number[] {
  return Array.from({ length: v.length / dims }, (_, i) => v[i * dims + k]);
}

/**
 * The independent DTW written from its definition: each dimension's
 * univariate DTW (the reference matrix), summed in index order from the
 * first, each addition rounded to f32 with `f32`.
 */
function independentRef(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  dims: number,
  window: number | undefined,
  squared: boolean,
  f32: boolean,
): number {
  let sum = 0;
  for (let k = 0; k < dims; k++) {
    const d = dtwRef(column(a, dims, k), column(b, dims, k), window, squared, {
      f32,
    });
    sum = k === 0 ? d : f32 ? Math.fround(sum + d) : sum + d;
  }
  return sum;
}

/** The reference distance of either definition. */
function reference(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  dims: number,
  o: { window?: number; squared: boolean; f32: boolean; independent: boolean },
): number {
  return o.independent
    ? independentRef(a, b, dims, o.window, o.squared, o.f32)
    : dtwRef(a, b, o.window, o.squared, { dims, f32: o.f32 });
}

/** The reference distances of `ref` to each of `values`. */
function referenceAll(
  ref: ArrayLike<number>,
  values: ArrayLike<number>[],
  dims: number,
  window: number | undefined,
  squared: boolean,
  precision: Precision,
  multivariate: Multivariate,
): number[] {
  return values.map((p) =>
    reference(ref, p, dims, {
      window,
      squared,
      f32: precision === "f32",
      independent: multivariate === "independent",
    })
  );
}

/** The options of one case. */
function options(
  window: number | undefined,
  squared: boolean,
  precision: Precision,
  multivariate: Multivariate,
  cutoff?: number,
): DtwOptions {
  return {
    window,
    cost: squared ? "squared" : "absolute",
    precision,
    multivariate,
    cutoff,
  };
}

const PRECISIONS: Precision[] = ["f64", "f32"];
const DEFINITIONS: Multivariate[] = ["dependent", "independent"];

Deno.test("dtw: every form equals the scalar references, d = 1 to 8, n ≠ m, windows (also narrower than |n - m|), both costs, f64 and f32 bit for bit", () => {
  const random = rng(1601);
  let checked = 0;
  for (let c = 0; c < 96; c++) {
    const dims = DIMS[c % DIMS.length];
    const n = randInt(random, 1, 40);
    let m = randInt(random, 1, 40);
    if (m === n) m = n + 1 + (c % 5);
    const a = walk(random, n, dims), b = walk(random, m, dims);
    const diff = Math.abs(n - m);
    const window = c % 4 === 0
      ? undefined
      : c % 4 === 1
      ? randInt(random, 0, Math.max(0, diff - 1)) // narrower than |n - m|
      : randInt(random, 0, 45);
    const squared = c % 3 === 0;
    for (const precision of PRECISIONS) {
      const f32 = precision === "f32";
      for (const multivariate of DEFINITIONS) {
        const want = reference(a, b, dims, {
          window,
          squared,
          f32,
          independent: multivariate === "independent",
        });
        for (const cutoff of [undefined, want, below(want)]) {
          const o = options(window, squared, precision, multivariate, cutoff);
          for (const [fa, xa] of forms(a, dims, f32)) {
            for (const [fb, xb] of forms(b, dims, f32)) {
              same(
                dtw(xa, xb, o),
                cutoff === undefined || want <= cutoff ? want : Infinity,
                () =>
                  `${fa} × ${fb} d=${dims} n=${n} m=${m} ${JSON.stringify(o)}`,
              );
              checked++;
            }
          }
        }
      }
    }
  }
  assert.ok(checked > 5000, `${checked} cases`);
});

Deno.test("dtw: f32 is not f64, and is exactly the f32 reference on values that round", () => {
  const random = rng(1602);
  for (const dims of [1, 3, 5]) {
    const a = walk(random, 60, dims).map((x) => x / 3);
    const b = walk(random, 45, dims).map((x) => x / 3);
    for (const multivariate of DEFINITIONS) {
      const o = { multivariate, precision: "f32" } as const;
      const want = reference(a, b, dims, {
        squared: false,
        f32: true,
        independent: multivariate === "independent",
      });
      same(
        dtw({ dims, values: a }, { dims, values: b }, o),
        want,
        () => `d=${dims} ${multivariate}`,
      );
      assert.notEqual(
        want,
        dtw({ dims, values: a }, { dims, values: b }, { multivariate }),
      );
      assert.equal(want, Math.fround(want), "an f32 value");
    }
  }
});

Deno.test("d = 1 in the multivariate forms equals univariate, bit for bit (and independent equals dependent)", () => {
  const random = rng(1603);
  for (let c = 0; c < 40; c++) {
    const n = randInt(random, 0, 120), m = randInt(random, 0, 120);
    const a = Array.from(randomWalk(n, random)),
      b = Array.from(randomWalk(m, random));
    const window = c % 3 === 0 ? undefined : randInt(random, 0, 30);
    for (const precision of PRECISIONS) {
      for (const cost of ["absolute", "squared"] as const) {
        const o = { window, cost, precision };
        const plain = dtw(a, b, o);
        const label = `n=${n} m=${m} ${JSON.stringify(o)}`;
        for (const multivariate of DEFINITIONS) {
          const oo = { ...o, multivariate };
          same(dtw(toPoints(a, 1), toPoints(b, 1), oo), plain, () => label);
          same(dtw({ dims: 1, values: a }, b, oo), plain, () => label);
        }
        assert.deepEqual(
          dtwPath(toPoints(a, 1), toPoints(b, 1), o),
          dtwPath(a, b, o),
          label,
        );
        const patterns = [b, a, b.slice(0, m >> 1)];
        assert.deepEqual(
          dtwBatch(toPoints(a, 1), patterns.map((p) => toPoints(p, 1)), o),
          dtwBatch(a, patterns, o),
          label,
        );
        assert.deepEqual(
          topK({ dims: 1, values: a }, patterns.map((p) => toPoints(p, 1)), {
            ...o,
            k: 2,
            multivariate: "independent",
          }),
          topK(a, patterns, { ...o, k: 2 }),
          label,
        );
      }
    }
  }
});

Deno.test("dtwBatch: each distance is the reference's, every definition and precision, patterns of mixed forms and lengths", () => {
  const random = rng(1604);
  for (let c = 0; c < 24; c++) {
    const dims = DIMS[c % DIMS.length];
    const n = randInt(random, 1, 60);
    const ref = walk(random, n, dims);
    const values = Array.from(
      { length: randInt(random, 0, 14) },
      () => walk(random, randInt(random, 0, 70), dims),
    );
    const window = c % 3 === 0 ? undefined : randInt(random, 0, 20);
    const squared = c % 2 === 1;
    for (const precision of PRECISIONS) {
      const f32 = precision === "f32";
      for (const multivariate of DEFINITIONS) {
        const want = referenceAll(
          ref,
          values,
          dims,
          window,
          squared,
          precision,
          multivariate,
        );
        const cutoff = c % 4 === 2 ? want[0] : undefined;
        const o = options(window, squared, precision, multivariate, cutoff);
        const patterns = values.map((p, i) => forms(p, dims, f32)[i % 3][1]);
        const got = dtwBatch({ dims, values: ref }, patterns, o);
        assert.equal(got.length, values.length);
        want.forEach((w, i) =>
          same(
            got[i],
            cutoff === undefined || w <= cutoff ? w : Infinity,
            () => `pattern ${i} d=${dims} ${JSON.stringify(o)}`,
          )
        );
      }
    }
  }
});

/** Counters summed over the cases of a topK test, to report pruning. */
function tally(): { add(s: TopKStats): void; line(): string } {
  const t = { prunedByKim: 0, prunedByKeogh: 0, abandoned: 0, computed: 0 };
  return {
    add(s) {
      for (const key of Object.keys(t) as (keyof TopKStats)[]) t[key] += s[key];
    },
    line() {
      const all = t.prunedByKim + t.prunedByKeogh + t.abandoned + t.computed;
      const pct = (x: number) => `${(100 * x / all).toFixed(1)} %`;
      return `${all} patterns: ${pct(t.prunedByKim)} pruned by LB_Kim, ${
        pct(t.prunedByKeogh)
      } by LB_Keogh, ${pct(t.abandoned)} abandoned, ${
        pct(t.computed)
      } computed`;
    },
  };
}

Deno.test("topK equals brute force on multivariate random walks (ties by index), dependent and independent, f64 and f32; pruning rates", () => {
  const random = rng(1605);
  const rates = new Map<string, ReturnType<typeof tally>>();
  for (let c = 0; c < 48; c++) {
    const dims = [2, 3, 4, 5][c % 4];
    const n = randInt(random, 20, 90);
    // Every third case: integer walks, so that distances tie.
    const ties = c % 3 === 0;
    const gen = (len: number) => {
      const w = walk(random, len, dims);
      return ties ? w.map((x) => Math.round(x)) : w;
    };
    const ref = gen(n);
    const sameLength = c % 2 === 0;
    const values = Array.from(
      { length: randInt(random, 30, 80) },
      () => gen(sameLength ? n : randInt(random, Math.max(1, n - 15), n + 15)),
    );
    // Near copies of the reference, so that pruning has a good bound.
    for (let i = 0; i < 3; i++) {
      values[randInt(random, 0, values.length - 1)] = ref.map((x) =>
        ties ? x : x + (random() - 0.5) * 0.1
      );
    }
    const window = c % 3 === 1 ? undefined : randInt(random, 0, 12);
    const squared = c % 4 >= 2;
    const k = [1, 3, 10, 200, Infinity][c % 5];
    for (const precision of PRECISIONS) {
      for (const multivariate of DEFINITIONS) {
        const d = referenceAll(
          ref,
          values,
          dims,
          window,
          squared,
          precision,
          multivariate,
        );
        const sorted = [...d].sort((x, y) => x - y);
        const cutoff = c % 6 === 5 ? sorted[4] : Infinity;
        const o = options(window, squared, precision, multivariate, cutoff);
        const stats = {} as TopKStats;
        const got = topK(
          toPoints(ref, dims),
          values.map((p) => ({ dims, values: p })),
          { ...o, k, stats },
        );
        const label = `case ${c} d=${dims} k=${k} ${JSON.stringify(o)}`;
        assert.deepEqual(got, topRef(d, k, cutoff), label);
        assert.equal(
          stats.prunedByKim + stats.prunedByKeogh + stats.abandoned +
            stats.computed,
          values.length,
          label,
        );
        const key = `${multivariate} ${precision}`;
        if (!rates.has(key)) rates.set(key, tally());
        if (k <= 10) rates.get(key)!.add(stats);
      }
    }
  }
  for (const [key, t] of rates) {
    console.log(`topK ${key}, k <= 10: ${t.line()}`);
  }
});

Deno.test("topK (independent): the bounds prune, and pruning keeps exact ties", () => {
  // Patterns that tie with the k-th best must stay: identical copies of a
  // pattern, visited in bound order (not index order), all at one distance.
  const random = rng(1606);
  const dims = 3;
  const ref = walk(random, 50, dims);
  const near = ref.map((x) => x + 0.25);
  const far = () => walk(random, 50, dims).map((x) => x + 40);
  const values = [
    far(),
    near,
    far(),
    near,
    far(),
    near,
    ...Array.from({ length: 60 }, far),
  ];
  for (const precision of PRECISIONS) {
    for (const multivariate of DEFINITIONS) {
      const stats = {} as TopKStats;
      const got = topK(
        { dims, values: ref },
        values.map((v) => ({ dims, values: v })),
        {
          k: 2,
          multivariate,
          precision,
          window: 5,
          stats,
        },
      );
      assert.deepEqual(
        got.map((x) => x.index),
        [1, 3],
        `${multivariate} ${precision}`,
      );
      assert.equal(got[0].distance, got[1].distance);
      assert.ok(
        stats.prunedByKim + stats.prunedByKeogh >= 50,
        `${multivariate} ${precision}: ${JSON.stringify(stats)}`,
      );
    }
  }
});

Deno.test("dtwPath and alignTimeframes of multivariate series: the reference's distance and path, f64 and f32", () => {
  const random = rng(1607);
  for (let c = 0; c < 40; c++) {
    const dims = DIMS[c % DIMS.length];
    const n = randInt(random, 1, 50), m = randInt(random, 1, 50);
    const a = walk(random, n, dims), b = walk(random, m, dims);
    const window = c % 3 === 0 ? undefined : randInt(random, 0, 10);
    const squared = c % 2 === 0;
    for (const precision of PRECISIONS) {
      const f32 = precision === "f32";
      const d = matrix(a, b, window, squared, { dims, f32 });
      const o = options(window, squared, precision, "dependent");
      const label = `d=${dims} n=${n} m=${m} ${JSON.stringify(o)}`;
      const got = dtwPath(toPoints(a, dims), { dims, values: b }, o);
      same(got.distance, d[n][m], () => label);
      assert.deepEqual(got.path, trace(d), label);
      const [pair] = alignTimeframes([{ dims, values: a }, toPoints(b, dims)], {
        window,
        cost: o.cost,
        precision,
      });
      assert.deepEqual(pair, { from: 0, to: 1, ...got }, label);
    }
  }
});

Deno.test("bad multivariate input: the errors the issue lists", () => {
  const ok = [[1, 2], [3, 4]];
  // A ragged point: RangeError naming the index.
  assert.throws(
    () => dtw([[1, 2], [3, 4], [5]], ok),
    (e) =>
      e instanceof RangeError &&
      /a\[2\] has 1 values but a\[0\] has 2/.test(e.message),
  );
  assert.throws(
    () => dtwBatch(ok, [ok, [[1, 2], [3, 4, 5]]]),
    (e) =>
      e instanceof RangeError &&
      /patterns\[1\]\[1\] has 3 values/.test(e.message),
  );
  // dims not dividing values.length.
  assert.throws(
    () => dtw({ dims: 3, values: [1, 2, 3, 4] }, ok),
    (e) => e instanceof RangeError && /a.values has 4 values/.test(e.message),
  );
  // d = 0.
  assert.throws(() => dtw({ dims: 0, values: [] }, ok), RangeError);
  assert.throws(() => dtw([[], []], ok), /a\[0\] has no values/);
  assert.throws(() => dtw({ dims: 1.5, values: [1] }, ok), RangeError);
  assert.throws(
    () => dtw({ dims: "2", values: [1, 2] } as never, ok),
    TypeError,
  );
  // Mixing d between arguments.
  assert.throws(
    () => dtw([[1, 2, 3]], ok),
    (e) =>
      e instanceof RangeError &&
      /b has 2 dimensions per point but a has 3/.test(e.message),
  );
  assert.throws(() => dtw([1, 2], ok), RangeError);
  assert.throws(
    () => topK(ok, [[[1, 2, 3]]]),
    /patterns\[0\] has 3 dimensions/,
  );
  assert.throws(() => dtwPath({ dims: 3, values: [1, 2, 3] }, ok), RangeError);
  // Non-finite: TypeError naming the point and the dimension.
  assert.throws(
    () => dtw([[1, 2], [3, NaN]], ok),
    (e) => e instanceof TypeError && /a\[1\]\[1\] is NaN/.test(e.message),
  );
  assert.throws(
    () => dtw(ok, { dims: 2, values: Float64Array.of(1, 2, Infinity, 4) }),
    (e) =>
      e instanceof TypeError &&
      /b.values\[2\] \(point 1, dimension 0\) is Infinity/.test(e.message),
  );
  assert.throws(
    () => dtwBatch(ok, [ok, [[1, 2], [3, "4"]]] as never),
    /patterns\[1\]\[1\]\[1\] is the string "4"/,
  );
  assert.throws(
    () => dtw([[1, 2], 3] as never, ok),
    /a\[1\] is 3; expected a point/,
  );
  // Finite in f64 but not in f32.
  assert.throws(
    () => dtw([[1, 2], [3, 1e39]], ok, { precision: "f32" }),
    (e) =>
      e instanceof TypeError &&
      /a\[1\]\[1\] is 1e\+39, which rounds to Infinity in f32/.test(e.message),
  );
  assert.equal(dtw([[1, 2], [3, 1e39]], ok), dtw([[1, 2], [3, 1e39]], ok));
  // Unknown multivariate or precision.
  assert.throws(
    () => dtw(ok, ok, { multivariate: "both" } as never),
    (e) =>
      e instanceof TypeError &&
      /options.multivariate must be "dependent" or "independent"/.test(
        e.message,
      ),
  );
  assert.throws(
    () => topK(ok, [ok], { precision: "f16" } as never),
    (e) =>
      e instanceof TypeError &&
      /options.precision must be "f64" or "f32"/.test(e.message),
  );
  assert.throws(
    () => dtwBatch(ok, [ok], { precision: 32 } as never),
    TypeError,
  );
  // "independent" with dtwPath (and alignTimeframes): TypeError saying why.
  for (
    const f of [
      () => dtwPath(ok, ok, { multivariate: "independent" }),
      () => alignTimeframes([ok, ok], { multivariate: "independent" }),
    ]
  ) {
    assert.throws(
      f,
      (e) => e instanceof TypeError && /no single warping path/.test(e.message),
    );
  }
  // Not a series at all.
  assert.throws(() => dtw({ values: 3 } as never, ok), TypeError);
  assert.throws(() => dtw({ dims: 2 } as never, ok), TypeError);
});

Deno.test("empty series in the multivariate forms: both empty 0, one empty Infinity", () => {
  for (const multivariate of DEFINITIONS) {
    for (const precision of PRECISIONS) {
      const o = { multivariate, precision } as const;
      assert.equal(dtw({ dims: 3, values: [] }, { dims: 3, values: [] }, o), 0);
      assert.equal(dtw([], { dims: 3, values: [] }, o), 0);
      assert.equal(dtw([[1, 2, 3]], [], o), Infinity);
      assert.equal(dtw({ dims: 3, values: [] }, [[1, 2, 3]], o), Infinity);
      assert.deepEqual(Array.from(dtwBatch([[1, 2]], [[], [[1, 2]]], o)), [
        Infinity,
        0,
      ]);
      assert.deepEqual(topK([], [[], [[1, 2]]], { ...o, k: 2 }), [
        { index: 0, distance: 0 },
        { index: 1, distance: Infinity },
      ]);
    }
  }
});
