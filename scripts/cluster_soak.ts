// Copyright 2026 the @midstreamer/kit authors. MIT license.

/**
 * `deno task cluster:soak --minutes N`: calls of every kind on a cluster
 * (a `redis-server` and 2 worker processes started here, as the demo
 * does) for N minutes, one after another, every sixth with a timeout of
 * 1–40 ms (some are aborted mid-way), every result checked against the synchronous function; then it
 * checks that no call left a key behind: only the queue's fixed
 * bookkeeping may stay, and it must not grow with the calls. Prints a
 * line a minute and a summary; exits with 1 on a wrong result, a failed
 * call or a key left behind.
 *
 * ```sh
 * deno task cluster:soak --minutes 60 [--json]
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { connectCluster } from "../cluster/mod.ts";
import { parseInfo } from "../cluster/internal.ts";
import {
  correlationMatrix,
  dtw,
  dtwBatch,
  lcs,
  searchSubsequence,
  topK,
} from "../mod.ts";
import { startCluster } from "../testing/redis.ts";
import { randInt, randomWalk, randomWalks, rng } from "../testing/rng.ts";

/** Keys BullMQ keeps for a queue whatever the number of jobs. */
const FIXED =
  /^midstreamer:shards:(events|id|meta|stalled-check|stalled|marker|wait|active|paused|prioritized|delayed|completed|failed|pc|limiter)$/;

/** A sample of the server, taken once a minute. */
export interface ClusterSoakSample {
  /** Minutes since the start. */
  minute: number;
  /** Calls completed so far. */
  calls: number;
  /** Keys in the database. */
  keys: number;
  /** Keys that are neither BullMQ's fixed bookkeeping nor a running call's. */
  strayKeys: number;
  /** `used_memory`, bytes. */
  usedMemory: number;
  /** Entries of BullMQ's event stream. */
  events: number;
}

/** What a soak found. */
export interface ClusterSoakReport {
  /** Minutes it ran. */
  minutes: number;
  /** Calls by kind. */
  calls: Record<string, number>;
  /** Calls aborted on purpose (they rejected with the abort's reason). */
  aborted: number;
  /** Calls that failed otherwise, or whose result differed (messages). */
  failures: string[];
  /** The samples. */
  samples: ClusterSoakSample[];
  /** The keys at the end, all calls done. */
  finalKeys: string[];
  /** Whether nothing but the fixed bookkeeping stayed. */
  clean: boolean;
}

