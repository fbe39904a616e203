// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * The cold-start curve: how long calls 1, 2, …, 30 of a kernel take in a
 * fresh process, against the same process's warm time, in Deno, Node and
 * headless Chromium.
 *
 * ```sh
 * deno task cold-start                        # table, 5 processes per curve
 * deno task cold-start --json                 # JSON (compare's extras.coldStart, bench/cold_start.json)
 * deno task cold-start --runs 3 --runtimes deno --kernels dtw
 * deno task cold-start --runtimes deno --v8-flags=--no-liftoff   # what a V8 flag does
 * ```
 *
 * Each curve is measured in `--runs` fresh processes (Deno and Node
 * processes, or a Chromium browser with a fresh profile), each of which:
 *
 * 1. builds its inputs: for `dtw`, two 1,000-point random walks (the full
 *    matrix, absolute cost); for `search`, `searchSubsequence` on a
 *    1,000,000-point random walk with a 128-point query, a 5 % band
 *    (`window: 6`) and the squared cost, as `bench/e2e_bench.ts`;
 * 2. imports the kit, timed (`importMs`): Deno its source
 *    (`kernels/mod.ts`, from a warm transpile cache), Node and Chromium the
 *    npm bundle built by `scripts/bundle.ts` (the WebAssembly module is
 *    not compiled at import: the first call does that);
 * 3. in mode `warmUp`, awaits `warmUp()` (timed, `warmUpMs`);
 * 4. times calls 1 to `--calls` (30) with `performance.now()`;
 * 5. keeps calling for a second (2.5 s for `search`, whose largest
 *    function reaches its optimised code more than a second of calls after
 *    the first), then times 7 more calls: their median is the process's
 *    warm time.
 *
 * Each call's figure is the median over the processes (with min and max),
 * and so is its ratio to its own process's warm time (a within-process
 * ratio: it survives the machine's drift better than the times do). Deno
 * compiles the kernels' module while it loads the modules (a source-phase
 * import of `kernels/_kit.wasm`), so that cost is in Deno's import time;
 * the npm bundle (Node, Chromium) unpacks and compiles it on the first
 * call. A separate set of Deno processes times the bundle's load path
 * alone: unpacking (base64 and DEFLATE, in `kernels/_inflate.ts`),
 * compiling and instantiating.
 *
 * Exit code 2 on bad flags; a runtime that is missing (no `node`, no
 * Chromium) is left out with a note.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { buildNpm } from "./bundle.ts";
import { median } from "./_stats.ts";
import { systemInfo } from "./compare.ts";
import {
  CHROMIUM,
  chromiumAvailable,
  chromiumVersion,
  runInChromium,
} from "../testing/chromium.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** A runtime the curves are measured in. */
export type Runtime = "deno" | "node" | "chromium";
/** A kernel whose curve is measured. */
export type Kernel = "dtw" | "search";
/** `cold`: call at once after the import; `warmUp`: await `warmUp()` first. */
export type Mode = "cold" | "warmUp";

/** What one process is asked to do (JSON, also sent to the browser). */
export interface CurveInput {
  /** The kernel called. */
  kernel: Kernel;
  /** Whether `warmUp()` runs first. */
  mode: Mode;
  /** Calls timed from the first. */
  calls: number;
}

/** What one process measured. */
export interface CurveSample {
  /** The import of the kit, ms. */
  importMs: number;
  /** `warmUp()`'s time (mode `warmUp`), ms. */
  warmUpMs?: number;
  /** Whether `warmUp()` reported `ready` (mode `warmUp`). */
  ready?: boolean;
  /** Calls 1..n, ms each. */
  calls: number[];
  /** Median of 7 calls after the curve and 1 s (2.5 s for search) more of calls, ms. */
  warmMs: number;
  /** A digest of the result, to check that the runtimes agree. */
  check: number;
}

/** Median, minimum and maximum over processes. */
export interface Spread {
  /** The median (the lower middle value of an even count). */
  median: number;
  /** The smallest value. */
  min: number;
  /** The largest value. */
  max: number;
}

