// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * `WorkerPool(2).searchSubsequence` against one-thread `searchSubsequence`
 * (issue 19, item 3), interleaved in one process: on the two 1M-point
 * walks of `bench/e2e_bench.ts`'s two-walk group (the same seeds and
 * queries), each round times one thread, then the pool with each part size
 * of `--parts` (window starts per part that a worker claims), then the same
 * in reverse order (A B B A), per walk and query length; the ratio of a
 * round is the pool's mean over one thread's. Prints the median ratio, its
 * range, and the speed-up (one thread ÷ pool) per case and part size.
 * Results are checked equal.
 *
 * ```sh
 * flock /tmp/kit-timing.lock npx -y deno@2.9.6 run -A scripts/pool_ratio.ts
 * flock /tmp/kit-timing.lock npx -y deno@2.9.6 run -A scripts/pool_ratio.ts --queries 128,512 --rounds 9
 * flock /tmp/kit-timing.lock npx -y deno@2.9.6 run -A scripts/pool_ratio.ts --parts 16384,32768,65536
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { deepStrictEqual } from "node:assert/strict";
import { searchSubsequence, WorkerPool } from "../mod.ts";
import { sharedPartWindows } from "../pool/internal.ts";
import { randomWalk, rng } from "../testing/rng.ts";

const { values } = parseArgs({
  options: {
    points: { type: "string", default: "1000000" },
    queries: { type: "string", default: "128" },
    rounds: { type: "string", default: "11" },
    workers: { type: "string", default: "2" },
    parts: { type: "string", default: String(sharedPartWindows()) },
  },
});
const n = Number(values.points);
const lengths = values.queries.split(",").map(Number);
const rounds = Number(values.rounds);
const partSizes = values.parts.split(",").map(Number);

/** The walk and planted queries of the e2e bench's two-walk group. */
function walkCases(walk: number) {
  const random = rng(2026 + walk);
  const x = randomWalk(n, random);
  const out = [];
  for (const m of [64, 128, 256, 512, 1024]) {
    const window = Math.floor((m <= 128 ? 0.05 : 0.1) * m);
    const at = Math.floor(random() * (n - m));
    const query = Float64Array.from(
      x.subarray(at, at + m),
      (v) => 2 * v + 5 + 0.1 * (random() - 0.5),
    );
    if (lengths.includes(m)) out.push({ walk, m, window, x, query });
  }
  return out;
}

const cases = [...walkCases(1), ...walkCases(2)];
await using pool = new WorkerPool({ workers: Number(values.workers) });
const median = (v: number[]) => {
  const s = v.toSorted((a, b) => a - b);
  return s.length % 2
    ? s[s.length >> 1]
    : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

for (const c of cases) {
  const options = { window: c.window, cost: "squared" as const };
  const one = () => searchSubsequence(c.x, c.query, options);
  const pooled = (part: number) => async () => {
    const before = sharedPartWindows(part);
    try {
      return await pool.searchSubsequence(c.x, c.query, options);
    } finally {
      sharedPartWindows(before);
    }
  };
  const sides = [one, ...partSizes.map(pooled)];
  const expected = one();
  for (const side of sides) deepStrictEqual(await side(), expected); // warm-up
  const times = sides.map(() => [] as number[]);
  const ratios = partSizes.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    const round = sides.map(() => 0);
    for (const i of [...sides.keys(), ...[...sides.keys()].reverse()]) {
      const t0 = performance.now();
      await sides[i]();
      round[i] += (performance.now() - t0) / 2;
    }
    round.forEach((t, i) => times[i].push(t));
    partSizes.forEach((_, p) => ratios[p].push(round[p + 1] / round[0]));
  }
  const f = (v: number) => v.toFixed(3);
  console.log(
    `walk ${c.walk}, query ${c.m}, band ${c.window}: one thread ${
      median(times[0]).toFixed(1)
    } ms`,
  );
  partSizes.forEach((part, p) => {
    const v = ratios[p];
    console.log(
      `  pool, parts of ${part}: ${median(times[p + 1]).toFixed(1)} ms; ` +
        `pool ÷ one ${f(median(v))} (${f(Math.min(...v))}–${
          f(Math.max(...v))
        }), speed-up ${(1 / median(v)).toFixed(2)}× (${
          (1 / Math.max(...v)).toFixed(2)
        }–${(1 / Math.min(...v)).toFixed(2)})`,
    );
  });
}
