// Copyright 2026 the @midstreamer/kit authors. MIT license.
// The client side of tests/core_original_client_test.ts, run as
//
//   deno run -A --import-map tests/core_import_map.json tests/_core_original_client.ts
//
// It calls the original design document's client classes
// (examples/original_client.ts, which `await import('@midstreamer/core')`
// as the document does) and, where the document's code keeps no results,
// makes the same calls with the same options itself. It prints the results
// as JSON (numbers as strings, so that Infinity and every bit survive) for
// the test to compare with the pure-JS baseline. It never closes a
// processor, as the original does not: the process must still exit.

import type { TimeframeAlignment } from "@midstreamer/kit";
import { runningWorkers } from "../core/internal.ts";
import type { TopMatch } from "../core/types.ts";
import {
  LoadTest,
  MemoryBenchmark,
  MultiTimeframeBenchmark,
  PatternMatchingBenchmark,
  StrategyOptimizationBenchmark,
  WasmDTW,
  WasmLCS,
} from "../examples/original_client.ts";
import { clientInputs } from "./_core_client_inputs.ts";

const { StreamProcessor } = await import("@midstreamer/core");
const nums = (xs: ArrayLike<number>): string[] => Array.from(xs, String);
const inputs = clientInputs();

const dtw: string[] = [];
for (const [a, b] of inputs.dtwPairs) {
  dtw.push(String(await WasmDTW.calculate(a, b)));
}

const batches: { float64: boolean; distances: string[]; workers: number }[] =
  [];
for (const { reference, patterns } of inputs.batches) {
  const d = await WasmDTW.batchCalculate(reference, patterns);
  batches.push({
    float64: d instanceof Float64Array,
    distances: nums(d),
    workers: runningWorkers(), // the shared pool, open until idle
  });
}

const lcs: string[] = [];
for (const [a, b] of inputs.lcsPairs) {
  lcs.push(String(await WasmLCS.calculate(a, b)));
}

const matrices: { float64: boolean; values: string[]; workers: number }[] = [];
for (const strategies of inputs.strategySets) {
  const m = await WasmLCS.buildCorrelationMatrix(strategies);
  matrices.push({
    float64: m instanceof Float64Array,
    values: nums(m),
    workers: runningWorkers(),
  });
}

const { reference, patterns } = inputs.pipeline;
const wasm = await PatternMatchingBenchmark.benchmarkPipeline("wasm");
const current = await PatternMatchingBenchmark.benchmarkPipeline("current");
// benchmarkPipeline's type is the union of both pipelines.
const wasmMatches = await wasm(patterns, reference) as TopMatch<Float64Array>[];
const currentMatches = await current(patterns, reference) as {
  pattern: Float64Array;
  distance: number;
}[];
const pipeline = {
  wasm: wasmMatches.map((m) => ({
    index: m.index,
    distance: String(m.distance),
    samePattern: m.pattern === patterns[m.index],
  })),
  current: currentMatches.map((m) => ({
    index: patterns.indexOf(m.pattern),
    distance: String(m.distance),
  })),
};

const optimization = await StrategyOptimizationBenchmark.benchmarkOptimization(
  10,
  50,
);
const alignment = await MultiTimeframeBenchmark.benchmarkAlignment(
  [1, 5, 15, 60, 240],
  100,
);
// As in MultiTimeframeBenchmark.benchmarkAlignment, keeping the result.
const aligner = new StreamProcessor({
  mode: "multi_timeframe",
  parallel: true,
});
const aligned = (await aligner.alignTimeframes(inputs.timeframes)).map((
  a: TimeframeAlignment,
) => ({
  from: a.from,
  to: a.to,
  distance: String(a.distance),
  first: a.path[0],
  last: a.path.at(-1),
}));

const concurrent = await LoadTest.testConcurrentMatches(50, 64);
// As in LoadTest.testConcurrentMatches, keeping the results.
const concurrency = inputs.load.patterns.length;
const processor = new StreamProcessor({
  mode: "high_concurrency",
  maxConcurrent: concurrency,
  queueSize: concurrency * 2,
});
const matches = nums(
  await Promise.all(
    inputs.load.patterns.map((p) =>
      processor.matchPattern(inputs.load.reference, p)
    ),
  ),
);
const sustained = await LoadTest.testSustainedThroughput(300, 64);
const memory = await MemoryBenchmark.profileMemory(250, 64);

console.log(JSON.stringify({
  hardwareConcurrency: navigator.hardwareConcurrency,
  dtw,
  batches,
  lcs,
  matrices,
  pipeline,
  optimization,
  alignment,
  aligned,
  concurrent,
  matches,
  sustained,
  memory: {
    iterations: memory.snapshots.map((s) => s.iteration),
    peakRSS: memory.peakRSS,
    peakHeap: memory.peakHeap,
    growthRate: memory.growthRate,
  },
}));
