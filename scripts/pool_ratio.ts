// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * `WorkerPool(2).searchSubsequence` against one-thread `searchSubsequence`
 * (issue 19, item 3), interleaved in one process: on the two 1M-point
 * walks of `bench/e2e_bench.ts`'s two-walk group (the same seeds and
 * queries), each round times one thread, then the pool with each part size
 * of `--parts` (window starts per part that a worker claims), then the same
 * in reverse order (A B B A; the order starts one side later each round,
 * so that each side is as often the one run twice in a row, when a pool
 * finds its workers awake), per walk and query length; the ratio of a
 * round is the pool's mean over one thread's. Prints the median ratio, its
 * quartiles and range, and the speed-up (one thread ÷ pool) per case and
 * part size. Results are checked equal.
 *
 * With `--ceiling`, each round also times two one-thread searches run at
 * once, each in a worker of its own with its own copy of the series (no
 * shared memory, no messages during the search): the best that two
 * threads can do on this machine at that moment. Its ratio is that time
 * over twice one thread's: 0.5 on two idle, equal cores; what it is above
 * 0.5 is the machine's, not the pool's (cores slowed or taken by the host,
 * threads woken late).
 *
 * With `--against DIR` (another checkout of the kit, e.g. a `git worktree`
 * of an earlier revision), each round also times that tree's one-thread
 * search and pool in this process, and prints this tree's times over that
 * tree's, per round: an A/B of two revisions interleaved (A B B A) in one
 * process, so that the machine's drift falls on both alike.
 *
 * ```sh
 * flock /tmp/kit-timing.lock npx -y deno@2.9.6 run -A scripts/pool_ratio.ts
 * flock /tmp/kit-timing.lock npx -y deno@2.9.6 run -A scripts/pool_ratio.ts --queries 128,512 --rounds 9
 * flock /tmp/kit-timing.lock npx -y deno@2.9.6 run -A scripts/pool_ratio.ts --parts 16384,32768,65536
 * flock /tmp/kit-timing.lock npx -y deno@2.9.6 run -A scripts/pool_ratio.ts --ceiling --rounds 61
 * git worktree add /tmp/kit-before fef091e
 * flock /tmp/kit-timing.lock npx -y deno@2.9.6 run -A scripts/pool_ratio.ts --against /tmp/kit-before --rounds 61
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { pathToFileURL as toFileUrl } from "node:url";
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
    against: { type: "string" },
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
// Another checkout's kernels and pool (`--against DIR`), in this process.
const other = values.against === undefined ? undefined : await (async () => {
  const dir = toFileUrl(resolve(values.against!) + "/");
  const kit: typeof import("../mod.ts") = await import(
    new URL("mod.ts", dir).href
  );
  return { kit, pool: new kit.WorkerPool({ workers: Number(values.workers) }) };
})();
await using _otherPool = other?.pool;

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
  const ceilingAt = two === undefined ? -1 : sides.push(() => two.run()) - 1;
  const otherAt = other === undefined ? -1 : sides.push(
    () => other.kit.searchSubsequence(c.x, c.query, options),
    () => other.pool.searchSubsequence(c.x, c.query, options),
  ) - 2;
  const expected = one();
  for (const [i, side] of sides.entries()) {
    const want = i === ceilingAt
      ? [expected.length, expected.length]
      : expected;
    for (let k = 0; k < 3; k++) deepStrictEqual(await side(), want); // warm-up
  }
  // times[i][r]: side i's mean time in round r.
  const times = sides.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    const round = sides.map(() => 0);
    // The sides from the r-th on, then back: each side is the one that
    // runs twice in a row in as many rounds as the others.
    const order = sides.map((_, i) => (i + r) % sides.length);
    for (const i of [...order, ...order.toReversed()]) {
      const t0 = performance.now();
      await sides[i]();
      round[i] += (performance.now() - t0) / 2;
    }
    round.forEach((t, i) => times[i].push(t));
  }
  /** Per round: side `a`'s time over side `b`'s, over `by`. */
  const ratio = (a: number, b: number, by = 1) =>
    times[a].map((t, r) => t / times[b][r] / by);
  const ms = (i: number) => `${median(times[i]).toFixed(1)} ms`;
  console.log(
    `walk ${c.walk}, query ${c.m}, band ${c.window}: one thread ${ms(0)}`,
  );
  partSizes.forEach((part, p) => {
    const v = ratio(p + 1, 0);
    console.log(
      `  pool, parts of ${part}: ${ms(p + 1)}; pool ÷ one ${spread(v)}; ` +
        `speed-up ${(1 / median(v)).toFixed(2)}×`,
    );
  });
  if (ceilingAt >= 0) {
    // Twice the work: over twice one thread's time.
    const ceiling = ratio(ceilingAt, 0, 2);
    console.log(
      `  two one-thread searches at once: ${ms(ceilingAt)}; ÷ (2 × one) ${
        spread(ceiling)
      }`,
    );
    partSizes.forEach((part, p) => {
      const v = ratio(p + 1, 0).map((x, r) => x / ceiling[r]);
      console.log(`  pool (parts of ${part}) ÷ that, per round: ${spread(v)}`);
    });
  }
  if (otherAt >= 0) {
    console.log(
      `  ${values.against}: one thread ${ms(otherAt)}, pool ${
        ms(otherAt + 1)
      }; its pool ÷ its one ${spread(ratio(otherAt + 1, otherAt))}`,
    );
    console.log(
      `  this tree ÷ that one, per round: one thread ${
        spread(ratio(0, otherAt))
      }; pool (parts of ${partSizes[0]}) ${spread(ratio(1, otherAt + 1))}`,
    );
  }
}
