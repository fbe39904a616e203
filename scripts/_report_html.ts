// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * The self-contained HTML report of `deno task compare --html FILE`: inline
 * SVG charts, the system block, the comparison with the baseline and the raw
 * tables. No external scripts, styles or fonts; one small inline script
 * counts the chart marks the browser actually drew (`data-drawn` on each
 * `<figure data-chart>`, next to the `data-points` it should have drawn).
 *
 * Charts find their data by pattern and show "no data" when it is absent:
 *
 * - Bench groups are split at the first word with a digit into a family and
 *   a configuration: `dtw 100` → (`dtw`, `100`), `lcs 10x50` → (`lcs`,
 *   `10x50`), `matrix 10×50, 3 symbols` → (`matrix`, `10×50, 3 symbols`).
 *   Every family starting with `dtw` (DTW) or with `lcs` or `matrix` (LCS)
 *   gets a speedup chart (bars against the group's baseline, whiskers for
 *   the noise range) and a time chart (time per operation across
 *   configurations). Series are the
 *   entry names without a trailing configuration, e.g. `kit dtw (100)` →
 *   `kit dtw`, `kit lcs (10×50/3)` → `kit lcs`.
 * - `extras.transport`: records anywhere in it (arrays of objects, or maps
 *   such as `{ quic: { "1024": { p50, p99 } } }`) with percentile fields
 *   `p50`, `p95`, `p99`, ... in milliseconds (or `unit: "ns" | "us" | "ms" |
 *   "s"`). Records with a `transport` and a `size` (bytes) draw latency
 *   by transport and size; the others (e.g. `{ mode: "quic-0rtt", p50 }`)
 *   draw percentiles by their string fields.
 * - `extras.load`: records with a time field (`t`, `time`, `second(s)`,
 *   `elapsed`, or in milliseconds `tMs`, `timeMs`, `elapsedMs`, `atMs`) and
 *   a throughput field (`throughput`, `opsPerSec`, `perSecond`, `rate`,
 *   `rps`, `qps`) draw throughput over time, one line per record array or
 *   per string fields.
 *
 * Every extra is also shown as a raw table.
 *
 * @module
 */

import {
  type BenchGroup,
  type Change,
  type Comparison,
  failureOf,
  fmt3,
  formatChange,
  formatSpeedup,
  formatTime,
  groupBenches,
  isObject,
  keyOf,
  type Results,
} from "./_compare_results.ts";

const PALETTE = [
  "#4e79a7",
  "#f28e2b",
  "#e15759",
  "#59a14f",
  "#b07aa1",
  "#76b7b2",
  "#edc948",
  "#9c755f",
  "#ff9da7",
  "#6b6ecf",
  "#8c8c8c",
];
const DASH = "6 3";

