// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Argument checking shared by every kernel, the pool and the service.
// Internal; other folders reach it through `internal.ts`.

import type { PackedSeries } from "./dtw.ts";

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
 * `limit` is the most points accepted (the searched series of
 * `searchSubsequence`, streamed through WebAssembly memory in chunks, has
 * none).
 *
 * @throws {TypeError} when `x` is not an array or array-like object.
 * @throws {RangeError} when it is longer than `limit` ({@linkcode MAX_SERIES_LENGTH} by default).
 */
export function seriesLength(
  fn: string,
  name: string,
  x: unknown,
  limit: number = MAX_SERIES_LENGTH,
): number {
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
  if (n > limit) {
    throw new RangeError(
      `${fn}: ${name} has ${n} points; the limit is ${limit}${
        limit === MAX_SERIES_LENGTH ? " (2^25)" : ""
      } points per series`,
    );
  }
  return n;
}

/** The first `i < n` with `heap[at + i]` not finite, or -1. */
function firstNonFinite(
  heap: Float64Array<ArrayBufferLike>,
  at: number,
  n: number,
): number {
  for (let i = 0; i < n; i++) {
    const v = heap[at + i];
    if (v - v !== 0) return i;
  }
  return -1;
}

/**
 * Copies elements `from..to` of `x` (all of it by default) into `heap` at
 * element offset `at`, checking that every element is a finite number. A
 * `Float64Array` or `Float32Array` is copied, then checked by
 * `nonFinite(at, n)` (the first of the `n` values at `heap[at]` that is
 * not finite, or -1; by default a JavaScript loop).
 *
 * @throws {TypeError} naming the index (in `x`) of the first bad element.
 */
