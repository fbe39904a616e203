// Copyright 2026 the @midstreamer/kit authors. MIT license.
// An independent reference of searchSubsequence for tests: every window's
// distance, then the exclusion-zone greedy.

import type { RawSearchArgs } from "./_raw_kernels.ts";
import assert from "node:assert/strict";
import {
  type SearchOptions,
  type SearchStats,
  searchSubsequence,
  type SubsequenceMatch,
} from "@midstreamer/kit";
import { typedArrayDtw } from "@midstreamer/kit/baseline";
import { searchPartWindows } from "../kernels/internal.ts";

// The documented normalization, written out independently: two passes
// (the mean, then the mean square deviation from it); a window whose
// variance is at most 1e-10 of its mean square is flat (all zeros).
export function zNormalized(w: Float64Array, normalize: boolean): Float64Array {
  if (!normalize) return w.slice();
  const m = w.length;
  let sum = 0;
  for (let i = 0; i < m; i++) sum += w[i];
  const mean = sum / m;
  let dev = 0, sq = 0;
  for (let i = 0; i < m; i++) {
    dev += (w[i] - mean) * (w[i] - mean);
    sq += w[i] * w[i];
  }
  const variance = dev / m;
  if (!(variance > 1e-10 * (sq / m))) return new Float64Array(m);
  const sd = Math.sqrt(variance);
  return w.map((v) => (v - mean) / sd);
}

/** Banded DTW with the squared cost (two rows). */
export function squaredDtw(
  a: Float64Array,
  b: Float64Array,
  w: number,
): number {
  const m = b.length;
  let prev = new Float64Array(m + 1).fill(Infinity);
  let cur = new Float64Array(m + 1);
  prev[0] = 0;
  for (let i = 1; i <= a.length; i++) {
    cur.fill(Infinity);
    for (let j = Math.max(1, i - w); j <= Math.min(m, i + w); j++) {
      const d = a[i - 1] - b[j - 1];
      cur[j] = d * d + Math.min(prev[j], prev[j - 1], cur[j - 1]);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[m];
}

export interface BruteOptions {
  k: number;
  window: number;
  exclusionZone: number;
  squared: boolean;
  normalize: boolean;
}

/** The options of {@linkcode searchSubsequence} for the brute force's. */
export function options(o: BruteOptions, stats?: SearchStats): SearchOptions {
  return {
    k: o.k,
    window: o.window,
    exclusionZone: o.exclusionZone,
    cost: o.squared ? "squared" : "absolute",
    normalize: o.normalize,
    ...(stats === undefined ? {} : { stats }),
  };
}

/**
 * Brute force: every window's distance (two-pass normalization), then the
 * exclusion-zone greedy.
 */
export function brute(
  x: Float64Array,
  q: Float64Array,
  o: BruteOptions,
): { start: number; end: number; distance: number }[] {
  const m = q.length;
  const qz = zNormalized(q, o.normalize);
  const all = [];
  for (let start = 0; start + m <= x.length; start++) {
    const z = zNormalized(x.subarray(start, start + m), o.normalize);
    const distance = o.squared
      ? squaredDtw(z, qz, o.window)
      : typedArrayDtw(z, qz, o.window);
    all.push({ start, end: start + m - 1, distance });
  }
  return pick(all, o.k, o.exclusionZone);
}

/** A window of a brute-force search. */
export interface Window {
  start: number;
  end: number;
  distance: number;
}

/**
 * Sorts every window by (distance, start), then keeps each unless it starts
 * less than `exclusionZone` from one kept, until `k` are kept.
 */
export function pick(
  all: Window[],
  k: number,
  exclusionZone: number,
): Window[] {
  all.sort((a, b) => a.distance - b.distance || a.start - b.start);
  const picked: Window[] = [];
  for (const c of all) {
    if (picked.length === k) break;
    if (picked.every((p) => Math.abs(p.start - c.start) >= exclusionZone)) {
      picked.push(c);
    }
  }
  return picked;
}

/** Every window counted once by the counters of a search. */
export function assertCounted(
  stats: SearchStats,
  windows: number,
  label: string,
): void {
  assert.equal(stats.windows, windows, label);
  assert.equal(
    stats.prunedByKim + stats.prunedByKeoghEQ + stats.prunedByKeoghEC +
      stats.abandoned + stats.computed,
    windows,
    label,
  );
}

/**
 * `searchSubsequence` (the kit's, not the reference) with the series
 * streamed through WebAssembly memory in parts of `windows` windows (one
 * pass: `Infinity`).
 */
export function inParts(
  windows: number,
  x: Parameters<typeof searchSubsequence>[0],
  q: Parameters<typeof searchSubsequence>[1],
  o: SearchOptions,
): SubsequenceMatch[] {
  const before = searchPartWindows(
    windows === Infinity ? 2 ** 40 : windows,
  );
  try {
    return searchSubsequence(x, q, o);
  } finally {
    searchPartWindows(before);
  }
}

/**
 * The exclusion-zone greedy over `[index, distance]` pairs of a kernel's
 * candidates: sorted by (distance, index), each kept unless it lies less
 * than `ez` from one kept, until `k` are kept.
 */
export function greedy(
  hits: Array<[number, number]>,
  k: number,
  ez: number,
): Array<[number, number]> {
  const sorted = [...hits].sort((a, b) => a[1] - b[1] || a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const h of sorted) {
    if (out.length === k) break;
    if (out.every((o) => Math.abs(o[0] - h[0]) >= ez)) out.push(h);
  }
  return out;
}

/** A case of the raw search kernel: series, query and arguments. */
export interface RawCase {
  x: Float64Array;
  q: Float64Array;
  a: RawSearchArgs;
}
