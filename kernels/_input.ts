// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Validation of numeric series, shared by every kernel. Internal.

import { f64Heap, scratch, type Slot } from "./_wasm.ts";

/**
 * Longest series a kernel accepts, in points: 2^25. A kernel keeps a few
 * `f64` buffers of this length in WebAssembly memory, which is limited to
 * 4 GiB.
 */
export const MAX_SERIES_LENGTH = 2 ** 25;

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
    heap.set(x as unknown as ArrayLike<number>, at);
    return;
  }
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (typeof v !== "number" || v - v !== 0) throw badElement(fn, name, i, v);
    heap[at + i] = v;
  }
}

/**
 * Validates `x` and copies it into scratch slot `slot` of WebAssembly
 * memory. Returns the byte address. Call {@linkcode f64Heap} again before
 * writing elsewhere if another slot may have grown since.
 */
export function stageSeries(
  fn: string,
  name: string,
  x: ArrayLike<number>,
  n: number,
  slot: Slot,
): number {
  const ptr = scratch(slot, n * 8);
  copySeries(fn, name, x, f64Heap(), ptr >>> 3);
  return ptr;
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
