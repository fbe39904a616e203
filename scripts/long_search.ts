// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * Time and peak memory of `searchSubsequence` on a long series (issue 19,
 * item 5): a random walk of `--points` points (100M by default, 800 MB of
 * `f64`) searched for a query of `--query` points cut out of it, rescaled
 * and shifted, with a band of 5 %. The series streams through WebAssembly
 * memory in parts, so the peak resident set should be the input's own
 * size plus a constant. With several `--parts` sizes (window starts per
 * part), the searches alternate between them (ABBA) for `--rounds` rounds.
 *
 * ```sh
 * flock /tmp/kit-timing.lock deno run -A scripts/long_search.ts
 * flock /tmp/kit-timing.lock deno run -A scripts/long_search.ts --parts 1048576,4194304,16777216 --rounds 2
 * ```
 *
 * Prints, for each part size, the times of its searches, and the peak
 * resident set (`VmHWM` of /proc/self/status) next to the input's size and
 * the resident set before the input was made.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { searchSubsequence } from "../mod.ts";
import { searchPartWindows } from "../kernels/internal.ts";
import { rng } from "../testing/rng.ts";

/** A field of /proc/self/status, in MiB. */
function status(field: "VmHWM" | "VmRSS"): number {
  const text = Deno.readTextFileSync("/proc/self/status");
  const line = text.split("\n").find((l) => l.startsWith(field + ":"));
  if (line === undefined) throw new Error(`no ${field} in /proc/self/status`);
  return Number(line.split(/\s+/)[1]) / 1024;
}

const { values } = parseArgs({
  options: {
    points: { type: "string", default: "100000000" },
    query: { type: "string", default: "128" },
    parts: { type: "string", default: String(searchPartWindows()) },
    rounds: { type: "string", default: "1" },
  },
});
const n = Number(values.points);
const m = Number(values.query);
const parts = values.parts.split(",").map(Number);
const rounds = Number(values.rounds);
const window = Math.floor(0.05 * m);

const before = status("VmRSS");
const series = new Float64Array(n);
const random = rng(19);
let v = 0;
for (let i = 0; i < n; i++) series[i] = v += random() - 0.5;
const at = Math.floor(n * 0.7);
const query = Array.from(series.subarray(at, at + m), (y) => 3 * y - 7);
const withInput = status("VmRSS");
console.log(
  `series ${n} points (${
    (n * 8 / 2 ** 20).toFixed(0)
  } MiB), query ${m}, window ${window}; RSS ${
    before.toFixed(0)
  } MiB before the series, ${withInput.toFixed(0)} MiB with it`,
);

// Warm-up: V8 runs the module in its baseline tier for the first calls.
const warm = series.subarray(0, Math.min(n, 20_000_000));
const t0 = performance.now();
while (performance.now() - t0 < 3000) {
  searchSubsequence(warm, query, { window });
}

const times = new Map<number, number[]>(parts.map((p) => [p, []]));
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? parts : parts.toReversed();
  for (const p of order) {
    searchPartWindows(p);
    const start = performance.now();
    const [best] = searchSubsequence(series, query, { window });
    const ms = performance.now() - start;
    times.get(p)!.push(ms);
    if (best.start !== at) throw new Error(`found ${best.start}, not ${at}`);
  }
}
for (const [p, t] of times) {
  console.log(
    `parts of ${p} windows: ${t.map((x) => x.toFixed(0)).join(", ")} ms`,
  );
}
const peak = status("VmHWM");
console.log(
  `peak RSS ${peak.toFixed(0)} MiB = the RSS with the series ${
    withInput.toFixed(0)
  } MiB + ${(peak - withInput).toFixed(0)} MiB (the series is ${
    (n * 8 / 2 ** 20).toFixed(0)
  } MiB)`,
);
