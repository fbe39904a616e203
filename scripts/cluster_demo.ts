// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * `deno task cluster:demo`: the cluster on this machine, with no mocks. It
 * starts a `redis-server` (found on PATH) on a free loopback port in a
 * temporary directory, starts 2 worker processes (`deno task worker`),
 * runs a `topK` and a `searchSubsequence` on them with a progress bar,
 * checks both against the single-machine functions, and stops everything.
 *
 * ```sh
 * deno task cluster:demo [--patterns 20000] [--points 5000000]
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import assert from "node:assert/strict";
import { connectCluster } from "../cluster/mod.ts";
import { type Progress, searchSubsequence, topK } from "../mod.ts";
import { randomWalk, randomWalks, rng } from "../testing/rng.ts";
import { findRedisServer, startCluster } from "../testing/redis.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    patterns: { type: "string", default: "20000" },
    points: { type: "string", default: "5000000" },
  },
});

const encoder = new TextEncoder();
const terminal = Deno.stderr.isTerminal();

/** A progress bar on stderr (every 10 % when not on a terminal). */
function bar(label: string): (p: Progress) => void {
  let shown = -1;
  return ({ done, total }) => {
    const share = total === 0 ? 1 : done / total;
    const tenth = Math.floor(share * 10);
    if (!terminal && tenth === shown && done !== total) return;
    shown = tenth;
    const width = 30;
    const full = Math.round(share * width);
    const line = `${label} [${"#".repeat(full)}${".".repeat(width - full)}] ${
      (100 * share).toFixed(0).padStart(3)
    } % ${done}/${total}`;
    Deno.stderr.writeSync(
      encoder.encode(terminal ? `\r${line}` : `${line}\n`),
    );
    if (terminal && done === total) Deno.stderr.writeSync(encoder.encode("\n"));
  };
}

if (findRedisServer() === undefined) {
  console.error(
    "cluster:demo needs redis-server on PATH: run `apt-get install redis-server` (Debian/Ubuntu), then try again",
  );
  Deno.exit(1);
}

console.log("starting redis-server and 2 workers (1 thread each) …");
const fixture = await startCluster(2, ["--threads", "1"]);
let failed = false;
try {
  console.log(
    `redis-server ${fixture.redis.url} (dir ${fixture.redis.dir}); workers ${
      fixture.workers.map((w) => w.pid).join(", ")
    }`,
  );
  await using cluster = await connectCluster({ redis: fixture.redis.url });
  const random = rng(2026);

  const count = Number(values.patterns);
  const reference = randomWalk(500, random);
  const patterns = randomWalks(count, random, 500);
  let t0 = performance.now();
  const best = await cluster.topK(reference, patterns, {
    k: 5,
    onProgress: bar(`topK of ${count} patterns × 500 points`),
  });
  const clusterMs = performance.now() - t0;
  t0 = performance.now();
  const local = topK(reference, patterns, { k: 5 });
  const localMs = performance.now() - t0;
  assert.deepEqual(best, local);
  console.log(
    `topK: ${
      best.map((m) => `#${m.index} ${m.distance.toFixed(3)}`).join(", ")
    }\n  cluster ${(clusterMs / 1000).toFixed(2)} s, one thread here ${
      (localMs / 1000).toFixed(2)
    } s: the same result ✓`,
  );

  const n = Number(values.points);
  const series = randomWalk(n, random);
  const query = series.slice(Math.floor(n * 0.7), Math.floor(n * 0.7) + 128);
  const options = { window: 12, k: 3 };
  t0 = performance.now();
  const found = await cluster.searchSubsequence(series, query, {
    ...options,
    onProgress: bar(`searchSubsequence of ${n} points`),
  });
  const searchMs = performance.now() - t0;
  t0 = performance.now();
  const expected = searchSubsequence(series, query, options);
  const localSearchMs = performance.now() - t0;
  assert.deepEqual(found, expected);
  console.log(
    `searchSubsequence: ${
      found.map((m) => `${m.start}..${m.end} ${m.distance.toFixed(3)}`).join(
        ", ",
      )
    }\n  cluster ${(searchMs / 1000).toFixed(2)} s, one thread here ${
      (localSearchMs / 1000).toFixed(2)
    } s: the same result ✓`,
  );
} catch (e) {
  failed = true;
  console.error(`cluster:demo failed: ${e instanceof Error ? e.stack : e}`);
} finally {
  console.log("stopping the workers and redis-server …");
  await fixture.stop();
  console.log("stopped");
}
Deno.exit(failed ? 1 : 0);
