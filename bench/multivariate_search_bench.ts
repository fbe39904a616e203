// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * Multivariate subsequence search: a random walk of 100,000 points of
 * d = 3 correlated values (a common walk plus each dimension's own),
 * query 128 (a noisy, rescaled copy of a stretch of the series), band 5 %,
 * squared cost, z-normalized, top 1 (UCR Suite's setting).
 *
 * ```sh
 * deno bench -A bench/multivariate_search_bench.ts
 * ```
 *
 * Group `multivariate search 100k × 3, query 128, band 5%`: the baseline is
 * the univariate search of the first dimension alone (the same series'
 * work for d = 1), against the dependent (DTW_D) and independent (DTW_I)
 * searches of all three dimensions, single thread and on a 2-worker pool.
 * The pruning counters of each are printed once (to stderr: stdout is
 * `deno bench --json`'s). `BENCH_QUICK=1` shrinks the series to 20,000
 * points.
 *
 * @module
 */

import {
  type SearchOptions,
  type SearchStats,
  searchSubsequence,
  WorkerPool,
} from "@midstreamer/kit";
import { randomWalk, rng } from "../testing/rng.ts";

const QUICK = Deno.env.get("BENCH_QUICK") === "1";
const N = QUICK ? 20_000 : 100_000;
const D = 3;
const M = 128;
const random = rng(2017);

// The series, point-major, and the first dimension alone.
const common = randomWalk(N, random);
const values = new Float64Array(N * D);
for (let k = 0; k < D; k++) {
  const own = randomWalk(N, random);
  for (let i = 0; i < N; i++) values[i * D + k] = (1 + k) * common[i] + own[i];
}
const series = { dims: D, values };
const first = Float64Array.from({ length: N }, (_, i) => values[i * D]);
// The query: a noisy, rescaled copy of a stretch of the series.
const from = Math.floor(N * 0.6);
const query = {
  dims: D,
  values: Float64Array.from(
    values.subarray(from * D, (from + M) * D),
    (v) => 2 * v + 5 + 0.1 * (random() - 0.5),
  ),
};
const firstQuery = Float64Array.from(
  { length: M },
  (_, i) => query.values[i * D],
);

const group = `multivariate search ${N / 1000}k × ${D}, query ${M}, band 5%`;
const options: SearchOptions = {
  window: Math.floor(M * 0.05),
  cost: "squared",
};
const pool = new WorkerPool({ workers: 2 });

function report(label: string, run: (stats: SearchStats) => number): void {
  const stats = {} as SearchStats;
  const t0 = performance.now();
  const start = run(stats);
  const ms = performance.now() - t0;
  const pct = (x: number) => `${((100 * x) / stats.windows).toFixed(2)}%`;
  console.error(
    `${label}: best ${start} in ${ms.toFixed(0)} ms; pruned LB_Kim ${
      pct(stats.prunedByKim)
    }, LB_Keogh EQ ${pct(stats.prunedByKeoghEQ)}, LB_Keogh EC ${
      pct(stats.prunedByKeoghEC)
    }, DTW abandoned ${pct(stats.abandoned)}, DTW completed ${
      pct(stats.computed)
    }`,
  );
}

report(
  "d = 1 (first dimension)",
  (stats) =>
    searchSubsequence(first, firstQuery, { ...options, stats })[0].start,
);
for (const multivariate of ["dependent", "independent"] as const) {
  report(
    `d = ${D}, ${multivariate}`,
    (stats) =>
      searchSubsequence(series, query, { ...options, multivariate, stats })[0]
        .start,
  );
}

Deno.bench({
  name: "kit: searchSubsequence, d = 1 (the first dimension)",
  group,
  baseline: true,
  n: 5,
  fn: () => {
    searchSubsequence(first, firstQuery, options);
  },
});

for (const multivariate of ["dependent", "independent"] as const) {
  Deno.bench({
    name: `kit: searchSubsequence, d = ${D}, ${multivariate}`,
    group,
    n: 5,
    fn: () => {
      searchSubsequence(series, query, { ...options, multivariate });
    },
  });
  Deno.bench({
    name: `kit: WorkerPool(2).searchSubsequence, d = ${D}, ${multivariate}`,
    group,
    n: 5,
    fn: async () => {
      await pool.searchSubsequence(series, query, { ...options, multivariate });
    },
  });
}
