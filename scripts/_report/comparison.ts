// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * The paired-comparison chart: one row per benchmark with its ratio and 95 %
 * interval on a log axis, a line at 1 and the threshold band shaded.
 *
 * @module
 */

import type { Analysis, BenchRow } from "../_compare/analyse.ts";
import { formatRatio } from "../_compare/verdict.ts";
import {
  esc,
  factorTicks,
  figure,
  Plot,
  plotSvg,
  shortLabel,
  table,
} from "./plot.ts";

const COLOURS = {
  slower: "#d62728",
  faster: "#2ca02c",
  same: "#4e79a7",
  none: "#999999",
};

/** The label of a row: `group › name`. */
export function rowLabel(r: BenchRow): string {
  return r.group && r.group !== r.name ? `${r.group} › ${r.name}` : r.name;
}

/** The comparison section, or "" when the run compared nothing. */
export function comparisonSection(a: Analysis): string {
  if (a.kind === "none") return "";
  const rows = a.rows.filter((r) => r.change !== undefined);
  const data = rows.map((r) => ({
    label: rowLabel(r),
    value: r.change!.value,
    lo: Math.max(r.change!.lo, 1e-3),
    hi: Math.min(r.change!.hi, 1e3),
    verdict: r.verdict ?? "none",
  }));
  const t = a.threshold;
  const title = a.kind === "against"
    ? "Paired comparison: B/A per benchmark, median of the rounds with its 95 % interval"
    : "Change of each benchmark's ratio to its group's baseline since the baseline file, with its 95 % interval";
  const svg = data.length === 0 ? undefined : plotSvg({
    width: 960,
    height: 40 + 16 * data.length,
    marginLeft: 420,
    x: {
      type: "log",
      label: a.kind === "against" ? "B / A" : "change",
      grid: true,
      tickFormat: factorTicks,
    },
    y: {
      label: null,
      domain: data.map((d) => d.label),
      tickFormat: (d: string) => shortLabel(d),
    },
    color: { domain: Object.keys(COLOURS), range: Object.values(COLOURS) },
    marks: [
      Plot.rectX([0], {
        x1: Math.max(1 - t, 1e-3),
        x2: 1 + t,
        fill: "#eeeeee",
      }),
      Plot.ruleX([1], { stroke: "#555" }),
      Plot.ruleY(data, {
        y: "label",
        x1: "lo",
        x2: "hi",
        stroke: "verdict",
      }),
      Plot.dot(data, { y: "label", x: "value", fill: "verdict", r: 3.5 }),
    ],
  });
  const verdictRows = rows.map((r) => [
    r.verdict ?? "—",
    formatRatio(r.change!),
    rowLabel(r),
    r.note ?? "",
  ]);
  return `<section id="comparison"><h2>Verdicts</h2>${
    figure({
      id: "comparison",
      title,
      svg,
      dots: data.length,
      note: `Shaded: within ±${+(t * 100).toFixed(
        2,
      )} % (the threshold). Red: slower (the whole interval above the band), green: faster, grey: no verdict.`,
    })
  }${
    table(
      ["verdict", "ratio (95 %)", "benchmark", "note"],
      verdictRows,
      "verdicts",
    )
  }</section>` +
    (a.notes.length > 0
      ? `<ul class="notes">${
        a.notes.map((n) => `<li>${esc(n)}</li>`).join("")
      }</ul>`
      : "");
}
