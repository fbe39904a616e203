// Copyright 2026 the @midstreamer/kit authors. MIT license.

/**
 * `deno task load`: the original design's load tests, against
 * `createMatchQueue` and the matching service.
 *
 * ```sh
 * deno run -A scripts/load.ts [--quick] [--json] [--duration 10]
 *   [--concurrent 1000] [--points 500] [--ops 10000] [--workers 0]
 *   [--no-service]
 * # steadier memory figures: add --v8-flags=--expose-gc after `run`
 * ```
 *
 * 1. **concurrent**: `--concurrent` matches of `--points` points against a
 *    reference of `--points` points, all submitted at once to one match queue:
 *    total time, throughput, mean and p99 latency, RSS and heap deltas;
 *    beside it the original pure-JS single-thread throughput
 *    (`PureJSDTW.calculate` timed on a sample, extrapolated). Five rounds
 *    (quick: three) alternate a sample of the original with a burst; the
 *    times are the median burst and the median sample, the memory deltas
 *    those of the first burst.
 * 2. **sustained**: 256 concurrent callers keep the match queue busy for
 *    `--duration` seconds, after a warm-up of the same load (3 s; quick:
 *    1 s) during which V8 and the allocator size their heaps (RSS then
 *    stays flat; a shorter warm-up shows that settling as growth):
 *    completed, throughput,
 *    memory at start and end, growth %, and one sample per second.
 * 3. **memory**: `--ops` matches at 1,000 points (fresh patterns each, 64 in
 *    flight), memory snapshots every 1,000 (quick: 100) operations, peak
 *    RSS and heap, growth per 1,000 operations (least-squares slope).
 * 4. **service**: the concurrent test through `serveService` started in
 *    this process on 127.0.0.1, port 0 (throwaway certificates), over QUIC
 *    and WebSocket (npm:ws client): one `dtw` request per pattern, and
 *    `dtwBatch` requests of 64 patterns; throughput relative to
 *    in-process. Client and server share this thread.
 *
 * `--quick` shrinks everything (finishes in well under a minute):
 * duration 3 s, 2,000 memory operations, 300 service requests, 24 pure-JS
 * samples (3 rounds of 8).
 *
 * ## JSON (`--json`: only this on stdout)
 *
 * ```text
 * {
 *   meta: { quick, date, deno, v8, os, arch, cpus, gcExposed, workers, note },
 *   concurrent: {
 *     count, points, rounds,
 *     original: { sampled, msPerMatch, throughput },       // pure JS, extrapolated
 *     kit: { totalMs, throughput, latencyMs: { mean, p50, p99 },
 *            rssDeltaMB, heapDeltaMB },  // times: the median burst; memory: the first
 *     speedup                                              // kit / original
 *   },
 *   sustained: {
 *     durationS, concurrency, completed, throughput,
 *     latencyMs: { mean, p50, p99 },
 *     rss: { startMB, endMB, growthPct }, heap: { startMB, endMB, growthPct },
 *     series: [{ t, throughput, rss, heap }]               // t in s, memory in MB
 *   },
 *   memory: {
 *     ops, points, peakRssMB, peakHeapMB,
 *     growthPer1000: { rssMB, heapMB },
 *     snapshots: [{ ops, rss, heap }]                      // MB
 *   },
 *   service: null | {                                      // null with --no-service
 *     quic: Transport, websocket: Transport
 *   },                  // Transport = { dtw: Run, dtwBatch: Run }
 *                       // Run = { requests, patterns, totalMs, throughput,
 *                       //         latencyMs: { mean, p99 }, relative }
 *   targets: [{ name, target, value, unit, pass }]
 * }
 * ```
 *
 * Throughputs are patterns per second. Figures depend on the machine and
 * on what else runs on it.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { createMatchQueue, type MatchQueue } from "../mod.ts";
import { PureJSDTW } from "../baseline/mod.ts";
import {
  connectService,
  serveService,
  type ServiceClient,
} from "../service/mod.ts";
import { randomWalk, randomWalks, rng } from "../testing/rng.ts";
import { generateTls } from "../testing/tls.ts";
import { mean, median, percentile } from "./_stats.ts";

const MB = 1024 * 1024;

/** Mean, median and p99 of latencies in ms. */
function summarize(latencies: ArrayLike<number>): {
  mean: number;
  p50: number;
  p99: number;
} {
  const sorted = Float64Array.from(latencies).sort();
  return {
    mean: round(mean(sorted)),
    p50: round(percentile(sorted, 0.5)),
    p99: round(percentile(sorted, 0.99)),
  };
}

