// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * End-to-end benchmarks of the "search at scale" kernels against the
 * original pure-JavaScript pipeline.
 *
 * ```sh
 * deno bench -A bench/e2e_bench.ts
 * ```
 *
 * Groups (the original pure-JS entry is the `baseline` of each group):
 *
 * - `pattern matching`: 1,000 random-walk "market patterns" of 500 points
 *   against a reference of 500 points, top 10, full DTW. Original:
 *   `PureJSDTW.calculate` per pattern, sort, `slice(0, 10)`.
 * - `dtw batch`: the same 1,000 distances: the original, `dtw` once per
 *   pattern, `dtwBatch`, and `WorkerPool.dtwBatch` with 2 workers.
 * - `multi-timeframe alignment`: 5 series of 1,000 points; original:
 *   `PureJSDTW.calculate` over adjacent pairs (distances only), kit:
 *   `alignTimeframes` (distances and paths).
 * - `subsequence search 20k`: a pure-JS brute force is feasible only on a
 *   small series: z-normalized sliding windows scored with `typedArrayDtw`
 *   (absolute cost, band 6) over 20,000 points, query 128, as the baseline.
 * - `subsequence search 1M`: 1,000,000 points, query 128 with a 5% band and
 *   query 512 with a 10% band, squared cost, top 1 (UCR Suite's setting),
 *   single thread and on a 2-worker pool. No pure-JS baseline: a brute
 *   force would take hours.
 * - `subsequence search 1M, query 64-1024, two walks`: every query length
 *   from 64 to 1,024 points (bands of 5% up to 128 points, 10% above,
 *   squared cost), on two random walks of 1,000,000 points; each query is a
 *   noisy, rescaled copy of a stretch of its walk, as a pattern that recurs.
 *   Single thread; and, at query 128, `WorkerPool(2)` against one thread
 *   (one group per walk, one thread as the baseline).
 *
 * The pruning counters of `topK` and `searchSubsequence` are printed once
 * (to stderr: stdout is `deno bench --json`'s).
 *
 * `BENCH_QUICK=1` (used by `deno task compare --quick`) shrinks the sizes:
 * 200 patterns instead of 1,000, 5,000 points instead of 20,000, and
 * 100,000 instead of 1,000,000 (also for the two walks); group names state
 * the sizes.
 *
 * @module
 */

import {
  alignTimeframes,
  dtw,
  dtwBatch,
  type SearchStats,
  searchSubsequence,
  topK,
  type TopKStats,
  WorkerPool,
} from "@midstreamer/kit";
import { PureJSDTW, typedArrayDtw } from "@midstreamer/kit/baseline";
import { randomWalk, randomWalks, rng } from "../testing/rng.ts";

const QUICK = Deno.env.get("BENCH_QUICK") === "1";
const PATTERNS = QUICK ? 200 : 1000;
const SMALL = QUICK ? 5_000 : 20_000;
const LONG = QUICK ? 100_000 : 1_000_000;
const size = (n: number) => n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`;

const random = rng(2026);
const reference = randomWalk(500, random);
const patterns = randomWalks(PATTERNS, random, 500);
const pool = new WorkerPool({ workers: 2 });

function originalTopK(k: number): Array<{ index: number; distance: number }> {
  return patterns
    .map((p, index) => ({ index, distance: PureJSDTW.calculate(reference, p) }))
    .sort((a, b) => a.distance - b.distance)
    .slice(0, k);
}

// Checked once, outside timing.
{
  const stats = {} as TopKStats;
  const kit = topK(reference, patterns, { k: 10, stats });
  const original = originalTopK(10);
  if (JSON.stringify(kit) !== JSON.stringify(original)) {
    throw new Error("topK differs from the original pipeline");
  }
  const pruned = stats.prunedByKim + stats.prunedByKeogh;
  console.error(
    `topK ${PATTERNS} × 500, k = 10: ${pruned} patterns pruned by lower bounds ` +
      `(LB_Kim ${stats.prunedByKim}, LB_Keogh ${stats.prunedByKeogh}), ` +
      `${stats.abandoned} abandoned early, ${stats.computed} computed in full`,
  );
}

Deno.bench({
  name: "original: PureJSDTW per pattern + sort + slice",
  group: "pattern matching",
  baseline: true,
  n: 3,
  warmup: 1,
  fn: () => {
    originalTopK(10);
  },
});

Deno.bench({
  name: "kit: topK (LB_Kim + LB_Keogh + early abandoning)",
  group: "pattern matching",
  fn: () => {
    topK(reference, patterns, { k: 10 });
  },
});

Deno.bench({
  name: "kit: WorkerPool(2).topK",
  group: "pattern matching",
  fn: async () => {
    await pool.topK(reference, patterns, { k: 10 });
  },
});

Deno.bench({
  name: "original: PureJSDTW per pattern",
  group: "dtw batch",
  baseline: true,
  n: 3,
  warmup: 1,
  fn: () => {
    for (const p of patterns) PureJSDTW.calculate(reference, p);
  },
});

Deno.bench({
  name: "kit: dtw per pattern",
  group: "dtw batch",
  fn: () => {
    for (const p of patterns) dtw(reference, p);
  },
});

Deno.bench({
  name: "kit: dtwBatch",
  group: "dtw batch",
  fn: () => {
    dtwBatch(reference, patterns);
  },
});

Deno.bench({
  name: "kit: WorkerPool(2).dtwBatch",
  group: "dtw batch",
  fn: async () => {
    await pool.dtwBatch(reference, patterns);
  },
});

// Multi-timeframe alignment: 5 series of 1,000 points.
const timeframes = randomWalks(5, random, 1000);
{
  const kit = alignTimeframes(timeframes).map((p) => p.distance);
  const original = timeframes.slice(1).map((s, i) =>
    PureJSDTW.calculate(timeframes[i], s)
  );
  if (JSON.stringify(kit) !== JSON.stringify(original)) {
    throw new Error("alignTimeframes differs from the original");
  }
}

Deno.bench({
  name: "original: PureJSDTW over adjacent pairs",
  group: "multi-timeframe alignment",
  baseline: true,
  fn: () => {
    for (let i = 0; i + 1 < timeframes.length; i++) {
      PureJSDTW.calculate(timeframes[i], timeframes[i + 1]);
    }
  },
});

Deno.bench({
  name: "kit: alignTimeframes (distances + paths)",
  group: "multi-timeframe alignment",
  fn: () => {
    alignTimeframes(timeframes);
  },
});

// Subsequence search against a pure-JS brute force on 20,000 points.
const small = randomWalk(SMALL, random);
const smallQuery = randomWalk(128, random);

function zNormalize(x: ArrayLike<number>): Float64Array {
  let s1 = 0, s2 = 0;
  for (let i = 0; i < x.length; i++) {
    s1 += x[i];
    s2 += x[i] * x[i];
  }
  const mean = s1 / x.length;
  const sd = Math.sqrt(s2 / x.length - mean * mean);
  return Float64Array.from(x, (v) => (v - mean) / sd);
}

function bruteSearch(): { index: number; distance: number } {
  const q = zNormalize(smallQuery);
  let best = { index: -1, distance: Infinity };
  for (let i = 0; i + q.length <= small.length; i++) {
    const d = typedArrayDtw(zNormalize(small.subarray(i, i + q.length)), q, 6);
    if (d < best.distance) best = { index: i, distance: d };
  }
  return best;
}

{
  const [kit] = searchSubsequence(small, smallQuery, {
    window: 6,
    cost: "absolute",
  });
  const brute = bruteSearch();
  if (
    kit.start !== brute.index || Math.abs(kit.distance - brute.distance) > 1e-9
  ) {
    throw new Error(
      `searchSubsequence differs from brute force: ${kit.start} vs ${brute.index}`,
    );
  }
}

Deno.bench({
  name: "pure JS: z-normalized typedArrayDtw over every window",
  group: `subsequence search ${size(SMALL)}, query 128, band 6`,
  baseline: true,
  n: 3,
  warmup: 1,
  fn: () => {
    bruteSearch();
  },
});

Deno.bench({
  name: "kit: searchSubsequence",
  group: `subsequence search ${size(SMALL)}, query 128, band 6`,
  fn: () => {
    searchSubsequence(small, smallQuery, { window: 6, cost: "absolute" });
  },
});

// Subsequence search on 1,000,000 points (UCR Suite's setting).
const series = randomWalk(LONG, random);
const query128 = randomWalk(128, random);
const query512 = randomWalk(512, random);
const cases = [
  {
    label: "query 128, band 5%",
    query: query128,
    window: Math.floor(128 * 0.05),
  },
  {
    label: "query 512, band 10%",
    query: query512,
    window: Math.floor(512 * 0.1),
  },
];

for (const c of cases) {
  const stats = {} as SearchStats;
  const t0 = performance.now();
  const [best] = searchSubsequence(series, c.query, {
    window: c.window,
    cost: "squared",
    stats,
  });
  const ms = performance.now() - t0;
  const pct = (x: number) => `${((100 * x) / stats.windows).toFixed(2)}%`;
  console.error(
    `searchSubsequence ${size(LONG)}, ${c.label}: best ${best.start} (${
      best.distance.toFixed(4)
    }) ` +
      `in ${ms.toFixed(0)} ms; pruned LB_Kim ${pct(stats.prunedByKim)}, ` +
      `LB_Keogh EQ ${pct(stats.prunedByKeoghEQ)}, LB_Keogh EC ${
        pct(stats.prunedByKeoghEC)
      }, ` +
      `DTW abandoned ${pct(stats.abandoned)}, DTW completed ${
        pct(stats.computed)
      }`,
  );
  Deno.bench({
    name: `kit: searchSubsequence, ${c.label}`,
    group: `subsequence search ${size(LONG)} (no pure-JS baseline: infeasible)`,
    n: 5,
    fn: () => {
      searchSubsequence(series, c.query, { window: c.window, cost: "squared" });
    },
  });
  Deno.bench({
    name: `kit: WorkerPool(2).searchSubsequence, ${c.label}`,
    group: `subsequence search ${size(LONG)} (no pure-JS baseline: infeasible)`,
    n: 5,
    fn: async () => {
      await pool.searchSubsequence(series, c.query, {
        window: c.window,
        cost: "squared",
      });
    },
  });
}

// Every query length on two walks: the per-window pipeline (short queries)
// and the DTWs (long ones).
const twoWalks = `subsequence search ${size(LONG)}, query 64-1024, two walks`;
for (const walk of [1, 2]) {
  const random = rng(2026 + walk);
  const x = randomWalk(LONG, random);
  for (const m of [64, 128, 256, 512, 1024]) {
    const window = Math.floor((m <= 128 ? 0.05 : 0.1) * m);
    // A stretch of the walk, rescaled, shifted and with noise.
    const at = Math.floor(random() * (LONG - m));
    const query = Float64Array.from(
      x.subarray(at, at + m),
      (v) => 2 * v + 5 + 0.1 * (random() - 0.5),
    );
    const stats = {} as SearchStats;
    const [best] = searchSubsequence(x, query, {
      window,
      cost: "squared",
      stats,
    });
    if (best.start !== at) {
      throw new Error(
        `walk ${walk}, query ${m}: found ${best.start}, not ${at}`,
      );
    }
    const pct = (v: number) => `${((100 * v) / stats.windows).toFixed(1)}%`;
    console.error(
      `searchSubsequence ${
        size(LONG)
      }, walk ${walk}, query ${m}, band ${window}: ` +
        `pruned LB_Kim ${pct(stats.prunedByKim)}, LB_Keogh EQ ${
          pct(stats.prunedByKeoghEQ)
        }, EC ${pct(stats.prunedByKeoghEC)}; DTW abandoned ${
          pct(stats.abandoned)
        }, completed ${pct(stats.computed)}`,
    );
    Deno.bench({
      name: `kit: searchSubsequence, walk ${walk}, query ${m}, band ${window}`,
      group: twoWalks,
      n: 5,
      fn: () => {
        searchSubsequence(x, query, { window, cost: "squared" });
      },
    });
    if (m !== 128) continue;
    // The pool against one thread on a short query (issue 19, item 3).
    const group = `subsequence search ${
      size(LONG)
    }, walk ${walk}, query 128: WorkerPool(2) vs one thread`;
    Deno.bench({
      name: `kit: searchSubsequence, walk ${walk}, query 128, one thread`,
      group,
      baseline: true,
      n: 10,
      fn: () => {
        searchSubsequence(x, query, { window, cost: "squared" });
      },
    });
    Deno.bench({
      name: `kit: WorkerPool(2).searchSubsequence, walk ${walk}, query 128`,
      group,
      n: 10,
      fn: async () => {
        await pool.searchSubsequence(x, query, { window, cost: "squared" });
      },
    });
  }
}