/** HTML-escapes text. */
export function esc(text: unknown): string {
  return String(text).replace(
    /[&<>"']/g,
    (c) => `&#${c.charCodeAt(0)};`,
  );
}

/** A line or bar series; `null` values are gaps. */
interface Series {
  name: string;
  values: (number | null)[];
  /** Whisker range per value (bars). */
  range?: ([number, number] | null)[];
  color: string;
  dash?: string;
}

/** What {@linkcode chart} draws. */
interface ChartSpec {
  id: string;
  title: string;
  /** One line below the chart; says how to read it. */
  note: string;
  kind: "bar" | "line";
  /** Category labels (bars, lines) or numeric x values (lines). */
  x: string[] | number[];
  xTitle: string;
  yTitle: string;
  yLog: boolean;
  /** Tick and tooltip format of y values. */
  yFormat: (v: number) => string;
  series: Series[];
  /** Bars grow from this value (default the axis bottom); a rule is drawn. */
  reference?: number;
  /** Why there is nothing to draw, when `series` is empty. */
  empty?: string;
  /** Written in a category that has no value in any series. */
  gap?: string;
}

/** Chart width and plot height (the x labels add to the height). */
const W = 640, PLOT_H = 242;

/** Up to three significant digits, no trailing zeros: `0.5`, `1`, `430`. */
const short = (v: number) => String(+v.toPrecision(3));
const M = { left: 70, right: 14, top: 14 };

function niceStep(span: number, count: number): number {
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

interface Scale {
  at(v: number): number;
  ticks: number[];
  lo: number;
}

function logScale(values: number[], from: number, to: number): Scale {
  const lo = 10 ** Math.floor(Math.log10(Math.min(...values)));
  let hi = 10 ** Math.ceil(Math.log10(Math.max(...values)));
  if (hi <= lo) hi = lo * 10;
  const span = Math.log10(hi) - Math.log10(lo);
  const ticks: number[] = [];
  for (let d = lo; d <= hi * 1.0001; d *= 10) {
    for (const m of span <= 2 ? [1, 2, 5] : [1]) {
      if (d * m <= hi * 1.0001) ticks.push(d * m);
    }
  }
  return {
    at: (v) => from + (Math.log10(v) - Math.log10(lo)) / span * (to - from),
    ticks,
    lo,
  };
}

function linearScale(values: number[], from: number, to: number): Scale {
  const min = Math.min(0, ...values);
  const max = Math.max(...values);
  const step = niceStep(max - min || 1, 5);
  const lo = Math.floor(min / step) * step;
  const hi = Math.max(Math.ceil(max / step) * step, lo + step);
  const ticks: number[] = [];
  for (let t = lo; t <= hi + step / 2; t += step) {
    ticks.push(+t.toPrecision(12));
  }
  return { at: (v) => from + (v - lo) / (hi - lo) * (to - from), ticks, lo };
}

/** Renders one chart as a `<figure>`, or its "no data" placeholder. */
function chart(spec: ChartSpec): string {
  const head = `<figcaption>${esc(spec.title)}</figcaption>`;
  const values = spec.series.flatMap((s) => [
    ...s.values.filter((v): v is number => v !== null),
    ...(s.range ?? []).flatMap((r) => r ?? []),
  ]).filter((v) => Number.isFinite(v) && (!spec.yLog || v > 0));
  if (values.length === 0) {
    return `<figure class="chart" data-chart="${
      esc(spec.id)
    }" data-points="0">${head}<p class="nodata">no data${
      spec.empty ? `: ${esc(spec.empty)}` : ""
    }</p></figure>`;
  }
  if (spec.reference !== undefined) values.push(spec.reference);
  const plotW = W - M.left - M.right;
  const numeric = typeof spec.x[0] === "number";
  const band = plotW / spec.x.length;
  // Category labels too long for their band are turned by 35°.
  const longest = numeric
    ? 0
    : Math.min(32, Math.max(...(spec.x as string[]).map((l) => l.length)));
  const turn = longest * 6 > band - 4;
  const bottom = turn ? 34 + longest * 4.3 : 44;
  const H = M.top + PLOT_H + bottom;
  const y = (spec.yLog ? logScale : linearScale)(
    values,
    H - bottom,
    M.top,
  );
  const xs = spec.x as number[];
  const xScale = numeric ? linearScale(xs, M.left, W - M.right) : undefined;
  const xAt = (i: number) =>
    xScale ? xScale.at(xs[i]) : M.left + band * (i + 0.5);
  const parts: string[] = [];
  // Grid and y axis.
  for (const t of y.ticks) {
    const py = y.at(t).toFixed(1);
    parts.push(
      `<line class="grid" x1="${M.left}" x2="${
        W - M.right
      }" y1="${py}" y2="${py}"/>`,
      `<text class="tick" x="${
        M.left - 6
      }" y="${py}" dy="0.32em" text-anchor="end">${
        esc(spec.yFormat(t))
      }</text>`,
    );
  }
  // x axis labels.
  const xTicks = xScale
    ? xScale.ticks.map((t) => [xScale.at(t), short(t)] as const)
    : (spec.x as string[]).map((label, i) => [xAt(i), label] as const);
  for (const [px, label] of xTicks) {
    const at = `x="${px.toFixed(1)}" y="${H - bottom + 16}"`;
    parts.push(
      turn
        ? `<text class="tick" ${at} text-anchor="end" transform="rotate(-35 ${
          px.toFixed(1)
        } ${H - bottom + 12})">${esc(label)}</text>`
        : `<text class="tick" ${at} text-anchor="middle">${esc(label)}</text>`,
    );
  }
  parts.push(
    `<line class="axis" x1="${M.left}" x2="${W - M.right}" y1="${
      H - bottom
    }" y2="${H - bottom}"/>`,
    `<text class="title" x="${M.left + plotW / 2}" y="${
      H - 6
    }" text-anchor="middle">${esc(spec.xTitle)}</text>`,
    `<text class="title" transform="translate(14 ${
      (M.top + H - bottom) / 2
    }) rotate(-90)" text-anchor="middle">${esc(spec.yTitle)}</text>`,
  );
  const base = spec.reference ?? (spec.yLog ? y.lo : y.ticks[0]);
  if (spec.reference !== undefined) {
    const py = y.at(spec.reference).toFixed(1);
    parts.push(
      `<line class="reference" x1="${M.left}" x2="${
        W - M.right
      }" y1="${py}" y2="${py}"/>`,
    );
  }
  if (spec.gap && !numeric) {
    spec.x.forEach((_, i) => {
      if (spec.series.every((s) => s.values[i] === null)) {
        parts.push(
          `<text class="tick" x="${xAt(i).toFixed(1)}" y="${
            ((M.top + H - bottom) / 2).toFixed(1)
          }" text-anchor="middle">${esc(spec.gap)}</text>`,
        );
      }
    });
  }
  let points = 0;
  const tip = (s: Series, i: number, v: number) =>
    `<title>${esc(s.name)} · ${esc(String(spec.x[i]))}: ${
      esc(spec.yFormat(v))
    }</title>`;
  if (spec.kind === "bar") {
    const groupW = band * 0.84;
    const barW = groupW / spec.series.length;
    spec.series.forEach((s, k) => {
      s.values.forEach((v, i) => {
        if (v === null || !(v > 0 || !spec.yLog)) return;
        const x0 = xAt(i) - groupW / 2 + k * barW;
        const y0 = y.at(base), y1 = y.at(v);
        const top = Math.min(y0, y1), h = Math.max(1, Math.abs(y1 - y0));
        parts.push(
          `<rect class="mark" x="${(x0 + 1).toFixed(1)}" y="${
            top.toFixed(1)
          }" width="${(barW - 2).toFixed(1)}" height="${
            h.toFixed(1)
          }" fill="${s.color}">${tip(s, i, v)}</rect>`,
        );
        points++;
        const r = s.range?.[i];
        const cx = (x0 + barW / 2).toFixed(1);
        if (r) {
          parts.push(
            `<line class="whisker" x1="${cx}" x2="${cx}" y1="${
              y.at(r[0]).toFixed(1)
            }" y2="${y.at(r[1]).toFixed(1)}"/>`,
          );
        }
        if (barW >= 22) {
          const up = y1 <= y0;
          const ly = up ? Math.min(y1, r ? y.at(r[1]) : y1) - 3 : y1 + 10;
          parts.push(
            `<text class="label" x="${cx}" y="${
              ly.toFixed(1)
            }" text-anchor="middle">${esc(spec.yFormat(v))}</text>`,
          );
        }
      });
    });
  } else {
    for (const s of spec.series) {
      let d = "";
      let pen = false;
      s.values.forEach((v, i) => {
        if (v === null || (spec.yLog && !(v > 0))) {
          pen = false;
          return;
        }
        d += `${pen ? "L" : "M"}${xAt(i).toFixed(1)} ${y.at(v).toFixed(1)}`;
        pen = true;
      });
      parts.push(
        `<path class="line" d="${d}" stroke="${s.color}"${
          s.dash ? ` stroke-dasharray="${s.dash}"` : ""
        }/>`,
      );
      s.values.forEach((v, i) => {
        if (v === null || (spec.yLog && !(v > 0))) return;
        parts.push(
          `<circle class="mark" cx="${xAt(i).toFixed(1)}" cy="${
            y.at(v).toFixed(1)
          }" r="3.2" fill="${s.color}">${tip(s, i, v)}</circle>`,
        );
        points++;
      });
    }
  }
  const legend = spec.series.map((s) =>
    `<li><svg width="22" height="10" aria-hidden="true">${
      spec.kind === "bar"
        ? `<rect x="3" y="1" width="16" height="8" fill="${s.color}"/>`
        : `<line x1="1" x2="21" y1="5" y2="5" stroke="${s.color}" stroke-width="2.4"${
          s.dash ? ` stroke-dasharray="${s.dash}"` : ""
        }/>`
    }</svg>${esc(s.name)}</li>`
  ).join("");
  return `<figure class="chart" data-chart="${
    esc(spec.id)
  }" data-points="${points}">${head}<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${
    esc(spec.title)
  }">${parts.join("")}</svg><ul class="legend">${legend}</ul><p class="note">${
    esc(spec.note)
  }</p></figure>`;
}

/** Consistent colours: the same series name gets the same colour everywhere. */
function palette(): (name: string) => string {
  const seen = new Map<string, string>();
  return (name) => {
    let c = seen.get(name);
    if (!c) seen.set(name, c = PALETTE[seen.size % PALETTE.length]);
    return c;
  };
}

/** Splits a group name at the first word with a digit: `lcs 10x50` → [`lcs`, `10x50`]. */
export function splitGroup(group: string): [string, string] | undefined {
  const words = group.trim().split(/\s+/);
  const i = words.findIndex((w) => /\d/.test(w));
  if (i <= 0) return undefined;
  return [words.slice(0, i).join(" "), words.slice(i).join(" ")];
}

/** The entry name without its configuration: `kit dtw (100)` → `kit dtw`. */
export function seriesName(name: string, config: string): string {
  const paren = name.match(/^(.+?)\s*\(([^()]*)\)$/);
  if (paren && (paren[2] === config || /^[\d\s x×,.:=/]+$/.test(paren[2]))) {
    return paren[1];
  }
  return name.endsWith(` ${config}`)
    ? name.slice(0, -config.length - 1).trimEnd()
    : name;
}

function numbersIn(text: string): number[] {
  return (text.match(/\d+(?:\.\d+)?/g) ?? []).map(Number);
}

function byNumbers(a: string, b: string): number {
  const x = numbersIn(a), y = numbersIn(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i] - y[i];
  }
  return x.length - y.length;
}

interface Family {
  name: string;
  configs: string[];
  groups: Map<string, BenchGroup>;
}

/** Bench groups by family (`dtw`, `lcs`, ...), configurations sorted by their numbers. */
export function families(groups: BenchGroup[]): Family[] {
  const out = new Map<string, Family>();
  for (const g of groups) {
    const split = g.group === null ? undefined : splitGroup(g.group);
    if (!split) continue;
    const [name, config] = split;
    let f = out.get(name);
    if (!f) out.set(name, f = { name, configs: [], groups: new Map() });
    if (!f.groups.has(config)) f.configs.push(config);
    f.groups.set(config, g);
  }
  for (const f of out.values()) f.configs.sort(byNumbers);
  return [...out.values()];
}

const speedupFormat = (v: number) => `×${short(v)}`;
const timeFormat = (ns: number) =>
  formatTime(ns).replace(/\.0+ /, " ").replace(/(\.\d*?)0+ /, "$1 ");

function familyCharts(
  family: Family | undefined,
  label: string,
  configTitle: string,
  color: (name: string) => string,
): string[] {
  const id = label.toLowerCase().replace(/\W+/g, "-").replace(/^-|-$/g, "");
  const names: string[] = [];
  const cells = new Map<string, Map<string, BenchGroup["rows"][number]>>();
  let baselineName: string | undefined;
  for (const config of family?.configs ?? []) {
    for (const row of family!.groups.get(config)!.rows) {
      const name = seriesName(row.entry.name, config);
      if (row.entry.baseline) baselineName = name;
      if (!cells.has(name)) {
        names.push(name);
        cells.set(name, new Map());
      }
      cells.get(name)!.set(config, row);
    }
  }
  const configs = family?.configs ?? [];
  const empty =
    `no ${label} bench groups (e.g. "${label.toLowerCase()} 100") in this run`;
  const speed: ChartSpec = {
    id: `${id}-speedup`,
    title: `${label}: speedup against the original pure JS, by ${configTitle}`,
    note:
      "Baseline avg / entry avg (log scale, above 1 = faster); whiskers: the range of typical iterations, [min, max(p75, avg)] of each side.",
    kind: "bar",
    x: configs,
    xTitle: configTitle,
    yTitle: "speedup (×)",
    yLog: true,
    yFormat: speedupFormat,
    reference: 1,
    gap: "no baseline",
    series: names.filter((n) => n !== baselineName).map((name) => ({
      name,
      color: color(name),
      values: configs.map((c) =>
        cells.get(name)!.get(c)?.speedup?.value ?? null
      ),
      range: configs.map((c) => {
        const s = cells.get(name)!.get(c)?.speedup;
        return s ? [s.low, s.high] as [number, number] : null;
      }),
    })).filter((s) => s.values.some((v) => v !== null)),
    empty,
  };
  const time: ChartSpec = {
    id: `${id}-time`,
    title: `${label}: time per operation, by ${configTitle}`,
    note:
      "Mean time per call (log scale, lower is better); dashed: the original pure JS.",
    kind: "line",
    x: configs,
    xTitle: configTitle,
    yTitle: "time per operation",
    yLog: true,
    yFormat: timeFormat,
    series: names.map((name) => ({
      name: name === baselineName ? `${name} (baseline)` : name,
      color: color(name),
      dash: name === baselineName ? DASH : undefined,
      values: configs.map((c) => cells.get(name)!.get(c)?.stats?.avg ?? null),
    })),
    empty,
  };
  return [chart(speed), chart(time)];
}

/** A flat record found in an extra, with the map keys that led to it. */
interface Found {
  record: Record<string, unknown>;
  path: string[];
}

/** Every object in `value` (depth-limited) that has a field matching `test`. */
function findRecords(
  value: unknown,
  test: (r: Record<string, unknown>) => boolean,
  path: string[] = [],
  depth = 5,
): Found[] {
  if (depth < 0) return [];
  if (Array.isArray(value)) {
    return value.flatMap((v) => findRecords(v, test, path, depth - 1));
  }
  if (!isObject(value)) return [];
  if (test(value)) return [{ record: value, path }];
  return Object.entries(value).flatMap(([k, v]) =>
    findRecords(v, test, [...path, k], depth - 1)
  );
}

const PCT = /^p(\d+(?:\.\d+)?)(?:_?(ms|us|ns|s)|(Ms|Us|Ns))?$/;
const UNIT_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  "µs": 1e3,
  ms: 1e6,
  s: 1e9,
};