/** One curve: a kernel in a runtime and mode, over `runs` processes. */
export interface Curve {
  /** Where it ran. */
  runtime: Runtime;
  /** What it called. */
  kernel: Kernel;
  /** Cold, or after `warmUp()`. */
  mode: Mode;
  /** V8 flags given to the runtime (`--v8-flags`), if any. */
  flags?: string;
  /** Processes measured. */
  runs: number;
  /** The import of the kit, ms. */
  importMs: Spread;
  /** `warmUp()`'s time (mode `warmUp`), ms. */
  warmUpMs?: Spread;
  /** Processes whose `warmUp()` reported `ready`. */
  ready?: number;
  /** Each process's warm time (see {@linkcode CurveSample}), ms. */
  warmMs: Spread;
  /** Per call, 1-based: the time and its ratio to the process's warm time. */
  calls: Array<{ call: number; ms: Spread; ratio: Spread }>;
}

/**
 * The npm bundle's load of the module alone (`kernels/_wasm_inline.ts`),
 * timed in Deno (ms over processes).
 */
export interface LoadPhases {
  /** Unpacking the inlined module: base64 and DEFLATE. */
  unpackMs: Spread;
  /** `new WebAssembly.Module` (V8 compiles lazily: functions on first call). */
  compileMs: Spread;
  /** `new WebAssembly.Instance`. */
  instantiateMs: Spread;
  /** The module's size, bytes. */
  moduleBytes: number;
}

/** The report (`--json`); `compare` attaches it as `extras.coldStart`. */
export interface ColdStartReport {
  /** CPU, cores, Deno and V8, commit, date. */
  machine: {
    cpu: string;
    cores: number;
    deno: string;
    v8: string;
    node?: string;
    chromium?: string;
    commit: string;
    date: string;
  };
  /** Processes per curve. */
  runs: number;
  /** Calls timed per process. */
  calls: number;
  /** One per runtime, kernel and mode. */
  curves: Curve[];
  /** Deno only, when measured. */
  phases?: LoadPhases;
  /** Runtimes left out, and why; other remarks. */
  notes: string[];
}

/**
 * One process's measurement. Self-contained (no free variables) because
 * its source text also runs in Node and in the browser page. `load`
 * imports the kit.
 */
export async function coldCurve(
  load: () => Promise<Record<string, unknown>>,
  input: CurveInput,
): Promise<CurveSample> {
  const walk = (n: number, seed: number) => {
    const out = new Float64Array(n);
    let s = seed, x = 0;
    for (let i = 0; i < n; i++) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      x += (s >>> 0) / 2 ** 32 - 0.5;
      out[i] = x;
    }
    return out;
  };
  // The inputs are built before the import is timed.
  const a = input.kernel === "dtw" ? walk(1000, 11) : walk(1_000_000, 13);
  const b = input.kernel === "dtw" ? walk(1000, 12) : walk(128, 14);
  const t0 = performance.now();
  const kit = await load();
  const sample: CurveSample = {
    importMs: performance.now() - t0,
    calls: [],
    warmMs: 0,
    check: 0,
  };
  const dtw = kit.dtw as (a: Float64Array, b: Float64Array) => number;
  const search = kit.searchSubsequence as (
    s: Float64Array,
    q: Float64Array,
    o: { window: number; cost: string },
  ) => Array<{ start: number; distance: number }>;
  const call = input.kernel === "dtw" ? () => dtw(a, b) : () => {
    const [best] = search(a, b, { window: 6, cost: "squared" });
    return best.start + best.distance;
  };
  if (input.mode === "warmUp") {
    const warmUp = kit.warmUp as () => Promise<{ ready: boolean; ms: number }>;
    const w = await warmUp();
    sample.warmUpMs = w.ms;
    sample.ready = w.ready;
  }
  for (let i = 0; i < input.calls; i++) {
    const s = performance.now();
    sample.check = call();
    sample.calls.push(performance.now() - s);
  }
  // The search's largest function reaches its optimised code more than a
  // second of calls after the first (measured here), so it gets longer.
  const until = performance.now() + (input.kernel === "dtw" ? 1000 : 2500);
  for (let i = 0; i < 5 || performance.now() < until; i++) call();
  const warm: number[] = [];
  for (let i = 0; i < 7; i++) {
    const s = performance.now();
    call();
    warm.push(performance.now() - s);
  }
  warm.sort((x, y) => x - y);
  sample.warmMs = warm[3];
  return sample;
}

/** Median, minimum and maximum of `xs`. */
export function spread(xs: number[]): Spread {
  return {
    median: median(xs),
    min: Math.min(...xs),
    max: Math.max(...xs),
  };
}

