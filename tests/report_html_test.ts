// Copyright 2026 the @midstreamer/kit authors. MIT license.

import assert from "node:assert/strict";
import type {
  BenchEntry,
  BenchStats,
  Results,
} from "../scripts/_compare_results.ts";
import { compareResults } from "../scripts/_compare_results.ts";
import {
  families,
  rawValue,
  renderHtml,
  seriesName,
  splitGroup,
} from "../scripts/_report_html.ts";
import { groupBenches } from "../scripts/_compare_results.ts";
import { chromiumAvailable, runInChromium } from "../testing/chromium.ts";

function stats(avg: number): BenchStats {
  return {
    n: 50,
    min: avg * 0.9,
    max: avg * 2,
    avg,
    p75: avg * 1.05,
    p99: avg * 1.5,
    p995: avg * 1.6,
    p999: avg * 1.8,
  };
}

function entry(
  group: string,
  name: string,
  avg: number,
  baseline = false,
): BenchEntry {
  return {
    origin: "file:///x/bench/some_bench.ts",
    group,
    name,
    baseline,
    results: [{ ok: stats(avg) }],
  };
}

/** A run with every chart's data: DTW, LCS, transport and load extras. */
function fullResults(): Results {
  const benches: BenchEntry[] = [];
  for (const n of [10, 100, 1000, 10000]) {
    const g = `dtw ${n}`;
    // The original is skipped at 10,000 points, as in bench/dtw_bench.ts.
    if (n <= 1000) {
      benches.push(entry(g, `original pure JS (${n})`, n * n * 10, true));
    }
    benches.push(entry(g, `typed-array JS (${n})`, n * n * 2));
    benches.push(entry(g, `kit dtw (${n})`, n * n * 0.4));
  }
  for (const [s, l] of [[10, 50], [50, 100], [100, 200]]) {
    const g = `lcs ${s}x${l}`;
    benches.push(
      entry(g, `original correlation matrix (${s}x${l})`, s * s * l * l, true),
    );
    benches.push(entry(g, `kit lcs matrix (${s}x${l})`, s * s * l * l / 40));
  }
  return {
    version: 1,
    runtime: "Deno/2.9.6 x86_64-unknown-linux-gnu",
    cpu: "AMD EPYC",
    benches,
    system: {
      cpu: "AMD EPYC 7B13",
      cores: 2,
      memoryBytes: 8 * 2 ** 30,
      os: "linux",
      osRelease: "6.1",
      arch: "x86_64",
      deno: "2.9.6",
      v8: "14.0",
      typescript: "5.9",
      commit: "0123456789abcdef0123456789abcdef01234567",
      dirty: false,
      date: "2026-11-27T00:00:00.000Z",
    },
    run: {
      quick: true,
      suites: ["dtw", "lcs", "transport", "load"],
      durationMs: 61_000,
    },
    extras: {
      // The shape of scripts/transport_report.ts --json (milliseconds).
      transport: {
        meta: { deno: "2.9.6", quick: true },
        rtt: [64, 1024].flatMap((size) => [
          {
            transport: "quic",
            client: "-",
            size,
            mean: 0.1,
            p50: 0.09,
            p95: 0.2,
            p99: 0.3,
            n: 100,
          },
          {
            transport: "websocket",
            client: "deno",
            size,
            mean: 0.2,
            p50: 0.15,
            p95: 0.3,
            p99: 0.5,
            n: 100,
          },
        ]),
        setup: [
          {
            mode: "quic-full-handshake",
            client: "-",
            mean: 2,
            p50: 1.9,
            p95: 3,
            p99: 4,
            n: 30,
          },
          {
            mode: "quic-0rtt",
            client: "-",
            mean: 0.5,
            p50: 0.4,
            p95: 0.8,
            p99: 1,
            n: 30,
          },
        ],
      },
      load: {
        timeline: [0, 1, 2, 3].map((t) => ({ t, throughput: 400 + 10 * t })),
      },
      browser: [{ engine: "chromium", note: "<b>not html</b>" }],
    },
  };
}

/** `data-chart` id → `data-points` of every figure. */
function points(html: string): Record<string, number> {
  return Object.fromEntries(
    [...html.matchAll(/data-chart="([^"]+)" data-points="(\d+)"/g)].map((
      m,
    ) => [m[1], Number(m[2])]),
  );
}

