// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Seeded inputs of tests/core_original_client_test.ts, made the same way in
// the test and in the client script it runs (tests/_core_original_client.ts).

import { randInt, randomWalk, rng } from "../testing/rng.ts";

/** Every input the client script is called with. */
export interface ClientInputs {
  /** Pairs for `WasmDTW.calculate`, including empty and length-1 series. */
  dtwPairs: [Float64Array, Float64Array][];
  /** `WasmDTW.batchCalculate` cases: small (this thread) and large (workers). */
  batches: { reference: Float64Array; patterns: Float64Array[] }[];
  /** Pairs for `WasmLCS.calculate`. */
  lcsPairs: [string[], string[]][];
  /** Strategy sets for `WasmLCS.buildCorrelationMatrix`: small, and large (workers). */
  strategySets: string[][][];
  /** The pattern-matching pipeline's inputs (with duplicates, for ties). */
  pipeline: { reference: Float64Array; patterns: Float64Array[] };
  /** Timeframes for `alignTimeframes`. */
  timeframes: Float64Array[];
  /** The load test's reference and concurrent patterns. */
  load: { reference: Float64Array; patterns: Float64Array[] };
}

function signals(random: () => number, n: number): string[] {
  const kinds = ["BUY", "SELL", "HOLD", "CLOSE"];
  return Array.from({ length: n }, () => kinds[randInt(random, 0, 3)]);
}

/** The inputs; the same on every call. */
export function clientInputs(): ClientInputs {
  const random = rng(2026);
  const walk = (n: number) => randomWalk(n, random);
  const dtwPairs: [Float64Array, Float64Array][] = [
    [walk(0), walk(0)],
    [walk(0), walk(5)],
    [walk(1), walk(1)],
    [walk(1), walk(9)],
    [walk(13), walk(29)],
    [walk(64), walk(64)],
    [walk(250), walk(180)],
  ];
  const small = {
    reference: walk(50),
    patterns: Array.from({ length: 40 }, () => walk(randInt(random, 1, 80))),
  };
  const large = {
    reference: walk(300),
    patterns: Array.from({ length: 60 }, () => walk(randInt(random, 250, 350))),
  };
  const lcsPairs: [string[], string[]][] = [
    [[], signals(random, 4)],
    [signals(random, 1), signals(random, 1)],
    [signals(random, 50), signals(random, 70)],
    [signals(random, 300), signals(random, 200)],
  ];
  const strategySets = [
    Array.from({ length: 10 }, () => signals(random, 50)),
    // Enough cells (about 2^26.2) for the workers.
    Array.from(
      { length: 50 },
      () => signals(random, randInt(random, 240, 260)),
    ),
  ];
  const patterns = Array.from({ length: 150 }, () => walk(100));
  patterns.push(...patterns.slice(0, 30).map((p) => p.slice())); // ties
  const pipeline = { reference: walk(100), patterns };
  const timeframes = [1, 5, 15, 60, 240].map((_, i) => walk(80 + 10 * i));
  const load = {
    reference: walk(64),
    patterns: Array.from({ length: 40 }, () => walk(randInt(random, 1, 96))),
  };
  return {
    dtwPairs,
    batches: [small, large],
    lcsPairs,
    strategySets,
    pipeline,
    timeframes,
    load,
  };
}
