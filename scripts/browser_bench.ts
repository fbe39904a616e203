/**
 * Speed of the npm bundle in a browser: builds it (scripts/bundle.ts) into a
 * temporary directory, then measures the same kernel calls on the same
 * inputs in Deno and in headless Chromium, with the same code.
 *
 * ```sh
 * deno run -A scripts/browser_bench.ts            # table
 * deno run -A scripts/browser_bench.ts --json     # JSON (for compare's extras.browser)
 * deno run -A scripts/browser_bench.ts --quick    # fewer samples
 * ```
 *
 * Benchmarks: DTW of two 1,000-point random walks (full matrix), and the
 * correlation matrix of 100 sequences of 200 symbols from
 * {BUY, SELL, HOLD}. Inputs are seeded. Each figure is the median, over N samples
 * taken after a warm-up (0.5 s with `--quick`, else 1.5 s: V8 first runs
 * WebAssembly with its baseline compiler and swaps in optimised code
 * compiled in the background, which can take a while in a busy renderer),
 * of a sample's time divided by its number of calls
 * (each sample runs enough calls to last about 25 ms, 10 ms with `--quick`,
 * so browsers' coarse
 * `performance.now()` does not matter).
 *
 * The JSON is `{ rows: [{ name, deno_ms, chromium_ms }], chromium, deno,
 * quick, samples, notes }`: milliseconds per call. Exit code 2 when
 * Chromium is missing.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { buildNpm } from "./bundle.ts";
import {
  CHROMIUM,
  chromiumAvailable,
  chromiumVersion,
  runInChromium,
} from "../testing/chromium.ts";
import { randomWalk, rng } from "../testing/rng.ts";

/** Inputs of the benchmarks (JSON). */
export interface BenchInput {
  /** First DTW series. */
  a: number[];
  /** Second DTW series. */
  b: number[];
  /** Symbol sequences for the correlation matrix. */
  sequences: string[][];
  /** Samples per benchmark. */
  samples: number;
  /** Target duration of one sample, in ms. */
  sampleMs: number;
  /**
   * Warm-up per benchmark, in ms: long enough for the engine to replace its
   * baseline (Liftoff) code with optimised code, which it compiles in the
   * background.
   */
  warmupMs: number;
}

/** One measured benchmark in one engine. */
export interface Measured {
  /** Benchmark name. */
  name: string;
  /** Median milliseconds per call. */
  ms: number;
  /** Calls per sample. */
  calls: number;
  /** A digest of the result, to check that both engines agree. */
  check: number;
}

/** What one engine measured. */
export interface MeasureResult {
  /** Measured benchmarks. */
  rows: Measured[];
  /** Benchmarks skipped, and why. */
  notes: string[];
}

/** One row of the report. */
export interface BrowserBenchRow {
  /** Benchmark name. */
  name: string;
  /** Median ms per call in Deno. */
  deno_ms: number;
  /** Median ms per call in headless Chromium. */
  chromium_ms: number;
}

/** The report (`--json`); `compare` attaches it as `extras.browser`. */
export interface BrowserBenchReport {
  /** One row per benchmark. */
  rows: BrowserBenchRow[];
  /** `chromium --version`. */
  chromium: string;
  /** Deno and V8 versions. */
  deno: string;
  /** Whether `--quick` was given. */
  quick: boolean;
  /** Samples per benchmark. */
  samples: number;
  /** Benchmarks skipped, and why. */
  notes: string[];
}

/**
 * Runs the benchmarks on the kernel module `kit`. Self-contained (no free
 * variables) because its source text is also sent to the browser page.
 */
export function measure(
  kit: Record<string, unknown>,
  input: BenchInput,
): MeasureResult {
  const rows: Measured[] = [];
  const notes: string[] = [];
  const bench = (name: string, fn: () => unknown, digest: number): void => {
    // Warm-up, then calibration on the last quarter of it.
    const t0 = performance.now();
    while (performance.now() - t0 < input.warmupMs * 0.75) fn();
    let calls = 0;
    const t1 = performance.now();
    while (performance.now() - t1 < input.warmupMs / 4 || calls < 3) {
      fn();
      calls++;
    }
    const per = (performance.now() - t1) / calls;
    const k = Math.max(1, Math.round(input.sampleMs / Math.max(per, 1e-6)));
    const times: number[] = [];
    for (let s = 0; s < input.samples; s++) {
      const start = performance.now();
      for (let i = 0; i < k; i++) fn();
      times.push((performance.now() - start) / k);
    }
    times.sort((x, y) => x - y);
    const mid = times.length >> 1;
    const ms = times.length % 2 === 1
      ? times[mid]
      : (times[mid - 1] + times[mid]) / 2;
    rows.push({ name, ms, calls: k, check: digest });
  };
  const dtw = kit.dtw as (a: Float64Array, b: Float64Array) => number;
  const a = Float64Array.from(input.a);
  const b = Float64Array.from(input.b);
  bench(
    `dtw ${a.length} x ${b.length}`,
    () => dtw(a, b),
    dtw(a, b),
  );
  const name = `correlationMatrix ${input.sequences.length} x ${
    input.sequences[0].length
  }`;
  const correlationMatrix = kit.correlationMatrix as (
    s: string[][],
  ) => Float64Array;
  try {
    const m = correlationMatrix(input.sequences);
    let digest = 0;
    for (const x of m) digest += x;
    bench(name, () => correlationMatrix(input.sequences), digest);
  } catch (e) {
    notes.push(`${name}: skipped, the call failed: ${e}`);
  }
  return { rows, notes };
}

