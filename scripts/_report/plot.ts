// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * Observable Plot, rendered to static SVG without a browser: Plot draws
 * into a `linkedom` document, and the report inlines the SVG text.
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import { DOMParser } from "linkedom";

export { Plot };

/** Escapes text for HTML. */
export function esc(text: unknown): string {
  return String(text).replace(
    /[&<>"']/g,
    (c) => `&#${c.charCodeAt(0)};`,
  );
}

/** Renders a plot to its SVG (or figure) markup. */
export function plotSvg(options: Plot.PlotOptions): string {
  const document = new DOMParser().parseFromString(
    "<!doctype html><html><body></body></html>",
    "text/html",
  );
  return Plot.plot({ ...options, document }).outerHTML;
}

/** Shortens a label for a chart's axis (tables keep it whole). */
export function shortLabel(label: string, max = 64): string {
  return label.length <= max ? label : `${label.slice(0, max - 1)}…`;
}

/** Tick labels of a ratio or factor axis: `0.5`, `1`, `20`, `1000`. */
export const factorTicks = (v: number): string => String(+v.toPrecision(2));

/** Tick labels of a time axis in nanoseconds: `500 ns`, `2 µs`, `10 ms`. */
export const timeTicks = (ns: number): string =>
  ns >= 1e9
    ? `${+(ns / 1e9).toPrecision(2)} s`
    : ns >= 1e6
    ? `${+(ns / 1e6).toPrecision(2)} ms`
    : ns >= 1e3
    ? `${+(ns / 1e3).toPrecision(2)} µs`
    : `${+ns.toPrecision(2)} ns`;

/** What {@linkcode figure} wraps. */
export interface FigureSpec {
  /** An identifier, e.g. `comparison` or `speedup-dtw`. */
  id: string;
  /** The caption. */
  title: string;
  /** The chart's SVG, or `undefined` for "no data". */
  svg?: string;
  /** How many dots the chart draws (the page checks they were drawn). */
  dots: number;
  /** A note under the chart. */
  note?: string;
}

/**
 * A `<figure>` with its caption. `data-dots` is the number of dots it
 * should show; the page's script sets `data-drawn` to the number it drew.
 */
export function figure(spec: FigureSpec): string {
  const body = spec.svg ?? `<p class="nodata">no data</p>`;
  return `<figure data-chart="${esc(spec.id)}" data-dots="${
    spec.svg ? spec.dots : 0
  }"><figcaption>${esc(spec.title)}</figcaption>${body}${
    spec.note ? `<p class="note">${esc(spec.note)}</p>` : ""
  }</figure>`;
}

/** A table from rows of cells (already formatted); `header` cells first. */
export function table(header: string[], rows: string[][], cls = ""): string {
  const head = header.map((h) => `<th>${esc(h)}</th>`).join("");
  const body = rows.map((r) =>
    `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`
  ).join("");
  return `<table${
    cls ? ` class="${cls}"` : ""
  }><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}
