// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * Runs the benchmark suites side by side, reports every group's speedups
 * against its baseline entry, and compares the run with a committed
 * baseline results file to catch regressions.
 *
 * ```sh
 * deno task compare                          # all suites, against bench/baseline.json
 * deno task compare --quick                  # small sizes, against bench/baseline_quick.json
 * deno task compare --suite dtw --suite lcs  # some suites (also --suite dtw,lcs)
 * deno task compare --html report.html       # also write the HTML report with charts
 * deno task compare --update-baseline        # record this run as the baseline
 * ```
 *
 * Flags: `--quick`, `--suite NAME` (repeatable; dtw, lcs, transport, e2e,
 * load), `--baseline FILE` (default `bench/baseline.json`, or
 * `bench/baseline_quick.json` with `--quick`), `--save FILE` (default
 * `bench/results/<timestamp>.json`), `--html FILE`, `--threshold X` (default
 * 0.10 = 10 % slower), `--update-baseline`, `--help`.
 *
 * Each suite runs in its own `deno bench -A --json <file>` subprocess
 * (`BENCH_QUICK=1` with `--quick`). For the suites `transport` and `load`,
 * `scripts/transport_report.ts` and `scripts/load.ts` are also run with
 * `--json [--quick]` when they exist, and their JSON output is stored under
 * `extras.transport` / `extras.load`.
 *
 * The saved file is `deno bench --json`'s own format with every suite's
 * `benches` merged, plus `system`, `run` and `extras` objects (see
 * `_compare_results.ts`).
 *
 * Regression rule (noise-aware): benchmark B is a regression when, with
 * threshold t, all of `new.avg > old.avg·(1+t)`, `new.min > old.min·(1+t)`
 * and `new.min > old.p75` hold: both the mean and the fastest iteration
 * slowed by more than t, and the typical ranges [min, p75] of the two runs
 * do not overlap. Benchmarks present on one side only are listed as added
 * or removed, never failures. Only the suites that ran are compared, and
 * `--update-baseline` with `--suite` keeps the other suites' entries.
 *
 * Exit codes: 0 = no regression (or baseline updated); 1 = at least one
 * regression; 2 = bad input (unknown flag or suite, missing bench file,
 * missing or malformed baseline) or a suite or benchmark that failed.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { basename, dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type BenchEntry,
  compareResults,
  failureOf,
  fileOf,
  labelOf,
  parseResults,
  type Results,
  type SystemInfo,
} from "./_compare_results.ts";
import { renderComparison, renderTable } from "./_compare_table.ts";
import { renderHtml } from "./_report_html.ts";

/** The suites by name: bench files relative to the repository root. */
export const SUITES: Readonly<Record<string, string>> = {
  dtw: "bench/dtw_bench.ts",
  lcs: "bench/lcs_bench.ts",
  transport: "bench/transport_bench.ts",
  e2e: "bench/e2e_bench.ts",
  load: "bench/load_bench.ts",
};

/** A non-`Deno.bench` measurement script run along with a suite. */
export interface ExtraSpec {
  /** Key under `extras` in the results. */
  name: string;
  /** The suite it belongs to (it runs when that suite runs). */
  suite: string;
  /** Script relative to the root, run as `deno run -A <script> --json [--quick]`. */
  script: string;
}

/** The extras: run when present, skipped (with a note) when absent. */
export const EXTRAS: readonly ExtraSpec[] = [
  {
    name: "transport",
    suite: "transport",
    script: "scripts/transport_report.ts",
  },
  { name: "load", suite: "load", script: "scripts/load.ts" },
  // DTW 1,000 × 1,000 and the 100 × 200 LCS matrix inside headless Chromium.
  { name: "browser", suite: "dtw", script: "scripts/browser_bench.ts" },
];

