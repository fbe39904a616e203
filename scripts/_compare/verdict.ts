// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * Ratios with their intervals, and the one verdict word each benchmark gets.
 *
 * - Paired (`--against`, and a member against its group's baseline in one
 *   run): the per-round ratios `B/A`; their median, and the Wilcoxon
 *   signed-rank 95 % interval of their logarithms, mapped back.
 * - Against a saved file: the shift of a member's log-ratio to its in-run
 *   baseline between the file and this run (Hodges–Lehmann, with the
 *   Mann–Whitney 95 % interval), mapped back: a change of the ratio, which
 *   the machine's drift does not move.
 *
 * Sessions. Rounds come from several independent processes ("sessions").
 * Within one process the rounds share one state of V8's compilers, and the
 * same code can settle in a state a few percent (a small, allocating
 * function: up to four times) faster or slower than in another process:
 * more rounds do not shrink that difference, only more processes show it.
 * So an interval over sessions is the hull of the sessions' intervals (for
 * a file, of every pair of a file's session and this run's): with two
 * sessions a verdict holds only when both agree. From three sessions on,
 * and given the threshold, the hull leaves out one undecided session (its
 * interval straddles `1 ± threshold`; the widest such), the one that says
 * least (a process disturbed for a while), so that it cannot veto a verdict
 * on which every other session agrees, provided that the others agree on
 * the size of the change (their medians within a factor `1 + threshold`). A session whose interval lies wholly on
 * one side of each edge always counts, so a process that finds no change
 * with a narrow interval still keeps the verdict `same`. And from three
 * sessions on the sessions also count as units: the hull takes in the
 * Student t interval of their log-ratios. Some benchmarks (a QUIC round trip
 * over one long-lived connection per side) settle per process: on identical
 * code, four processes measured ×0.91, ×0.90, ×0.54 and ×0.65, each with a
 * narrow interval; the t interval over the four, ×0.50–×1.10, says `same`,
 * where the hull alone said `faster`. The point
 * estimate pools all rounds.
 *
 * @module
 */

import {
  meanInterval,
  midpoint,
  rankSumInterval,
  signedRankInterval,
} from "../_stats.ts";
import type { MeasuredUnit } from "./results.ts";

/** A ratio with its 95 % interval. */
export interface Ratio {
  /** The point estimate. */
  value: number;
  /** Lower end of the interval. */
  lo: number;
  /** Upper end of the interval. */
  hi: number;
  /** Rounds (or, against a file, pairs of runs' rounds) it rests on. */
  rounds: number;
}

/** One word per benchmark. */
export type Verdict = "slower" | "faster" | "same";

/** The per-round log-ratios `ln(b_r / a_r)` over the rounds both sides have. */
export function logRatios(
  a: readonly number[],
  b: readonly number[],
): number[] {
  const n = Math.min(a.length, b.length);
  const out: number[] = [];
  for (let r = 0; r < n; r++) {
    if (a[r] > 0 && b[r] > 0) out.push(Math.log(b[r] / a[r]));
  }
  return out;
}

/** Splits per-round values into consecutive sessions of `counts[s]` rounds. */
export function bySession(
  values: readonly number[],
  counts: readonly number[],
): number[][] {
  const out: number[][] = [];
  let at = 0;
  for (const c of counts) {
    out.push(values.slice(at, at + c));
    at += c;
  }
  return out;
}

/** The median ratio `b/a` of paired rounds and its signed-rank interval. */
export function pairedRatio(a: readonly number[], b: readonly number[]): Ratio {
  const d = logRatios(a, b);
  const ci = signedRankInterval(d);
  return {
    value: Math.exp(midpoint(d)),
    lo: Math.exp(ci.lo),
    hi: Math.exp(ci.hi),
    rounds: d.length,
  };
}

/**
 * How much a ratio changed from the rounds `before` to the rounds `now`
 * (log-ratios of two runs): the Hodges–Lehmann shift and its rank-sum
 * interval, as a factor.
 */
export function ratioChange(
  before: readonly number[],
  now: readonly number[],
): Ratio {
  const ci = rankSumInterval(before, now);
  return {
    value: Math.exp(ci.value),
    lo: Math.exp(ci.lo),
    hi: Math.exp(ci.hi),
    rounds: Math.min(before.length, now.length),
  };
}

/**
 * The ratio `b/a` over sessions of paired rounds (`counts[s]` rounds each):
 * the median of all rounds, and the hull of the sessions' intervals. From
 * three sessions on:
 * - with a `threshold`, the widest session whose interval straddles
 *   `1 + threshold` or `1 - threshold` is left out of the hull, but only
 *   when the other sessions agree on the size of the change: their medians
 *   lie within a factor `1 + threshold` of each other;
 * - when three sessions or more are kept, the hull also takes in the
 *   Student t 95 % interval of their log-ratios, one value per process, so
 *   that processes that all lean one way but disagree on how far do not
 *   make a verdict.
 */
