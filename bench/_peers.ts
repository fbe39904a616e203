// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Real peers from npm, loaded once for the benchmark suites.

import DynamicTimeWarping from "dynamic-time-warping";
import { Dtw, initSync as initAugursDtw } from "@bsull/augurs/dtw";
import { TemporalCompare } from "midstreamer/pkg-node/midstream_wasm.js";

initAugursDtw({
  module: Deno.readFileSync(
    new URL("../node_modules/@bsull/augurs/dtw_bg.wasm", import.meta.url),
  ),
});

/** midstreamer@0.2.5, the system this project grew out of (WASM, full O(n·m) matrices). */
export const midstreamer: TemporalCompare = new TemporalCompare();

/**
 * `@bsull/augurs` 0.10 DTW with the Euclidean local distance. It returns the
 * square root of the summed squared differences, so it corresponds to
 * `Math.sqrt(dtw(a, b, { cost: "squared" }))`.
 */
export function augursEuclidean(window?: number): Dtw {
  return window === undefined ? Dtw.euclidean() : Dtw.euclidean({ window });
}

type DtwCtor = new (
  a: number[],
  b: number[],
  dist: (x: number, y: number) => number,
) => { getDistance(): number };

/** The npm `dynamic-time-warping` package with the absolute cost (pure JS). */
export function dynamicTimeWarping(a: number[], b: number[]): number {
  const Ctor = DynamicTimeWarping as unknown as DtwCtor;
  return new Ctor(a, b, (x, y) => Math.abs(x - y)).getDistance();
}