/** Percentile fields of a record, in nanoseconds, keyed `p50`, `p99`, ... */
function percentiles(r: Record<string, unknown>): Map<string, number> {
  const out = new Map<string, number>();
  const unit = typeof r.unit === "string" ? r.unit.toLowerCase() : "ms";
  for (const [k, v] of Object.entries(r)) {
    const m = k.match(PCT);
    if (!m || typeof v !== "number" || !Number.isFinite(v)) continue;
    const u = (m[2] ?? m[3] ?? unit).toLowerCase();
    out.set(`p${m[1]}`, v * (UNIT_NS[u] ?? 1e6));
  }
  return out;
}

function labelFields(r: Record<string, unknown>, skip: string[]): string {
  return Object.entries(r).filter(([k, v]) =>
    typeof v === "string" && v !== "-" && v !== "" && !skip.includes(k) &&
    k !== "unit"
  ).map(([, v]) => v).join(" · ");
}

function formatBytes(n: number): string {
  if (n >= 1 << 20 && n % (1 << 20) === 0) return `${n / (1 << 20)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} B`;
}

function pctOrder(a: string, b: string): number {
  return Number(a.slice(1)) - Number(b.slice(1));
}

function transportCharts(
  extra: unknown,
  color: (name: string) => string,
): string[] {
  const found = findRecords(extra, (r) => percentiles(r).size > 0);
  const sizeOf = (f: Found): number | undefined => {
    const r = f.record;
    const v = r.size ?? r.bytes ?? r.messageSize ?? r.payloadBytes;
    if (typeof v === "number") return v;
    const key = f.path.findLast((p) => /^\d+$/.test(p));
    return key === undefined ? undefined : Number(key);
  };
  // A transport is named by a `transport`/`protocol` field (plus the
  // record's other string fields, e.g. the client), or by the map key above
  // the size in `{ quic: { "1024": { p50 } } }`.
  const transportOf = (f: Found): string | undefined => {
    const r = f.record;
    const t = r.transport ?? r.protocol;
    if (typeof t === "string") {
      const rest = labelFields(r, ["transport", "protocol"]);
      return rest ? `${t} · ${rest}` : t;
    }
    const key = f.path.findLast((p) => !/^\d+$/.test(p));
    return labelFields(r, []) === "" && key ? key : undefined;
  };
  const bySize = found.filter((f) =>
    sizeOf(f) !== undefined && transportOf(f) !== undefined
  );
  const others = found.filter((f) => !bySize.includes(f));
  const sizes = [...new Set(bySize.map((f) => sizeOf(f)!))].sort((a, b) =>
    a - b
  );
  const pcts = [
    ...new Set(bySize.flatMap((f) => [...percentiles(f.record).keys()])),
  ].sort(pctOrder);
  const [lowP, highP] = [pcts[0], pcts[pcts.length - 1]];
  const transports = [...new Set(bySize.map((f) => transportOf(f)!))];
  const cell = (t: string, size: number) =>
    bySize.find((f) => transportOf(f) === t && sizeOf(f) === size);
  const latency: ChartSpec = {
    id: "transport-latency",
    title: "Transport: round-trip latency by transport and message size",
    note:
      `Bar: ${lowP}; whisker: ${lowP} … ${highP} (log scale, lower is better).`,
    kind: "bar",
    x: sizes.map(formatBytes),
    xTitle: "message size",
    yTitle: "round trip",
    yLog: true,
    yFormat: timeFormat,
    series: transports.map((t) => {
      const pct = sizes.map((size) => {
        const f = cell(t, size);
        return f ? percentiles(f.record) : undefined;
      });
      return {
        name: t,
        color: color(t),
        values: pct.map((p) => p?.get(lowP) ?? null),
        range: pct.map((p) =>
          p?.has(lowP) && p.has(highP)
            ? [p.get(lowP)!, p.get(highP)!] as [number, number]
            : null
        ),
      };
    }),
    empty: extra === undefined
      ? "extras.transport is absent (run the transport suite with scripts/transport_report.ts)"
      : "no records with transport, size and p50/p99 in extras.transport",
  };
  const labels = [
    ...new Set(
      others.map((f) => labelFields(f.record, []) || f.path.join(" · ")),
    ),
  ];
  const otherPcts = [
    ...new Set(others.flatMap((f) => [...percentiles(f.record).keys()])),
  ].sort(pctOrder);
  const setup: ChartSpec = {
    id: "transport-other",
    title: "Transport: connection set-up and multiplexing percentiles",
    note: "Log scale, lower is better.",
    kind: "bar",
    x: labels,
    xTitle: "",
    yTitle: "time",
    yLog: true,
    yFormat: timeFormat,
    series: otherPcts.map((p) => ({
      name: p,
      color: color(`percentile ${p}`),
      values: labels.map((l) => {
        const f = others.find((f) =>
          (labelFields(f.record, []) || f.path.join(" · ")) === l
        );
        return f ? percentiles(f.record).get(p) ?? null : null;
      }),
    })),
    empty: extra === undefined
      ? "extras.transport is absent"
      : "no other percentile records in extras.transport",
  };
  return [chart(latency), ...(others.length > 0 ? [chart(setup)] : [])];
}

