// Copyright 2026 the @midstreamer/kit authors. MIT license.
// `memoryLimit` of StreamProcessor: parsing, and the working-memory
// estimates of its methods. Internal.
//
// An estimate counts what a call allocates in proportion to its inputs:
// the copies of the inputs (validated `Float64Array`s or interned symbol
// ids), the WebAssembly scratch the kernel writes them to, and the result.
// The per-element figures are upper estimates of those byte counts.

import { describe, PATH_LIMIT_CELLS } from "../kernels/internal.ts";

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1024,
  kib: 1024,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};

const SIZE = /^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*([a-z]*)\s*$/i;

/**
 * Parses a `memoryLimit`: a number of bytes, or a string such as `"1GB"`,
 * `"512 MB"`, `"1.5GiB"` or `"4096"` (bytes). Units are 1024-based and
 * case-insensitive: B, KB, MB, GB, TB (KiB, MiB, GiB, TiB are the same).
 * `undefined` and `Infinity` mean no limit.
 *
 * @throws {TypeError} on a value that is neither a number nor a string, or
 * a string that is not a size.
 * @throws {RangeError} on a size that is not positive, or NaN.
 */
export function parseMemoryLimit(fn: string, value: unknown): number {
  if (value === undefined || value === Infinity) return Infinity;
  let bytes: number;
  if (typeof value === "number") {
    bytes = value;
  } else if (typeof value === "string") {
    const m = SIZE.exec(value);
    const unit = m === null ? undefined : UNITS[(m[2] || "b").toLowerCase()];
    if (m === null || unit === undefined) {
      throw new TypeError(
        `${fn}: options.memoryLimit must be a number of bytes or a size such as "512MB" or "1GB" (units B, KB, MB, GB, TB; 1024-based), got ${
          describe(value)
        }`,
      );
    }
    bytes = Math.floor(Number(m[1]) * unit);
  } else {
    throw new TypeError(
      `${fn}: options.memoryLimit must be a number of bytes or a string such as "1GB", got ${
        describe(value)
      }`,
    );
  }
  if (!(bytes >= 1)) {
    throw new RangeError(
      `${fn}: options.memoryLimit must be at least 1 byte, got ${
        typeof value === "string" ? JSON.stringify(value) : value
      }`,
    );
  }
  return bytes;
}

/** `bytes` for people: `"1.5 MiB"`, `"512 B"`. */
export function formatBytes(bytes: number): string {
  if (bytes === Infinity) return "unlimited";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let u = 0;
  let v = bytes;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${Number(v.toFixed(2))} ${units[u]}`;
}

/** Bytes per point of a DTW input: the validated copy, the WebAssembly copy, kernel rows. */
export const DTW_POINT_BYTES = 24;
/** Bytes per cell of a DP row kept for the longest pattern of a SIMD group (8 lanes, 2 rows). */
export const DTW_GROUP_ROW_BYTES = 128;
/** Bytes per symbol of an LCS input: interned ids, the symbol table, kernel masks and carries. */
export const LCS_SYMBOL_BYTES = 48;
/** Bytes per step of a warping path: an `[i, j]` array in the result. */
export const PATH_STEP_BYTES = 64;
/** Bytes per match object returned by `findTopMatches`. */
export const MATCH_BYTES = 64;

/** Length of `x` if it has one, else 0 (invalid inputs fail in the kernel). */
export function lengthOf(x: unknown): number {
  if (typeof x === "string") return x.length;
  if (x === null || typeof x !== "object") return 0;
  const n = (x as { length?: unknown }).length;
  return typeof n === "number" && Number.isInteger(n) && n > 0 ? n : 0;
}

/** Lengths of the elements of `list` (none if it is not a list). */
export function lengthsOf(list: unknown): number[] {
  if (list === null || typeof list !== "object") return [];
  const count = lengthOf(list);
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    out[i] = lengthOf((list as ArrayLike<unknown>)[i]);
  }
  return out;
}

/** The sum of `xs`. */
export function sum(xs: number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}

/** `computeDTW`: both series, staged and copied, and the kernel rows. */
export function dtwBytes(n: number, m: number): number {
  return DTW_POINT_BYTES * (n + m);
}

/**
 * `batchDTW` / `findTopMatches`: the reference and the packed patterns
 * (twice: validated and staged), offsets, the distances, the rows of the
 * SIMD group of the longest pattern; on a pool also the copies sent to each
 * of `chunks` jobs.
 */
export function batchBytes(
  n: number,
  lengths: number[],
  chunks: number,
): number {
  const total = sum(lengths);
  const longest = lengths.reduce((a, b) => Math.max(a, b), 0);
  let bytes = DTW_POINT_BYTES * (n + total) + 16 * lengths.length +
    DTW_GROUP_ROW_BYTES * (longest + 1);
  if (chunks > 0) bytes += 8 * n * chunks + 8 * total + 8 * lengths.length;
  return bytes;
}

/** `findTopMatches`: as `batchBytes`, plus envelopes, bounds and results. */
export function topKBytes(
  n: number,
  lengths: number[],
  k: number,
  chunks: number,
): number {
  return batchBytes(n, lengths, chunks) + 16 * n + 16 * lengths.length +
    MATCH_BYTES * Math.min(k, lengths.length) * Math.max(1, chunks);
}

/** `computeLCS`: both sequences interned and staged. */
export function lcsBytes(n: number, m: number): number {
  return LCS_SYMBOL_BYTES * (n + m);
}

/**
 * `correlationMatrix`: the interned sequences (once more per worker on a
 * pool, which receives a copy), the computed pairs and the `n × n` result.
 */
export function matrixBytes(lengths: number[], workers: number): number {
  const n = lengths.length;
  const total = sum(lengths);
  return LCS_SYMBOL_BYTES * total + 4 * total * workers + 8 * n * n +
    8 * (n * (n - 1) / 2) + 16 * n;
}

/**
 * `alignTimeframes`: the packed series, the DP cells kept for the largest
 * pair (at most `PATH_LIMIT_CELLS`, as `dtwPath` does), and every path.
 */
export function alignBytes(lengths: number[]): number {
  let cells = 0;
  let steps = 0;
  for (let i = 0; i + 1 < lengths.length; i++) {
    const [n, m] = [lengths[i], lengths[i + 1]];
    cells = Math.max(cells, Math.min((n + 1) * (m + 1), PATH_LIMIT_CELLS));
    steps += n + m;
  }
  return DTW_POINT_BYTES * sum(lengths) + 8 * cells + PATH_STEP_BYTES * steps;
}

/**
 * `matchPattern`: the queued copy of the pattern and its share of a batch;
 * plus the match queue's copies of the reference when one is created.
 */
export function matchBytes(n: number, m: number, newQueue: boolean): number {
  return DTW_POINT_BYTES * m + (newQueue ? 16 * n : 0);
}