export function sessionsRatio(
  a: readonly number[],
  b: readonly number[],
  counts: readonly number[],
  threshold?: number,
): Ratio {
  const all = pairedRatio(a, b);
  const as = bySession(a, counts);
  const bs = bySession(b, counts);
  let parts = as.map((x, s) => pairedRatio(x, bs[s])).filter((r) =>
    r.rounds > 0
  );
  if (parts.length < 3) return hull(all.value, parts, all.rounds);
  if (threshold !== undefined) {
    const straddles = (r: Ratio) =>
      (r.lo <= 1 + threshold && r.hi >= 1 + threshold) ||
      (r.lo <= 1 - threshold && r.hi >= 1 - threshold);
    const width = (r: Ratio) => Math.log(r.hi / r.lo);
    let widest = -1;
    parts.forEach((r, i) => {
      if (straddles(r) && (widest < 0 || width(r) > width(parts[widest]))) {
        widest = i;
      }
    });
    const rest = parts.filter((_, i) => i !== widest);
    const medians = rest.map((r) => r.value);
    const agree =
      Math.max(...medians) <= Math.min(...medians) * (1 + threshold);
    if (widest >= 0 && agree) parts = rest;
  }
  // With two sessions left, the t interval (1 degree of freedom) says
  // next to nothing; the hull of the two already needs both to agree.
  if (parts.length < 3) return hull(all.value, parts, all.rounds);
  const between = meanInterval(parts.map((r) => Math.log(r.value)));
  const spread: Ratio = {
    value: Math.exp(between.value),
    lo: Math.exp(between.lo),
    hi: Math.exp(between.hi),
    rounds: parts.length,
  };
  return hull(all.value, [...parts, spread], all.rounds);
}

/**
 * How a log-ratio changed between two runs' sessions: the Hodges–Lehmann
 * shift of all rounds, and the hull of the intervals of every pair of
 * sessions.
 */
export function sessionsChange(
  before: readonly number[][],
  now: readonly number[][],
): Ratio {
  const all = ratioChange(before.flat(), now.flat());
  const parts: Ratio[] = [];
  for (const x of before) {
    for (const y of now) {
      if (x.length > 0 && y.length > 0) parts.push(ratioChange(x, y));
    }
  }
  return hull(all.value, parts, all.rounds);
}

function hull(value: number, parts: Ratio[], rounds: number): Ratio {
  if (parts.length === 0) return { value, lo: 0, hi: Infinity, rounds };
  return {
    value,
    lo: Math.min(...parts.map((r) => r.lo)),
    hi: Math.max(...parts.map((r) => r.hi)),
    rounds,
  };
}

/**
 * Whether a ratio's point estimate lies beyond the threshold while its
 * interval does not: a change the sessions so far can neither confirm nor
 * rule out, worth more sessions.
 */
export function borderline(r: Ratio, threshold: number): boolean {
  return verdictOf(r, threshold) === "same" &&
    (r.value > 1 + threshold || r.value < 1 - threshold);
}

/**
 * `slower` when the whole interval is above `1 + threshold`, `faster` when
 * it is wholly below `1 - threshold`, `same` otherwise.
 */
export function verdictOf(r: Ratio, threshold: number): Verdict {
  if (r.lo > 1 + threshold) return "slower";
  if (r.hi < 1 - threshold) return "faster";
  return "same";
}

/** A unit's side `k` against its baseline (side 0): log-ratios per round, by session. */
export function baselineLogRatios(unit: MeasuredUnit, k: number): number[][] {
  const base = bySession(unit.sides[0].times, unit.sessions);
  return bySession(unit.sides[k].times, unit.sessions).map((t, s) =>
    logRatios(base[s], t)
  );
}

/** Identifies a benchmark across runs and trees. */
export function benchKey(
  unit: Pick<MeasuredUnit, "suite" | "group">,
  name: string,
): string {
  return `${unit.suite} › ${unit.group ?? ""} › ${name}`;
}

/** Formats a factor: `×1.04`, `×0.5`, `×19.6`, `×1,014`. */
export function formatFactor(v: number): string {
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "0";
  const digits = v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return `×${
    v.toLocaleString("en-US", {
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    })
  }`;
}

/** `×1.04 (0.99–1.09)`. */
export function formatRatio(r: Ratio): string {
  const f = (v: number) => formatFactor(v).slice(1);
  return `${formatFactor(r.value)} (${f(r.lo)}–${f(r.hi)})`;
}

/** Formats nanoseconds: `496 ns`, `6.21 µs`, `459 µs`, `9.05 ms`, `2.06 s`. */
export function formatTime(ns: number): string {
  if (!Number.isFinite(ns)) return "—";
  const [v, unit] = ns >= 1e9
    ? [ns / 1e9, "s"]
    : ns >= 1e6
    ? [ns / 1e6, "ms"]
    : ns >= 1e3
    ? [ns / 1e3, "µs"]
    : [ns, "ns"];
  return `${+v.toPrecision(3)} ${unit}`;
}
