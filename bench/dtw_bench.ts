// Copyright 2026 the @midstreamer/kit authors. MIT license.
// DTW at the original pattern sizes (10, 100, 1,000, 10,000 points):
// the original pure JS (baseline), typed-array JS, the kit, and npm peers.
//
//   deno bench -A bench/dtw_bench.ts
//
// BENCH_QUICK=1 keeps only the small sizes (used by `deno task compare --quick`).

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
