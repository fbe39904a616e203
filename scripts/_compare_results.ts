// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * The results file of `deno task compare`: its format and validation, the
 * speedup of every benchmark against its group's baseline, the regression
 * rule, and the number formatting the text and HTML reports share.
 *
 * A results file is `deno bench --json` output (all suites' `benches` merged
 * into one array, each entry exactly as `deno bench` wrote it; times in
 * nanoseconds) plus three optional objects: `system` (the machine and
 * commit), `run` (quick mode, suites, duration) and `extras` (measurements
 * that are not `Deno.bench` benchmarks, keyed by name). Plain `deno bench
 * --json` output is therefore a valid baseline too.
 *
 * @module
 */

/** The timings `deno bench --json` records for one benchmark, in nanoseconds. */
export interface BenchStats {
  /** Number of measured iterations. */
  n: number;
  /** Fastest iteration. */
  min: number;
  /** Slowest iteration. */
  max: number;
  /** Mean time per iteration. */
  avg: number;
  /** 75th percentile. */
  p75: number;
  /** 99th percentile. */
  p99: number;
  /** 99.5th percentile. */
  p995: number;
  /** 99.9th percentile. */
  p999: number;
  /** Other fields `deno bench` records (kept as they are). */
  [field: string]: unknown;
}

/** One measurement outcome: timings, or the error the benchmark threw. */
export type BenchResult = { ok: BenchStats } | { failed: unknown };

/** One benchmark, as `deno bench --json` writes it. */
export interface BenchEntry {
  /** The bench file's URL. */
  origin: string;
  /** The `group` option, or `null`. */
  group: string | null;
  /** The benchmark's name. */
  name: string;
  /** Whether this entry is its group's baseline. */
  baseline: boolean;
  /** The outcome (one element). */
  results: BenchResult[];
}

/** The machine and source tree a run measured. */
export interface SystemInfo {
  /** CPU model. */
  cpu: string;
  /** Logical cores. */
  cores: number;
  /** Total memory in bytes. */
  memoryBytes: number;
  /** `Deno.build.os`. */
  os: string;
  /** Kernel release (`Deno.osRelease()`). */
  osRelease: string;
  /** `Deno.build.arch`. */
  arch: string;
  /** `Deno.version.deno`. */
  deno: string;
  /** `Deno.version.v8`. */
  v8: string;
  /** `Deno.version.typescript`. */
  typescript: string;
  /** `git rev-parse HEAD`, or `"unknown"` outside a repository. */
  commit: string;
  /** Whether tracked files had uncommitted changes. */
  dirty: boolean;
  /** When the run started (ISO 8601). */
  date: string;
}

/** How a run was made. */
export interface RunInfo {
  /** `--quick`: the suites ran with `BENCH_QUICK=1`. */
  quick: boolean;
  /** The suites that ran. */
  suites: string[];
  /** Wall time of the whole run in milliseconds. */
  durationMs: number;
}

/** A results file: `deno bench --json` output plus the optional extras. */
export interface Results {
  /** `deno bench`'s format version. */
  version: number;
  /** `deno bench`'s runtime string. */
  runtime: string;
  /** `deno bench`'s CPU string. */
  cpu: string;
  /** Every suite's benchmarks, in run order. */
  benches: BenchEntry[];
  /** The machine and commit (absent in plain `deno bench --json` output). */
  system?: SystemInfo;
  /** How the run was made. */
  run?: RunInfo;
  /** Non-`Deno.bench` measurements by name (`transport`, `load`, ...). */
  extras?: Record<string, unknown>;
}

const STAT_FIELDS = ["n", "min", "max", "avg", "p75", "p99"] as const;

/** Whether `v` is a plain (non-array) object. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Parses and validates a results file (or plain `deno bench --json` output).
 * Throws an `Error` whose message names `source` and the offending field.
 */
