// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Validation and packing of the inputs of the batch and search kernels. Internal.

import { copySeries, describe, seriesLength } from "./_input.ts";
import { checkOptionKeys, DTW_OPTION_KEYS, dtwArgs } from "./_options.ts";
import type { SearchArgs } from "./_search_kernels.ts";
import type { SearchOptions, SearchStats, TopKStats } from "./search_types.ts";

/** The options `topK` accepts: `dtw`'s and `stats`. */
export const TOP_K_KEYS: readonly string[] = [...DTW_OPTION_KEYS, "stats"];

const SEARCH_KEYS = [
  "k",
  "window",
  "normalize",
  "exclusionZone",
  "cost",
  "stats",
];

/** Most points all patterns of one call may have together: 2^27 (1 GiB). */
export const MAX_TOTAL_POINTS = 2 ** 27;

/** Patterns stored back to back: pattern `i` is `flat[offsets[i]..offsets[i + 1]]`. */
export interface PackedPatterns {
  flat: Float64Array;
  offsets: Uint32Array;
}

/**
 * Validates a series and returns it as a `Float64Array` (a copy).
 *
 * @throws {TypeError} on a non-array or a non-finite element (naming the index).
 */
export function toF64(
  fn: string,
  name: string,
  x: ArrayLike<number>,
): Float64Array {
  const n = seriesLength(fn, name, x);
  const out = new Float64Array(n);
  copySeries(fn, name, x, out, 0);
  return out;
}

/**
 * Validates a list of series and packs it back to back.
 *
 * @throws {TypeError} when `list` is not an array, or names `name[i][j]` for a bad element.
 * @throws {RangeError} when the series hold more than {@linkcode MAX_TOTAL_POINTS} points.
 */
export function packPatterns(
  fn: string,
  name: string,
  list: ArrayLike<ArrayLike<number>>,
): PackedPatterns {
  const offsets = patternOffsets(fn, name, list);
  return packRange(fn, name, list, offsets, 0, offsets.length - 1);
}

/**
 * Validates the shape of a list of series (an array of series, not too many
 * points) and returns where each would start when packed: series `i` is
 * `offsets[i]..offsets[i + 1]`. The elements are checked by
 * {@linkcode packRange}.
 *
 * @throws {TypeError} when `list` is not an array, or names `name[i]` when it is not a series.
 * @throws {RangeError} when the series hold more than {@linkcode MAX_TOTAL_POINTS} points.
 */
export function patternOffsets(
  fn: string,
  name: string,
  list: ArrayLike<ArrayLike<number>>,
): Uint32Array {
  if (
    list === null || typeof list !== "object" ||
    typeof (list as { length?: unknown }).length !== "number" ||
    ArrayBuffer.isView(list)
  ) {
    throw new TypeError(
      `${fn}: ${name} must be an array of series, got ${describe(list)}`,
    );
  }
  const count = list.length;
  const offsets = new Uint32Array(count + 1);
  let total = 0;
  for (let i = 0; i < count; i++) {
    total += seriesLength(fn, `${name}[${i}]`, list[i]);
    if (total > MAX_TOTAL_POINTS) {
      throw new RangeError(
        `${fn}: ${name} hold more than ${MAX_TOTAL_POINTS} points together; split the call`,
      );
    }
    offsets[i + 1] = total;
  }
  return offsets;
}

/**
 * Validates the elements of series `from..to` of `list` (whose
 * {@linkcode patternOffsets} are `offsets`) and packs them into fresh,
 * transferable buffers, with offsets from 0.
 *
 * @throws {TypeError} naming `name[i][j]` for a bad element.
 */
export function packRange(
  fn: string,
  name: string,
  list: ArrayLike<ArrayLike<number>>,
  offsets: Uint32Array,
  from: number,
  to: number,
): PackedPatterns {
  const base = offsets[from];
  const part = offsets.slice(from, to + 1);
  const flat = new Float64Array(offsets[to] - base);
  for (let i = from; i < to; i++) {
    part[i - from] -= base;
    copySeries(fn, `${name}[${i}]`, list[i], flat, offsets[i] - base);
  }
  part[to - from] -= base;
  return { flat, offsets: part };
}

