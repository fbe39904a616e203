// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * The plain-text report of `deno task compare`: one table of every group's
 * speedups with their spread, and the comparison with the baseline file.
 *
 * @module
 */

import {
  type BenchEntry,
  type Change,
  type Comparison,
  failureOf,
  formatChange,
  formatSpeedup,
  formatTime,
  groupBenches,
  keyOf,
} from "./_compare_results.ts";

/** Pads cells to column widths; the first column is left-aligned. */
function layout(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, [...cell].length);
    });
  }
  return rows.map((row) =>
    row.map((cell, i) => {
      const pad = " ".repeat(widths[i] - [...cell].length);
      return i === 0 ? cell + pad : pad + cell;
    }).join("   ").trimEnd()
  );
}

/** The `vs baseline` cell: relative change of the mean, and the verdict. */
function changeCell(change: Change | undefined): string {
  if (!change) return "";
  if (!change.old || !change.new) return change.verdict;
  const delta = formatChange(change.old.avg, change.new.avg);
  return change.verdict === "unchanged" ? delta : `${delta} ${change.verdict}`;
}

/**
 * Renders every group as a block of rows: benchmark, mean, `min … p99`,
 * speedup against the group's baseline with its range (`speedup()` of
 * `_compare_results.ts`), and, given a comparison, the
 * change of the mean against the baseline file with the verdict.
 */
export function renderTable(
  benches: BenchEntry[],
  comparison?: Comparison,
): string {
  const changes = new Map(comparison?.changes.map((c) => [c.key, c]));
  const rows: string[][] = [[
    "benchmark",
    "avg",
    "min … p99",
    "speedup (range)",
    comparison ? "vs baseline file" : "",
  ]];
  const headers = new Set<number>();
  for (const g of groupBenches(benches)) {
    headers.add(rows.length);
    rows.push([`${g.group ?? "(no group)"}  [${g.file}]`, "", "", "", ""]);
    for (const { entry, stats, speedup } of g.rows) {
      const name = `  ${entry.name}${entry.baseline ? " (baseline)" : ""}`;
      if (!stats) {
        rows.push([name, "failed", failureOf(entry) ?? "", "", ""]);
        continue;
      }
      rows.push([
        name,
        formatTime(stats.avg),
        `${formatTime(stats.min)} … ${formatTime(stats.p99)}`,
        speedup
          ? `${formatSpeedup(speedup.value)} (${formatSpeedup(speedup.low)}–${
            formatSpeedup(speedup.high).slice(1)
          })`
          : "",
        changeCell(changes.get(keyOf(entry))),
      ]);
    }
  }
  // Group headers span the row: lay out the others, then put headers back.
  const laid = layout(rows.filter((_, i) => !headers.has(i)));
  const out: string[] = [];
  let next = 0;
  rows.forEach((row, i) => out.push(headers.has(i) ? row[0] : laid[next++]));
  return out.join("\n");
}

/**
 * Renders the comparison summary: counts, then one line per regression,
 * improvement, added and removed benchmark, old against new.
 */
export function renderComparison(
  comparison: Comparison,
  baselineName: string,
): string {
  const by = (v: Change["verdict"]) =>
    comparison.changes.filter((c) => c.verdict === v);
  const count = (n: number, what: string) =>
    `${n} ${what}${n === 1 ? "" : "s"}`;
  const regressions = by("regression"), improvements = by("improvement");
  const added = by("added"), removed = by("removed");
  const lines = [
    `Compared with ${baselineName} (threshold ${
      Math.round(comparison.threshold * 1000) / 10
    }%): ${count(regressions.length, "regression")}, ${
      count(improvements.length, "improvement")
    }, ${added.length} added, ${removed.length} removed, ${
      by("unchanged").length
    } unchanged`,
  ];
  const detail = (c: Change) => {
    const o = c.old!, n = c.new!;
    return `${c.label}: avg ${formatTime(o.avg)} → ${formatTime(n.avg)} (${
      formatChange(o.avg, n.avg)
    }), min ${formatTime(o.min)} → ${formatTime(n.min)}, p75 ${
      formatTime(o.p75)
    } → ${formatTime(n.p75)}`;
  };
  for (const c of regressions) lines.push(`  regression: ${detail(c)}`);
  for (const c of improvements) lines.push(`  improvement: ${detail(c)}`);
  for (const c of added) lines.push(`  added (not in the baseline): ${c.key}`);
  for (const c of removed) {
    lines.push(`  removed (only in the baseline): ${c.key}`);
  }
  return lines.join("\n");
}
