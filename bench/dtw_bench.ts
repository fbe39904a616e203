// Copyright 2026 the @midstreamer/kit authors. MIT license.
// DTW at the original pattern sizes (10, 100, 1,000, 10,000 points):
// the original pure JS (baseline), typed-array JS, the kit, and npm peers;
// and the `multivariate d=…` groups: series of d = 1, 3, 5 values per point
// at 1,000 × 1,000, dependent and independent, f64 and f32, against the
// original pure JS run once per dimension (the independent form).
//
//   deno bench -A bench/dtw_bench.ts
//
// BENCH_QUICK=1 keeps only the small sizes (used by `deno task compare --quick`)
// and leaves the multivariate groups out.

import { dtw } from "@midstreamer/kit";
import { PureJSDTW, typedArrayDtw } from "@midstreamer/kit/baseline";
import { randomWalk, rng } from "../testing/rng.ts";
import { augursEuclidean, dynamicTimeWarping, midstreamer } from "./_peers.ts";

const QUICK = Deno.env.get("BENCH_QUICK") === "1";
const SIZES = QUICK ? [10, 100, 1000] : [10, 100, 1000, 10000];

function agree(name: string, got: number, want: number): void {
  if (Math.abs(got - want) > 1e-9 * Math.max(1, Math.abs(want))) {
    throw new Error(`${name} disagrees: ${got} vs ${want}`);
  }
}

for (const n of SIZES) {
  const random = rng(n);
  const a = randomWalk(n, random);
  const b = randomWalk(n, random);
  const aList = Array.from(a);
  const bList = Array.from(b);
  const window = Math.max(1, Math.round(n / 10));
  const group = `dtw ${n}`;
  const augurs = augursEuclidean();

  // Check once, outside the timings, that every entry computes the same thing.
  const exact = dtw(a, b);
  agree("typed-array JS", typedArrayDtw(a, b), exact);
  agree("midstreamer", midstreamer.dtw(a, b), exact);
  agree(
    "augurs",
    augurs.distance(a, b),
    Math.sqrt(dtw(a, b, { cost: "squared" })),
  );
  if (n <= 1000) {
    agree("original", PureJSDTW.calculate(a, b), exact);
    agree(
      "original banded",
      PureJSDTW.calculateWithWindow(a, b, window),
      dtw(a, b, { window }),
    );
    agree("dynamic-time-warping", dynamicTimeWarping(aList, bList), exact);
  }

  if (n <= 1000) {
    // At 10,000 points the original's matrix needs about 800 MB: skipped.
    Deno.bench(`original pure JS (${n})`, { group, baseline: true }, () => {
      PureJSDTW.calculate(a, b);
    });
  }
  Deno.bench(`typed-array JS (${n})`, { group }, () => {
    typedArrayDtw(a, b);
  });
  Deno.bench(`kit dtw (${n})`, { group }, () => {
    dtw(a, b);
  });
  Deno.bench(`kit dtw, 10% band (${n})`, { group }, () => {
    dtw(a, b, { window });
  });
  Deno.bench(`midstreamer@0.2.5 (${n})`, { group }, () => {
    midstreamer.dtw(a, b);
  });
  Deno.bench(`@bsull/augurs 0.10, euclidean = sqrt(kit squared) (${n})`, {
    group,
  }, () => {
    augurs.distance(a, b);
  });
  if (n <= 1000) {
    Deno.bench(`dynamic-time-warping 1.0 (${n})`, { group }, () => {
      dynamicTimeWarping(aList, bList);
    });
  }
}

/** `n` points of `dims` independent random walks: point-major, and per dimension. */
function walks(
  random: () => number,
  n: number,
  dims: number,
): { packed: Float64Array; columns: Float64Array[] } {
  const columns = Array.from({ length: dims }, () => randomWalk(n, random));
  const packed = new Float64Array(n * dims);
  for (let k = 0; k < dims; k++) {
    for (let i = 0; i < n; i++) packed[i * dims + k] = columns[k][i];
  }
  return { packed, columns };
}

for (const dims of QUICK ? [] : [1, 3, 5]) {
  const n = 1000;
  const random = rng(16_000 + dims);
  const a = walks(random, n, dims), b = walks(random, n, dims);
  const pa = { dims, values: a.packed }, pb = { dims, values: b.packed };
  const group = `multivariate d=${dims}`;
  const perDimension = () => {
    let sum = 0;
    for (let k = 0; k < dims; k++) {
      sum += PureJSDTW.calculate(a.columns[k], b.columns[k]);
    }
    return sum;
  };

  const independent = dtw(pa, pb, { multivariate: "independent" });
  agree("original per dimension", perDimension(), independent);
  for (const multivariate of ["dependent", "independent"] as const) {
    const f64 = dtw(pa, pb, { multivariate });
    const f32 = dtw(pa, pb, { multivariate, precision: "f32" });
    if (!(Math.abs(f32 - f64) <= 1e-3 * f64)) {
      throw new Error(`f32 ${multivariate} disagrees: ${f32} vs ${f64}`);
    }
  }

  Deno.bench(
    `original pure JS, once per dimension (${group})`,
    { group, baseline: true },
    () => {
      perDimension();
    },
  );
  for (const multivariate of ["dependent", "independent"] as const) {
    if (dims === 1 && multivariate === "independent") continue; // the same
    for (const precision of ["f64", "f32"] as const) {
      const options = { multivariate, precision };
      Deno.bench(`kit dtw ${multivariate} ${precision} (${group})`, {
        group,
      }, () => {
        dtw(pa, pb, options);
      });
    }
  }
  if (dims === 1) {
    const augurs = augursEuclidean();
    Deno.bench(
      `@bsull/augurs 0.10, euclidean = sqrt(kit squared) (${group})`,
      { group },
      () => {
        augurs.distance(a.packed, b.packed);
      },
    );
  }
}