const TIME_S = ["t", "time", "second", "seconds", "elapsed", "elapsedS", "s"];
const TIME_MS = ["tMs", "timeMs", "elapsedMs", "atMs", "ms"];
const RATE = [
  "throughput",
  "opsPerSec",
  "ops_per_sec",
  "perSecond",
  "rate",
  "rps",
  "qps",
];

function loadChart(extra: unknown, color: (name: string) => string): string {
  const time = (r: Record<string, unknown>): number | undefined => {
    for (const k of TIME_S) if (typeof r[k] === "number") return r[k] as number;
    for (const k of TIME_MS) {
      if (typeof r[k] === "number") return (r[k] as number) / 1000;
    }
    return undefined;
  };
  const rate = (r: Record<string, unknown>): number | undefined => {
    const k = RATE.find((k) => typeof r[k] === "number");
    return k === undefined ? undefined : r[k] as number;
  };
  const found = findRecords(
    extra,
    (r) => time(r) !== undefined && rate(r) !== undefined,
  );
  const nameOf = (f: Found) =>
    labelFields(f.record, []) || f.path.join(" · ") || "throughput";
  const names = [...new Set(found.map(nameOf))];
  const xs = [...new Set(found.map((f) => time(f.record)!))].sort((a, b) =>
    a - b
  );
  return chart({
    id: "load-throughput",
    title: "Load: throughput over time",
    note:
      "Operations per second during the sustained load test (higher is better).",
    kind: "line",
    x: xs,
    xTitle: "time (s)",
    yTitle: "operations / s",
    yLog: false,
    yFormat: (v) => (v >= 1e4 ? `${short(v / 1e3)}k` : short(v)),
    series: names.map((name) => {
      const mine = found.filter((f) => nameOf(f) === name);
      return {
        name,
        color: color(name),
        values: xs.map((x) =>
          rate(mine.find((f) => time(f.record) === x)?.record ?? {}) ?? null
        ),
      };
    }),
    empty: extra === undefined
      ? "extras.load is absent (run the load suite with scripts/load.ts)"
      : "no records with time and throughput in extras.load",
  });
}