function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

const gc = (globalThis as { gc?: () => void }).gc;

function memory(): { rss: number; heap: number } {
  gc?.();
  const m = Deno.memoryUsage();
  return { rss: m.rss / MB, heap: m.heapUsed / MB };
}

function growth(start: number, end: number): number {
  return round(((end - start) / start) * 100, 2);
}

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** Load-test settings. */
export interface LoadSettings {
  quick: boolean;
  durationS: number;
  concurrent: number;
  points: number;
  ops: number;
  workers: number;
  service: boolean;
}

/** Submits every pattern at once; returns the timing of each. */
async function burst<T>(
  match: (item: T) => Promise<unknown>,
  items: T[],
): Promise<{ totalMs: number; latencies: Float64Array }> {
  const latencies = new Float64Array(items.length);
  const t0 = performance.now();
  await Promise.all(items.map((item, i) => {
    const start = performance.now();
    return match(item).then(() => {
      latencies[i] = performance.now() - start;
    });
  }));
  return { totalMs: performance.now() - t0, latencies };
}

async function concurrentTest(s: LoadSettings, reference: Float64Array) {
  const random = rng(2);
  const patterns = randomWalks(s.concurrent, random, s.points);
  // Rounds that alternate a sample of the original with a measured burst,
  // and the median of each: one burst against one sample taken at another
  // moment swings by tens of percent on a shared VM.
  const rounds = s.quick ? 3 : 5;
  const sampled = s.quick ? 8 : 20;
  for (let i = 0; i < 5; i++) {
    PureJSDTW.calculate(reference, patterns[i % patterns.length]);
  }
  await using matcher = await createMatchQueue(reference, {
    queueSize: s.concurrent,
    workers: s.workers,
  });
  // One unmeasured burst first, so that the measured ones run JIT-compiled.
  await Promise.all(patterns.map((p) => matcher.match(p)));
  const msPerMatch: number[] = [];
  const runs: Array<{ totalMs: number; latencies: Float64Array }> = [];
  let rssDelta = 0;
  let heapDelta = 0;
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    for (let i = 0; i < sampled; i++) {
      PureJSDTW.calculate(
        reference,
        patterns[(r * sampled + i) % patterns.length],
      );
    }
    msPerMatch.push((performance.now() - t) / sampled);
    const before = memory();
    runs.push(await burst((p) => matcher.match(p), patterns));
    if (r === 0) {
      const after = Deno.memoryUsage();
      rssDelta = after.rss / MB - before.rss;
      heapDelta = after.heapUsed / MB - before.heap;
    }
  }
  const originalMs = median(msPerMatch);
  const run = runs.toSorted((a, b) => a.totalMs - b.totalMs)[runs.length >> 1];
  const throughput = (s.concurrent / run.totalMs) * 1000;
  const original = round(1000 / originalMs, 1);
  return {
    count: s.concurrent,
    points: s.points,
    rounds,
    original: {
      sampled: sampled * rounds,
      msPerMatch: round(originalMs),
      throughput: original,
    },
    kit: {
      totalMs: round(run.totalMs, 1),
      throughput: round(throughput, 1),
      latencyMs: summarize(run.latencies),
      rssDeltaMB: round(rssDelta, 1),
      heapDeltaMB: round(heapDelta, 1),
    },
    speedup: round(throughput / original, 1),
  };
}

/** Keeps `concurrency` callers matching until `stop()` returns true. */
async function keepBusy(
  matcher: MatchQueue,
  patterns: Float64Array[],
  concurrency: number,
  stop: () => boolean,
  onDone: () => void,
): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (!stop()) {
      await matcher.match(patterns[next++ % patterns.length]);
      onDone();
    }
  }));
}

