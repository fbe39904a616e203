// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * The extra measurements' charts and tables: transport latencies, the load
 * tests, the browser rows, and the soak's memory and descriptors.
 *
 * @module
 */

import type { Extras } from "../_compare/results.ts";
import { esc, factorTicks, figure, Plot, plotSvg, table } from "./plot.ts";

const n3 = (v: number | undefined) =>
  v === undefined || !Number.isFinite(v) ? "" : String(+v.toPrecision(3));

function transportSection(t: NonNullable<Extras["transport"]>): string {
  const rtt = t.rtt.map((r) => ({
    ...r,
    series: r.client === "-" ? r.transport : `${r.transport} (${r.client})`,
  }));
  const chart = figure({
    id: "transport-rtt",
    title: "Round trip, p50 by message size (loopback)",
    svg: rtt.length === 0 ? undefined : plotSvg({
      width: 960,
      height: 360,
      marginRight: 200,
      x: { type: "log", label: "bytes", grid: true, tickFormat: factorTicks },
      y: { type: "log", label: "p50 ms", grid: true, tickFormat: factorTicks },
      marks: [
        Plot.line(rtt, { x: "size", y: "p50", stroke: "series", sort: "size" }),
        Plot.dot(rtt, { x: "size", y: "p50", fill: "series", r: 3 }),
        Plot.text(
          rtt,
          Plot.selectLast({
            x: "size",
            y: "p50",
            z: "series",
            text: "series",
            textAnchor: "start",
            dx: 6,
            fill: "series",
          }),
        ),
      ],
    }),
    dots: rtt.length,
  });
  const rows = (
    xs: { mean: number; p50: number; p95: number; p99: number; n: number }[],
    label: (x: never) => string,
  ) =>
    xs.map((x) => [
      label(x as never),
      n3(x.p50),
      n3(x.p95),
      n3(x.p99),
      n3(x.mean),
      String(x.n),
    ]);
  const head = ["", "p50 ms", "p95 ms", "p99 ms", "mean ms", "n"];
  return `<section id="transport"><h2>Transport</h2>${chart}${
    table(
      head,
      rows(t.rtt, (r: (typeof t.rtt)[number]) =>
        `${r.transport} ${r.client} ${r.size} B`),
    )
  }<h3>100 concurrent streams</h3>${
    table(
      head,
      rows(t.multiplex, (r: (typeof t.multiplex)[number]) => r.mode),
    )
  }<h3>Connection set-up</h3>${
    table(
      head,
      rows(t.setup, (r: (typeof t.setup)[number]) =>
        `${r.mode}${r.client === "-" ? "" : ` (${r.client})`}${
          r.resumedFraction !== undefined
            ? `, resumed ${Math.round(100 * r.resumedFraction)} %`
            : ""
        }`),
    )
  }<p class="note">${esc(t.meta.note)}</p></section>`;
}

function loadSection(l: NonNullable<Extras["load"]>): string {
  const series = l.sustained.series;
  const sustained = figure({
    id: "load-sustained",
    title:
      `Sustained load: patterns per second over ${l.sustained.durationS} s`,
    svg: series.length === 0 ? undefined : plotSvg({
      width: 960,
      height: 260,
      x: { label: "s", grid: true },
      y: { label: "patterns/s", grid: true, zero: true },
      marks: [
        Plot.line(series, { x: "t", y: "throughput" }),
        Plot.dot(series, { x: "t", y: "throughput", r: 2.5 }),
      ],
    }),
    dots: series.length,
  });
  const snaps = l.memory.snapshots.flatMap((s) => [
    { ops: s.ops, mb: s.rss, kind: "RSS" },
    { ops: s.ops, mb: s.heap, kind: "heap" },
  ]);
  const memory = figure({
    id: "load-memory",
    title:
      `Memory over ${l.memory.ops} operations of ${l.memory.points} points`,
    svg: snaps.length === 0 ? undefined : plotSvg({
      width: 960,
      height: 260,
      x: { label: "operations", grid: true },
      y: { label: "MB", grid: true, zero: true },
      color: { legend: true },
      marks: [
        Plot.line(snaps, { x: "ops", y: "mb", stroke: "kind" }),
        Plot.dot(snaps, { x: "ops", y: "mb", fill: "kind", r: 2.5 }),
      ],
    }),
    dots: snaps.length,
  });
  const c = l.concurrent;
  const concurrent = table(["", "value"], [
    ["matches", String(c.count)],
    ["total ms (median burst)", n3(c.kit.totalMs)],
    ["patterns/s", n3(c.kit.throughput)],
    ["original pure JS, patterns/s", n3(c.original.throughput)],
    ["speedup", n3(c.speedup)],
    [
      "latency p50 / p99 ms",
      `${n3(c.kit.latencyMs.p50)} / ${n3(c.kit.latencyMs.p99)}`,
    ],
    [
      "RSS / heap delta MB",
      `${n3(c.kit.rssDeltaMB)} / ${n3(c.kit.heapDeltaMB)}`,
    ],
  ]);
  const service = l.service === null ? "" : table(
    [
      "transport",
      "op",
      "requests",
      "patterns/s",
      "mean ms",
      "p99 ms",
      "vs in-process",
    ],
    (["quic", "websocket"] as const).flatMap((t) =>
      (["dtw", "dtwBatch"] as const).flatMap((op) => {
        const x = l.service?.[t]?.[op];
        return x
          ? [[
            t,
            op,
            String(x.requests),
            n3(x.throughput),
            n3(x.latencyMs.mean),
            n3(x.latencyMs.p99),
            n3(x.relative),
          ]]
          : [];
      })
    ),
  );
  const targets = table(
    ["target", "value", "pass"],
    l.targets.map((
      t,
    ) => [
      `${t.name}: ${t.target}`,
      `${n3(t.value)} ${t.unit}`,
      t.pass ? "yes" : "NO",
    ]),
  );
  return `<section id="load"><h2>Load</h2>${sustained}${memory}<h3>${c.count} concurrent matches</h3>${concurrent}${
    service ? `<h3>Through the service</h3>${service}` : ""
  }<h3>Targets</h3>${targets}</section>`;
}