function systemBlock(results: Results): string {
  const s = results.system;
  const rows: [string, string][] = [];
  if (s) {
    rows.push(
      ["CPU", `${s.cpu} (${s.cores} logical cores)`],
      ["Memory", `${(s.memoryBytes / 2 ** 30).toFixed(1)} GiB`],
      ["OS", `${s.os} ${s.osRelease} (${s.arch})`],
      ["Deno", `${s.deno} (V8 ${s.v8}, TypeScript ${s.typescript})`],
      ["Commit", `${s.commit}${s.dirty ? " (with uncommitted changes)" : ""}`],
      ["Date", s.date],
    );
  } else {
    rows.push(["Runtime", results.runtime], ["CPU", results.cpu]);
  }
  if (results.run) {
    rows.push(
      ["Suites", results.run.suites.join(", ")],
      ["Mode", results.run.quick ? "quick (BENCH_QUICK=1)" : "full"],
      ["Duration", `${(results.run.durationMs / 1000).toFixed(1)} s`],
    );
  }
  return `<dl class="system">${
    rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join("")
  }</dl>`;
}

function comparisonBlock(comparison: Comparison, baselineName: string): string {
  const by = (v: Change["verdict"]) =>
    comparison.changes.filter((c) => c.verdict === v);
  const line = (c: Change) =>
    c.old && c.new
      ? `<li class="${c.verdict}"><b>${c.verdict}</b>: ${esc(c.label)}: avg ${
        esc(formatTime(c.old.avg))
      } → ${esc(formatTime(c.new.avg))} (${
        esc(formatChange(c.old.avg, c.new.avg))
      }), min ${esc(formatTime(c.old.min))} → ${
        esc(formatTime(c.new.min))
      }</li>`
      : `<li class="${c.verdict}"><b>${c.verdict}</b>: ${esc(c.key)}</li>`;
  const listed = [
    ...by("regression"),
    ...by("improvement"),
    ...by("added"),
    ...by("removed"),
  ];
  const count = (v: Change["verdict"]) => by(v).length;
  return `<p class="summary ${
    count("regression") > 0 ? "bad" : "good"
  }">Against <code>${esc(baselineName)}</code> (threshold ${
    esc(fmt3(comparison.threshold * 100))
  }%): ${count("regression")} regressions, ${
    count("improvement")
  } improvements, ${count("added")} added, ${count("removed")} removed, ${
    count("unchanged")
  } unchanged.</p>${
    listed.length > 0
      ? `<ul class="changes">${listed.map(line).join("")}</ul>`
      : ""
  }<p class="note">A regression is new.avg &gt; old.avg·(1+t), new.min &gt; old.min·(1+t) and new.min &gt; old.p75 (t = threshold).</p>`;
}

