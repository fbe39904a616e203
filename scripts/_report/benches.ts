// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * The benchmarks' charts and tables: each suite's speedups over their
 * groups' baselines (with intervals), time per call across configurations
 * for families of groups (`dtw 10`, `dtw 100`, … → the `dtw` family), and
 * one table per group.
 *
 * @module
 */

import type { Analysis, BenchRow } from "../_compare/analyse.ts";
import { byGroup } from "../_compare/text.ts";
import { formatFactor, formatRatio, formatTime } from "../_compare/verdict.ts";
import { rowLabel } from "./comparison.ts";
import {
  esc,
  factorTicks,
  figure,
  Plot,
  plotSvg,
  shortLabel,
  table,
  timeTicks,
} from "./plot.ts";

/** Splits a group name at its first number: `dtw 1000` → [`dtw`, 1000]. */
export function splitGroup(group: string): [string, number] | undefined {
  const m = group.match(/^(.*?)\s+(\d[\d,.]*)([kM]?)\b/);
  if (!m || !m[1]) return undefined;
  const scale = m[3] === "k" ? 1e3 : m[3] === "M" ? 1e6 : 1;
  return [m[1], Number(m[2].replace(/,/g, "")) * scale];
}

/** The name without a trailing configuration: `kit dtw (100)` → `kit dtw`. */
export function seriesName(name: string): string {
  return name.replace(/\s*\([^()]*\d[^()]*\)\s*$/, "");
}

function speedupChart(suite: string, rows: BenchRow[]): string {
  const data = rows.filter((r) => r.speedup).map((r) => ({
    label: rowLabel(r),
    value: r.speedup!.value,
    lo: r.speedup!.lo,
    hi: Math.min(r.speedup!.hi, 1e6),
  }));
  if (data.length === 0) return "";
  return figure({
    id: `speedup-${suite}`,
    title:
      `${suite}: speedup over each group's baseline, measured in the same rounds (95 % interval)`,
    svg: plotSvg({
      width: 960,
      height: 40 + 16 * data.length,
      marginLeft: 420,
      x: {
        type: "log",
        label: "× faster than the baseline",
        grid: true,
        tickFormat: factorTicks,
      },
      y: {
        label: null,
        domain: data.map((d) => d.label),
        tickFormat: (d: string) => shortLabel(d),
      },
      marks: [
        Plot.ruleX([1], { stroke: "#555" }),
        Plot.ruleY(data, { y: "label", x1: "lo", x2: "hi", stroke: "#4e79a7" }),
        Plot.dot(data, { y: "label", x: "value", fill: "#4e79a7", r: 3.5 }),
      ],
    }),
    dots: data.length,
  });
}

function familyCharts(suite: string, rows: BenchRow[]): string[] {
  const families = new Map<
    string,
    { series: string; size: number; time: number }[]
  >();
  for (const r of rows) {
    const split = r.group ? splitGroup(r.group) : undefined;
    if (!split || r.error !== undefined || !Number.isFinite(r.time)) continue;
    const [family, size] = split;
    families.set(family, [
      ...(families.get(family) ?? []),
      { series: seriesName(r.name), size, time: r.time },
    ]);
  }
  const out: string[] = [];
  for (const [family, data] of families) {
    if (new Set(data.map((d) => d.size)).size < 2) continue;
    out.push(figure({
      id: `time-${suite}-${family}`,
      title: `${family}: time per call by size`,
      svg: plotSvg({
        width: 960,
        height: 360,
        marginRight: 260,
        x: { type: "log", label: "size", grid: true, tickFormat: factorTicks },
        y: {
          type: "log",
          label: "time per call",
          grid: true,
          tickFormat: timeTicks,
        },
        color: { legend: false },
        marks: [
          Plot.line(data, {
            x: "size",
            y: "time",
            stroke: "series",
            sort: "size",
          }),
          Plot.dot(data, { x: "size", y: "time", fill: "series", r: 3 }),
          Plot.text(
            data,
            Plot.selectLast({
              x: "size",
              y: "time",
              z: "series",
              text: "series",
              textAnchor: "start",
              dx: 6,
              fill: "series",
            }),
          ),
        ],
      }),
      dots: data.length,
    }));
  }
  return out;
}

function groupTable(a: Analysis, rows: BenchRow[]): string {
  const header = a.kind === "against"
    ? ["benchmark", "A", "B", "B/A (95 %)", "verdict"]
    : a.kind === "file"
    ? [
      "benchmark",
      "time",
      "speedup (95 %)",
      "change since file (95 %)",
      "verdict",
      "time change (info)",
      "note",
    ]
    : ["benchmark", "time", "speedup (95 %)"];
  const cells = rows.map((r) => {
    if (r.error !== undefined) return [r.name, `FAILED: ${r.error}`];
    if (a.kind === "against") {
      return [
        r.name,
        formatTime(r.timeA ?? NaN),
        formatTime(r.time),
        r.change ? formatRatio(r.change) : "",
        r.verdict ?? "",
      ];
    }
    const base = [
      r.name,
      formatTime(r.time),
      r.baseline ? "baseline" : r.speedup ? formatRatio(r.speedup) : "",
    ];
    if (a.kind === "none") return base;
    return [
      ...base,
      r.change ? formatRatio(r.change) : "",
      r.verdict ?? "",
      r.timeChange !== undefined ? formatFactor(r.timeChange) : "",
      r.note ?? "",
    ];
  });
  return table(header, cells);
}

/** One section per suite: charts, then a table per group. */
export function benchSections(a: Analysis): string {
  const suites = new Map<string, BenchRow[]>();
  for (const r of a.rows) {
    suites.set(r.suite, [...(suites.get(r.suite) ?? []), r]);
  }
  const out: string[] = [];
  for (const [suite, rows] of suites) {
    const parts = [`<h2>Suite ${esc(suite)}</h2>`];
    if (a.kind !== "against") parts.push(speedupChart(suite, rows));
    parts.push(...familyCharts(suite, rows));
    for (const [group, members] of byGroup(rows)) {
      parts.push(`<h3>${esc(group)}</h3>`, groupTable(a, members));
    }
    out.push(`<section id="suite-${esc(suite)}">${parts.join("")}</section>`);
  }
  return out.join("");
}
