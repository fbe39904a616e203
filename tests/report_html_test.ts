// Copyright 2026 the @midstreamer/kit authors. MIT license.

import assert from "node:assert/strict";
import { analyseAgainst, analyseBaseline } from "../scripts/internal.ts";
import type { MeasuredUnit, Results } from "../scripts/internal.ts";
import { renderHtml } from "../scripts/internal.ts";
import { seriesName, splitGroup } from "../scripts/internal.ts";
import { chromiumAvailable, runInChromium } from "../testing/chromium.ts";
import { rng } from "../testing/rng.ts";
import { testResults } from "../testing/results.ts";

const random = rng(21);

/** A unit of `names` (first = baseline when `base`) with times around `ns`. */
function unit(
  suite: string,
  group: string,
  names: string[],
  ns: number[],
  base = true,
): MeasuredUnit {
  const rounds = 8;
  return {
    suite,
    file: `bench/${suite}_bench.ts`,
    group,
    names,
    baseline: base ? names[0] : null,
    sides: ns.map((t) => ({
      times: Array.from(
        { length: 2 * rounds },
        () => t * (1 + 0.05 * random()),
      ),
      iterations: 4,
    })),
    sessions: [rounds, rounds],
  };
}

const rtt = (
  transport: "quic" | "websocket" | "raw-quic" | "raw-websocket",
  client: "deno" | "ws" | "-",
  size: number,
) => ({
  transport,
  client,
  size,
  mean: size / 1e4,
  p50: size / 1e4,
  p95: size / 5e3,
  p99: size / 2e3,
  n: 100,
});

/** Results with data for every chart: DTW family, LCS, transport, load. */
function fullResults(): Results {
  const units: MeasuredUnit[] = [];
  for (const n of [10, 100, 1000]) {
    units.push(
      unit("dtw", `dtw ${n}`, [
        `original pure JS (${n})`,
        `typed-array JS (${n})`,
        `kit dtw (${n})`,
      ], [n * n * 10, n * n * 2, n * n * 0.4]),
    );
  }
  units.push(
    unit("lcs", "matrix 10×50, 3 symbols", [
      "original",
      "kit correlationMatrix",
    ], [1e6, 3e4]),
  );
  units.push(
    unit("e2e", "search 100k", ["kit: searchSubsequence", "kit: pool"], [
      1.4e7,
      1e7,
    ], false),
  );
  const series = Array.from(
    { length: 10 },
    (_, t) => ({ t, throughput: 10_000 + t, rss: 100, heap: 10 }),
  );
  const snapshots = Array.from(
    { length: 5 },
    (_, i) => ({ ops: 1000 * i, rss: 180 + i, heap: 30 }),
  );
  const run = {
    requests: 10,
    patterns: 10,
    totalMs: 1,
    throughput: 4000,
    latencyMs: { mean: 1, p99: 2 },
    relative: 0.4,
  };
  return {
    ...testResults(units, ["dtw", "lcs", "e2e"]),
    extras: {
      transport: {
        meta: {
          deno: "2.9.6",
          date: "2026-12-05",
          quick: true,
          note: "loopback",
        },
        rtt: [64, 1024, 65536].flatMap((
          s,
        ) => [
          rtt("quic", "-", s),
          rtt("websocket", "ws", s),
          rtt("raw-quic", "-", s),
        ]),
        multiplex: [{
          mode: "quic-streams",
          streams: 100,
          size: 64,
          mean: 5,
          p50: 5,
          p95: 6,
          p99: 7,
          n: 20,
        }],
        setup: [{
          mode: "quic-0rtt",
          client: "-",
          mean: 0.3,
          p50: 0.3,
          p95: 0.4,
          p99: 0.5,
          n: 20,
          resumedFraction: 0.67,
        }],
      },
      load: {
        meta: {
          quick: true,
          date: "",
          deno: "2.9.6",
          v8: "15",
          os: "linux",
          arch: "x86_64",
          cpus: 2,
          gcExposed: true,
          workers: 0,
          note: "",
        },
        concurrent: {
          count: 1000,
          points: 500,
          rounds: 3,
          original: { sampled: 24, msPerMatch: 2.6, throughput: 383 },
          kit: {
            totalMs: 91,
            throughput: 10927,
            latencyMs: { mean: 40, p50: 42, p99: 89 },
            rssDeltaMB: 8,
            heapDeltaMB: 1.6,
          },
          speedup: 28.5,
        },
        sustained: {
          durationS: 10,
          concurrency: 256,
          completed: 110_016,
          throughput: 10_974,
          latencyMs: { mean: 20, p50: 20, p99: 40 },
          warmUpMatches: 1000,
          rss: { startMB: 100, endMB: 99, growthPct: -1 },
          heap: { startMB: 13, endMB: 9.7, growthPct: -20 },
          series,
        },
        memory: {
          ops: 4000,
          points: 1000,
          peakRssMB: 186,
          peakHeapMB: 30,
          growthPer1000: { rssMB: 2.2, heapMB: -0.08 },
          snapshots,
        },
        service: {
          quic: { dtw: run, dtwBatch: run },
          websocket: { dtw: run, dtwBatch: run },
        },
        targets: [{
          name: "throughput",
          target: ">= 15x",
          value: 28.5,
          unit: "x",
          pass: true,
        }],
      },
      cluster: clusterReport(),
      soak: {
        meta: {
          minutes: 0.25,
          date: "",
          deno: "2.9.6",
          clients: 4,
          warmUpS: 5,
          note: "",
        },
        samples: Array.from({ length: 15 }, (_, i) => ({
          t: i + 1,
          rssMB: 80 + (i % 3) / 10,
          fds: 40 + (i % 2),
        })),
        load: {
          requests: 1000,
          refused: 10,
          errors: 0,
          connections: 12,
          unauthorized: 1,
        },
        fit: {
          rss: { slopePerHour: 0.5, lo: -3, hi: 4, intercept: 80 },
          fds: { slopePerHour: 0, lo: -1, hi: 1, intercept: 40.5 },
        },
        verdict: { rss: "inconclusive", fds: "pass", pass: true },
      },
      coldStart: coldStartReport(),
      browser: {
        rows: [{ name: "dtw 1000 x 1000", deno_ms: 0.39, chromium_ms: 0.56 }],
        chromium: "Chromium 156",
        deno: "Deno 2.9.6",
        quick: true,
        samples: 5,
        notes: [],
      },
    },
  };
}