async function sustainedTest(s: LoadSettings, reference: Float64Array) {
  const concurrency = 256;
  const random = rng(3);
  const patterns = randomWalks(512, random, s.points);
  await using matcher = await createMatchQueue(reference, {
    queueSize: concurrency,
    workers: s.workers,
  });
  // V8 sizes its heap spaces during the first seconds of a new workload:
  // memory is measured from the end of a warm-up of the same load.
  // RSS reaches its plateau (150–170 MB here) within about 3 s.
  const warmUpMs = s.quick ? 1000 : 3000;
  let phaseEnd = performance.now() + warmUpMs;
  await keepBusy(
    matcher,
    patterns,
    concurrency,
    () => performance.now() >= phaseEnd,
    () => {},
  );
  const start = memory();
  const t0 = performance.now();
  phaseEnd = t0 + s.durationS * 1000;
  let completed = 0;
  let lastCount = 0;
  let lastT = t0;
  const series: { t: number; throughput: number; rss: number; heap: number }[] =
    [];
  const sample = () => {
    const now = performance.now();
    const m = Deno.memoryUsage();
    series.push({
      t: round((now - t0) / 1000, 2),
      throughput: round(((completed - lastCount) / (now - lastT)) * 1000, 1),
      rss: round(m.rss / MB, 1),
      heap: round(m.heapUsed / MB, 1),
    });
    lastCount = completed;
    lastT = now;
  };
  const timer = setInterval(sample, 1000);
  const latencyBefore = matcher.stats().completed;
  try {
    await keepBusy(
      matcher,
      patterns,
      concurrency,
      () => performance.now() >= phaseEnd,
      () => completed++,
    );
  } finally {
    clearInterval(timer);
  }
  const elapsed = performance.now() - t0;
  if (performance.now() - lastT > 250) sample();
  const end = memory();
  const stats = matcher.stats();
  return {
    durationS: round(elapsed / 1000, 2),
    concurrency,
    completed,
    throughput: round((completed / elapsed) * 1000, 1),
    latencyMs: {
      mean: round(stats.latency.mean),
      p50: round(stats.latency.p50),
      p99: round(stats.latency.p99),
    },
    warmUpMatches: latencyBefore,
    rss: {
      startMB: round(start.rss, 1),
      endMB: round(end.rss, 1),
      growthPct: growth(start.rss, end.rss),
    },
    heap: {
      startMB: round(start.heap, 1),
      endMB: round(end.heap, 1),
      growthPct: growth(start.heap, end.heap),
    },
    series,
  };
}

async function memoryTest(s: LoadSettings) {
  const points = 1000;
  const every = s.quick ? 100 : 1000;
  const random = rng(4);
  const reference = randomWalk(points, random);
  await using matcher = await createMatchQueue(reference, {
    workers: s.workers,
  });
  const snapshots: { ops: number; rss: number; heap: number }[] = [];
  const first = memory();
  snapshots.push({
    ops: 0,
    rss: round(first.rss, 1),
    heap: round(first.heap, 1),
  });
  let peakRss = first.rss;
  let peakHeap = first.heap;
  let started = 0;
  let done = 0;
  await Promise.all(Array.from({ length: 64 }, async () => {
    while (started < s.ops) {
      started++;
      await matcher.match(randomWalk(points, random));
      done++;
      const m = Deno.memoryUsage();
      peakRss = Math.max(peakRss, m.rss / MB);
      peakHeap = Math.max(peakHeap, m.heapUsed / MB);
      if (done % every === 0) {
        snapshots.push({
          ops: done,
          rss: round(m.rss / MB, 1),
          heap: round(m.heapUsed / MB, 1),
        });
      }
    }
  }));
  const xs = snapshots.map((x) => x.ops);
  return {
    ops: s.ops,
    points,
    peakRssMB: round(peakRss, 1),
    peakHeapMB: round(peakHeap, 1),
    growthPer1000: {
      rssMB: round(slope(xs, snapshots.map((x) => x.rss)) * 1000, 2),
      heapMB: round(slope(xs, snapshots.map((x) => x.heap)) * 1000, 2),
    },
    snapshots,
  };
}

