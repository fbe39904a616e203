// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Results files of `deno task compare` for tests of the comparison and the
// report.

import type { MeasuredUnit, Results, SystemInfo } from "../scripts/internal.ts";

/** The machine block of a test results file. */
export function testSystem(date = "2026-12-05T00:00:00Z"): SystemInfo {
  return {
    cpu: "AMD EPYC",
    cores: 2,
    memoryBytes: 2 ** 34,
    os: "linux",
    osRelease: "6.18",
    arch: "x86_64",
    deno: "2.9.6",
    v8: "15.0",
    typescript: "6.0",
    commit: "0123456789abcdef",
    dirty: false,
    date,
  };
}

/** A baseline-mode results file of `units` from the quick `suites`. */
export function testResults(
  units: MeasuredUnit[],
  suites: string[],
  date?: string,
): Results {
  return {
    format: "midstreamer-kit-compare",
    version: 2,
    system: testSystem(date),
    run: {
      mode: "baseline",
      quick: true,
      suites,
      durationMs: 60_000,
      budgetMs: 150_000,
    },
    units,
  };
}
