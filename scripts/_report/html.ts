// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * The self-contained HTML report of `deno task compare --html FILE`: static
 * SVG charts drawn by Observable Plot, the machine, the verdicts and the
 * tables. No external script, style or font. One small inline script
 * counts the dots the browser actually drew in each chart (`data-drawn`,
 * next to the `data-dots` it should have drawn), which the tests read in
 * headless Chromium.
 *
 * @module
 */

import type { Analysis } from "../_compare/analyse.ts";
import { tally } from "../_compare/analyse.ts";
import type { Results } from "../_compare/results.ts";
import { benchSections } from "./benches.ts";
import { comparisonSection } from "./comparison.ts";
import { extrasSections } from "./extras.ts";
import { table } from "./plot.ts";

const CSS = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1000px; color: #222; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 32px; } h3 { font-size: 15px; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13px; }
td, th { border-bottom: 1px solid #ddd; padding: 2px 8px; text-align: left; vertical-align: top; }
figure { margin: 16px 0; } figcaption { font-weight: 600; margin-bottom: 6px; }
.note, .nodata { color: #666; font-size: 12px; } .notes li { color: #8a4b00; }
.summary { font-size: 16px; font-weight: 600; }
`;

/** Counts the dots each chart drew once the page has laid out. */
const SCRIPT = `
for (const f of document.querySelectorAll("figure[data-chart]")) {
  let drawn = 0;
  for (const c of f.querySelectorAll("svg circle")) {
    const b = c.getBBox();
    if (b.width > 0 && b.height > 0) drawn++;
  }
  f.dataset.drawn = String(drawn);
}
document.body.dataset.ready = "1";
`;

function systemBlock(r: Results): string {
  const s = r.system;
  const rows = [
    [
      "machine",
      `${s.cpu}, ${s.cores} cores, ${
        (s.memoryBytes / 2 ** 30).toFixed(1)
      } GiB, ${s.os} ${s.osRelease} ${s.arch}`,
    ],
    ["runtime", `Deno ${s.deno}, V8 ${s.v8}, TypeScript ${s.typescript}`],
    ["commit", `${s.commit}${s.dirty ? " (with uncommitted changes)" : ""}`],
    ["date", s.date],
    [
      "run",
      `${
        r.run.mode === "against"
          ? `paired against ${r.run.against?.ref} (${
            r.run.against?.commit.slice(0, 9)
          })`
          : "one tree, ratios to each group's baseline"
      }; ${r.run.quick ? "quick sizes" : "full sizes"}; suites ${
        r.run.suites.join(", ")
      }; ${(r.run.durationMs / 1000).toFixed(0)} s`,
    ],
  ];
  return table(["", ""], rows, "system");
}

/** The whole report page. */
export function renderHtml(results: Results, analysis: Analysis): string {
  const t = tally(analysis.rows);
  const summary = analysis.kind === "none"
    ? ""
    : `<p class="summary">${t.slower} slower, ${t.faster} faster, ${t.same} same (threshold ${+(analysis
      .threshold * 100).toFixed(2)} %)</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>@midstreamer/kit benchmarks</title>
<style>${CSS}</style></head>
<body>
<h1>@midstreamer/kit benchmarks</h1>
${systemBlock(results)}
${summary}
${comparisonSection(analysis)}
${benchSections(analysis)}
${extrasSections(results.extras)}
<script>${SCRIPT}</script>
</body></html>
`;
}