async function serviceRun(
  client: ServiceClient,
  reference: Float64Array,
  patterns: Float64Array[],
  inProcess: number,
) {
  await client.dtwBatch(reference, patterns.slice(0, 16)); // warm up
  const single = await burst((p) => client.dtw(reference, p), patterns);
  const chunks: Float64Array[][] = [];
  for (let i = 0; i < patterns.length; i += 64) {
    chunks.push(patterns.slice(i, i + 64));
  }
  const batched = await burst(
    (chunk) => client.dtwBatch(reference, chunk),
    chunks,
  );
  const result = (
    requests: number,
    r: { totalMs: number; latencies: Float64Array },
  ) => {
    const throughput = (patterns.length / r.totalMs) * 1000;
    const { mean, p99 } = summarize(r.latencies);
    return {
      requests,
      patterns: patterns.length,
      totalMs: round(r.totalMs, 1),
      throughput: round(throughput, 1),
      latencyMs: { mean, p99 },
      relative: round(throughput / inProcess, 3),
    };
  };
  return {
    dtw: result(patterns.length, single),
    dtwBatch: result(chunks.length, batched),
  };
}

async function serviceTest(
  s: LoadSettings,
  reference: Float64Array,
  inProcess: number,
) {
  const count = s.quick ? Math.min(300, s.concurrent) : s.concurrent;
  const random = rng(5);
  const patterns = randomWalks(count, random, s.points);
  const tls = await generateTls();
  const out: Partial<
    Record<"quic" | "websocket", Awaited<ReturnType<typeof serviceRun>>>
  > = {};
  for (const transport of ["quic", "websocket"] as const) {
    await using server = await serveService({
      transport,
      hostname: "127.0.0.1",
      port: 0,
      ...(transport === "quic" ? { cert: tls.cert, key: tls.key } : {}),
    });
    await using client = await connectService(
      transport === "quic"
        ? {
          transport,
          port: server.addr.port,
          caCerts: [tls.caCert],
          serverName: "localhost",
        }
        : { transport, port: server.addr.port, client: "ws" },
    );
    out[transport] = await serviceRun(client, reference, patterns, inProcess);
  }
  return out;
}

/** Runs every load test and returns the report (the JSON shape above). */
export async function runLoad(s: LoadSettings) {
  const reference = randomWalk(s.points, rng(1));
  const log = (message: string) => {
    if (!json) console.error(message);
  };
  log(`concurrent: ${s.concurrent} matches of ${s.points} points...`);
  const concurrent = await concurrentTest(s, reference);
  log(`sustained: ${s.durationS} s...`);
  const sustained = await sustainedTest(s, reference);
  log(`memory: ${s.ops} operations at 1,000 points...`);
  const memoryProfile = await memoryTest(s);
  let service = null;
  if (s.service) {
    log("service: QUIC and WebSocket on 127.0.0.1...");
    service = await serviceTest(s, reference, concurrent.kit.throughput);
  }
  const targets = [
    {
      name: `in-process throughput vs original pure JS (${s.points} points)`,
      target: ">= 15x",
      value: concurrent.speedup,
      unit: "x",
      pass: concurrent.speedup >= 15,
    },
    {
      name: `${s.concurrent} concurrent matches: added RSS`,
      target: "<= 150 MB",
      value: concurrent.kit.rssDeltaMB,
      unit: "MB",
      pass: concurrent.kit.rssDeltaMB <= 150,
    },
    {
      name: "sustained run: RSS growth",
      target: "< 5 %",
      value: sustained.rss.growthPct,
      unit: "%",
      pass: sustained.rss.growthPct < 5,
    },
    {
      name: "original: sustained throughput",
      target: ">= 400 patterns/s",
      value: sustained.throughput,
      unit: "patterns/s",
      pass: sustained.throughput >= 400,
    },
    {
      name: "original: peak RSS over the memory profile",
      target: "< 200 MB",
      value: memoryProfile.peakRssMB,
      unit: "MB",
      pass: memoryProfile.peakRssMB < 200,
    },
  ];
  return {
    meta: {
      quick: s.quick,
      date: new Date().toISOString(),
      deno: Deno.version.deno,
      v8: Deno.version.v8,
      os: Deno.build.os,
      arch: Deno.build.arch,
      cpus: navigator.hardwareConcurrency,
      gcExposed: gc !== undefined,
      workers: s.workers,
      note: "indicative figures: the machine may be shared with other work",
    },
    concurrent,
    sustained,
    memory: memoryProfile,
    service,
    targets,
  };
}