/** A cold-start report: two dtw curves and one search curve of 3 calls. */
function coldStartReport(): NonNullable<
  NonNullable<Results["extras"]>["coldStart"]
> {
  const s = (median: number) => ({ median, min: median / 2, max: median * 2 });
  const curve = (kernel: "dtw" | "search", mode: "cold" | "warmUp") => ({
    runtime: "deno" as const,
    kernel,
    mode,
    runs: 3,
    importMs: s(20),
    ...(mode === "warmUp" ? { warmUpMs: s(150), ready: 3 } : {}),
    warmMs: s(0.4),
    calls: [40, 1.2, 1.1].map((ms, i) => ({
      call: i + 1,
      ms: s(ms),
      ratio: s(ms / 0.4),
    })),
  });
  return {
    machine: {
      cpu: "cpu",
      cores: 2,
      deno: "2.9.6",
      v8: "15.0",
      commit: "abc",
      date: "2026-12-06",
    },
    runs: 3,
    calls: 3,
    curves: [
      curve("dtw", "cold"),
      curve("dtw", "warmUp"),
      curve("search", "cold"),
    ],
    phases: {
      unpackMs: s(5),
      compileMs: s(4),
      instantiateMs: s(0.4),
      moduleBytes: 373820,
    },
    notes: [],
  };
}

/** A cluster report of two cases, as scripts/cluster_measure.ts writes it. */
function clusterReport(): NonNullable<
  NonNullable<Results["extras"]>["cluster"]