export function copySeries(
  fn: string,
  name: string,
  x: ArrayLike<number>,
  heap: Float64Array<ArrayBufferLike>,
  at: number,
  from = 0,
  to: number = x.length,
  nonFinite?: (at: number, n: number) => number,
): void {
  const n = to - from;
  if (x instanceof Float64Array || x instanceof Float32Array) {
    heap.set(from === 0 && to === x.length ? x : x.subarray(from, to), at);
    const i = nonFinite === undefined
      ? firstNonFinite(heap, at, n)
      : nonFinite(at, n);
    if (i >= 0) throw badElement(fn, name, from + i, x[from + i]);
    return;
  }
  if (ArrayBuffer.isView(x)) {
    // Integer typed arrays: always finite.
    const t = x as unknown as Int32Array;
    heap.set(from === 0 && to === t.length ? t : t.subarray(from, to), at);
    return;
  }
  for (let i = 0; i < n; i++) {
    const v = x[from + i];
    if (typeof v !== "number" || v - v !== 0) {
      throw badElement(fn, name, from + i, v);
    }
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

// ---------------------------------------------------------------------------
// Series of one or more dimensions, in f64 or f32. One piece for every
// function that takes series: `seriesForm` reads the shape of an argument,
// `commonDims` checks that the arguments of a call agree, and `copyForm`
// validates the values while copying them, point-major or one dimension
// after the other, into `f64` or `f32` storage.

/**
 * The shape of a series argument, as {@linkcode seriesForm} read it (the
 * values themselves are checked by {@linkcode copyForm}).
 */
export interface SeriesForm {
  /**
   * How it was given: `"values"` an array-like of numbers (one dimension),
   * `"points"` an array of points (each an array-like of `dims` numbers),
   * `"packed"` the packed form `{ dims, values }` (point-major).
   */
  kind: "values" | "points" | "packed";
  /** Number of points. */
  points: number;
  /** Values per point; 0 for an empty array, whose number of dimensions is that of the other series. */
  dims: number;
}

/** Whether `x` is an object with a numeric `length` (an array-like). */
function isArrayLike(x: unknown): x is ArrayLike<unknown> {
  return x !== null && typeof x === "object" &&
    typeof (x as { length?: unknown }).length === "number";
}

/**
 * Whether `x` is certainly a series of one value per point: a typed array
 * of numbers, or an array that is empty or starts with a number. O(1);
 * the copy checks every element.
 */
export function isPlainSeries(x: unknown): x is ArrayLike<number> {
  return Array.isArray(x)
    ? x.length === 0 || typeof x[0] === "number"
    : x instanceof Float64Array || x instanceof Float32Array;
}

/**
 * Reads the form of a series argument: an array-like of numbers (one
 * dimension), an array of points of `d` numbers each, or the packed form
 * `{ dims, values }` (`values[i * dims + k]` is dimension `k` of point
 * `i`). O(1): only the first point is looked at; {@linkcode copyForm}
 * checks the others.
 *
 * @throws {TypeError} when `x` is none of these, or `dims` is not a number.
 * @throws {RangeError} on a point without values or `dims` below 1 (d = 0), `dims` that does not divide `values.length`, or more than {@linkcode MAX_SERIES_LENGTH} values.
 */
export function seriesForm(fn: string, name: string, x: unknown): SeriesForm {
  if (isArrayLike(x)) {
    const n = seriesLength(fn, name, x);
    const first = n === 0 ? undefined : x[0];
    if (!isArrayLike(first)) {
      return { kind: "values", points: n, dims: n === 0 ? 0 : 1 };
    }
    const dims = first.length;
    if (!Number.isInteger(dims) || dims < 1) {
      throw new RangeError(
        `${fn}: ${name}[0] has no values; a point needs at least one dimension`,
      );
    }
    checkValues(fn, name, n, dims);
    return { kind: "points", points: n, dims };
  }
  if (x === null || typeof x !== "object" || !("values" in x)) {
    throw new TypeError(
      `${fn}: ${name} must be an array or typed array of numbers, an array of points, or a packed series { dims, values }; got ${
        describe(x)
      }`,
    );
  }
  const { dims, values } = x as { dims?: unknown; values?: unknown };
  if (typeof dims !== "number") {
    throw new TypeError(
      `${fn}: ${name}.dims must be a number (values per point), got ${
        describe(dims)
      }`,
    );
  }
  if (!Number.isInteger(dims) || dims < 1) {
    throw new RangeError(
      `${fn}: ${name}.dims must be an integer >= 1, got ${dims}`,
    );
  }
  const length = seriesLength(fn, `${name}.values`, values);
  if (length % dims !== 0) {
    throw new RangeError(
      `${fn}: ${name}.values has ${length} values, which is not a whole number of points of ${name}.dims = ${dims} values`,
    );
  }
  return { kind: "packed", points: length / dims, dims };
}

/** Checks that `n` points of `dims` values are within the series limit. */
function checkValues(fn: string, name: string, n: number, dims: number): void {
  if (n * dims > MAX_SERIES_LENGTH) {
    throw new RangeError(
      `${fn}: ${name} has ${n} points of ${dims} values; the limit is ${MAX_SERIES_LENGTH} (2^25) values per series`,
    );
  }
}

/**
 * The number of dimensions shared by the series of one call (`[name,
 * form]` pairs), 1 when every one is an empty array.
 *
 * @throws {RangeError} when two of them have different numbers of dimensions.
 */
export function commonDims(
  fn: string,
  forms: ReadonlyArray<readonly [string, SeriesForm]>,
): number {
  let dims = 0, from = "";
  for (const [name, form] of forms) {
    if (form.dims === 0) continue;
    if (dims === 0) {
      dims = form.dims;
      from = name;
    } else if (form.dims !== dims) {
      throw new RangeError(
        `${fn}: ${name} has ${form.dims} dimension${
          form.dims === 1 ? "" : "s"
        } per point but ${from} has ${dims}; the series of a call must have the same number of dimensions`,
      );
    }
  }
  return dims === 0 ? 1 : dims;
}

/**
 * Where {@linkcode copyForm} writes value `k` of point `i`: at `at + i *
 * point + k * dim` of its output. Point-major is `point = dims, dim = 1`;
 * one dimension after the other (as the independent DTW reads a series)
 * is `point = 1, dim = ` the number of points (or of all the points of a
 * packed list of series).
 */
export interface Layout {
  /** Stride between points. */
  point: number;
  /** Stride between dimensions. */
  dim: number;
}

/**
 * Copies series `x` (of form `form`, read by {@linkcode seriesForm}) into
 * `out` at `at`, with the strides of `layout`, checking every value: a
 * finite number, of `form.dims` per point (`dims` for an empty array), and
 * still finite once rounded when `out` is a `Float32Array` (precision
 * `"f32"`: the input is rounded to the nearest `f32` once, here).
 *
 * @throws {TypeError} naming the point and the dimension of a value that is not a finite number (`a[3][1]`, or `a.values[7] (point 3, dimension 1)`).
 * @throws {RangeError} naming a point with a different number of values than the first.
 */
export function copyForm(
  fn: string,
  name: string,
  x: unknown,
  form: SeriesForm,
  out: Float64Array<ArrayBufferLike> | Float32Array<ArrayBufferLike>,
  at: number,
  layout: Layout,
): void {
  const n = form.points;
  if (n === 0) return;
  const f32 = out instanceof Float32Array;
  if (form.kind === "values") {
    const v = x as ArrayLike<number>;
    if (layout.point === 1 && !f32) {
      copySeries(fn, name, v, out as Float64Array, at);
      return;
    }
    for (let i = 0; i < n; i++) {
      put(fn, v[i], out, at + i * layout.point, f32, () => `${name}[${i}]`);
    }
    return;
  }
  if (form.kind === "packed") {
    const { dims, values } = x as { dims: number; values: ArrayLike<number> };
    const where = (j: number) =>
      `${name}.values[${j}] (point ${Math.floor(j / dims)}, dimension ${
        j % dims
      })`;
    if (
      layout.point === dims && layout.dim === 1 &&
      (values instanceof Float64Array || values instanceof Float32Array)
    ) {
      out.set(values, at);
      for (let j = 0; j < values.length; j++) {
        const v = out[at + j];
        if (v - v !== 0) {
          if (values[j] - values[j] === 0) {
            throw beyondF32(fn, where(j), values[j]);
          }
          throw new TypeError(
            `${fn}: ${where(j)} is ${values[j]}; expected a finite number`,
          );
        }
      }
      return;
    }
    for (let i = 0, j = 0; i < n; i++) {
      const to = at + i * layout.point;
      for (let k = 0; k < dims; k++, j++) {
        put(fn, values[j], out, to + k * layout.dim, f32, () => where(j));
      }
    }
    return;
  }
  const list = x as ArrayLike<unknown>;
  const dims = form.dims;
  for (let i = 0; i < n; i++) {
    const p = list[i];
    if (!isArrayLike(p)) {
      throw new TypeError(
        `${fn}: ${name}[${i}] is ${
          typeof p === "number" ? String(p) : describe(p)
        }; expected a point, an array of ${dims} numbers as ${name}[0]`,
      );
    }
    if (p.length !== dims) {
      throw new RangeError(
        `${fn}: ${name}[${i}] has ${p.length} values but ${name}[0] has ${dims}; every point of a series must have the same number of dimensions`,
      );
    }
    const to = at + i * layout.point;
    for (let k = 0; k < dims; k++) {
      put(fn, p[k], out, to + k * layout.dim, f32, () => `${name}[${i}][${k}]`);
    }
  }
}

/** Checks and stores one value; `where()` names it in the error. */
function put(
  fn: string,
  v: unknown,
  out: Float64Array<ArrayBufferLike> | Float32Array<ArrayBufferLike>,
  at: number,
  f32: boolean,
  where: () => string,
): void {
  if (typeof v !== "number" || v - v !== 0) {
    const what = typeof v === "number" ? String(v) : describe(v);
    throw new TypeError(
      `${fn}: ${where()} is ${what}; expected a finite number`,
    );
  }
  out[at] = v;
  if (f32 && out[at] - out[at] !== 0) throw beyondF32(fn, where(), v);
}

/**
 * Rounds the finite values `heap[at .. at + n)` to `f32` in place
 * (precision `"f32"`, for series checked as `f64`): the first `i` whose
 * value overflows `f32` (left as it was, and the values after it), or -1.
 */
export function roundF32(
  heap: Float64Array<ArrayBufferLike>,
  at: number,
  n: number,
): number {
  for (let i = 0; i < n; i++) {
    const r = Math.fround(heap[at + i]);
    if (r - r !== 0) return i;
    heap[at + i] = r;
  }
  return -1;
}

/**
 * The `TypeError` of a finite value `v` at `where` (such as `series[3]`)
 * that overflows `f32`.
 */
export function beyondF32(fn: string, where: string, v: number): TypeError {
  return new TypeError(
    `${fn}: ${where} is ${v}, which rounds to ${
      Math.fround(v)
    } in f32 (precision "f32"); expected a finite number of magnitude below 3.4e38`,
  );
}

/**
 * Copies a series already checked and packed ({@linkcode packSeries}) into
 * `out` of the same precision, at `at` with the strides of `layout`.
 */
export function copyPacked(
  x: CheckedSeries,
  out: Float64Array<ArrayBufferLike> | Float32Array<ArrayBufferLike>,
  at: number,
  layout: Layout,
): void {
  const { dims, values } = x;
  if (layout.point === dims && layout.dim === 1) {
    out.set(values, at);
    return;
  }
  for (let i = 0, j = 0; j < values.length; i++) {
    const to = at + i * layout.point;
    for (let k = 0; k < dims; k++, j++) out[to + k * layout.dim] = values[j];
  }
}

/**
 * A checked copy of a series, point-major, in `f64` or (`f32`) rounded to
 * `f32`: the packed form the pool and the service carry.
 *
 * @throws {TypeError} as {@linkcode copyForm}.
 * @throws {RangeError} as {@linkcode copyForm}.
 */
export function packSeries(
  fn: string,
  name: string,
  x: unknown,
  form: SeriesForm,
  dims: number,
  f32: boolean,
): CheckedSeries {
  const values = f32
    ? new Float32Array(form.points * dims)
    : new Float64Array(form.points * dims);
  copyForm(fn, name, x, form, values, 0, { point: dims, dim: 1 });
  return { dims, values };
}

/** A series checked and packed point-major in its precision. */
export interface CheckedSeries extends PackedSeries {
  /** The values, point-major: `Float32Array` for precision `"f32"`. */
  values: Float64Array | Float32Array;
}

/** The points of each series of a list, and where each starts when packed. */
export interface ListForms {
  /** The form of each series. */
  forms: SeriesForm[];
  /**
   * Series `i` is points `offsets[i]..offsets[i + 1]` when packed (values
   * `dims` times these).
   */
  offsets: Uint32Array;
  /** Values per point, shared with `dims` given to {@linkcode listForms} (1 when all are empty arrays). */
  dims: number;
}

/**
 * Reads the forms of a list of series (as {@linkcode seriesForm}), checks
 * that they and `others` (e.g. the reference) have one number of
 * dimensions, and that they hold at most `limit` values together
 * ({@linkcode MAX_TOTAL_POINTS} by default).
 *
 * @throws {TypeError} when `list` is not an array, or names `name[i]` when it is not a series.
 * @throws {RangeError} on mixed dimensions, or too many values.
 */
export function listForms(
  fn: string,
  name: string,
  list: unknown,
  others: ReadonlyArray<readonly [string, SeriesForm]> = [],
  limit: number = MAX_TOTAL_POINTS,
): ListForms {
  if (!isArrayLike(list) || ArrayBuffer.isView(list)) {
    throw new TypeError(
      `${fn}: ${name} must be an array of series, got ${describe(list)}`,
    );
  }
  const count = list.length;
  const forms: SeriesForm[] = new Array(count);
  const named: Array<readonly [string, SeriesForm]> = [...others];
  for (let i = 0; i < count; i++) {
    forms[i] = seriesForm(fn, `${name}[${i}]`, list[i]);
    named.push([`${name}[${i}]`, forms[i]]);
  }
  const dims = commonDims(fn, named);
  const offsets = new Uint32Array(count + 1);
  let total = 0;
  for (let i = 0; i < count; i++) {
    total += forms[i].points;
    if (total * dims > limit) {
      throw new RangeError(
        `${fn}: ${name} hold more than ${limit} values together; split the call`,
      );
    }
    offsets[i + 1] = total;
  }
  return { forms, offsets, dims };
}

/**
 * `options.multivariate`: `false` for `"dependent"` (the default), `true`
 * for `"independent"`.
 *
 * @throws {TypeError} on anything else.
 */
export function multivariateArg(fn: string, v: unknown): boolean {
  if (v === undefined || v === "dependent") return false;
  if (v === "independent") return true;
  throw new TypeError(
    `${fn}: options.multivariate must be "dependent" or "independent", got ${
      describe(v)
    }`,
  );
}

/**
 * `options.precision`: `false` for `"f64"` (the default), `true` for
 * `"f32"`.
 *
 * @throws {TypeError} on anything else.
 */
export function precisionArg(fn: string, v: unknown): boolean {
  if (v === undefined || v === "f64") return false;
  if (v === "f32") return true;
  throw new TypeError(
    `${fn}: options.precision must be "f64" or "f32", got ${describe(v)}`,
  );
}

/** DTW options, checked and encoded for the WebAssembly kernels. */
export interface DtwArgs {
  /** Band half-width, or -1 for no band. */
  window: number;
  /** 1 for the squared cost, 0 for the absolute cost. */
  squared: number;
  /** Early-abandon bound; `Infinity` when unset. */
  cutoff: number;
  /**
   * `multivariate: "independent"` (DTW_I); absent or `false`: dependent
   * (DTW_D).
   */
  independent?: boolean;
  /**
   * `precision: "f32"`: the inputs are rounded to `f32` when they are
   * packed; absent or `false`: `f64`. Packed inputs carry their precision
   * as their type (`Float32Array`), so the packed calls do not read it.
   */
  f32?: boolean;
}

/** The option keys every DTW function accepts. */
export const DTW_OPTION_KEYS: readonly string[] = [
  "window",
  "cost",
  "cutoff",
  "multivariate",
  "precision",
];

/** `dtwArgs` of no options: shared, never written. */
const DEFAULT_DTW_ARGS: Readonly<Required<DtwArgs>> = Object.freeze({
  window: -1,
  squared: 0,
  cutoff: Infinity,
  independent: false,
  f32: false,
});

/**
 * Checks the `window`, `cost`, `cutoff`, `multivariate` and `precision`
 * options (and that no other key than `allowed` is present).
 *
 * @throws {TypeError} on an unknown key, a non-number `window` or `cutoff`, or an unknown `cost`, `multivariate` or `precision`.
 * @throws {RangeError} on a negative or non-integer `window`, or a `NaN` `cutoff`.
 */
export function dtwArgs(
  fn: string,
  options: unknown,
  allowed: readonly string[] = DTW_OPTION_KEYS,
): Required<DtwArgs> {
  if (options === undefined) return DEFAULT_DTW_ARGS;
  const o = checkOptionKeys(fn, options, allowed);
  return {
    window: windowArg(fn, o.window),
    squared: costArg(fn, o.cost),
    cutoff: cutoffArg(fn, o.cutoff),
    independent: multivariateArg(fn, o.multivariate),
    f32: precisionArg(fn, o.precision),
  };
}

/**
 * The options of `dtwPath` (and `alignTimeframes`), checked: those of
 * `dtw`, but only the dependent DTW, which has one path.
 *
 * @throws {TypeError} as `dtwArgs`, and on `multivariate: "independent"`.
 * @throws {RangeError} as `dtwArgs`.
 */
export function pathArgs(
  fn: string,
  options: unknown,
  allowed: readonly string[] = DTW_OPTION_KEYS,
): Required<DtwArgs> {
  const args = dtwArgs(fn, options, allowed);
  if (args.independent) {
    throw new TypeError(
      `${fn}: multivariate "independent" has no single warping path: each dimension warps on its own; use "dependent" (one path for all the dimensions), or call ${fn} on each dimension`,
    );
  }
  return args;
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