/** Aggregates the processes of one curve. */
export function curveOf(
  runtime: Runtime,
  input: CurveInput,
  samples: CurveSample[],
  flags?: string,
): Curve {
  const curve: Curve = {
    runtime,
    kernel: input.kernel,
    mode: input.mode,
    ...(flags ? { flags } : {}),
    runs: samples.length,
    importMs: spread(samples.map((s) => s.importMs)),
    warmMs: spread(samples.map((s) => s.warmMs)),
    calls: Array.from({ length: input.calls }, (_, i) => ({
      call: i + 1,
      ms: spread(samples.map((s) => s.calls[i])),
      ratio: spread(samples.map((s) => s.calls[i] / s.warmMs)),
    })),
  };
  if (input.mode === "warmUp") {
    curve.warmUpMs = spread(samples.map((s) => s.warmUpMs ?? NaN));
    curve.ready = samples.filter((s) => s.ready).length;
  }
  return curve;
}

/** Runs `program` (a Deno module's text) in a fresh Deno process; its JSON. */
async function denoProcess(
  dir: string,
  program: string,
  args: string[],
  v8Flags?: string,
): Promise<unknown> {
  const file = `${dir}/child_${crypto.randomUUID()}.ts`;
  await Deno.writeTextFile(file, program);
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--no-config",
        ...(v8Flags ? [`--v8-flags=${v8Flags}`] : []),
        file,
        ...args,
      ],
      cwd: dir,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    return parseChild("deno", out);
  } finally {
    await Deno.remove(file);
  }
}

function parseChild(name: string, out: Deno.CommandOutput): unknown {
  const text = new TextDecoder().decode(out.stdout).trim();
  if (!out.success) {
    throw new Error(
      `${name} child failed (exit ${out.code}): ${
        new TextDecoder().decode(out.stderr).trim().split("\n").slice(-6)
          .join("\n")
      }`,
    );
  }
  return JSON.parse(text.split("\n").at(-1) ?? "");
}

/** The program a Deno or Node child runs: `coldCurve` on its argument. */
function childProgram(importSpecifier: string, argv: string): string {
  return `const coldCurve = ${coldCurve.toString()};
const input = JSON.parse(${argv});
console.log(JSON.stringify(await coldCurve(() => import(${
    JSON.stringify(importSpecifier)
  }), input)));
`;
}

/** The Deno child that times the npm bundle's load of the module alone. */
function phasesProgram(): string {
  const wasm = new URL("../kernels/internal_inline.ts", import.meta.url).href;
  return `import { kitImports, wasmBytes } from ${JSON.stringify(wasm)};
const t0 = performance.now();
const bytes = wasmBytes();
const t1 = performance.now();
const module = new WebAssembly.Module(bytes);
const t2 = performance.now();
new WebAssembly.Instance(module, kitImports());
const t3 = performance.now();
console.log(JSON.stringify({ unpack: t1 - t0, compile: t2 - t1, instantiate: t3 - t2, bytes: bytes.length }));
`;
}

async function version(cmd: string, args: string[]): Promise<string | null> {
  try {
    const out = await new Deno.Command(cmd, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).output();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : null;
  } catch {
    return null;
  }
}

