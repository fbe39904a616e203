// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Every path of the multivariate (dependent) and f32 kernels, forced
// through the `strategy` argument of the raw exports, against the naive
// reference of ./_dtw_cases.ts (f32: Math.fround after each operation),
// bit for bit: exhaustively over small cases (every pair of lengths 0..N,
// every window, both costs, 1 to 8 dimensions, both precisions), then on
// larger random walks.

import assert from "node:assert/strict";
import { randInt, randomWalk, rng } from "../testing/rng.ts";
import {
  COSTS,
  cutoffs,
  dtwRef,
  matrix,
  median,
  same,
  shuffle,
  topRef,
  trace,
  VALUES,
  windows,
} from "./_dtw_cases.ts";
import {
  BATCH_DIMS,
  DTW,
  DTW_DIMS,
  PATH,
  rawDtw,
  rawDtwBatchDims,
  rawDtwDims,
  rawPathDims,
  rawTopKDims,
  TOP_K_DIMS,
} from "./_raw_kernels.ts";

/** Lengths 0..N in the exhaustive cases. */
const N = 8;
/** Dimensions in every case. */
const DIMS = [1, 2, 3, 4, 5, 6, 7, 8];
const PRECISIONS: Array<[string, boolean]> = [["f64", false], ["f32", true]];

/** A random walk of `n` points of `dims` values, point-major. */
function walk(random: () => number, n: number, dims: number): Float64Array {
  const out = new Float64Array(n * dims);
  for (let k = 0; k < dims; k++) {
    const one = randomWalk(n, random);
    for (let i = 0; i < n; i++) out[i * dims + k] = one[i] * (k + 1);
  }
  return out;
}

Deno.test("dtw_dims: every strategy equals the reference on every small case, 1 to 8 dimensions, f64 and f32", () => {
  let checked = 0;
  for (const [label, values] of VALUES) {
    for (const dims of DIMS) {
      const random = rng(300 + dims);
      for (let n = 0; n <= N; n++) {
        for (let m = 0; m <= N; m++) {
          const a = values(random, n * dims), b = values(random, m * dims);
          for (const window of windows(N)) {
            for (const squared of COSTS) {
              for (const [precision, f32] of PRECISIONS) {
                const d = dtwRef(a, b, window, squared, { dims, f32 });
                for (const cutoff of cutoffs(d)) {
                  const want = d <= cutoff ? d : Infinity;
                  for (const [name, s] of Object.entries(DTW_DIMS)) {
                    const got = rawDtwDims(
                      a,
                      b,
                      dims,
                      window,
                      squared,
                      cutoff,
                      s,
                      f32,
                    );
                    same(
                      got,
                      want,
                      () =>
                        `${precision} ${name} ${label} dims=${dims} n=${n} m=${m} window=${window} squared=${squared} cutoff=${cutoff}`,
                    );
                    checked++;
                  }
                }
              }
            }
          }
        }
      }
    }
  }
  assert.ok(checked > 200_000, `${checked} cases`);
  for (const f32 of [false, true]) {
    for (const s of [4, 99]) {
      same(
        rawDtwDims([1], [2], 1, undefined, false, Infinity, s, f32),
        NaN,
        () => `strategy ${s}`,
      );
    }
    same(
      rawDtwDims([1], [2], 0, undefined, false, Infinity, 0, f32),
      NaN,
      () => "dims 0",
    );
  }
});

Deno.test("dtw_dims: every strategy on larger random walks (full stripes, ramps, narrow bands, leftover rows)", () => {
  const random = rng(310);
  for (let c = 0; c < 64; c++) {
    const dims = DIMS[c % DIMS.length];
    const n = randInt(random, 1, 140), m = randInt(random, 1, 140);
    const a = walk(random, n, dims), b = walk(random, m, dims);
    const window = c % 4 === 0 ? undefined : randInt(random, 0, 40);
    const squared = c % 3 === 0;
    for (const [precision, f32] of PRECISIONS) {
      const want = dtwRef(a, b, window, squared, { dims, f32 });
      for (const s of Object.values(DTW_DIMS)) {
        for (const cutoff of [Infinity, want * 0.95]) {
          same(
            rawDtwDims(a, b, dims, window, squared, cutoff, s, f32),
            want <= cutoff ? want : Infinity,
            () =>
              `${precision} strategy ${s} dims=${dims} n=${n} m=${m} window=${window} squared=${squared} cutoff=${cutoff}`,
          );
        }
      }
    }
  }
});