export function parseResults(text: string, source: string): Results {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`${source}: not JSON (${(e as Error).message})`);
  }
  const bad = (field: string, want: string): never => {
    throw new Error(`${source}: ${field} must be ${want}`);
  };
  if (!isObject(data)) bad("the top level", "an object");
  const r = data as Record<string, unknown>;
  if (typeof r.version !== "number") bad("version", "a number");
  if (typeof r.runtime !== "string") bad("runtime", "a string");
  if (typeof r.cpu !== "string") bad("cpu", "a string");
  if (!Array.isArray(r.benches)) bad("benches", "an array");
  (r.benches as unknown[]).forEach((b, i) => {
    const at = `benches[${i}]`;
    if (!isObject(b)) return bad(at, "an object");
    if (typeof b.origin !== "string") bad(`${at}.origin`, "a string");
    if (typeof b.name !== "string") bad(`${at}.name`, "a string");
    if (b.group !== null && typeof b.group !== "string") {
      bad(`${at}.group`, "a string or null");
    }
    if (typeof b.baseline !== "boolean") bad(`${at}.baseline`, "a boolean");
    if (!Array.isArray(b.results) || b.results.length === 0) {
      bad(`${at}.results`, "a non-empty array");
    }
    (b.results as unknown[]).forEach((res, j) => {
      const rat = `${at}.results[${j}]`;
      if (!isObject(res) || !("ok" in res || "failed" in res)) {
        return bad(rat, 'an object with "ok" or "failed"');
      }
      if (!("ok" in res)) return;
      if (!isObject(res.ok)) return bad(`${rat}.ok`, "an object");
      for (const f of STAT_FIELDS) {
        const v = res.ok[f];
        if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
          bad(`${rat}.ok.${f}`, "a finite number >= 0");
        }
      }
    });
  });
  for (const key of ["system", "run", "extras"]) {
    if (r[key] !== undefined && !isObject(r[key])) bad(key, "an object");
  }
  return data as Results;
}

/** The timings of a benchmark, or `undefined` when it failed. */
export function statsOf(entry: BenchEntry): BenchStats | undefined {
  const first = entry.results[0];
  return first && "ok" in first ? first.ok : undefined;
}

/** The error message of a failed benchmark, or `undefined`. */
export function failureOf(entry: BenchEntry): string | undefined {
  const failed = entry.results.find((r) => "failed" in r);
  if (!failed || !("failed" in failed)) return undefined;
  const f = failed.failed;
  if (isObject(f)) {
    return String(f.exceptionMessage ?? f.message ?? JSON.stringify(f));
  }
  return String(f);
}

/** The bench file's name (`dtw_bench.ts`), from the entry's origin URL. */
export function fileOf(entry: BenchEntry): string {
  return entry.origin.slice(entry.origin.lastIndexOf("/") + 1);
}

/** `group › name`, or the name of an ungrouped benchmark. */
export function labelOf(entry: BenchEntry): string {
  return entry.group === null ? entry.name : `${entry.group} › ${entry.name}`;
}

/**
 * The identity used to match a benchmark across runs: file name, group and
 * name (not the full origin, which differs between checkouts).
 */
export function keyOf(entry: BenchEntry): string {
  return `${fileOf(entry)} › ${labelOf(entry)}`;
}

/**
 * A speedup against the group's baseline: `value` is baseline avg / entry
 * avg; `low`…`high` is the range the typical iterations allow, where a
 * run's typical iterations are `[min, max(p75, avg)]` (the mean is included
 * so that outliers which lift it above p75 keep `value` inside the range).
 */
export interface Speedup {
  /** Baseline avg / entry avg. */
  value: number;
  /** Baseline min / entry max(p75, avg). */
  low: number;
  /** Baseline max(p75, avg) / entry min. */
  high: number;
}

/** How many times faster `entry` is than `base`, with its noise range. */
export function speedup(base: BenchStats, entry: BenchStats): Speedup {
  return {
    value: base.avg / entry.avg,
    low: base.min / Math.max(entry.p75, entry.avg),
    high: Math.max(base.p75, base.avg) / entry.min,
  };
}

/** A benchmark within its group. */
export interface GroupRow {
  /** The benchmark. */
  entry: BenchEntry;
  /** Its timings (absent when it failed). */
  stats?: BenchStats;
  /** Against the group's baseline (absent without one). */
  speedup?: Speedup;
}

/** One `group` of one bench file. */
export interface BenchGroup {
  /** The bench file's name. */
  file: string;
  /** The group name (`null` for ungrouped benchmarks). */
  group: string | null;
  /** The baseline entry's timings, when the group has a measured baseline. */
  baseline?: BenchStats;
  /** The group's benchmarks in run order. */
  rows: GroupRow[];
}

/** Groups benchmarks by file and group, with each one's speedup. */
export function groupBenches(benches: BenchEntry[]): BenchGroup[] {
  const groups = new Map<string, BenchGroup>();
  for (const entry of benches) {
    const file = fileOf(entry);
    const id = `${file}\0${entry.group}`;
    let g = groups.get(id);
    if (!g) groups.set(id, g = { file, group: entry.group, rows: [] });
    const stats = statsOf(entry);
    if (entry.baseline && stats) g.baseline = stats;
    g.rows.push({ entry, stats });
  }
  for (const g of groups.values()) {
    for (const row of g.rows) {
      if (g.baseline && row.stats) {
        row.speedup = speedup(g.baseline, row.stats);
      }
    }
  }
  return [...groups.values()];
}