/** The report of {@linkcode runLoad}, as `--json` prints it. */
export type LoadReport = Awaited<ReturnType<typeof runLoad>>;

let json = false;

function printReport(report: LoadReport): void {
  const c = report.concurrent;
  console.log(`\n## ${c.count} concurrent matches, ${c.points} points`);
  console.table({
    "original pure JS (extrapolated)": {
      "patterns/s": c.original.throughput,
      "total ms": round(c.count * c.original.msPerMatch, 1),
    },
    "kit matcher": {
      "patterns/s": c.kit.throughput,
      "total ms": c.kit.totalMs,
      "mean ms": c.kit.latencyMs.mean,
      "p99 ms": c.kit.latencyMs.p99,
      "RSS +MB": c.kit.rssDeltaMB,
      "heap +MB": c.kit.heapDeltaMB,
    },
  });
  const s = report.sustained;
  console.log(`\n## sustained ${s.durationS} s, ${s.concurrency} callers`);
  console.table({
    matcher: {
      completed: s.completed,
      "patterns/s": s.throughput,
      "p99 ms": s.latencyMs.p99,
      "RSS MB": `${s.rss.startMB} -> ${s.rss.endMB} (${s.rss.growthPct} %)`,
      "heap MB": `${s.heap.startMB} -> ${s.heap.endMB} (${s.heap.growthPct} %)`,
    },
  });
  console.table(s.series);
  const m = report.memory;
  console.log(`\n## memory: ${m.ops} operations at ${m.points} points`);
  console.table({
    matcher: {
      "peak RSS MB": m.peakRssMB,
      "peak heap MB": m.peakHeapMB,
      "RSS MB / 1000 ops": m.growthPer1000.rssMB,
      "heap MB / 1000 ops": m.growthPer1000.heapMB,
    },
  });
  if (report.service !== null) {
    console.log("\n## through the service (loopback, in-process server)");
    const rows: Record<string, unknown> = {};
    for (const t of ["quic", "websocket"] as const) {
      for (const op of ["dtw", "dtwBatch"] as const) {
        const x = report.service[t]![op];
        rows[`${t} ${op}`] = {
          requests: x.requests,
          "patterns/s": x.throughput,
          "mean ms": x.latencyMs.mean,
          "p99 ms": x.latencyMs.p99,
          "vs in-process": x.relative,
        };
      }
    }
    console.table(rows);
  }
  console.log("\n## targets");
  console.table(
    report.targets.map((t) => ({
      target: `${t.name}: ${t.target}`,
      value: `${t.value} ${t.unit}`,
      pass: t.pass ? "yes" : "NO",
    })),
  );
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      quick: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      duration: { type: "string" },
      concurrent: { type: "string" },
      points: { type: "string" },
      ops: { type: "string" },
      workers: { type: "string", default: "0" },
      "no-service": { type: "boolean", default: false },
    },
  });
  const num = (name: string, v: string | undefined, fallback: number) => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!(n >= 0) || !Number.isFinite(n)) {
      throw new RangeError(`--${name} must be a non-negative number, got ${v}`);
    }
    return n;
  };
  const quick = values.quick;
  json = values.json;
  const settings: LoadSettings = {
    quick,
    durationS: num("duration", values.duration, quick ? 3 : 10),
    concurrent: Math.max(
      1,
      Math.round(num("concurrent", values.concurrent, 1000)),
    ),
    points: Math.max(1, Math.round(num("points", values.points, 500))),
    ops: Math.round(num("ops", values.ops, quick ? 2000 : 10_000)),
    workers: Math.round(num("workers", values.workers, 0)),
    service: !values["no-service"],
  };
  const report = await runLoad(settings);
  if (json) console.log(JSON.stringify(report, null, 2));
  else printReport(report);
}
