// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * The results file of `deno task compare` (format version 2): what a run
 * measured, round by round, with the machine it ran on. A baseline file is
 * the results file of a run in `baseline` mode.
 *
 * @module
 */

import type { Report as TransportReport } from "../transport_report.ts";
import type { LoadReport } from "../load.ts";
import type { BrowserBenchReport } from "../browser_bench.ts";
import type { ClusterReport } from "../cluster_measure.ts";
import type { SoakReport } from "../soak.ts";
import type { ColdStartReport } from "../cold_start.ts";
import type { SideTimes } from "./measure.ts";
import type { UnitInfo } from "./events.ts";

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
  /** Kernel release. */
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
  /** `baseline`: one tree, ratios to each group's baseline; `against`: two trees. */
  mode: "baseline" | "against";
  /** The suites run with `BENCH_QUICK=1`. */
  quick: boolean;
  /** The suites that ran. */
  suites: string[];
  /** Wall time of the whole run in milliseconds. */
  durationMs: number;
  /** The time budget of the measurements in milliseconds. */
  budgetMs: number;
  /** `--rounds`, when given. */
  rounds?: number;
  /** `--filter`, when given. */
  filter?: string;
  /**
   * In `against` mode: the revision compared with (A), its commit, and the
   * benchmarks only in B (`added`) or only in A (`removed`).
   */
  against?: { ref: string; commit: string; added: string[]; removed: string[] };
}

/** A measured unit: the sides timed together and their per-round times. */
export interface MeasuredUnit extends UnitInfo {
  /** Per side, in the order of `names`: the rounds of every session, in order. */
  sides: SideTimes[];
  /** Rounds per session (independent measuring processes), in order. */
  sessions: number[];
}

/** Measurements that are not `Deno.bench` benchmarks, by producer. */
export interface Extras {
  /** `scripts/transport_report.ts --json`. */
  transport?: TransportReport;
  /** `scripts/load.ts --json`. */
  load?: LoadReport;
  /** `scripts/browser_bench.ts --json`. */
  browser?: BrowserBenchReport;
  /**
   * `bench/cluster.json`, recorded by `scripts/cluster_measure.ts` (minutes
   * of worker processes and a redis-server: not re-measured by compare,
   * which attaches the committed file).
   */
  cluster?: ClusterReport;
  /** `deno task soak --json` (kept in `bench/soak.json`). */
  soak?: SoakReport;
  /**
   * `scripts/cold_start.ts --json`: calls 1 to 30 in fresh processes (kept
   * in `bench/cold_start.json`; not run with `--quick`).
   */
  coldStart?: ColdStartReport;
}

/** A results file. */
export interface Results {
  /** Identifies the file type. */
  format: "midstreamer-kit-compare";
  /** The format's version. */
  version: 2;
  /** The machine and commit. */
  system: SystemInfo;
  /** How the run was made. */
  run: RunInfo;
  /** What was measured. */
  units: MeasuredUnit[];
  /** Other measurements (only in `baseline` mode). */
  extras?: Extras;
}

/** Whether `v` is a plain (non-array) object. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Parses and validates a results file. Throws an `Error` whose message
 * names `source` and the offending field.
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
  if (r.format !== "midstreamer-kit-compare" || r.version !== 2) {
    throw new Error(
      `${source}: not a version 2 results file of deno task compare (record it again with --update-baseline)`,
    );
  }
  if (!isObject(r.system)) bad("system", "an object");
  if (!isObject(r.run)) bad("run", "an object");
  const run = r.run as Record<string, unknown>;
  if (run.mode !== "baseline" && run.mode !== "against") {
    bad("run.mode", `"baseline" or "against"`);
  }
  if (!Array.isArray(r.units)) bad("units", "an array");
  (r.units as unknown[]).forEach((u, i) => {
    const at = `units[${i}]`;
    if (!isObject(u)) return bad(at, "an object");
    for (const f of ["suite", "file"]) {
      if (typeof u[f] !== "string") bad(`${at}.${f}`, "a string");
    }
    if (u.group !== null && typeof u.group !== "string") {
      bad(`${at}.group`, "a string or null");
    }
    if (u.baseline !== null && typeof u.baseline !== "string") {
      bad(`${at}.baseline`, "a string or null");
    }
    if (
      !Array.isArray(u.names) || u.names.some((n) => typeof n !== "string")
    ) {
      bad(`${at}.names`, "an array of strings");
    }
    if (
      !Array.isArray(u.sides) ||
      u.sides.length !== (u.names as unknown[]).length
    ) {
      bad(`${at}.sides`, "an array with one entry per name");
    }
    if (
      !Array.isArray(u.sessions) ||
      u.sessions.some((c) => !Number.isInteger(c) || c < 0)
    ) {
      bad(`${at}.sessions`, "an array of round counts");
    }
    (u.sides as unknown[]).forEach((s, k) => {
      if (
        !isObject(s) || !Array.isArray(s.times) ||
        s.times.some((t) => typeof t !== "number" || !(t >= 0))
      ) {
        bad(`${at}.sides[${k}].times`, "an array of non-negative numbers");
      }
    });
  });
  if (r.extras !== undefined && !isObject(r.extras)) {
    bad("extras", "an object");
  }
  return data as Results;
}