/** What {@linkcode coldStart} measures. */
export interface ColdStartOptions {
  /** Fresh processes per curve (`--runs`). */
  runs: number;
  /** Calls timed per process (`--calls`). */
  calls: number;
  /** Runtimes to measure in (`--runtimes`). */
  runtimes: Runtime[];
  /** Kernels whose curves are measured (`--kernels`). */
  kernels: Kernel[];
  /** Modes (`--modes`). */
  modes: Mode[];
  /** V8 flags for the Deno processes. */
  v8Flags?: string;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

/** Measures the curves. */
export async function coldStart(
  options: ColdStartOptions,
): Promise<ColdStartReport> {
  const log = options.log ?? (() => {});
  const notes: string[] = [];
  const runtimes = [...options.runtimes];
  const node = runtimes.includes("node")
    ? await version("node", ["--version"])
    : null;
  if (runtimes.includes("node") && node === null) {
    notes.push("node: not found on PATH; left out");
    runtimes.splice(runtimes.indexOf("node"), 1);
  }
  let chromium: string | undefined;
  if (runtimes.includes("chromium")) {
    if (chromiumAvailable()) chromium = await chromiumVersion();
    else {
      notes.push(`chromium: no browser at ${CHROMIUM}; left out`);
      runtimes.splice(runtimes.indexOf("chromium"), 1);
    }
  }
  const dir = await Deno.makeTempDir({ prefix: "kit-cold-start-" });
  try {
    let bundle = "";
    if (runtimes.includes("node") || runtimes.includes("chromium")) {
      await buildNpm(`${dir}/npm`);
      bundle = await Deno.readTextFile(`${dir}/npm/index.js`);
    }
    const mod = new URL("../kernels/mod.ts", import.meta.url).href;
    const denoChild = childProgram(mod, "Deno.args[0]");
    if (runtimes.includes("node")) {
      await Deno.writeTextFile(
        `${dir}/npm/child.mjs`,
        childProgram("./index.js", "process.argv[2]"),
      );
    }
    // One untimed Deno process fills the transpile cache.
    if (runtimes.includes("deno")) {
      await denoProcess(dir, denoChild, [
        JSON.stringify({ kernel: "dtw", mode: "cold", calls: 1 }),
      ]);
    }
    const plan: Array<{ runtime: Runtime; input: CurveInput }> = [];
    for (const kernel of options.kernels) {
      for (const mode of options.modes) {
        for (const runtime of runtimes) {
          plan.push({ runtime, input: { kernel, mode, calls: options.calls } });
        }
      }
    }
    const samples = plan.map(() => [] as CurveSample[]);
    const phases: Array<Record<string, number>> = [];
    const js = "text/javascript; charset=utf-8";
    for (let r = 0; r < options.runs; r++) {
      // Alternate the order between runs, so that drift hits every curve alike.
      const order = plan.map((_, i) => i);
      if (r % 2 === 1) order.reverse();
      for (const i of order) {
        const { runtime, input } = plan[i];
        const arg = JSON.stringify(input);
        let sample: CurveSample;
        if (runtime === "deno") {
          sample = await denoProcess(
            dir,
            denoChild,
            [arg],
            options.v8Flags,
          ) as CurveSample;
        } else if (runtime === "node") {
          sample = parseChild(
            "node",
            await new Deno.Command("node", {
              args: [`${dir}/npm/child.mjs`, arg],
              cwd: `${dir}/npm`,
              stdin: "null",
              stdout: "piped",
              stderr: "piped",
            }).output(),
          ) as CurveSample;
        } else {
          sample = await runInChromium({
            files: {
              "/index.js": { body: bundle, type: js },
              "/main.js": {
                body: `const coldCurve = ${coldCurve.toString()};
export default () => coldCurve(() => import("/index.js"), ${arg});
`,
                type: js,
              },
            },
            timeoutMs: 120_000,
          }) as CurveSample;
        }
        samples[i].push(sample);
        log(
          `run ${
            r + 1
          }/${options.runs} ${runtime} ${input.kernel} ${input.mode}: ` +
            `call 1 ${sample.calls[0].toFixed(1)} ms, warm ${
              sample.warmMs.toFixed(2)
            } ms`,
        );
      }
      if (runtimes.includes("deno")) {
        phases.push(
          await denoProcess(
            dir,
            phasesProgram(),
            [],
            options.v8Flags,
          ) as Record<
            string,
            number
          >,
        );
      }
    }
    // Every runtime must compute the same results.
    for (const kernel of options.kernels) {
      const checks = new Set(
        plan.flatMap((p, i) =>
          p.input.kernel === kernel ? samples[i].map((s) => s.check) : []
        ),
      );
      if (checks.size > 1) {
        throw new Error(
          `${kernel}: the runtimes computed different results: ${[...checks]}`,
        );
      }
    }
    const system = await systemInfo(ROOT, new Date());
    return {
      machine: {
        cpu: system.cpu,
        cores: system.cores,
        deno: system.deno,
        v8: system.v8,
        ...(node ? { node } : {}),
        ...(chromium ? { chromium } : {}),
        commit: `${system.commit.slice(0, 9)}${system.dirty ? " (dirty)" : ""}`,
        date: system.date,
      },
      runs: options.runs,
      calls: options.calls,
      curves: plan.map((p, i) =>
        curveOf(p.runtime, p.input, samples[i], options.v8Flags)
      ),
      ...(phases.length > 0
        ? {
          phases: {
            unpackMs: spread(phases.map((p) => p.unpack)),
            compileMs: spread(phases.map((p) => p.compile)),
            instantiateMs: spread(phases.map((p) => p.instantiate)),
            moduleBytes: phases[0].bytes,
          },
        }
        : {}),
      notes,
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const f = (x: number) => x < 10 ? x.toFixed(2) : x.toFixed(1);

/** The report as a table. */
export function renderColdStart(report: ColdStartReport): string {
  const m = report.machine;
  const lines = [
    `${m.cpu}, ${m.cores} cores; Deno ${m.deno} (V8 ${m.v8})${
      m.node ? `, Node ${m.node}` : ""
    }${m.chromium ? `, ${m.chromium}` : ""}; ${m.commit}, ${m.date}`,
    `median over ${report.runs} fresh processes per row (min–max in the JSON); ms`,
    "",
    [
      "runtime".padEnd(10),
      "kernel".padEnd(7),
      "mode".padEnd(7),
      "import".padStart(7),
      "warmUp".padStart(7),
      "call 1".padStart(7),
      "call 2".padStart(7),
      "call 3".padStart(7),
      "3-30/warm".padStart(10),
      "warm".padStart(7),
    ].join(" "),
  ];
  for (const c of report.curves) {
    const later = median(c.calls.slice(2).map((x) => x.ratio.median));
    lines.push([
      `${c.runtime}${c.flags ? "*" : ""}`.padEnd(10),
      c.kernel.padEnd(7),
      c.mode.padEnd(7),
      f(c.importMs.median).padStart(7),
      (c.warmUpMs ? f(c.warmUpMs.median) : "").padStart(7),
      ...c.calls.slice(0, 3).map((x) => f(x.ms.median).padStart(7)),
      `${later.toFixed(2)}x`.padStart(10),
      f(c.warmMs.median).padStart(7),
    ].join(" "));
  }
  if (report.curves.some((c) => c.flags)) {
    lines.push(`* --v8-flags=${report.curves.find((c) => c.flags)?.flags}`);
  }
  lines.push("", "per call, median ratio to the warm time:");
  for (const c of report.curves) {
    lines.push(
      `${c.runtime} ${c.kernel} ${c.mode}: ${
        c.calls.map((x) => x.ratio.median.toFixed(1)).join(" ")
      }`,
    );
  }
  const p = report.phases;
  if (p) {
    lines.push(
      "",
      `The npm bundle's load of the module alone, in Deno (${p.moduleBytes} bytes): unpack ${
        f(p.unpackMs.median)
      }, compile ${f(p.compileMs.median)}, instantiate ${
        f(p.instantiateMs.median)
      } ms`,
    );
  }
  for (const n of report.notes) lines.push(`note: ${n}`);
  return lines.join("\n");
}

function list<T extends string>(
  name: string,
  value: string,
  allowed: readonly T[],
): T[] {
  const items = value.split(",").map((s) => s.trim()).filter((s) => s !== "");
  for (const x of items) {
    if (!allowed.includes(x as T)) {
      throw new TypeError(
        `--${name}: unknown "${x}"; expected ${allowed.join(", ")}`,
      );
    }
  }
  if (items.length === 0) throw new TypeError(`--${name}: empty list`);
  return items as T[];
}

if (import.meta.main) {
  let options: ColdStartOptions;
  let json = false;
  try {
    const { values } = parseArgs({
      args: Deno.args,
      options: {
        json: { type: "boolean", default: false },
        quick: { type: "boolean", default: false },
        runs: { type: "string" },
        calls: { type: "string", default: "30" },
        runtimes: { type: "string", default: "deno,node,chromium" },
        kernels: { type: "string", default: "dtw,search" },
        modes: { type: "string", default: "cold,warmUp" },
        "v8-flags": { type: "string" },
      },
      strict: true,
    });
    json = values.json;
    const runs = Number(values.runs ?? (values.quick ? 2 : 5));
    const calls = Number(values.calls);
    if (!Number.isInteger(runs) || runs < 1) {
      throw new RangeError(`--runs: a positive integer, got ${values.runs}`);
    }
    if (!Number.isInteger(calls) || calls < 3) {
      throw new RangeError(`--calls: an integer >= 3, got ${values.calls}`);
    }
    options = {
      runs,
      calls,
      runtimes: list(
        "runtimes",
        values.runtimes,
        [
          "deno",
          "node",
          "chromium",
        ] as const,
      ),
      kernels: list("kernels", values.kernels, ["dtw", "search"] as const),
      modes: list("modes", values.modes, ["cold", "warmUp"] as const),
      v8Flags: values["v8-flags"],
      log: (line) => console.error(line),
    };
  } catch (e) {
    console.error(`cold_start: ${(e as Error).message}`);
    Deno.exit(2);
  }
  const report = await coldStart(options);
  console.log(json ? JSON.stringify(report, null, 2) : renderColdStart(report));
}
