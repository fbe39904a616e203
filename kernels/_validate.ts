// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Argument checking shared by every kernel, the pool and the service.
// Internal; other folders reach it through `internal.ts`.

/**
 * Longest series a kernel accepts, in points: 2^25. A kernel keeps a few
 * `f64` buffers of this length in WebAssembly memory, which is limited to
 * 4 GiB.
 *
 * @example A series over the limit
 * ```ts
 * import { dtw, MAX_SERIES_LENGTH } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * const tooLong = { length: MAX_SERIES_LENGTH + 1 } as ArrayLike<number>;
 * assert.throws(() => dtw(tooLong, [1]), RangeError);
 * ```
 */
export const MAX_SERIES_LENGTH = 2 ** 25;

/** Most points all patterns of one call may have together: 2^27 (1 GiB). */
export const MAX_TOTAL_POINTS = 2 ** 27;

/** Short description of a value for error messages. */
export function describe(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") {
    return `an object (${Object.prototype.toString.call(v)})`;
  }
  if (typeof v === "string") {
    return `the string ${JSON.stringify(v.slice(0, 20))}`;
  }
  return `${typeof v} ${String(v)}`;
}

/**
 * Checks that `options` is undefined or a plain object whose keys are all in
 * `allowed`.
 *
 * @throws {TypeError} on a non-object or an unknown key.
 */
export function checkOptionKeys(
  fn: string,
  options: unknown,
  allowed: readonly string[],
): Record<string, unknown> {
  if (options === undefined) return {};
  if (
    options === null || typeof options !== "object" || Array.isArray(options)
  ) {
    throw new TypeError(
      `${fn}: options must be an object, got ${describe(options)}`,
    );
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new TypeError(
        `${fn}: unknown option "${key}"; accepted options are ${
          allowed.join(", ")
        }`,
      );
    }
  }
  return options as Record<string, unknown>;
}

/**
 * Checks that `x` is an array-like of numbers and returns its length.
 *
 * @throws {TypeError} when `x` is not an array or array-like object.
 * @throws {RangeError} when it is longer than {@linkcode MAX_SERIES_LENGTH}.
 */
export function seriesLength(fn: string, name: string, x: unknown): number {
  if (
    x === null || typeof x !== "object" ||
    typeof (x as { length?: unknown }).length !== "number" ||
    x instanceof BigInt64Array || x instanceof BigUint64Array
  ) {
    throw new TypeError(
      `${fn}: ${name} must be an array or typed array of numbers, got ${
        describe(x)
      }`,
    );
  }
  const n = (x as ArrayLike<unknown>).length;
  if (!Number.isInteger(n) || n < 0) {
    throw new TypeError(
      `${fn}: ${name}.length must be a non-negative integer, got ${n}`,
    );
  }
  if (n > MAX_SERIES_LENGTH) {
    throw new RangeError(
      `${fn}: ${name} has ${n} points; the limit is ${MAX_SERIES_LENGTH} (2^25) points per series`,
    );
  }
  return n;
}

/**
 * Copies `x` into `heap` at element offset `at`, checking that every element
 * is a finite number.
 *
 * @throws {TypeError} naming the index of the first bad element.
 */
export function copySeries(
  fn: string,
  name: string,
  x: ArrayLike<number>,
  heap: Float64Array<ArrayBufferLike>,
  at: number,
): void {
  const n = x.length;
  if (x instanceof Float64Array || x instanceof Float32Array) {
    heap.set(x, at);
    for (let i = 0; i < n; i++) {
      const v = heap[at + i];
      if (v - v !== 0) throw badElement(fn, name, i, x[i]);
    }
    return;
  }
  if (ArrayBuffer.isView(x)) {
    // Integer typed arrays: always finite.
    heap.set(x, at);
    return;
  }
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (typeof v !== "number" || v - v !== 0) throw badElement(fn, name, i, v);
    heap[at + i] = v;
  }
}

/**
 * The `TypeError` for element `name[i]` of value `v`, which is not `expected`
 * (e.g. "a finite number").
 */
export function badElement(
  fn: string,
  name: string,
  i: number,
  v: unknown,
  expected = "a finite number",
): TypeError {
  const what = typeof v === "number" ? String(v) : describe(v);
  return new TypeError(`${fn}: ${name}[${i}] is ${what}; expected ${expected}`);
}

/**
 * Validates a series and returns it as a `Float64Array` (a copy).
 *
 * @throws {TypeError} on a non-array or a non-finite element (naming the index).
 * @throws {RangeError} when it is longer than {@linkcode MAX_SERIES_LENGTH}.
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
 * Checks that `list` is an array (not a typed array) of series and returns
 * its length; the series themselves are checked by the caller. Shared by
 * {@linkcode patternOffsets} and the cluster, which has no limit on the
 * total.
 *
 * @throws {TypeError} when `list` is not an array.
 */