/** What {@linkcode main} runs; tests substitute small suites. */
export interface CompareDeps {
  /** Directory that relative suite, extra and default output paths resolve against. */
  root: string;
  /** Suite name → bench file. */
  suites: Readonly<Record<string, string>>;
  /** Extra measurement scripts. */
  extras: readonly ExtraSpec[];
}

const USAGE = `Usage: deno task compare [options]

  --quick              small sizes (BENCH_QUICK=1), for CI
  --suite NAME         run only this suite (repeatable or comma-separated)
  --baseline FILE      results to compare with
                       (default bench/baseline.json, bench/baseline_quick.json with --quick)
  --save FILE          where to write the results (default bench/results/<timestamp>.json)
  --html FILE          also write a self-contained HTML report with charts
  --threshold X        relative slowdown that counts as a regression (default 0.10)
  --update-baseline    write the results as the new baseline file and exit 0
  -h, --help           this text

Exit codes: 0 no regression, 1 regression, 2 bad input or a failed suite.`;

/** Bad input or a failed suite: reported without a stack trace, exit 2. */
class CompareError extends Error {
  override name = "CompareError";
}

interface Options {
  quick: boolean;
  suites: string[];
  baseline: string;
  save?: string;
  html?: string;
  threshold: number;
  updateBaseline: boolean;
  help: boolean;
}

function parseOptions(args: string[], deps: CompareDeps): Options {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        quick: { type: "boolean", default: false },
        suite: { type: "string", multiple: true },
        baseline: { type: "string" },
        save: { type: "string" },
        html: { type: "string" },
        threshold: { type: "string", default: "0.10" },
        "update-baseline": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (e) {
    throw new CompareError(`${(e as Error).message}\n\n${USAGE}`);
  }
  const suites =
    values.suite?.flatMap((s) => s.split(",")).map((s) => s.trim()).filter(
      Boolean,
    ) ?? Object.keys(deps.suites);
  if (suites.length === 0) throw new CompareError("--suite needs a name");
  const unknown = suites.filter((s) => !Object.hasOwn(deps.suites, s));
  if (unknown.length > 0) {
    throw new CompareError(
      `unknown suite ${unknown.map((s) => `"${s}"`).join(", ")}; known: ${
        Object.keys(deps.suites).join(", ")
      }`,
    );
  }
  const threshold = Number(values.threshold);
  if (
    values.threshold.trim() === "" || !Number.isFinite(threshold) ||
    threshold < 0
  ) {
    throw new CompareError(
      `--threshold must be a number >= 0 (0.1 = 10 % slower), got "${values.threshold}"`,
    );
  }
  return {
    quick: values.quick,
    suites: [...new Set(suites)],
    // Paths given on the command line are relative to the working
    // directory; the defaults live in the repository (deps.root).
    baseline: values.baseline !== undefined
      ? resolve(values.baseline)
      : resolve(
        deps.root,
        values.quick ? "bench/baseline_quick.json" : "bench/baseline.json",
      ),
    save: values.save === undefined ? undefined : resolve(values.save),
    html: values.html === undefined ? undefined : resolve(values.html),
    threshold,
    updateBaseline: values["update-baseline"],
    help: values.help,
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

async function readResults(path: string, name: string): Promise<Results> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new CompareError(
      e instanceof Deno.errors.NotFound
        ? `baseline file ${name} does not exist; create it with --update-baseline or pass --baseline FILE`
        : `cannot read ${name}: ${(e as Error).message}`,
    );
  }
  try {
    return parseResults(text, name);
  } catch (e) {
    throw new CompareError(`malformed baseline: ${(e as Error).message}`);
  }
}

const decoder = new TextDecoder();
const deno = Deno.execPath();

function tail(text: string, lines = 30): string {
  const all = text.trim().split("\n").filter((l) => !/^Check /.test(l));
  return all.slice(-lines).join("\n");
}

