// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Smoke run of scripts/load.ts --quick --json with small sizes: checks the
// JSON shape documented in the script (not the figures).

import assert from "node:assert/strict";

function isNumber(x: unknown): boolean {
  return typeof x === "number" && !Number.isNaN(x);
}

function assertNumbers(object: Record<string, unknown>, keys: string[]): void {
  for (const key of keys) {
    assert.ok(isNumber(object[key]), `${key}: ${JSON.stringify(object[key])}`);
  }
}

Deno.test("load: --quick --json gives the documented shape", async () => {
  const script = new URL("../scripts/load.ts", import.meta.url).pathname;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      script,
      "--quick",
      "--json",
      "--duration",
      "1",
      "--concurrent",
      "120",
      "--points",
      "100",
      "--ops",
      "300",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(stderr);
  assert.equal(code, 0, err);
  const report = JSON.parse(new TextDecoder().decode(stdout));

  assert.equal(report.meta.quick, true);
  assert.equal(typeof report.meta.deno, "string");

  const c = report.concurrent;
  assert.equal(c.count, 120);
  assert.equal(c.points, 100);
  assertNumbers(c.original, ["sampled", "msPerMatch", "throughput"]);
  assertNumbers(c.kit, ["totalMs", "throughput", "rssDeltaMB", "heapDeltaMB"]);
  assertNumbers(c.kit.latencyMs, ["mean", "p50", "p99"]);
  assert.ok(c.kit.latencyMs.p50 <= c.kit.latencyMs.p99);
  assertNumbers(c, ["speedup"]);

  const s = report.sustained;
  assertNumbers(s, ["durationS", "concurrency", "completed", "throughput"]);
  assert.ok(s.completed > 0);
  for (const m of [s.rss, s.heap]) {
    assertNumbers(m, ["startMB", "endMB", "growthPct"]);
  }
  assert.ok(Array.isArray(s.series) && s.series.length >= 1);
  for (const point of s.series) {
    assertNumbers(point, ["t", "throughput", "rss", "heap"]);
  }

  const m = report.memory;
  assert.equal(m.ops, 300);
  assertNumbers(m, ["points", "peakRssMB", "peakHeapMB"]);
  assertNumbers(m.growthPer1000, ["rssMB", "heapMB"]);
  // Snapshots every 100 operations in quick mode, plus the start.
  assert.deepEqual(m.snapshots.map((x: { ops: number }) => x.ops), [
    0,
    100,
    200,
    300,
  ]);

  for (const transport of ["quic", "websocket"]) {
    for (const op of ["dtw", "dtwBatch"]) {
      const run = report.service[transport][op];
      assertNumbers(run, [
        "requests",
        "patterns",
        "totalMs",
        "throughput",
        "relative",
      ]);
      assertNumbers(run.latencyMs, ["mean", "p99"]);
      assert.equal(run.patterns, 120);
    }
  }
  assert.equal(report.service.quic.dtw.requests, 120);
  assert.equal(report.service.quic.dtwBatch.requests, 2);

  assert.equal(report.targets.length, 5);
  for (const t of report.targets) {
    assert.equal(typeof t.name, "string");
    assert.equal(typeof t.target, "string");
    assert.ok(isNumber(t.value));
    assert.equal(typeof t.pass, "boolean");
  }
});
