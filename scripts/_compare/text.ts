// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * The text report of `deno task compare`: one line per benchmark under its
 * group, then the summary.
 *
 * @module
 */

import { type Analysis, type BenchRow, tally } from "./analyse.ts";
import { formatFactor, formatRatio, formatTime } from "./verdict.ts";

function pad(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - [...text].length));
}

/** Rows by group, in order of first appearance. */
export function byGroup(rows: BenchRow[]): [string, BenchRow[]][] {
  const groups = new Map<string, BenchRow[]>();
  for (const r of rows) {
    const key = `${r.group ?? r.name}  [${r.file}]`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups];
}

function line(r: BenchRow, a: Analysis, width: number): string {
  const cells = [pad(r.name, width)];
  if (r.error !== undefined) return `${cells[0]}  FAILED  ${r.error}`;
  if (a.kind === "against") {
    cells.push(
      pad(r.verdict ?? "", 6),
      pad(r.change ? formatRatio(r.change) : "", 22),
      `${formatTime(r.timeA ?? NaN)} → ${formatTime(r.time)}`,
    );
    return cells.join("  ").trimEnd();
  }
  cells.push(
    pad(formatTime(r.time), 9),
    pad(
      r.baseline ? "baseline" : r.speedup ? formatRatio(r.speedup) : "",
      24,
    ),
  );
  if (a.kind === "file") {
    const verdict = r.verdict ?? (r.change ? "info" : "");
    cells.push(
      pad(verdict, 6),
      pad(r.change ? formatRatio(r.change) : "", 22),
      r.timeChange !== undefined ? `time ${formatFactor(r.timeChange)}` : "",
      r.note ?? "",
    );
  }
  return cells.join("  ").trimEnd();
}

/** The whole text report: a legend, the groups, the notes and the summary. */
export function renderText(a: Analysis, against?: string): string {
  const width = Math.min(
    72,
    Math.max(20, ...a.rows.map((r) => [...r.name].length)),
  );
  const out: string[] = [];
  const pct = `${+(a.threshold * 100).toFixed(2)} %`;
  if (a.kind === "against") {
    out.push(
      `Paired comparison, B/A per benchmark: A = ${against}, B = the working tree; ` +
        `median ratio of the rounds and its 95 % interval; slower/faster when the whole interval is beyond ${pct}`,
    );
  } else {
    out.push(
      "Time per call (median of the rounds); speedup over the group's baseline measured in the same rounds, with its 95 % interval" +
        (a.kind === "file"
          ? `; change of that ratio since the baseline file (95 % interval; slower/faster when beyond ${pct}); time: this run's time over the file's (information only)`
          : ""),
    );
  }
  for (const [group, rows] of byGroup(a.rows)) {
    out.push(`\n${group}`);
    for (const r of rows) out.push(`  ${line(r, a, width)}`);
  }
  out.push("");
  for (const n of a.notes) out.push(`note: ${n}`);
  if (a.added.length > 0) out.push(`added: ${a.added.join(", ")}`);
  if (a.removed.length > 0) out.push(`removed: ${a.removed.join(", ")}`);
  const failed = a.rows.filter((r) => r.error !== undefined).length;
  if (a.kind !== "none") {
    const t = tally(a.rows);
    const none = a.rows.filter((r) => !r.verdict && r.error === undefined)
      .length;
    out.push(
      `${t.slower} slower, ${t.faster} faster, ${t.same} same` +
        (none > 0 ? `, ${none} without a verdict` : "") +
        (failed > 0 ? `, ${failed} failed` : "") +
        ` (threshold ${pct})`,
    );
  } else if (failed > 0) {
    out.push(`${failed} failed`);
  }
  return out.join("\n");
}