/** Runs one bench file; throws a CompareError naming every failure. */
async function runSuite(
  name: string,
  file: string,
  quick: boolean,
  root: string,
): Promise<Results> {
  const env = { BENCH_QUICK: quick ? "1" : "0", NO_COLOR: "1" };
  const out = await new Deno.Command(deno, {
    args: ["bench", "-A", "--json", file],
    cwd: root,
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = decoder.decode(out.stdout);
  let report: Results | undefined;
  try {
    report = parseResults(stdout, `deno bench ${file}`);
  } catch (e) {
    if (out.success) {
      throw new CompareError(
        `suite ${name}: ${
          (e as Error).message
        } (does the suite print to stdout?)`,
      );
    }
  }
  const failed = report?.benches.filter((b) => failureOf(b) !== undefined) ??
    [];
  if (failed.length > 0) {
    throw new CompareError(
      `suite ${name} (${file}): ${failed.length} benchmark${
        failed.length === 1 ? "" : "s"
      } failed:\n` +
        failed.map((b) => `  ${labelOf(b)}: ${failureOf(b)}`).join("\n"),
    );
  }
  if (!out.success) {
    // Errors outside a benchmark (top-level code, type errors) are not in
    // the JSON: load the module again running no benchmark to show them.
    // deno bench prints such an error on stdout.
    const again = await new Deno.Command(deno, {
      args: ["bench", "-A", "--filter", "/(?!)/", file],
      cwd: root,
      env: { ...env, RUST_BACKTRACE: "0" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    throw new CompareError(
      `suite ${name} (${file}) failed (deno bench exit code ${out.code}):\n${
        tail(decoder.decode(again.stdout) + decoder.decode(again.stderr))
      }`,
    );
  }
  return report!;
}

/** Runs an extra measurement script and returns its JSON output. */
async function runExtra(
  spec: ExtraSpec,
  quick: boolean,
  root: string,
): Promise<unknown> {
  const out = await new Deno.Command(deno, {
    args: ["run", "-A", spec.script, "--json", ...(quick ? ["--quick"] : [])],
    cwd: root,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new CompareError(
      `extras.${spec.name}: ${spec.script} failed (exit code ${out.code}):\n${
        tail(decoder.decode(out.stderr))
      }`,
    );
  }
  try {
    return JSON.parse(decoder.decode(out.stdout));
  } catch (e) {
    throw new CompareError(
      `extras.${spec.name}: ${spec.script} --json did not print JSON (${
        (e as Error).message
      })`,
    );
  }
}

async function command(cmd: string, args: string[], cwd: string) {
  try {
    const out = await new Deno.Command(cmd, {
      args,
      cwd,
      stdout: "piped",
      stderr: "null",
    }).output();
    return out.success ? decoder.decode(out.stdout).trim() : undefined;
  } catch {
    return undefined;
  }
}

async function cpuModel(fallback: string): Promise<string> {
  try {
    const info = await Deno.readTextFile("/proc/cpuinfo");
    const model = info.match(/^model name\s*:\s*(.+)$/m)?.[1].trim();
    if (model) return model;
  } catch {
    // not Linux
  }
  if (Deno.build.os === "darwin") {
    const model = await command(
      "sysctl",
      ["-n", "machdep.cpu.brand_string"],
      ".",
    );
    if (model) return model;
  }
  return fallback;
}

/** Describes the machine and commit; `benchCpu` is deno bench's CPU string. */
export async function systemInfo(
  root: string,
  benchCpu: string,
  date: Date,
): Promise<SystemInfo> {
  const commit = await command("git", ["rev-parse", "HEAD"], root);
  const status = commit === undefined ? "" : await command(
    "git",
    ["status", "--porcelain", "--untracked-files=no"],
    root,
  );
  return {
    cpu: await cpuModel(benchCpu),
    cores: navigator.hardwareConcurrency,
    memoryBytes: Deno.systemMemoryInfo().total,
    os: Deno.build.os,
    osRelease: Deno.osRelease(),
    arch: Deno.build.arch,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    typescript: Deno.version.typescript,
    commit: commit || "unknown",
    dirty: Boolean(status),
    date: date.toISOString(),
  };
}

/** The bench file names (as in {@linkcode fileOf}) of some suites. */
function suiteFiles(
  suites: string[],
  deps: Pick<CompareDeps, "suites">,
): Set<string> {
  return new Set(suites.map((s) => basename(deps.suites[s])));
}

/**
 * A new baseline from this run: when only some suites ran, the old
 * baseline's benchmarks and extras of the other suites are kept.
 */
export function mergeBaseline(
  old: Results | undefined,
  now: Results,
  deps: Pick<CompareDeps, "suites" | "extras">,
): Results {
  if (!old || !now.run) return now;
  const ranFiles = suiteFiles(now.run.suites, deps);
  const ranExtras = new Set(
    deps.extras.filter((x) => now.run!.suites.includes(x.suite)).map((x) =>
      x.name
    ),
  );
  const kept = old.benches.filter((b) => !ranFiles.has(fileOf(b)));
  const keptExtras = Object.entries(old.extras ?? {}).filter(([k]) =>
    !ranExtras.has(k)
  );
  const extras = { ...Object.fromEntries(keptExtras), ...now.extras };
  return {
    ...now,
    benches: [...kept, ...now.benches],
    ...(Object.keys(extras).length > 0 ? { extras } : {}),
  };
}

async function writeJson(path: string, data: unknown): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  await Deno.writeTextFile(path, JSON.stringify(data, null, 2) + "\n");
}

/**
 * The command: returns the exit code (0 fine, 1 regression, 2 bad input or
 * failed suite) instead of exiting, so tests can inject small suites.
 */
export async function main(
  args: string[],
  deps: CompareDeps = {
    root: fileURLToPath(new URL("..", import.meta.url)),
    suites: SUITES,
    extras: EXTRAS,
  },
): Promise<number> {
  try {
    return await run(args, deps);
  } catch (e) {
    console.error(
      e instanceof CompareError ? `compare: ${e.message}` : e,
    );
    return 2;
  }
}

async function run(args: string[], deps: CompareDeps): Promise<number> {
  const opts = parseOptions(args, deps);
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  const at = (p: string) => resolve(deps.root, p);
  const shown = (p: string) => {
    const rel = relative(Deno.cwd(), p);
    return rel.startsWith("..") ? p : rel;
  };

  // Check the inputs before spending minutes measuring.
  const missing: string[] = [];
  for (const s of opts.suites) {
    if (!(await exists(at(deps.suites[s])))) missing.push(s);
  }
  if (missing.length > 0) {
    throw new CompareError(
      missing.map((s) => `suite ${s}: ${deps.suites[s]} does not exist`).join(
        "\n",
      ) + "\nchoose existing suites with --suite NAME",
    );
  }
  let baseline: Results | undefined;
  if (!opts.updateBaseline) {
    baseline = await readResults(opts.baseline, shown(opts.baseline));
  } else if (await exists(opts.baseline)) {
    baseline = await readResults(opts.baseline, shown(opts.baseline))
      .catch(() => undefined);
  }

  const started = new Date();
  const t0 = performance.now();
  const benches: BenchEntry[] = [];
  const extras: Record<string, unknown> = {};
  // deno bench's header fields (the same for every suite).
  let runtime = `Deno/${Deno.version.deno} ${Deno.build.target}`;
  let cpu = "unknown";
  for (const suite of opts.suites) {
    const file = deps.suites[suite];
    console.error(
      `▸ ${suite}: deno bench -A --json ${file}${
        opts.quick ? " (BENCH_QUICK=1)" : ""
      }`,
    );
    const t = performance.now();
    const report = await runSuite(suite, file, opts.quick, deps.root);
    ({ runtime, cpu } = report);
    benches.push(...report.benches);
    console.error(
      `  ${report.benches.length} benchmarks in ${
        ((performance.now() - t) / 1000).toFixed(1)
      } s`,
    );
    for (const spec of deps.extras.filter((x) => x.suite === suite)) {
      if (!(await exists(at(spec.script)))) {
        console.error(
          `  extras.${spec.name}: skipped, ${spec.script} does not exist`,
        );
        continue;
      }
      console.error(
        `▸ extras.${spec.name}: deno run -A ${spec.script} --json${
          opts.quick ? " --quick" : ""
        }`,
      );
      extras[spec.name] = await runExtra(spec, opts.quick, deps.root);
    }
  }
  const results: Results = {
    version: 1,
    runtime,
    cpu,
    benches,
    system: await systemInfo(deps.root, cpu, started),
    run: {
      quick: opts.quick,
      suites: opts.suites,
      durationMs: Math.round(performance.now() - t0),
    },
    ...(Object.keys(extras).length > 0 ? { extras } : {}),
  };

  const savePath = opts.save ?? at(
    `bench/results/${started.toISOString().replace(/[:.]/g, "-")}.json`,
  );
  if (!opts.updateBaseline || opts.save) {
    await writeJson(savePath, results);
    console.error(`saved ${shown(savePath)}`);
  }

  // Only the suites that ran are compared (the others are not "removed").
  const ran = suiteFiles(opts.suites, deps);
  const compared = baseline?.benches.filter((b) => ran.has(fileOf(b)));
  const comparison = compared && !opts.updateBaseline
    ? compareResults({ benches: compared }, results, opts.threshold)
    : undefined;
  console.log(renderTable(benches, comparison));
  const browser = renderBrowserRows(extras.browser);
  if (browser) console.log(browser);
  if (opts.html) {
    await Deno.mkdir(dirname(opts.html), { recursive: true });
    await Deno.writeTextFile(
      opts.html,
      renderHtml(results, comparison, shown(opts.baseline)),
    );
    console.error(`wrote ${shown(opts.html)}`);
  }
  if (opts.updateBaseline) {
    await writeJson(opts.baseline, mergeBaseline(baseline, results, deps));
    console.log(`\nwrote the baseline ${shown(opts.baseline)}`);
    return 0;
  }
  const notes: string[] = [];
  if (baseline!.run && baseline!.run.quick !== opts.quick) {
    notes.push(
      `note: the baseline was recorded ${
        baseline!.run.quick ? "with" : "without"
      } --quick, this run ${opts.quick ? "with" : "without"}`,
    );
  }
  const skipped = baseline!.benches.length - compared!.length;
  if (skipped > 0) {
    notes.push(
      `note: ${skipped} baseline benchmarks of suites that did not run were not compared`,
    );
  }
  if (baseline!.system && baseline!.system.cpu !== results.system!.cpu) {
    notes.push(
      `note: the baseline was measured on ${
        baseline!.system.cpu
      }, this run on ${results.system!.cpu}`,
    );
  }
  console.log(
    `\n${
      [...notes, renderComparison(comparison!, shown(opts.baseline))].join("\n")
    }`,
  );
  return comparison!.changes.some((c) => c.verdict === "regression") ? 1 : 0;
}

/** The same kernels timed in Deno and in headless Chromium (`extras.browser`). */
export function renderBrowserRows(browser: unknown): string | undefined {
  const rows = (browser as { rows?: unknown } | undefined)?.rows;
  if (!Array.isArray(rows) || rows.length === 0) return undefined;
  const lines = [
    `\nin the browser (${
      (browser as { chromium?: string }).chromium ?? "Chromium"
    }), median ms per call:`,
  ];
  for (
    const r of rows as { name: string; deno_ms: number; chromium_ms: number }[]
  ) {
    lines.push(
      `  ${r.name.padEnd(36)} Deno ${
        r.deno_ms.toFixed(3).padStart(8)
      }  Chromium ${r.chromium_ms.toFixed(3).padStart(8)}`,
    );
  }
  return lines.join("\n");
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