export function listLength(fn: string, name: string, list: unknown): number {
  if (
    list === null || typeof list !== "object" ||
    typeof (list as { length?: unknown }).length !== "number" ||
    ArrayBuffer.isView(list)
  ) {
    throw new TypeError(
      `${fn}: ${name} must be an array of series, got ${describe(list)}`,
    );
  }
  return (list as ArrayLike<unknown>).length;
}

/**
 * Validates the shape of a list of series (an array of series, not too many
 * points) and returns where each would start when packed: series `i` is
 * `offsets[i]..offsets[i + 1]`. The elements are checked when they are
 * copied ({@linkcode copySeries}).
 *
 * @throws {TypeError} when `list` is not an array, or names `name[i]` when it is not a series.
 * @throws {RangeError} when the series hold more than {@linkcode MAX_TOTAL_POINTS} points.
 */
export function patternOffsets(
  fn: string,
  name: string,
  list: ArrayLike<ArrayLike<number>>,
): Uint32Array {
  const count = listLength(fn, name, list);
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

/** DTW options, checked and encoded for the WebAssembly kernels. */
export interface DtwArgs {
  /** Band half-width, or -1 for no band. */
  window: number;
  /** 1 for the squared cost, 0 for the absolute cost. */
  squared: number;
  /** Early-abandon bound; `Infinity` when unset. */
  cutoff: number;
}

/** The option keys every DTW function accepts. */
export const DTW_OPTION_KEYS: readonly string[] = ["window", "cost", "cutoff"];

/**
 * Checks the `window`, `cost` and `cutoff` options (and that no other key
 * than `allowed` is present).
 *
 * @throws {TypeError} on an unknown key, a non-number `window` or `cutoff`, or an unknown `cost`.
 * @throws {RangeError} on a negative or non-integer `window`, or a `NaN` `cutoff`.
 */
export function dtwArgs(
  fn: string,
  options: unknown,
  allowed: readonly string[] = DTW_OPTION_KEYS,
): DtwArgs {
  const o = checkOptionKeys(fn, options, allowed);
  return {
    window: windowArg(fn, o.window),
    squared: costArg(fn, o.cost),
    cutoff: cutoffArg(fn, o.cutoff),
  };
}

/**
 * `window`: undefined or `Infinity` (no band, -1), else a non-negative
 * integer.
 *
 * @throws {TypeError} when it is not a number.
 * @throws {RangeError} when it is negative or not an integer.
 */
export function windowArg(fn: string, w: unknown): number {
  if (w === undefined || w === Infinity) return -1;
  if (typeof w !== "number") {
    throw new TypeError(
      `${fn}: options.window must be a number, got ${describe(w)}`,
    );
  }
  if (!Number.isInteger(w) || w < 0) {
    throw new RangeError(
      `${fn}: options.window must be a non-negative integer (points) or Infinity, got ${w}`,
    );
  }
  return w;
}

/**
 * `options.cost` as the kernels take it: 0 absolute (the default), 1 squared.
 *
 * @throws {TypeError} on anything else.
 */
export function costArg(fn: string, c: unknown): number {
  if (c === undefined || c === "absolute") return 0;
  if (c === "squared") return 1;
  throw new TypeError(
    `${fn}: options.cost must be "absolute" or "squared", got ${describe(c)}`,
  );
}

/**
 * `options.cutoff` (or another bound named `name`): any number but `NaN`;
 * `Infinity` when unset.
 *
 * @throws {TypeError} when it is not a number.
 * @throws {RangeError} when it is `NaN`.
 */
export function cutoffArg(fn: string, c: unknown, name = "cutoff"): number {
  if (c === undefined) return Infinity;
  if (typeof c !== "number") {
    throw new TypeError(
      `${fn}: options.${name} must be a number, got ${describe(c)}`,
    );
  }
  if (Number.isNaN(c)) {
    throw new RangeError(`${fn}: options.${name} must not be NaN`);
  }
  return c;
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
    throw new TypeError(
      `${fn}: options.k must be a number, got ${describe(k)}`,
    );
  }
  if (!Number.isInteger(k) || k < 1) {
    throw new RangeError(
      `${fn}: options.k must be an integer >= 1 or Infinity, got ${k}`,
    );
  }
  return Math.min(k, 2 ** 32 - 1);
}

/**
 * Checks a `stats` out-parameter: undefined or an object.
 *
 * @throws {TypeError} otherwise.
 */
export function statsArg<T extends object>(
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
