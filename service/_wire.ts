// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Little-endian numbers in the service's messages, shared by its encoders
// and decoders. Internal.

import { copySeries } from "../kernels/internal.ts";

/** Whether this machine is little-endian (then values are copied as bytes). */
export const LITTLE_ENDIAN: boolean =
  new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Writes validated f64 values at byte offset `at` (which may be unaligned). */
export function putSeries(
  fn: string,
  name: string,
  x: ArrayLike<number>,
  bytes: Uint8Array,
  at: number,
): void {
  const n = x.length;
  if (n === 0) return;
  const values = new Float64Array(n);
  copySeries(fn, name, x, values, 0);
  putValues(values, bytes, at);
}

/** Writes `values` little-endian at byte offset `at` (which may be unaligned). */
export function putValues(
  values: Float64Array | Float32Array | Int32Array,
  bytes: Uint8Array,
  at: number,
): void {
  if (LITTLE_ENDIAN) {
    bytes.set(
      new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
      at,
    );
    return;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  for (let i = 0; i < values.length; i++) {
    if (values instanceof Float64Array) {
      view.setFloat64(at + 8 * i, values[i], true);
    } else if (values instanceof Float32Array) {
      view.setFloat32(at + 4 * i, values[i], true);
    } else view.setInt32(at + 4 * i, values[i], true);
  }
}

/** Copies `count` f64 values at byte offset `at` into a new array. */
export function takeF64(
  bytes: Uint8Array,
  at: number,
  count: number,
): Float64Array {
  return take(bytes, at, count, new Float64Array(count));
}

/** Copies `count` f32 values at byte offset `at` into a new array. */
export function takeF32(
  bytes: Uint8Array,
  at: number,
  count: number,
): Float32Array {
  return take(bytes, at, count, new Float32Array(count));
}

/** Copies `count` i32 values at byte offset `at` into a new array. */
export function takeI32(
  bytes: Uint8Array,
  at: number,
  count: number,
): Int32Array {
  return take(bytes, at, count, new Int32Array(count));
}

/** Fills `out` with the little-endian values at byte offset `at`. */
function take<T extends Float64Array | Float32Array | Int32Array>(
  bytes: Uint8Array,
  at: number,
  count: number,
  out: T,
): T {
  const size = out.BYTES_PER_ELEMENT;
  if (LITTLE_ENDIAN) {
    new Uint8Array(out.buffer).set(bytes.subarray(at, at + size * count));
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  for (let i = 0; i < count; i++) {
    out[i] = out instanceof Float64Array
      ? view.getFloat64(at + 8 * i, true)
      : out instanceof Float32Array
      ? view.getFloat32(at + 4 * i, true)
      : view.getInt32(at + 4 * i, true);
  }
  return out;
}