Deno.test("dtw_dims_f64 with one dimension is dtw_f64, bit for bit", () => {
  const random = rng(311);
  for (let c = 0; c < 24; c++) {
    const a = randomWalk(randInt(random, 0, 300), random);
    const b = randomWalk(randInt(random, 0, 300), random);
    const window = c % 3 === 0 ? undefined : randInt(random, 0, 50);
    const squared = c % 2 === 0;
    const want = rawDtw(a, b, window, squared, Infinity, DTW.auto);
    for (const s of Object.values(DTW_DIMS)) {
      same(
        rawDtwDims(a, b, 1, window, squared, Infinity, s),
        want,
        () => `strategy ${s} n=${a.length} m=${b.length} window=${window}`,
      );
    }
  }
});

Deno.test("dtw_dims_f32: rounding shows (the f64 and f32 distances differ), and large values overflow to Infinity as Math.fround does", () => {
  const random = rng(312);
  const a = walk(random, 200, 3), b = walk(random, 180, 3);
  const d64 = rawDtwDims(a, b, 3, undefined, true, Infinity, DTW_DIMS.auto);
  const d32 = rawDtwDims(a, b, 3, undefined, true, Infinity, 0, true);
  assert.notEqual(d32, d64);
  same(d32, dtwRef(a, b, undefined, true, { dims: 3, f32: true }), () => "f32");
  const big = [3e38, -3e38, 1], small = [-3e38, 3e38, 1];
  for (const s of Object.values(DTW_DIMS)) {
    same(
      rawDtwDims(big, small, 1, undefined, false, Infinity, s, true),
      Infinity,
      () => `strategy ${s}`,
    );
  }
});

/**
 * Runs `dtw_batch_dims_*` with every strategy and checks the distances
 * against the reference distances `d`, `+inf` above `cutoff`.
 */
function checkBatch(
  q: Omit<TopKCase, "k">,
  d: number[],
  what: string,
): number {
  const want = d.map((x) => x <= q.cutoff ? x : Infinity);
  for (const [name, s] of Object.entries(BATCH_DIMS)) {
    const { r, patterns, dims, window, squared, cutoff, f32 } = q;
    const got = rawDtwBatchDims(
      r,
      patterns,
      dims,
      window,
      squared,
      cutoff,
      s,
      f32,
    );
    assert.deepEqual(got && Array.from(got), want, `${name} ${what}`);
  }
  return want.length;
}

Deno.test("dtw_batch_dims: single pairs and lane groups (fast and general kernels) equal the reference on every small case", () => {
  let checked = 0;
  const n0 = 6;
  for (const [label, values] of VALUES) {
    for (const dims of DIMS) {
      const random = rng(320 + dims);
      for (let n = 0; n <= n0; n++) {
        const r = values(random, n * dims);
        // 1..6 patterns of every length 0..n0 (groups of 1..4 lanes and a
        // remainder), in random order.
        const patterns = shuffle(
          random,
          Array.from({ length: n0 + 1 }, (_, m) =>
            Array.from(
              { length: randInt(random, 1, 6) },
              () => values(random, m * dims),
            )).flat(),
        );
        for (const window of windows(n0)) {
          for (const squared of COSTS) {
            for (const [precision, f32] of PRECISIONS) {
              const d = patterns.map((p) =>
                dtwRef(r, p, window, squared, { dims, f32 })
              );
              for (const cutoff of [Infinity, median(d)]) {
                const q = { r, patterns, dims, window, squared, cutoff, f32 };
                checked += checkBatch(
                  q,
                  d,
                  `${precision} ${label} dims=${dims} n=${n} window=${window} squared=${squared} cutoff=${cutoff}`,
                );
              }
            }
          }
        }
      }
    }
  }
  assert.ok(checked > 150_000, `${checked} distances (four strategies each)`);
  for (const f32 of [false, true]) {
    assert.equal(
      rawDtwBatchDims([1], [[2]], 1, undefined, false, Infinity, 4, f32),
      undefined,
    );
    assert.equal(
      rawDtwBatchDims([1], [[2]], 0, undefined, false, Infinity, 0, f32),
      undefined,
    );
  }
});

Deno.test("dtw_batch_dims: every strategy on larger random walks", () => {
  const random = rng(330);
  for (let c = 0; c < 32; c++) {
    const dims = DIMS[c % DIMS.length];
    const r = walk(random, randInt(random, 1, 150), dims);
    const lengths = [randInt(random, 1, 150), randInt(random, 1, 150)];
    const patterns = Array.from(
      { length: randInt(random, 1, 14) },
      () => walk(random, lengths[randInt(random, 0, 1)], dims),
    );
    const window = c % 3 === 0 ? undefined : randInt(random, 0, 30);
    const squared = c % 2 === 1;
    for (const [precision, f32] of PRECISIONS) {
      const d = patterns.map((p) =>
        dtwRef(r, p, window, squared, { dims, f32 })
      );
      const cutoff = c % 4 === 0 ? Infinity : median(d);
      const q = { r, patterns, dims, window, squared, cutoff, f32 };
      checkBatch(q, d, `${precision} case ${c}, dims=${dims}`);
    }
  }
});