> {
  const spread = (median: number) => ({
    median,
    min: median * 0.9,
    max: median * 1.1,
    n: 3,
  });
  const run = (workers: number, wallMs: number) => ({
    workers,
    wallMs,
    firstResultMs: 300,
    computeMs: 9000 * workers,
    shards: 250,
    cpuMs: { caller: 2500, workers: 9000, redis: 3000 },
    callerWaitingCpuMs: 10,
    waitingMs: 500,
  });
  const scalingCase = (name: string) => ({
    name,
    patterns: 200_000,
    points: 500,
    reference: 500,
    inputBytes: 803_204_000,
    runs: [run(1, 10_000), run(2, 6_000), run(2, 6_200), run(1, 10_400)],
    oneThreadMs: 9_000,
    speedup: spread(1.66),
    efficiency: 0.83,
    overheadPct: { one: 10, two: 20 },
    throughput: { one: 20_000, two: 33_000 },
  });
  const modelCase = (name: string, compute: number) => ({
    name,
    computeUsPerPattern: compute,
    bytesPerPattern: 4016,
    patternsPerShard: 800,
    threadsPerMachine: 2,
    redisCommandsCeiling: 3_000_000,
    redisBytesCeiling: 200_000,
    callerUploadCeiling: 80_000,
    fixedMs: 300,
    coordinationPct: { one: 1.2, two: 2.1 },
    points: [1, 2, 3, 5, 10, 20, 30, 50, 100].map((workers) => ({
      workers,
      throughput: Math.min(workers * 2e6 / compute, 80_000),
      limit: workers * 2e6 / compute < 80_000
        ? "compute" as const
        : "caller-upload" as const,
    })),
    breakEven: [
      { workers: 2, patterns: null },
      { workers: 10, patterns: 123_000 },
      { workers: 100, patterns: 45_000 },
    ],
  });
  return {
    meta: {
      date: "2026-12-05",
      deno: "2.9.6",
      cpus: 2,
      load: { scaling: 2.5 },
      coresAvailable: { scaling: 1.9 },
      note: "2-core shared VM",
    },
    overhead: {
      shards: 2000,
      trials: 3,
      serialUs: spread(1500),
      parallelUs: spread(1800),
      workerUs: spread(1000),
      queueUs: spread(500),
      enqueueUs: spread(100),
      cpuUs: { caller: 600, workers: 500, redis: 250 },
      redisCommands: 40,
    },
    redis: {
      version: "7.0.15",
      pipelinedOpsPerS: { SET: 500_000, GET: 600_000 },
      opsPerS: { SET: 60_000, GET: 65_000 },
      setCpuMsPerMB: 0.8,
      getCpuMsPerMB: 0.5,
    },
    scaling: { cases: [scalingCase("topK"), scalingCase("dtwBatch")] },
    recovery: {
      tries: 20,
      identical: 20,
      restartMs: spread(4400),
      completeMs: spread(6000),
      shardMs: 1000,
      lockDurationMs: 4000,
      stalledIntervalMs: 2000,
    },
    model: {
      assumptions: ["each machine has 2 threads"],
      cases: [modelCase("topK of …", 16), modelCase("dtwBatch of …", 90)],
    },
  };
}

/** Dots each chart should draw for {@linkcode fullResults} against itself. */
const EXPECTED = {
  comparison: 7, // every non-baseline member of a group with a baseline
  "speedup-dtw": 6,
  "time-dtw-dtw": 9,
  "speedup-lcs": 1,
  "transport-rtt": 9,
  "load-sustained": 10,
  "load-memory": 10,
  "cluster-model": 22, // 2 cases × 9 projected + 2 × 2 measured
  "soak-rss": 15,
  "soak-fds": 15,
  "cold-start-dtw": 6,
  "cold-start-search": 3,
};

Deno.test("splitGroup and seriesName find a family's sizes and series", () => {
  assert.deepEqual(splitGroup("dtw 1000"), ["dtw", 1000]);
  assert.deepEqual(splitGroup("subsequence search 100k (no baseline)"), [
    "subsequence search",
    100_000,
  ]);
  assert.deepEqual(splitGroup("search 1M"), ["search", 1_000_000]);
  assert.equal(splitGroup("pattern matching"), undefined);
  assert.equal(seriesName("kit dtw (100)"), "kit dtw");
  assert.equal(seriesName("kit lcs (10×50/3)"), "kit lcs");
  assert.equal(seriesName("kit: topK"), "kit: topK");
});

