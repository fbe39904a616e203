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
 * With `--ceiling`, each round also times two one-thread searches run at
 * once, each in a worker of its own with its own copy of the series (no
 * shared memory, no messages during the search): the best that two
 * threads can do on this machine at that moment. Its ratio is that time
 * over twice one thread's: 0.5 on two idle, equal cores; what it is above
 * 0.5 is the machine's, not the pool's (cores slowed or taken by the host,
 * threads woken late).
 *
 * ```sh
 * flock /tmp/kit-timing.lock npx -y deno@2.9.6 run -A scripts/pool_ratio.ts
 * flock /tmp/kit-timing.lock npx -y deno@2.9.6 run -A scripts/pool_ratio.ts --queries 128,512 --rounds 9
 * flock /tmp/kit-timing.lock npx -y deno@2.9.6 run -A scripts/pool_ratio.ts --parts 16384,32768,65536
 * flock /tmp/kit-timing.lock npx -y deno@2.9.6 run -A scripts/pool_ratio.ts --ceiling --rounds 61
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { deepStrictEqual } from "node:assert/strict";
import { searchSubsequence, WorkerPool } from "../mod.ts";
import { sharedPartWindows } from "../pool/internal.ts";
import { randomWalk, rng } from "../testing/rng.ts";
import { midpoint as median, percentile } from "./_stats.ts";

const { values } = parseArgs({
  options: {
    points: { type: "string", default: "1000000" },
    queries: { type: "string", default: "128" },
    rounds: { type: "string", default: "11" },
    workers: { type: "string", default: "2" },
    parts: { type: "string", default: String(sharedPartWindows()) },
    ceiling: { type: "boolean", default: false },
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

/** Two workers, each searching its own copy of the series at once. */
function twoAtOnce(x: Float64Array, query: Float64Array, options: object) {
  const url = new URL("./_pool_ceiling_worker.ts", import.meta.url);
  const workers = [0, 1].map(() => new Worker(url, { type: "module" }));
  let setUp = false;
  return {
    run(): Promise<unknown[]> {
      const replies = workers.map((w) =>
        new Promise((resolve, reject) => {
          w.onmessage = (e) => resolve(e.data);
          w.onerror = (e) => reject(new Error(e.message));
        })
      );
      for (const w of workers) {
        w.postMessage(setUp ? null : { x, query, options });
      }
      setUp = true;
      return Promise.all(replies);
    },
    [Symbol.dispose]() {
      for (const w of workers) w.terminate();
    },
  };
}

const quantile = (v: number[], q: number) =>
  percentile(Float64Array.from(v).sort(), q);
const f = (v: number) => v.toFixed(3);
/** The median ratio, its quartiles and range. */
const spread = (v: number[]) =>
  `${f(median(v))} (quartiles ${f(quantile(v, 0.25))}–${
    f(quantile(v, 0.75))
  }, range ${f(Math.min(...v))}–${f(Math.max(...v))})`;

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
  using two = values.ceiling ? twoAtOnce(c.x, c.query, options) : undefined;
  const sides: Array<() => unknown> = [one, ...partSizes.map(pooled)];
  if (two !== undefined) sides.push(() => two.run());
  const expected = one();
  for (const side of sides.slice(0, 1 + partSizes.length)) {
    deepStrictEqual(await side(), expected); // warm-up
  }
  if (two !== undefined) {
    for (let i = 0; i < 3; i++) {
      deepStrictEqual(await two.run(), [expected.length, expected.length]);
    }
  }
  const times = sides.map(() => [] as number[]);
  // Per side after one thread: its time over one thread's (the ceiling's
  // over twice one thread's: it does the work twice).
  const ratios = sides.slice(1).map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    const round = sides.map(() => 0);
    for (const i of [...sides.keys(), ...[...sides.keys()].reverse()]) {
      const t0 = performance.now();
      await sides[i]();
      round[i] += (performance.now() - t0) / 2;
    }
    round.forEach((t, i) => times[i].push(t));
    ratios.forEach((v, i) =>
      v.push(round[i + 1] / round[0] / (i < partSizes.length ? 1 : 2))
    );
  }
  console.log(
    `walk ${c.walk}, query ${c.m}, band ${c.window}: one thread ${
      median(times[0]).toFixed(1)
    } ms`,
  );
  partSizes.forEach((part, p) => {
    const v = ratios[p];
    console.log(
      `  pool, parts of ${part}: ${median(times[p + 1]).toFixed(1)} ms; ` +
        `pool ÷ one ${spread(v)}; speed-up ${(1 / median(v)).toFixed(2)}×`,
    );
  });
  if (two !== undefined) {
    const ceiling = ratios[partSizes.length];
    console.log(
      `  two one-thread searches at once: ${
        median(times[sides.length - 1]).toFixed(1)
      } ms; ÷ (2 × one) ${spread(ceiling)}`,
    );
    partSizes.forEach((part, p) => {
      const v = ratios[p].map((r, i) => r / ceiling[i]);
      console.log(`  pool (parts of ${part}) ÷ that, per round: ${spread(v)}`);
    });
  }
}