/** One query of {@linkcode checkTopK} (and, without `k`, of {@linkcode checkBatch}). */
interface TopKCase {
  r: ArrayLike<number>;
  patterns: ArrayLike<number>[];
  dims: number;
  k: number;
  window: number | undefined;
  squared: boolean;
  cutoff: number;
  f32: boolean;
}

/**
 * Runs `q` with every strategy of `top_k_dims_*` and checks the matches
 * against `want`; returns how many candidates the runs pruned or abandoned.
 */
function checkTopK(q: TopKCase, want: unknown, what: string): number {
  let cut = 0;
  for (const [name, s] of Object.entries(TOP_K_DIMS)) {
    const { r, patterns, dims, k, window, squared, cutoff, f32 } = q;
    const got = rawTopKDims(
      r,
      patterns,
      dims,
      k,
      window,
      squared,
      cutoff,
      s,
      f32,
    );
    assert.deepEqual(got?.matches, want, `${name} ${what}`);
    cut += got!.stats[0] + got!.stats[1] + got!.stats[2];
  }
  return cut;
}

Deno.test("top_k_dims: every strategy equals sorting the reference distances on every small case", () => {
  let checked = 0;
  for (const [label, values] of VALUES) {
    for (const dims of [1, 2, 3, 5, 8]) {
      const random = rng(340 + dims);
      for (let n = 0; n <= 6; n++) {
        const r = values(random, n * dims);
        const mixed = Array.from(
          { length: 7 },
          (_, m) =>
            Array.from(
              { length: randInt(random, 1, 3) },
              () => values(random, m * dims),
            ),
        ).flat();
        const m0 = randInt(random, 0, 6);
        const one = Array.from(
          { length: randInt(random, 1, 9) },
          () => values(random, m0 * dims),
        );
        for (const patterns of [shuffle(random, mixed), one]) {
          for (const window of windows(6)) {
            for (const squared of COSTS) {
              for (const [precision, f32] of PRECISIONS) {
                const d = patterns.map((p) =>
                  dtwRef(r, p, window, squared, { dims, f32 })
                );
                for (const cutoff of [Infinity, median(d)]) {
                  for (const k of [1, 3, patterns.length + 1]) {
                    const q = { r, patterns, dims, k, window, squared };
                    checkTopK(
                      { ...q, cutoff, f32 },
                      topRef(d, k, cutoff),
                      `${precision} ${label} dims=${dims} n=${n} count=${patterns.length} window=${window} squared=${squared} cutoff=${cutoff} k=${k}`,
                    );
                    checked++;
                  }
                }
              }
            }
          }
        }
      }
    }
  }
  assert.ok(checked > 20_000, `${checked} queries (three strategies each)`);
  for (const f32 of [false, true]) {
    for (const s of Object.values(TOP_K_DIMS)) {
      assert.deepEqual(
        rawTopKDims([1, 2], [], 1, 3, undefined, false, Infinity, s, f32)
          ?.matches,
        [],
      );
    }
    assert.equal(
      rawTopKDims([1], [[2]], 1, 1, undefined, false, Infinity, 3, f32),
      undefined,
    );
    assert.equal(
      rawTopKDims([1], [[2]], 0, 1, undefined, false, Infinity, 0, f32),
      undefined,
    );
  }
});

Deno.test("top_k_dims: pruned and abandoned runs equal brute force on multivariate random walks, f64 and f32 (values far from zero, so that f32 rounds coarsely)", () => {
  const random = rng(350);
  const pruned = [0, 0];
  for (let c = 0; c < 24; c++) {
    const dims = DIMS[c % DIMS.length];
    const offset = c % 2 === 0 ? 0 : 1e5;
    const shifted = (n: number) => walk(random, n, dims).map((x) => x + offset);
    const n = randInt(random, 20, 120);
    const r = shifted(n);
    const oneLength = c % 3 !== 0;
    const m0 = randInt(random, 20, 120);
    // Some patterns are pieces of the reference (near), the rest walks.
    const patterns = Array.from(
      { length: randInt(random, 16, 60) },
      (_, i) => {
        const m = oneLength ? m0 : randInt(random, 20, 120);
        if (i % 5 !== 0 || m > n) return shifted(m);
        const at = randInt(random, 0, n - m);
        return r.slice(at * dims, (at + m) * dims).map((x) =>
          x + (random() - 0.5) * 0.1
        );
      },
    );
    const window = c % 4 === 0 ? undefined : randInt(random, 0, 30);
    const squared = c % 4 < 2;
    const k = randInt(random, 1, 5);
    for (const [precision, f32] of PRECISIONS) {
      const d = patterns.map((p) =>
        dtwRef(r, p, window, squared, { dims, f32 })
      );
      const cutoff = c % 5 === 0 ? median(d) : Infinity;
      pruned[f32 ? 1 : 0] += checkTopK(
        { r, patterns, dims, k, window, squared, cutoff, f32 },
        topRef(d, k, cutoff),
        `${precision} case ${c}, dims=${dims}`,
      );
    }
  }
  // The bounds and the abandoning did cut work in both precisions.
  assert.ok(pruned[0] > 100 && pruned[1] > 100, `${pruned}`);
});

