// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * Turns measured units into one row per benchmark: its time, its speedup
 * over its group's baseline, and its change with its verdict (against a
 * revision, or against a saved baseline file).
 *
 * @module
 */

import { median } from "../_stats.ts";
import type { Results, SystemInfo } from "./results.ts";
import {
  baselineLogRatios,
  benchKey,
  type Ratio,
  sessionsChange,
  sessionsRatio,
  type Verdict,
  verdictOf,
} from "./verdict.ts";

/** One benchmark's line in the report. */
export interface BenchRow {
  /** Its suite. */
  suite: string;
  /** Its bench file. */
  file: string;
  /** Its group, or `null`. */
  group: string | null;
  /** Its name. */
  name: string;
  /** Whether it is its group's baseline (baseline mode). */
  baseline: boolean;
  /** Median nanoseconds per iteration in this run (against: tree B). */
  time: number;
  /** Against: tree A's median nanoseconds per iteration. */
  timeA?: number;
  /** Baseline mode: how many times faster than the group's baseline, in-run. */
  speedup?: Ratio;
  /** Against: B/A; file: how its ratio to its baseline changed since the file. */
  change?: Ratio;
  /** Against a file: this run's median time over the file's (information only). */
  timeChange?: number;
  /** The verdict; absent when the row cannot have one (see `note`). */
  verdict?: Verdict;
  /** Why there is no verdict, or other remarks. */
  note?: string;
  /** What the benchmark threw (per side: `A: …`, `B: …`). */
  error?: string;
}

/** The rows of a run and what the header should say. */
export interface Analysis {
  /** `against` a revision, against a `file`, or `none` (no comparison). */
  kind: "against" | "file" | "none";
  /** The threshold of the verdicts. */
  threshold: number;
  /** One row per benchmark. */
  rows: BenchRow[];
  /** Benchmarks only in this run (against: only in B). */
  added: string[];
  /** Benchmarks only in the file (against: only in A). */
  removed: string[];
  /** Header notes (different machines, groups without a baseline, …). */
  notes: string[];
}

const medianOr = (times: number[]) => median(times, Infinity);

/** Rows of an `against` run: B/A per benchmark. */
export function analyseAgainst(
  results: Results,
  threshold: number,
  added: string[] = [],
  removed: string[] = [],
): Analysis {
  const rows = results.units.map((u): BenchRow => {
    const [a, b] = u.sides;
    const errors = [
      a.error !== undefined ? `A: ${a.error}` : "",
      b.error !== undefined ? `B: ${b.error}` : "",
    ].filter(Boolean).join("; ");
    const row: BenchRow = {
      suite: u.suite,
      file: u.file,
      group: u.group,
      name: u.names[1],
      baseline: false,
      time: medianOr(b.times),
      timeA: medianOr(a.times),
    };
    if (errors) return { ...row, error: errors };
    const change = sessionsRatio(a.times, b.times, u.sessions, threshold);
    return { ...row, change, verdict: verdictOf(change, threshold) };
  });
  return { kind: "against", threshold, rows, added, removed, notes: [] };
}

/**
 * How the machine of a saved file (`there`) differs from this one (`here`)
 * where it matters: CPU model, cores, Deno.
 */
export function machineDifferences(
  there: SystemInfo,
  here: SystemInfo,
): string[] {
  const out: string[] = [];
  const differ = (what: string, a: unknown, b: unknown) => {
    if (a !== b) out.push(`${what}: ${a} there, ${b} here`);
  };
  differ("CPU", there.cpu, here.cpu);
  differ("cores", there.cores, here.cores);
  differ("Deno", there.deno, here.deno);
  return out;
}

/**
 * Rows of a `baseline` run: each member's in-run speedup over its group's
 * baseline and, with a saved file, the change of its ratio to that
 * baseline since the file, with its verdict.
 */
export function analyseBaseline(
  now: Results,
  file: Results | undefined,
  threshold: number,
  fileName = "the baseline file",
): Analysis {
  const notes: string[] = [];
  const before = new Map<string, number[][]>();
  const beforeTime = new Map<string, number>();
  const ran = new Set(now.run.suites);
  let verdicts = file !== undefined;
  if (file) {
    for (const u of file.units) {
      if (!ran.has(u.suite)) continue;
      u.names.forEach((name, k) => {
        const key = benchKey(u, name);
        beforeTime.set(key, medianOr(u.sides[k].times));
        if (u.baseline !== null && k > 0) {
          before.set(key, baselineLogRatios(u, k));
        }
      });
    }
    const diff = machineDifferences(file.system, now.system);
    if (diff.length > 0) {
      verdicts = false;
      notes.push(
        `${fileName} was recorded on another machine (${
          diff.join("; ")
        }): how fast the kit runs next to pure JS differs between machines, so its ratios are shown for information only, with no verdict. Record a baseline here with --update-baseline, or compare revisions with --against REF.`,
      );
    }
    if (file.run.quick !== now.run.quick) {
      notes.push(
        `${fileName} was recorded ${
          file.run.quick ? "with" : "without"
        } --quick, this run ${now.run.quick ? "with" : "without"}`,
      );
    }
  }
  const rows: BenchRow[] = [];
  const seen = new Set<string>();
  let noBaseline = 0;
  for (const u of now.units) {
    u.names.forEach((name, k) => {
      const side = u.sides[k];
      const key = benchKey(u, name);
      seen.add(key);
      const row: BenchRow = {
        suite: u.suite,
        file: u.file,
        group: u.group,
        name,
        baseline: u.baseline !== null && k === 0,
        time: medianOr(side.times),
      };
      const old = beforeTime.get(key);
      if (old !== undefined) row.timeChange = row.time / old;
      if (side.error !== undefined) {
        rows.push({ ...row, error: side.error });
        return;
      }
      if (u.baseline === null || k === 0) {
        if (u.baseline === null && file) {
          noBaseline++;
          row.note = "no baseline in its group: needs --against";
        }
        rows.push(row);
        return;
      }
      const base = u.sides[0];
      if (base.error !== undefined) {
        rows.push({ ...row, error: `its baseline threw: ${base.error}` });
        return;
      }
      const ratio = sessionsRatio(base.times, side.times, u.sessions);
      row.speedup = {
        value: 1 / ratio.value,
        lo: 1 / ratio.hi,
        hi: 1 / ratio.lo,
        rounds: ratio.rounds,
      };
      const then = before.get(key);
      if (then !== undefined) {
        row.change = sessionsChange(then, baselineLogRatios(u, k));
        if (verdicts) row.verdict = verdictOf(row.change, threshold);
      } else if (file) {
        row.note = `not in ${fileName}`;
      }
      rows.push(row);
    });
  }
  if (noBaseline > 0) {
    notes.push(
      `${noBaseline} benchmark${
        noBaseline === 1 ? " has" : "s have"
      } no baseline in their group, so a saved file cannot judge them: compare revisions with --against REF`,
    );
  }
  const added = file
    ? rows.filter((r) => !beforeTime.has(benchKey(r, r.name))).map((r) =>
      r.name
    )
    : [];
  const removed = [...beforeTime.keys()].filter((k) => !seen.has(k)).map((
    k,
  ) => k.split(" › ").at(-1)!);
  return {
    kind: file ? "file" : "none",
    threshold,
    rows,
    added,
    removed,
    notes,
  };
}

/** Counts of each verdict. */
export function tally(rows: BenchRow[]): Record<Verdict, number> {
  const out = { slower: 0, faster: 0, same: 0 };
  for (const r of rows) if (r.verdict) out[r.verdict]++;
  return out;
}
