// Copyright 2026 the @midstreamer/kit authors. MIT license.
// The original design document's client code, run unchanged on the kit
// through an import map: `"@midstreamer/core"` → core/mod.ts. The client
// runs in a subprocess (an import map given on the command line replaces
// deno.json's, so it must run in a process of its own); this test compares
// what it prints with the pure-JS baseline, number for number.

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { PureJSDTW, PureJSLCS } from "@midstreamer/kit/baseline";
import { clientInputs } from "./_core_client_inputs.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const MAP = fileURLToPath(new URL("./core_import_map.json", import.meta.url));
const CLIENT = fileURLToPath(
  new URL("./_core_original_client.ts", import.meta.url),
);

interface ClientOutput {
  hardwareConcurrency: number;
  dtw: string[];
  batches: { float64: boolean; distances: string[]; workers: number }[];
  lcs: string[];
  matrices: { float64: boolean; values: string[]; workers: number }[];
  pipeline: {
    wasm: { index: number; distance: string; samePattern: boolean }[];
    current: { index: number; distance: string }[];
  };
  optimization: Record<string, number>;
  alignment: Record<string, number>;
  aligned: {
    from: number;
    to: number;
    distance: string;
    first: [number, number];
    last: [number, number];
  }[];
  concurrent: {
    totalTime: number;
    throughput: number;
    avgLatency: number;
    memoryDelta: { rss: number; heapUsed: number };
  };
  matches: string[];
  sustained: { duration: number; completed: number; throughput: number };
  memory: {
    iterations: number[];
    peakRSS: number;
    peakHeap: number;
    growthRate: number;
  };
}

const numbers = (xs: string[]): number[] => xs.map(Number);

/** The sort-based top 10 of the document's 'current' pipeline. */
function sortTop10(
  reference: Float64Array,
  patterns: Float64Array[],
): { index: number; distance: number }[] {
  return patterns
    .map((p, index) => ({ index, distance: PureJSDTW.calculate(p, reference) }))
    .sort((a, b) => a.distance - b.distance)
    .slice(0, 10);
}

Deno.test("the original client code runs unchanged on @midstreamer/kit/core, with the pure-JS results", async (t) => {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--import-map", MAP, CLIENT],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    // The client never closes its processors: it must exit by itself.
    signal: AbortSignal.timeout(120_000),
  }).output();
  const err = new TextDecoder().decode(stderr);
  assert.equal(code, 0, `the client failed:\n${err}`);
  const out: ClientOutput = JSON.parse(new TextDecoder().decode(stdout));
  const inputs = clientInputs();
  const parallel = out.hardwareConcurrency >= 2;

  await t.step("WasmDTW.calculate equals PureJSDTW.calculate", () => {
    assert.deepEqual(
      numbers(out.dtw),
      inputs.dtwPairs.map(([a, b]) => PureJSDTW.calculate(a, b)),
    );
  });

  await t.step(
    "WasmDTW.batchCalculate equals PureJSDTW.calculate per pattern",
    () => {
      inputs.batches.forEach(({ reference, patterns }, i) => {
        assert.equal(out.batches[i].float64, true);
        assert.deepEqual(
          numbers(out.batches[i].distances),
          patterns.map((p) => PureJSDTW.calculate(reference, p)),
        );
      });
      // The small batch ran in this thread, the large one on the workers.
      assert.equal(out.batches[0].workers, 0);
      assert.equal(
        out.batches[1].workers,
        parallel ? out.hardwareConcurrency : 0,
      );
    },
  );

  await t.step("WasmLCS.calculate equals PureJSLCS.calculate", () => {
    assert.deepEqual(
      numbers(out.lcs),
      inputs.lcsPairs.map(([a, b]) => PureJSLCS.calculate(a, b)),
    );
  });

  await t.step(
    "WasmLCS.buildCorrelationMatrix equals PureJSLCS.buildCorrelationMatrix flattened",
    () => {
      inputs.strategySets.forEach((strategies, i) => {
        assert.equal(out.matrices[i].float64, true);
        assert.deepEqual(
          numbers(out.matrices[i].values),
          PureJSLCS.buildCorrelationMatrix(strategies).flat(),
        );
      });
      assert.equal(
        out.matrices[1].workers,
        parallel ? out.hardwareConcurrency : 0,
      );
    },
  );

  await t.step("the 'wasm' pipeline returns the sort-based top 10", () => {
    const { reference, patterns } = inputs.pipeline;
    const expected = sortTop10(reference, patterns);
    // Duplicated patterns make ties, broken by index as a stable sort does.
    assert.ok(
      expected.some((m, i) => i > 0 && m.distance === expected[i - 1].distance),
    );
    assert.deepEqual(
      out.pipeline.wasm.map((m) => ({
        index: m.index,
        distance: Number(m.distance),
      })),
      expected,
    );
    assert.ok(out.pipeline.wasm.every((m) => m.samePattern));
    assert.deepEqual(
      out.pipeline.current.map((m) => ({
        index: m.index,
        distance: Number(m.distance),
      })),
      expected,
    );
  });

  await t.step(
    "strategy optimisation and multi-timeframe benchmarks run",
    () => {
      assert.equal(out.optimization.matrixSize, 100);
      assert.equal(out.alignment.timeframeCount, 5);
      for (const r of [out.optimization, out.alignment]) {
        assert.ok(r.current >= 0 && r.wasm >= 0 && r.speedup > 0);
      }
    },
  );

  await t.step(
    "alignTimeframes distances equal PureJSDTW.calculate of each pair",
    () => {
      const tf = inputs.timeframes;
      assert.deepEqual(
        out.aligned.map((a) => ({ ...a, distance: Number(a.distance) })),
        tf.slice(1).map((b, i) => ({
          from: i,
          to: i + 1,
          distance: PureJSDTW.calculate(tf[i], b),
          first: [0, 0],
          last: [tf[i].length - 1, b.length - 1],
        })),
      );
    },
  );

  await t.step(
    "the load test's matchPattern calls equal PureJSDTW.calculate",
    () => {
      const { reference, patterns } = inputs.load;
      assert.deepEqual(
        numbers(out.matches),
        patterns.map((p) => PureJSDTW.calculate(reference, p)),
      );
      const c = out.concurrent;
      assert.ok(c.totalTime >= 0 && c.throughput > 0 && c.avgLatency >= 0);
      assert.equal(typeof c.memoryDelta.rss, "number");
      assert.equal(typeof c.memoryDelta.heapUsed, "number");
      assert.equal(out.sustained.duration, 300);
      assert.ok(out.sustained.completed > 0);
      assert.deepEqual(out.memory.iterations, [0, 100, 200]);
      assert.ok(out.memory.peakRSS > 0 && out.memory.peakHeap > 0);
      assert.ok(Number.isFinite(out.memory.growthRate));
    },
  );
});