/** Seeded inputs. */
export function benchInput(quick: boolean): BenchInput {
  const r = rng(0xb0b);
  const symbols = ["BUY", "SELL", "HOLD"];
  return {
    a: Array.from(randomWalk(1000, r)),
    b: Array.from(randomWalk(1000, r)),
    sequences: Array.from(
      { length: 100 },
      () => Array.from({ length: 200 }, () => symbols[Math.floor(r() * 3)]),
    ),
    samples: quick ? 5 : 15,
    sampleMs: quick ? 10 : 25,
    warmupMs: quick ? 500 : 1500,
  };
}

/** Builds the bundle and measures it in Deno and Chromium. */
export async function browserBench(
  quick: boolean,
): Promise<BrowserBenchReport> {
  const dir = await Deno.makeTempDir({ prefix: "kit-browser-bench-" });
  try {
    await buildNpm(dir);
    const bundle = await Deno.readTextFile(`${dir}/index.js`);
    const input = benchInput(quick);
    const kit = await import(new URL(`file://${dir}/index.js`).href);
    const deno = measure(kit, input);
    const js = "text/javascript; charset=utf-8";
    const chromium = await runInChromium({
      files: {
        "/index.js": { body: bundle, type: js },
        "/input.json": {
          body: JSON.stringify(input),
          type: "application/json",
        },
        "/main.js": {
          body: `import * as kit from "/index.js";
const measure = ${measure.toString()};
export default async () =>
  measure(kit, await (await fetch("/input.json")).json());
`,
          type: js,
        },
      },
      timeoutMs: 300_000,
    }) as MeasureResult;
    const rows: BrowserBenchRow[] = deno.rows.map((d) => {
      const c = chromium.rows.find((r) => r.name === d.name);
      if (c === undefined) throw new Error(`${d.name}: not run in Chromium`);
      if (!Object.is(c.check, d.check)) {
        throw new Error(
          `${d.name}: Chromium's result ${c.check} differs from Deno's ${d.check}`,
        );
      }
      return { name: d.name, deno_ms: d.ms, chromium_ms: c.ms };
    });
    return {
      rows,
      chromium: await chromiumVersion(),
      deno: `Deno ${Deno.version.deno}, V8 ${Deno.version.v8}`,
      quick,
      samples: input.samples,
      notes: [...new Set([...deno.notes, ...chromium.notes])],
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  const args = parseArgs({
    args: Deno.args,
    options: { json: { type: "boolean" }, quick: { type: "boolean" } },
    strict: true,
  });
  if (!chromiumAvailable()) {
    const note = `no Chromium at ${CHROMIUM} ` +
      "(apt-get install chromium, or set KIT_CHROMIUM); nothing measured";
    if (args.values.json) {
      // Inside `deno task compare`: report the gap instead of failing the run.
      console.log(
        JSON.stringify({ rows: [], chromium: "absent", notes: [note] }),
      );
      Deno.exit(0);
    }
    console.error(`browser_bench: ${note}`);
    Deno.exit(2);
  }
  const report = await browserBench(args.values.quick ?? false);
  if (args.values.json) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    console.log(`${report.chromium}; ${report.deno}`);
    console.log(
      `median ms per call over ${report.samples} samples (machine may be shared)`,
    );
    const w = Math.max(...report.rows.map((r) => r.name.length), 9);
    console.log(
      `${"benchmark".padEnd(w)}  ${"Deno".padStart(10)}  ${
        "Chromium".padStart(10)
      }`,
    );
    for (const r of report.rows) {
      console.log(
        `${r.name.padEnd(w)}  ${r.deno_ms.toFixed(4).padStart(10)}  ${
          r.chromium_ms.toFixed(4).padStart(10)
        }`,
      );
    }
    for (const n of report.notes) console.log(`note: ${n}`);
  }
}