Deno.test("renderHtml: self-contained, with the verdicts and a figure per chart", () => {
  const results = fullResults();
  const html = renderHtml(results, analyseBaseline(results, results, 0.05));
  assert.doesNotMatch(
    html,
    /<script[^>]+src=|<link[^>]+href=|@import|https?:\/\/(?!www\.w3\.org)/,
    "nothing loads from elsewhere",
  );
  assert.match(html, /0 slower, 0 faster, 7 same \(threshold 5 %\)/);
  // The cluster: its model, the per-shard figures, scaling and recovery.
  assert.match(html, /<section id="cluster">/);
  assert.match(html, /Per-shard coordination \(2000 empty shards, µs\)/);
  assert.match(html, /<td>bit-identical results<\/td><td>20 of 20<\/td>/);
  assert.match(html, /<td>2: never, 10: 123000, 100: 45000<\/td>/);
  // The cold start: its table and the module's load.
  assert.match(html, /<section id="cold-start">/);
  assert.match(html, /<td>150 \(ready 3\/3\)<\/td>/);
  assert.match(html, /unpack 5 ms, compile 4 ms, instantiate 0\.4 ms/);
  for (const id of Object.keys(EXPECTED)) {
    assert.match(html, new RegExp(`data-chart="${id}"`));
  }
  // Against a revision: the paired chart and the A/B table.
  const against = {
    ...results,
    run: {
      ...results.run,
      mode: "against" as const,
      against: { ref: "HEAD~1", commit: "abcdef0123", added: [], removed: [] },
    },
  };
  const paired = analyseAgainst({
    ...against,
    units: [{
      ...unit(
        "dtw",
        "dtw 10",
        ["kit dtw (10)", "kit dtw (10)"],
        [100, 150],
        false,
      ),
    }],
  }, 0.05);
  const page = renderHtml(against, paired);
  assert.match(page, /paired against HEAD~1 \(abcdef012\)/);
  assert.match(page, /1 slower, 0 faster, 0 same/);
  assert.match(page, /data-chart="comparison" data-dots="1"/);
  // No data: a placeholder, not a failure.
  const empty = renderHtml(
    { ...results, units: [], extras: undefined },
    analyseBaseline({ ...results, units: [] }, undefined, 0.05),
  );
  assert.doesNotMatch(empty, /data-chart="speedup/);
});

const hasChromium = chromiumAvailable();
if (!hasChromium) {
  console.warn(
    "report_html_test: skipping the browser test: no Chromium at $KIT_CHROMIUM or /usr/bin/chromium",
  );
}

Deno.test({
  name: "the report renders in headless Chromium with every chart's dots drawn",
  ignore: !hasChromium,
  async fn() {
    const results = fullResults();
    const html = renderHtml(results, analyseBaseline(results, results, 0.05));
    // The page loads the report in a same-origin frame and reads what the
    // report's own script counted (dots with a non-empty layout box).
    const main = `export default async () => {
  const frame = document.createElement("iframe");
  frame.style.cssText = "width: 1100px; height: 900px";
  const loaded = new Promise((resolve) => frame.onload = resolve);
  frame.src = "/report.html";
  document.body.append(frame);
  await loaded;
  const doc = frame.contentDocument;
  return {
    ready: doc.body.dataset.ready ?? null,
    charts: [...doc.querySelectorAll("figure[data-chart]")].map((f) => ({
      id: f.dataset.chart,
      dots: Number(f.dataset.dots),
      drawn: Number(f.dataset.drawn),
      width: Math.max(0, ...[...f.querySelectorAll("svg")].map((s) => s.getBoundingClientRect().width)),
    })),
  };
};`;
    const result = await runInChromium({
      files: {
        "/report.html": { body: html, type: "text/html; charset=utf-8" },
        "/main.js": { body: main, type: "text/javascript" },
      },
    }) as {
      ready: string | null;
      charts: { id: string; dots: number; drawn: number; width: number }[];
    };
    assert.equal(result.ready, "1");
    assert.deepEqual(
      Object.fromEntries(result.charts.map((c) => [c.id, c.drawn])),
      EXPECTED,
    );
    for (const c of result.charts) {
      assert.equal(c.drawn, c.dots, c.id);
      assert.ok(c.width > 500, `${c.id} is ${c.width}px wide`);
    }
  },
});
