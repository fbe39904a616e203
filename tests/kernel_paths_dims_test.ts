// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Every path of the multivariate (dependent) and f32 kernels, forced
// through the `strategy` argument of the raw exports, against the naive
// reference of ./_dtw_cases.ts (f32: Math.fround after each operation),
// bit for bit: exhaustively over small cases (every pair of lengths 0..N,
// every window, both costs, 1 to 8 dimensions, both precisions), then on
// larger random walks.

import assert from "node:assert/strict";
import { randInt, randomWalk, rng } from "./_rng.ts";
import { COSTS, cutoffs, dtwRef, same, VALUES, windows } from "./_dtw_cases.ts";
import { DTW, DTW_DIMS, rawDtw, rawDtwDims } from "./_raw_kernels.ts";

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