const EXPECTED = {
  "dtw-speedup": 6, // 2 entries × 3 sizes with a baseline
  "dtw-time": 11, // 3 entries × 4 sizes, no original at 10,000
  "lcs-speedup": 3,
  "lcs-time": 6,
  "transport-latency": 4, // 2 transports × 2 sizes (bar p50, whisker p99)
  "transport-other": 6, // 2 set-up modes × 3 percentiles
  "load-throughput": 4,
};

Deno.test("renderHtml draws every chart from data found by pattern", () => {
  const html = renderHtml(fullResults());
  assert.deepEqual(points(html), EXPECTED);
  assert.doesNotMatch(html, /no data/);
  // Series are named without the configuration, same colour in both charts.
  assert.match(html, /<title>kit dtw · 100: ×25<\/title>/);
  assert.match(html, /<title>kit dtw · 100: 4 µs<\/title>/);
  const kitColours = new Set(
    [...html.matchAll(/fill="(#[0-9a-f]{6})"><title>kit dtw ·/g)].map((m) =>
      m[1]
    ),
  );
  assert.equal(kitColours.size, 1);
  assert.match(html, /<title>quic · 1 KiB: 90 µs<\/title>/);
  assert.match(html, /<title>websocket · deno · 64 B: 150 µs<\/title>/);
  assert.match(html, /<title>p50 · quic-0rtt: 400 µs<\/title>/);
  assert.match(html, /<title>timeline · 3: 430<\/title>/);
  // System block, raw tables, escaping, no external resources.
  assert.match(
    html,
    /<dt>CPU<\/dt><dd>AMD EPYC 7B13 \(2 logical cores\)<\/dd>/,
  );
  assert.match(html, /<summary>extras\.browser<\/summary><table class="raw">/);
  assert.match(html, /&#60;b&#62;not html&#60;\/b&#62;/);
  assert.doesNotMatch(html, /<b>not html/);
  assert.doesNotMatch(html, /(src|href)=|@import|url\(/);
});

Deno.test("renderHtml shows 'no data' for absent data instead of failing", () => {
  const empty: Results = {
    version: 1,
    runtime: "Deno",
    cpu: "cpu",
    benches: [],
  };
  const html = renderHtml(empty);
  assert.deepEqual(points(html), {
    "dtw-speedup": 0,
    "dtw-time": 0,
    "lcs-speedup": 0,
    "lcs-time": 0,
    "transport-latency": 0,
    "load-throughput": 0,
  });
  assert.equal(html.match(/class="nodata"/g)?.length, 6);
  assert.match(html, /no data: extras\.transport is absent/);
  // Extras in unknown shapes: no chart, but still a raw table.
  const odd = renderHtml({
    ...empty,
    extras: { transport: { x: [1, 2] }, load: "n/a" },
  });
  assert.match(odd, /no data: no records with transport, size and p50\/p99/);
  assert.match(odd, /no data: no records with time and throughput/);
});

Deno.test("renderHtml marks regressions from a comparison", () => {
  const now = fullResults();
  const old = structuredClone(now);
  (old.benches[2].results[0] as { ok: BenchStats }).ok = stats(1);
  const html = renderHtml(
    now,
    compareResults(old, now, 0.1),
    "bench/baseline.json",
  );
  assert.match(
    html,
    /class="summary bad">Against <code>bench\/baseline\.json<\/code> \(threshold 10.0%\): 1 regressions/,
  );
  assert.match(
    html,
    /<li class="regression"><b>regression<\/b>: dtw 10 › kit dtw \(10\)/,
  );
  assert.match(html, /<tr class="regression">/);
});

Deno.test("splitGroup, seriesName and families find configurations", () => {
  assert.deepEqual(splitGroup("dtw 100"), ["dtw", "100"]);
  assert.deepEqual(splitGroup("lcs matrix 10x50"), ["lcs matrix", "10x50"]);
  assert.equal(splitGroup("transport"), undefined);
  assert.equal(splitGroup("42 things"), undefined);
  assert.equal(seriesName("kit dtw (100)", "100"), "kit dtw");
  assert.equal(seriesName("kit dtw, 10% band (10)", "10"), "kit dtw, 10% band");
  assert.equal(
    seriesName("@bsull/augurs 0.10, euclidean = sqrt(kit squared) (10)", "10"),
    "@bsull/augurs 0.10, euclidean = sqrt(kit squared)",
  );
  assert.equal(seriesName("kit lcs 10x50", "10x50"), "kit lcs");
  assert.equal(seriesName("peer (wasm)", "10"), "peer (wasm)");
  // bench/lcs_bench.ts names: group "matrix 10×50, 3 symbols (45 pairs)".
  assert.deepEqual(splitGroup("matrix 10×50, 3 symbols (45 pairs)"), [
    "matrix",
    "10×50, 3 symbols (45 pairs)",
  ]);
  assert.equal(
    seriesName(
      "kit correlationMatrix, 1 thread (10×50/3)",
      "10×50, 3 symbols (45 pairs)",
    ),
    "kit correlationMatrix, 1 thread",
  );
  const lcsHtml = renderHtml({
    version: 1,
    runtime: "Deno",
    cpu: "cpu",
    benches: ["10×50", "50×100"].flatMap((c) => [
      entry(`matrix ${c}, 3 symbols`, `original (${c}/3)`, 1000, true),
      entry(`matrix ${c}, 3 symbols`, `kit (${c}/3)`, 10),
    ]),
  });
  assert.match(lcsHtml, /data-chart="lcs-matrix-speedup" data-points="2"/);
  assert.match(lcsHtml, /<title>kit · 50×100, 3 symbols: ×100<\/title>/);
  const fams = families(groupBenches(fullResults().benches));
  assert.deepEqual(
    fams.map((f) => [f.name, f.configs]),
    [["dtw", ["10", "100", "1000", "10000"]], ["lcs", [
      "10x50",
      "50x100",
      "100x200",
    ]]],
  );
});

Deno.test("rawValue renders arrays of records as tables and nests objects", () => {
  assert.equal(
    rawValue([{ a: 1, b: "x" }, { a: 2, c: true }]),
    '<table class="raw"><thead><tr><th>a</th><th>b</th><th>c</th></tr></thead><tbody><tr><td class="num">1</td><td>x</td><td></td></tr><tr><td class="num">2</td><td></td><td>true</td></tr></tbody></table>',
  );
  assert.equal(
    rawValue({ k: [1, null] }),
    '<table class="kv"><tbody><tr><th>k</th><td><ol><li>1</li><li>null</li></ol></td></tr></tbody></table>',
  );
});

const hasChromium = chromiumAvailable();
if (!hasChromium) {
  console.warn(
    "report_html_test: skipping the browser test: no Chromium at $KIT_CHROMIUM or /usr/bin/chromium",
  );
}

Deno.test({
  name:
    "the report renders in headless Chromium with every chart's marks drawn",
  ignore: !hasChromium,
  async fn() {
    const html = renderHtml(fullResults());
    // The page loads the report in a same-origin frame and reads what the
    // report's own script counted (marks with a non-empty layout box).
    const main = `export default async () => {
  const frame = document.createElement("iframe");
  frame.style.cssText = "width: 1300px; height: 900px";
  const loaded = new Promise((resolve) => frame.onload = resolve);
  frame.src = "/report.html";
  document.body.append(frame);
  await loaded;
  const doc = frame.contentDocument;
  return {
    rendered: doc.body.dataset.rendered ?? null,
    charts: [...doc.querySelectorAll("figure[data-chart]")].map((f) => ({
      id: f.dataset.chart,
      points: Number(f.dataset.points),
      drawn: Number(f.dataset.drawn),
      width: f.querySelector("svg")?.getBoundingClientRect().width ?? 0,
    })),
  };
};`;
    const result = await runInChromium({
      files: {
        "/report.html": { body: html, type: "text/html; charset=utf-8" },
        "/main.js": { body: main, type: "text/javascript" },
      },
    }) as {
      rendered: string | null;
      charts: { id: string; points: number; drawn: number; width: number }[];
    };
    assert.equal(result.rendered, "true");
    assert.deepEqual(
      Object.fromEntries(result.charts.map((c) => [c.id, c.drawn])),
      EXPECTED,
    );
    for (const c of result.charts) {
      assert.equal(c.drawn, c.points, c.id);
      assert.ok(c.width > 300, `${c.id} is ${c.width}px wide`);
    }
  },
});