function browserSection(b: NonNullable<Extras["browser"]>): string {
  if (b.rows.length === 0) {
    return `<section id="browser"><h2>In the browser</h2><p class="note">${
      esc(b.notes.join("; ") || "no rows")
    }</p></section>`;
  }
  return `<section id="browser"><h2>In the browser (${esc(b.chromium)})</h2>${
    table(
      ["benchmark", "Deno ms", "Chromium ms"],
      b.rows.map((r) => [r.name, n3(r.deno_ms), n3(r.chromium_ms)]),
    )
  }</section>`;
}

function soakSection(s: NonNullable<Extras["soak"]>): string {
  const kept = (t: number) => t >= s.meta.warmUpS;
  const chart = (
    id: string,
    title: string,
    label: string,
    y: "rssMB" | "fds",
    fit: { intercept: number; slopePerHour: number },
  ) => {
    const points = s.samples.map((p) => ({
      t: p.t,
      v: p[y],
      fitted: kept(p.t),
    }));
    const ends = points.filter((p) => p.fitted);
    const line = ends.length < 2 ? [] : [ends[0]!, ends.at(-1)!].map((p) => ({
      t: p.t,
      v: fit.intercept + fit.slopePerHour / 3600 * p.t,
    }));
    return figure({
      id,
      title,
      svg: points.length === 0 ? undefined : plotSvg({
        width: 960,
        height: 240,
        x: { label: "s", grid: true },
        y: { label, grid: true, zero: y === "fds" },
        marks: [
          Plot.dot(points, {
            x: "t",
            y: "v",
            r: 1.5,
            fill: (p: { fitted: boolean }) => p.fitted ? "steelblue" : "#bbb",
          }),
          Plot.line(line, { x: "t", y: "v", stroke: "firebrick" }),
        ],
      }),
      dots: points.length,
      note:
        `grey: warm-up (first ${s.meta.warmUpS} s, left out); red: least-squares line over the rest`,
    });
  };
  const f = (x: number) => n3(x);
  const fitRow = (
    name: string,
    fit: NonNullable<Extras["soak"]>["fit"]["rss"],
    unit: string,
    verdict: string,
  ) => [
    name,
    `${f(fit.slopePerHour)} ${unit}/h`,
    `${f(fit.lo)} to ${f(fit.hi)}`,
    verdict,
  ];
  const verdicts = table(["", "slope", "95 % interval", "verdict"], [
    fitRow("RSS (target ≤ 1 MB/h)", s.fit.rss, "MB", s.verdict.rss),
    fitRow("open file descriptors (flat)", s.fit.fds, "fds", s.verdict.fds),
  ]);
  const l = s.load;
  return `<section id="soak"><h2>Soak: ${n3(s.meta.minutes)} minutes</h2>${
    chart("soak-rss", "Server RSS over the soak", "MB", "rssMB", s.fit.rss)
  }${
    chart(
      "soak-fds",
      "Server's open file descriptors over the soak",
      "fds",
      "fds",
      s.fit.fds,
    )
  }${verdicts}<p class="note">${
    esc(
      `${l.requests} requests over ${l.connections} connections (${l.refused} refused as intended, ${l.unauthorized} wrong tokens, ${l.errors} errors). ${s.meta.note}; Deno ${s.meta.deno}, ${s.meta.date}.`,
    )
  }</p></section>`;
}

/** The sections of the extras present. */
export function extrasSections(extras: Extras | undefined): string {
  if (!extras) return "";
  return [
    extras.transport ? transportSection(extras.transport) : "",
    extras.load ? loadSection(extras.load) : "",
    extras.browser ? browserSection(extras.browser) : "",
    extras.soak ? soakSection(extras.soak) : "",
  ].join("");
}