function benchTable(results: Results, comparison?: Comparison): string {
  const changes = new Map(comparison?.changes.map((c) => [c.key, c]));
  const head = [
    "group",
    "benchmark",
    "n",
    "min",
    "avg",
    "p75",
    "p99",
    "max",
    "speedup (range)",
    ...(comparison ? ["vs baseline file"] : []),
  ];
  const rows: string[] = [];
  for (const g of groupBenches(results.benches)) {
    for (const { entry, stats, speedup } of g.rows) {
      const c = changes.get(keyOf(entry));
      const cells = stats
        ? [
          String(stats.n),
          formatTime(stats.min),
          formatTime(stats.avg),
          formatTime(stats.p75),
          formatTime(stats.p99),
          formatTime(stats.max),
          speedup
            ? `${formatSpeedup(speedup.value)} (${fmt3(speedup.low)}–${
              fmt3(speedup.high)
            })`
            : "",
        ]
        : ["failed", failureOf(entry) ?? "", "", "", "", "", ""];
      if (comparison) {
        cells.push(
          c?.old && c.new
            ? `${formatChange(c.old.avg, c.new.avg)}${
              c.verdict === "unchanged" ? "" : ` ${c.verdict}`
            }`
            : c?.verdict ?? "",
        );
      }
      rows.push(
        `<tr class="${c?.verdict ?? ""}${entry.baseline ? " base" : ""}"><td>${
          esc(g.group ?? "")
        }</td><td>${esc(entry.name)}${
          entry.baseline ? " <small>(baseline)</small>" : ""
        }</td>${
          cells.map((x) => `<td class="num">${esc(x)}</td>`).join("")
        }</tr>`,
      );
    }
  }
  return `<table class="raw"><thead><tr>${
    head.map((h) => `<th>${esc(h)}</th>`).join("")
  }</tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

const MAX_ROWS = 500;

/** Renders any JSON value as nested tables (arrays of records as one table). */
export function rawValue(value: unknown, depth = 0): string {
  if (depth > 6) return esc(JSON.stringify(value));
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const flat = value.every((v) =>
      isObject(v) &&
      Object.values(v).every((x) => !isObject(x) && !Array.isArray(x))
    );
    const shown = value.slice(0, MAX_ROWS);
    const more = value.length > MAX_ROWS
      ? `<p class="note">… ${value.length - MAX_ROWS} more</p>`
      : "";
    if (flat) {
      const keys = [
        ...new Set(shown.flatMap((v) => Object.keys(v as object))),
      ];
      return `<table class="raw"><thead><tr>${
        keys.map((k) => `<th>${esc(k)}</th>`).join("")
      }</tr></thead><tbody>${
        shown.map((v) =>
          `<tr>${
            keys.map((k) => {
              const x = (v as Record<string, unknown>)[k];
              return `<td${typeof x === "number" ? ' class="num"' : ""}>${
                x === undefined ? "" : esc(x)
              }</td>`;
            }).join("")
          }</tr>`
        ).join("")
      }</tbody></table>${more}`;
    }
    return `<ol>${
      shown.map((v) => `<li>${rawValue(v, depth + 1)}</li>`).join("")
    }</ol>${more}`;
  }
  if (isObject(value)) {
    return `<table class="kv"><tbody>${
      Object.entries(value).map(([k, v]) =>
        `<tr><th>${esc(k)}</th><td>${rawValue(v, depth + 1)}</td></tr>`
      ).join("")
    }</tbody></table>`;
  }
  return esc(value === null ? "null" : String(value));
}

const CSS = `
:root { color-scheme: light; --fg: #1d2430; --muted: #5b6576; --line: #d9dee7; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1360px; padding: 24px; color: var(--fg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 10px; }
.sub { color: var(--muted); margin: 0 0 16px; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(600px, 1fr)); gap: 16px; }
figure.chart { margin: 0; padding: 12px 14px; border: 1px solid var(--line); border-radius: 8px; background: #fff; }
figcaption { font-weight: 600; margin-bottom: 6px; }
svg { display: block; width: 100%; height: auto; }
.grid { stroke: #eceff4; } .axis { stroke: #9aa3b2; } .reference { stroke: #1d2430; stroke-dasharray: 4 3; }
.tick { font-size: 11px; fill: var(--muted); } .title { font-size: 11px; fill: var(--fg); }
.label { font-size: 9.5px; fill: var(--fg); } .whisker { stroke: #1d2430; stroke-width: 1.2; }
.line { fill: none; stroke-width: 2; }
.legend { list-style: none; padding: 0; margin: 6px 0 0; display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 12px; }
.legend li { display: flex; align-items: center; gap: 4px; }
.legend svg { width: 22px; flex: none; }
.note { color: var(--muted); font-size: 12px; margin: 6px 0 0; }
.nodata { color: var(--muted); font-style: italic; padding: 40px 0; text-align: center; }
dl.system { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
dt { color: var(--muted); } dd { margin: 0; }
table { border-collapse: collapse; font-size: 12.5px; }
th, td { padding: 3px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.kv > tbody > tr > th { color: var(--muted); font-weight: 500; }
tr.base td { background: #f6f8fb; }
tr.regression td, li.regression { color: #b3261e; } tr.improvement td, li.improvement { color: #1e7b34; }
.summary { font-weight: 600; } .summary.bad { color: #b3261e; } .summary.good { color: #1e7b34; }
details { margin: 8px 0; } summary { cursor: pointer; font-weight: 600; }
`;

// Counts the marks the browser drew (non-empty boxes) into data-drawn.
const SCRIPT = `
for (const fig of document.querySelectorAll("figure[data-chart]")) {
  let drawn = 0;
  for (const mark of fig.querySelectorAll(".mark")) {
    const box = mark.getBBox();
    if (box.width > 0 && box.height > 0) drawn++;
  }
  fig.dataset.drawn = String(drawn);
}
document.body.dataset.rendered = "true";
`;

/** Which bench families get speedup and time charts. */
const FAMILY_CHARTS = [
  { pattern: /^dtw\b/i, label: "DTW", configTitle: "series length" },
  {
    pattern: /^(lcs|matrix)\b/i,
    label: "LCS",
    configTitle: "strategies × signals",
  },
];

/**
 * Renders the report: charts, system block, comparison (when given) and raw
 * tables of the benchmarks and of every extra.
 */
export function renderHtml(
  results: Results,
  comparison?: Comparison,
  baselineName = "the baseline",
): string {
  const color = palette();
  const groups = groupBenches(results.benches);
  const fams = families(groups);
  const charts: string[] = [];
  for (const { pattern, label, configTitle } of FAMILY_CHARTS) {
    const mine = fams.filter((f) => pattern.test(f.name));
    if (mine.length === 0) {
      charts.push(...familyCharts(undefined, label, configTitle, color));
    }
    for (const f of mine) {
      const name = f.name.toLowerCase() === label.toLowerCase()
        ? label
        : `${label} (${f.name})`;
      charts.push(...familyCharts(f, name, configTitle, color));
    }
  }
  charts.push(...transportCharts(results.extras?.transport, color));
  charts.push(loadChart(results.extras?.load, color));
  const s = results.system;
  const extras = Object.entries(results.extras ?? {});
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>@midstreamer/kit benchmark report${s ? ` · ${esc(s.date)}` : ""}</title>
<style>${CSS}</style>
</head>
<body>
<h1>@midstreamer/kit benchmark report</h1>
<p class="sub">${
    s
      ? `${esc(s.date)} · commit ${esc(s.commit.slice(0, 12))}${
        s.dirty ? " (dirty)" : ""
      } · ${esc(s.cpu)}`
      : esc(results.runtime)
  }${results.run?.quick ? " · quick mode" : ""}</p>
${comparison ? comparisonBlock(comparison, baselineName) : ""}
<h2>Charts</h2>
<div class="charts">
${charts.join("\n")}
</div>
<h2>System</h2>
${systemBlock(results)}
<h2>Benchmarks</h2>
${benchTable(results, comparison)}
${
    extras.length > 0
      ? `<h2>Extras</h2>\n${
        extras.map(([name, value]) =>
          `<details open><summary>extras.${esc(name)}</summary>${
            rawValue(value)
          }</details>`
        ).join("\n")
      }`
      : ""
  }
<script>${SCRIPT}</script>
</body>
</html>
`;
}