/**
 * Checks `k`: an integer `>= 1` (`Infinity` is accepted: all of them).
 *
 * @throws {TypeError} when `k` is not a number.
 * @throws {RangeError} when it is not an integer `>= 1`.
 */
export function kArg(fn: string, k: unknown): number {
  if (k === Infinity) return 2 ** 32 - 1;
  if (typeof k !== "number") {
    throw new TypeError(`${fn}: k must be a number, got ${describe(k)}`);
  }
  if (!Number.isInteger(k) || k < 1) {
    throw new RangeError(
      `${fn}: k must be an integer >= 1, got ${describe(k)}`,
    );
  }
  return Math.min(k, 2 ** 32 - 1);
}

/**
 * Checks a `stats` out-parameter: undefined or an object.
 *
 * @throws {TypeError} otherwise.
 */
export function statsArg<T extends TopKStats | SearchStats>(
  fn: string,
  stats: unknown,
): T | undefined {
  if (stats === undefined) return undefined;
  if (stats === null || typeof stats !== "object") {
    throw new TypeError(
      `${fn}: options.stats must be an object, got ${describe(stats)}`,
    );
  }
  return stats as T;
}

/** Writes the sum of per-chunk `topK` counters into `stats`. */
export function fillTopKStats(stats: TopKStats, parts: number[][]): void {
  const s = sumParts(parts, 4);
  stats.prunedByKim = s[0];
  stats.prunedByKeogh = s[1];
  stats.abandoned = s[2];
  stats.computed = s[3];
}

/** Writes the sum of per-segment search counters into `stats`. */
export function fillSearchStats(
  stats: SearchStats,
  windows: number,
  parts: number[][],
): void {
  const s = sumParts(parts, 5);
  stats.windows = windows;
  stats.prunedByKim = s[0];
  stats.prunedByKeoghEQ = s[1];
  stats.prunedByKeoghEC = s[2];
  stats.abandoned = s[3];
  stats.computed = s[4];
}

function sumParts(parts: number[][], n: number): number[] {
  const s = new Array<number>(n).fill(0);
  for (const p of parts) for (let i = 0; i < n; i++) s[i] += p[i];
  return s;
}

/**
 * Validates the options of a subsequence search.
 *
 * @throws {RangeError} / {TypeError} as {@linkcode searchSubsequence}.
 */
export function searchArgs(
  fn: string,
  n: number,
  m: number,
  options: SearchOptions | undefined,
): SearchArgs {
  const o = checkOptionKeys(fn, options, SEARCH_KEYS);
  if (m === 0) throw new RangeError(`${fn}: query is empty`);
  if (m > n) {
    throw new RangeError(
      `${fn}: query has ${m} points but series only ${n}; the query must not be longer than the series`,
    );
  }
  const d = dtwArgs(fn, { window: o.window, cost: o.cost } as SearchOptions, [
    "window",
    "cost",
  ]);
  const k = o.k === undefined ? 1 : kArg(fn, o.k);
  if (o.normalize !== undefined && typeof o.normalize !== "boolean") {
    throw new TypeError(
      `${fn}: options.normalize must be a boolean, got ${
        describe(o.normalize)
      }`,
    );
  }
  let ez = m / 2;
  if (o.exclusionZone !== undefined) {
    ez = o.exclusionZone as number;
    if (typeof ez !== "number") {
      throw new TypeError(
        `${fn}: options.exclusionZone must be a number, got ${describe(ez)}`,
      );
    }
    if (!(ez >= 0) || !Number.isFinite(ez)) {
      throw new RangeError(
        `${fn}: options.exclusionZone must be a finite number >= 0, got ${
          describe(ez)
        }`,
      );
    }
  }
  return {
    window: o.window === undefined ? Math.floor(m / 10) : d.window,
    squared: o.cost === undefined ? 1 : d.squared,
    normalize: o.normalize === false ? 0 : 1,
    k: Math.min(k, n - m + 1),
    exclusionZone: ez,
  };
}