Deno.test("top_k_dims: equal distances are ordered by index", () => {
  const random = rng(351);
  const r = walk(random, 40, 3);
  const a = walk(random, 30, 3), b = walk(random, 30, 3);
  const patterns = [b, a, b, a, a, b, a];
  for (const [precision, f32] of PRECISIONS) {
    const d = patterns.map((p) =>
      dtwRef(r, p, undefined, false, { dims: 3, f32 })
    );
    const q = { r, patterns, dims: 3, k: 5, window: undefined };
    checkTopK(
      { ...q, squared: false, cutoff: Infinity, f32 },
      topRef(d, 5, Infinity),
      precision,
    );
  }
});

/** Every strategy of `path_dims_*` with the limits it is run with. */
const PATH_RUNS: Array<[string, number, number]> = [
  ["auto", PATH.auto, 2 ** 22],
  ["rows", PATH.rows, 1],
  ...[1, 2, 5, 1e9].map((limit): [string, number, number] => [
    `checkpoints limit=${limit}`,
    PATH.checkpoints,
    limit,
  ]),
];

Deno.test("path_dims: kept rows and checkpoints trace the reference path on every small case", () => {
  let checked = 0;
  for (const [label, values] of VALUES) {
    for (const dims of [2, 3, 5, 8]) {
      const random = rng(360 + dims);
      for (let n = 0; n <= 7; n++) {
        for (let m = 0; m <= 7; m++) {
          const a = values(random, n * dims), b = values(random, m * dims);
          for (const window of windows(7)) {
            for (const squared of COSTS) {
              for (const [precision, f32] of PRECISIONS) {
                const d = matrix(a, b, window, squared, { dims, f32 });
                const dist = d[n][m];
                const path = n > 0 && m > 0 && Number.isFinite(dist)
                  ? trace(d)
                  : [];
                for (const cutoff of cutoffs(dist)) {
                  for (const [name, s, limit] of PATH_RUNS) {
                    const got = rawPathDims(
                      a,
                      b,
                      dims,
                      window,
                      squared,
                      cutoff,
                      limit,
                      s,
                      f32,
                    );
                    const what = () =>
                      `${precision} ${name} ${label} dims=${dims} n=${n} m=${m} window=${window} squared=${squared} cutoff=${cutoff}`;
                    same(got.distance, dist <= cutoff ? dist : Infinity, what);
                    assert.deepEqual(
                      got.path,
                      dist <= cutoff ? path : [],
                      what(),
                    );
                    checked++;
                  }
                }
              }
            }
          }
        }
      }
    }
  }
  assert.ok(checked > 50_000, `${checked} cases`);
  for (const f32 of [false, true]) {
    for (const s of [PATH.matrixRows, PATH.matrixStripes, 5]) {
      same(
        rawPathDims([1, 2], [3, 4], 2, undefined, false, Infinity, 1, s, f32)
          .distance,
        NaN,
        () => `strategy ${s}`,
      );
    }
  }
});

Deno.test("path_dims: every strategy on larger random walks, several levels of checkpoints; one dimension in f64 is path_f64", () => {
  const random = rng(370);
  for (let c = 0; c < 16; c++) {
    const dims = DIMS[c % DIMS.length];
    const a = walk(random, randInt(random, 1, 160), dims);
    const b = walk(random, randInt(random, 1, 160), dims);
    const window = c % 3 === 0 ? undefined : randInt(random, 0, 40);
    const squared = c % 2 === 0;
    for (const [precision, f32] of PRECISIONS) {
      const d = matrix(a, b, window, squared, { dims, f32 });
      const dist = d[d.length - 1][d[0].length - 1];
      const path = trace(d);
      for (
        const [s, limit] of [
          [PATH.auto, 2 ** 22],
          [PATH.rows, 1],
          [PATH.checkpoints, 1],
          [PATH.checkpoints, 64],
          [PATH.checkpoints, 3000],
        ]
      ) {
        const got = rawPathDims(
          a,
          b,
          dims,
          window,
          squared,
          Infinity,
          limit,
          s,
          f32,
        );
        const what = () =>
          `${precision} case ${c}, dims=${dims} strategy ${s} limit ${limit}`;
        same(got.distance, dist, what);
        assert.deepEqual(got.path, path, what());
      }
    }
  }
});