/**
 * Whether `b` is slower than `a` beyond what the threshold and the recorded
 * noise allow. All three must hold:
 *
 * 1. `b.avg > a.avg * (1 + threshold)`: the mean grew by more than the
 *    threshold;
 * 2. `b.min > a.min * (1 + threshold)`: so did the fastest iteration, which
 *    outside interference cannot make faster (so a few slow outliers that
 *    lift the mean are not enough);
 * 3. `b.min > a.p75`: the runs' typical ranges `[min, p75]` do not overlap:
 *    even `b`'s fastest iteration is slower than three quarters of `a`'s.
 *
 * @example Tight timings 50 % slower, and noisy ones
 * ```ts
 * import assert from "node:assert/strict";
 * import { slower } from "./_compare_results.ts";
 *
 * const old = { avg: 100, min: 95, p75: 102 };
 * assert.equal(slower(old, { avg: 150, min: 140, p75: 155 }, 0.1), true);
 * // The new fastest iteration (80) is inside the old [min, p75] = [60, 140].
 * const noisy = { avg: 100, min: 60, p75: 140 };
 * assert.equal(slower(noisy, { avg: 150, min: 80, p75: 200 }, 0.1), false);
 * ```
 */
export function slower(
  a: Pick<BenchStats, "avg" | "min" | "p75">,
  b: Pick<BenchStats, "avg" | "min" | "p75">,
  threshold: number,
): boolean {
  const f = 1 + threshold;
  return b.avg > a.avg * f && b.min > a.min * f && b.min > a.p75;
}

/** What happened to one benchmark between the baseline and this run. */
export type Verdict =
  | "regression"
  | "improvement"
  | "unchanged"
  | "added"
  | "removed";

/** One benchmark's comparison. */
export interface Change {
  /** {@linkcode keyOf} of the benchmark. */
  key: string;
  /** {@linkcode labelOf} of the benchmark. */
  label: string;
  /** The baseline's timings (absent when added). */
  old?: BenchStats;
  /** This run's timings (absent when removed). */
  new?: BenchStats;
  /** The verdict. */
  verdict: Verdict;
}

/** The comparison of a run with a baseline. */
export interface Comparison {
  /** The threshold used (0.1 = 10 % slower). */
  threshold: number;
  /** Every benchmark of either side: this run's order, then removed ones. */
  changes: Change[];
}

/**
 * Compares a run with a baseline benchmark by benchmark ({@linkcode keyOf}).
 * A regression is `slower(old, new, threshold)`, an improvement
 * `slower(new, old, threshold)`; benchmarks on one side only (or failed on
 * one side) are `added` / `removed`.
 */
export function compareResults(
  baseline: Pick<Results, "benches">,
  current: Pick<Results, "benches">,
  threshold: number,
): Comparison {
  const measured = (benches: BenchEntry[]) => {
    const map = new Map<string, { entry: BenchEntry; stats: BenchStats }>();
    for (const entry of benches) {
      const stats = statsOf(entry);
      if (stats && !map.has(keyOf(entry))) {
        map.set(keyOf(entry), { entry, stats });
      }
    }
    return map;
  };
  const olds = measured(baseline.benches);
  const news = measured(current.benches);
  const changes: Change[] = [];
  for (const [key, { entry, stats }] of news) {
    const old = olds.get(key)?.stats;
    const verdict: Verdict = !old
      ? "added"
      : slower(old, stats, threshold)
      ? "regression"
      : slower(stats, old, threshold)
      ? "improvement"
      : "unchanged";
    changes.push({ key, label: labelOf(entry), old, new: stats, verdict });
  }
  for (const [key, { entry, stats }] of olds) {
    if (!news.has(key)) {
      changes.push({
        key,
        label: labelOf(entry),
        old: stats,
        verdict: "removed",
      });
    }
  }
  return { threshold, changes };
}

/** Three significant digits (at least), without exponent notation. */
export function fmt3(x: number): string {
  const a = Math.abs(x);
  return a >= 100
    ? x.toFixed(0)
    : a >= 10
    ? x.toFixed(1)
    : a >= 1
    ? x.toFixed(2)
    : x.toPrecision(2);
}

/** A duration in nanoseconds with a readable unit: `1.23 µs`. */
export function formatTime(ns: number): string {
  if (ns < 1e3) return `${fmt3(ns)} ns`;
  if (ns < 1e6) return `${fmt3(ns / 1e3)} µs`;
  if (ns < 1e9) return `${fmt3(ns / 1e6)} ms`;
  return `${fmt3(ns / 1e9)} s`;
}

/** A speedup: `×12.3`. */
export function formatSpeedup(x: number): string {
  return `×${fmt3(x)}`;
}

/** The relative change from `old` to `now`: `+52%`, `-3.1%`. */
export function formatChange(old: number, now: number): string {
  const pct = (now / old - 1) * 100;
  return `${pct >= 0 ? "+" : ""}${fmt3(pct)}%`;
}