/** Runs calls on a fresh cluster for `minutes` and checks what they left. */
export async function soak(
  minutes: number,
  log: (line: string) => void = (line) => console.error(line),
): Promise<ClusterSoakReport> {
  const f = await startCluster(2, ["--threads", "1"]);
  const kv = new Redis(f.redis.url);
  const random = rng(4242);
  const calls: Record<string, number> = {};
  const failures: string[] = [];
  const samples: ClusterSoakSample[] = [];
  let aborted = 0, done = 0;
  const t0 = performance.now();
  const end = t0 + minutes * 60_000;
  let nextSample = t0;
  const sample = async () => {
    const keys = await kv.keys("*");
    const info = parseInfo(await kv.info("memory"));
    const s: ClusterSoakSample = {
      minute: Math.round((performance.now() - t0) / 600) / 100,
      calls: done,
      keys: keys.length,
      strayKeys: keys.filter((k) => !FIXED.test(k)).length,
      usedMemory: Number(info.used_memory),
      events: await kv.xlen("midstreamer:shards:events"),
    };
    samples.push(s);
    log(
      `soak ${
        s.minute.toFixed(1)
      } min: ${s.calls} calls, ${s.keys} keys (${s.strayKeys} not the queue's own), ${
        (s.usedMemory / 2 ** 20).toFixed(1)
      } MiB, ${s.events} events`,
    );
  };
  try {
    await using cluster = await connectCluster({
      redis: f.redis.url,
      keyTtl: 600,
      shardMs: 5,
    });
    const kinds = [
      "topK",
      "dtwBatch",
      "searchSubsequence",
      "correlationMatrix",
      "dtw",
      "lcs",
    ] as const;
    for (let i = 0; performance.now() < end; i++) {
      if (performance.now() >= nextSample) {
        await sample();
        nextSample += 60_000;
      }
      const kind = kinds[i % kinds.length];
      const abort = i % 6 === 5;
      const signal = abort
        ? AbortSignal.timeout(randInt(random, 1, 40))
        : undefined;
      calls[kind] = (calls[kind] ?? 0) + 1;
      try {
        if (kind === "topK") {
          const reference = randomWalk(200, random);
          const patterns = randomWalks(
            randInt(random, 1, 3000),
            random,
            50,
            300,
          );
          const k = randInt(random, 1, 20);
          assert.deepEqual(
            await cluster.topK(reference, patterns, { k, signal }),
            topK(reference, patterns, { k }),
          );
        } else if (kind === "dtwBatch") {
          const reference = randomWalk(300, random);
          const patterns = randomWalks(
            randInt(random, 0, 2000),
            random,
            1,
            400,
          );
          assert.deepEqual(
            await cluster.dtwBatch(reference, patterns, { window: 20, signal }),
            dtwBatch(reference, patterns, { window: 20 }),
          );
        } else if (kind === "searchSubsequence") {
          const series = randomWalk(randInt(random, 1000, 300_000), random);
          const m = randInt(random, 8, 200);
          const at = randInt(random, 0, series.length - m);
          const query = series.slice(at, at + m);
          const options = {
            window: Math.floor(m / 10),
            k: randInt(random, 1, 5),
          };
          assert.deepEqual(
            await cluster.searchSubsequence(series, query, {
              ...options,
              signal,
            }),
            searchSubsequence(series, query, options),
          );
        } else if (kind === "correlationMatrix") {
          const symbols = ["B", "S", "H", 1, 2, 3];
          const sequences = Array.from(
            { length: randInt(random, 0, 300) },
            () =>
              Array.from(
                { length: randInt(random, 0, 80) },
                () => symbols[randInt(random, 0, symbols.length - 1)],
              ),
          );
          assert.deepEqual(
            await cluster.correlationMatrix(sequences, { signal }),
            correlationMatrix(sequences),
          );
        } else if (kind === "dtw") {
          const a = randomWalk(randInt(random, 0, 500), random);
          const b = randomWalk(randInt(random, 0, 500), random);
          assert.equal(await cluster.dtw(a, b, { signal }), dtw(a, b));
        } else {
          const a = "ABCD".repeat(randInt(random, 0, 50));
          const b = "BDCA".repeat(randInt(random, 0, 50));
          assert.equal(await cluster.lcs(a, b, { signal }), lcs(a, b));
        }
        done++;
      } catch (e) {
        if (abort && signal?.aborted && e === signal.reason) {
          aborted++;
          done++;
        } else {
          failures.push(`${kind}: ${e instanceof Error ? e.message : e}`);
          log(`soak: ${failures.at(-1)}`);
        }
      }
    }
    // Shards of aborted calls that were running finish unseen: wait for
    // the queue to be empty before the last look.
    for (let i = 0; i < 100; i++) {
      const active = await kv.llen("midstreamer:shards:active");
      const waiting = await kv.llen("midstreamer:shards:wait");
      if (active + waiting === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await sample();
    const finalKeys = (await kv.keys("*")).sort();
    const growth = samples.length > 2
      ? samples.at(-1)!.keys - samples[1].keys
      : 0;
    const clean = finalKeys.every((k) => FIXED.test(k)) && growth <= 2;
    return {
      minutes,
      calls,
      aborted,
      failures,
      samples,
      finalKeys,
      clean,
    };
  } finally {
    kv.disconnect();
    await f.stop();
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      minutes: { type: "string", default: "60" },
      json: { type: "boolean", default: false },
    },
  });
  const report = await soak(Number(values.minutes));
  const total = Object.values(report.calls).reduce((a, b) => a + b, 0);
  if (values.json) console.log(JSON.stringify(report, null, 2));
  console.error(
    `soak: ${total} calls in ${report.minutes} min (${
      Object.entries(report.calls).map(([k, v]) => `${k} ${v}`).join(", ")
    }), ${report.aborted} aborted on purpose, ${report.failures.length} failed; keys at the end: ${
      report.finalKeys.join(" ")
    } — ${report.clean ? "clean" : "NOT CLEAN"}`,
  );
  Deno.exit(report.clean && report.failures.length === 0 ? 0 : 1);
}
