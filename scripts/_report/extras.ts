// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * The extra measurements' charts and tables: transport latencies, the load
 * tests, the browser rows, the soak's memory and descriptors, the cluster
 * (its model for N machines), and the cold-start curves.
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

const spreadText = (
  s: { median: number; min: number; max: number } | undefined,
) => s === undefined ? "" : `${n3(s.median)} (${n3(s.min)}–${n3(s.max)})`;

function clusterSection(c: NonNullable<Extras["cluster"]>): string {
  const parts: string[] = [];
  const model = c.model;
  if (model !== undefined) {
    const projected = model.cases.flatMap((m) =>
      m.points.map((p) => ({
        ...p,
        series: `${m.name.split(" ")[0]}, projected`,
      }))
    );
    const measured = (c.scaling?.cases ?? []).flatMap((k) => [
      {
        workers: 1,
        throughput: k.throughput.one,
        series: `${k.name.split(" ")[0]}, measured`,
      },
      {
        workers: 2,
        throughput: k.throughput.two,
        series: `${k.name.split(" ")[0]}, measured`,
      },
    ]);
    const ceilings = model.cases.flatMap((m) => [
      { y: m.redisBytesCeiling, label: `${m.name.split(" ")[0]}: Redis bytes` },
      {
        y: m.callerUploadCeiling,
        label: `${m.name.split(" ")[0]}: caller upload`,
      },
    ]);
    const dots = [...projected, ...measured];
    parts.push(figure({
      id: "cluster-model",
      title:
        "Cluster: patterns per second by worker machines (projected from the measured per-shard and per-byte costs; measured at 1 and 2)",
      svg: dots.length === 0 ? undefined : plotSvg({
        width: 960,
        height: 380,
        marginRight: 180,
        x: {
          type: "log",
          label: "worker machines",
          grid: true,
          tickFormat: factorTicks,
        },
        y: {
          type: "log",
          label: "patterns/s",
          grid: true,
          tickFormat: factorTicks,
        },
        color: { legend: true },
        marks: [
          Plot.ruleY(ceilings, {
            y: "y",
            strokeDasharray: "4 3",
            stroke: "#999",
          }),
          Plot.text(ceilings, {
            x: 100,
            y: "y",
            text: "label",
            textAnchor: "start",
            dx: 6,
            fill: "#666",
          }),
          Plot.line(projected, {
            x: "workers",
            y: "throughput",
            stroke: "series",
          }),
          Plot.dot(dots, {
            x: "workers",
            y: "throughput",
            fill: "series",
            r: 3.5,
          }),
        ],
      }),
      dots: dots.length,
      note: model.assumptions.join("; "),
    }));
    parts.push(table(
      [
        "case",
        "compute µs/pattern",
        "bytes/pattern",
        "Redis commands ceiling /s",
        "Redis bytes ceiling /s",
        "caller upload ceiling /s",
        "coordination % of the call (1 / 2 workers)",
        "at 10 machines /s",
        "at 100 machines /s",
        "beats one machine from (patterns)",
      ],
      model.cases.map((m) => {
        const at = (n: number) => {
          const p = m.points.find((x) => x.workers === n);
          return p ? `${n3(p.throughput)} (${p.limit})` : "";
        };
        return [
          m.name,
          n3(m.computeUsPerPattern),
          n3(m.bytesPerPattern),
          n3(m.redisCommandsCeiling),
          n3(m.redisBytesCeiling),
          n3(m.callerUploadCeiling),
          `${n3(m.coordinationPct.one)} / ${n3(m.coordinationPct.two)}`,
          at(10),
          at(100),
          m.breakEven.map((b) =>
            `${b.workers}: ${b.patterns === null ? "never" : n3(b.patterns)}`
          ).join(", "),
        ];
      }),
    ));
  }
  const o = c.overhead;
  if (o !== undefined) {
    parts.push(
      `<h3>Per-shard coordination (${o.shards} empty shards, µs)</h3>${
        table(["", "µs per shard, median (min–max)"], [
          ["wall, 1 worker, one shard at a time", spreadText(o.serialUs)],
          ["wall, 2 workers", spreadText(o.parallelUs)],
          [
            "of which the worker: fetch inputs, post the result",
            spreadText(o.workerUs),
          ],
          [
            "of which the queue: hand-out, completion, delivery",
            spreadText(o.queueUs),
          ],
          ["caller's enqueue (addBulk)", spreadText(o.enqueueUs)],
          [
            "CPU: caller / workers / Redis",
            `${n3(o.cpuUs.caller)} / ${n3(o.cpuUs.workers)} / ${
              n3(o.cpuUs.redis)
            }`,
          ],
          ["Redis commands per shard", n3(o.redisCommands)],
        ])
      }`,
    );
  }
  if (c.scaling !== undefined) {
    parts.push(`<h3>A large job on 1 and 2 worker processes</h3>${
      table(
        [
          "case",
          "1 worker s",
          "2 workers s",
          "speedup",
          "efficiency",
          "overhead % (1 / 2)",
          "one thread s",
        ],
        c.scaling.cases.map((k) => [
          k.name,
          k.runs.filter((r) => r.workers === 1).map((r) => n3(r.wallMs / 1000))
            .join(", "),
          k.runs.filter((r) => r.workers === 2).map((r) => n3(r.wallMs / 1000))
            .join(", "),
          spreadText(k.speedup),
          n3(k.efficiency),
          `${n3(k.overheadPct.one)} / ${n3(k.overheadPct.two)}`,
          n3(k.oneThreadMs / 1000),
        ]),
      )
    }`);
  }
  const r = c.recovery;
  if (r !== undefined) {
    parts.push(
      `<h3>SIGKILL of a worker mid-shard (${r.tries} tries)</h3>${
        table(["", "value"], [
          ["bit-identical results", `${r.identical} of ${r.tries}`],
          ["kill → shard restarted elsewhere, ms", spreadText(r.restartMs)],
          ["kill → call complete, ms", spreadText(r.completeMs)],
          ["shard computing time, ms", n3(r.shardMs)],
          [
            "lockDuration + stalledInterval, ms",
            `${r.lockDurationMs} + ${r.stalledIntervalMs}`,
          ],
        ])
      }`,
    );
  }
  return `<section id="cluster"><h2>Cluster</h2>${
    parts.join("")
  }<p class="note">${esc(c.meta.note)} (${esc(c.meta.date)})</p></section>`;
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

function coldStartSection(c: NonNullable<Extras["coldStart"]>): string {
  const kernels = [...new Set(c.curves.map((x) => x.kernel))];
  const charts = kernels.map((kernel) => {
    const curves = c.curves.filter((x) => x.kernel === kernel);
    const dots = curves.flatMap((x) =>
      x.calls.map((p) => ({
        call: p.call,
        ms: p.ms.median,
        series: `${x.runtime}, ${x.mode}`,
      }))
    );
    const warm = curves.filter((x) => x.mode === "cold").map((x) => ({
      ms: x.warmMs.median,
      label: `${x.runtime} warm`,
    }));
    const what = kernel === "dtw"
      ? "dtw 1,000 × 1,000"
      : "searchSubsequence, 1,000,000 points, query 128";
    return figure({
      id: `cold-start-${kernel}`,
      title:
        `Cold start, ${what}: call 1 to ${c.calls} in a fresh process (median of ${c.runs})`,
      svg: dots.length === 0 ? undefined : plotSvg({
        width: 960,
        height: 380,
        marginRight: 160,
        x: { label: "call", grid: true },
        y: { type: "log", label: "ms", grid: true, tickFormat: factorTicks },
        color: { legend: true },
        marks: [
          Plot.ruleY(warm, { y: "ms", strokeDasharray: "4 3", stroke: "#999" }),
          Plot.text(warm, {
            x: c.calls,
            y: "ms",
            text: "label",
            textAnchor: "start",
            dx: 6,
            fill: "#666",
          }),
          Plot.line(dots, { x: "call", y: "ms", stroke: "series" }),
          Plot.dot(dots, { x: "call", y: "ms", fill: "series", r: 2.5 }),
        ],
      }),
      dots: dots.length,
      note:
        "dashed: each runtime's warm time; mode warmUp: the calls after await warmUp()",
    });
  });
  const later = (x: (typeof c.curves)[number]) => {
    const r = x.calls.slice(2).map((p) => p.ratio.median).sort((a, b) => a - b);
    return r.length === 0 ? NaN : r[(r.length - 1) >> 1];
  };
  const rows = c.curves.map((x) => [
    `${x.runtime}${x.flags ? ` (${x.flags})` : ""}`,
    x.kernel,
    x.mode,
    n3(x.importMs.median),
    x.warmUpMs ? `${n3(x.warmUpMs.median)} (ready ${x.ready}/${x.runs})` : "",
    spreadText(x.calls[0]?.ms),
    n3(x.calls[1]?.ms.median),
    n3(x.calls[2]?.ms.median),
    `${n3(later(x))}×`,
    n3(x.warmMs.median),
  ]);
  const p = c.phases;
  const m = c.machine;
  return `<section id="cold-start"><h2>Cold start</h2>${charts.join("")}${
    table([
      "runtime",
      "kernel",
      "mode",
      "import ms",
      "warmUp ms",
      "call 1 ms (min–max)",
      "call 2 ms",
      "call 3 ms",
      "calls 3+ / warm (median)",
      "warm ms",
    ], rows)
  }${
    p
      ? `<p class="note">${
        esc(
          `The npm bundle's load of the module alone, in Deno (${p.moduleBytes} bytes): unpack ${
            n3(p.unpackMs.median)
          } ms, compile ${n3(p.compileMs.median)} ms, instantiate ${
            n3(p.instantiateMs.median)
          } ms.`,
        )
      }</p>`
      : ""
  }<p class="note">${
    esc(
      `${m.cpu}, ${m.cores} cores; Deno ${m.deno}${
        m.node ? `, Node ${m.node}` : ""
      }${m.chromium ? `, ${m.chromium}` : ""}; ${m.commit}, ${m.date}. ${
        c.notes.join("; ")
      }`,
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
    extras.cluster ? clusterSection(extras.cluster) : "",
    extras.soak ? soakSection(extras.soak) : "",
    extras.coldStart ? coldStartSection(extras.coldStart) : "",
  ].join("");
}
