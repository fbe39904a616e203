// Copyright 2026 the @midstreamer/kit authors. MIT license.
// The inputs of shards as bytes (blobs), the same on every machine
// (little-endian, as typed arrays are on every platform Deno runs on):
//
// - `f64`, `f32`: a series, its values as f64 or f32, point-major (the
//   shard's `dims` values per point, value `k` of point `i` at
//   `i * dims + k`);
// - `patterns`, `patterns32`: f64 values: the count `c`, then `c + 1`
//   offsets in points from 0; then the values of every pattern back to
//   back, point-major, as f64 (`patterns`) or f32 (`patterns32`): pattern
//   `i` is points `offsets[i] .. offsets[i + 1]`;
// - `i32`: LCS symbol ids;
// - `sequences`: i32 values: the count `c`, then the `c` lengths, then the
//   symbol ids of every sequence back to back.
//
// The caller encodes them from validated inputs; a worker decodes and
// checks them against its limits before any kernel sees them. Internal.

import {
  copyForm,
  type EncodedSequences,
  type PackedPatterns,
  type SeriesForm,
} from "../kernels/internal.ts";
import type { ServiceLimits } from "../service/protocol.ts";

/** The kinds of blob. */
export type BlobKind =
  | "f64"
  | "f32"
  | "patterns"
  | "patterns32"
  | "i32"
  | "sequences";

/** Limits with every field set. */
export type Limits = Readonly<Required<ServiceLimits>>;

/** The bytes of a typed array (a view, no copy). */
export function bytesOf(x: ArrayBufferView): Uint8Array {
  return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
}

/**
 * Encodes patterns `from .. to` of `list` (of forms `forms`, read by
 * `seriesForm`, with `dims` values per point) as a `patterns` blob
 * (`patterns32` when `f32`), checking every value as the synchronous
 * functions do: into the start of `into` when it is large enough (a buffer
 * reused from shard to shard: fresh memory is slow to touch), else into a
 * new buffer.
 *
 * @throws {TypeError} naming `name[i][j]` (or its point and dimension) for a bad value.
 * @throws {RangeError} naming a ragged point.
 */
export function encodePatterns(
  fn: string,
  name: string,
  list: ArrayLike<unknown>,
  forms: readonly SeriesForm[],
  dims: number,
  from: number,
  to: number,
  f32: boolean,
  into?: Uint8Array,
): Uint8Array {
  const count = to - from;
  let points = 0;
  for (let i = from; i < to; i++) points += forms[i].points;
  const size = 8 * (2 + count) + (f32 ? 4 : 8) * dims * points;
  const bytes = into !== undefined && into.byteLength >= size
    ? into.subarray(0, size)
    : new Uint8Array(size);
  const head = new Float64Array(bytes.buffer, bytes.byteOffset, 2 + count);
  const at = bytes.byteOffset + 8 * (2 + count);
  const values = f32
    ? new Float32Array(bytes.buffer, at, dims * points)
    : new Float64Array(bytes.buffer, at, dims * points);
  const layout = { point: dims, dim: 1 };
  head[0] = count;
  let o = 0;
  for (let i = from; i < to; i++) {
    head[1 + i - from] = o;
    copyForm(fn, `${name}[${i}]`, list[i], forms[i], values, dims * o, layout);
    o += forms[i].points;
  }
  head[1 + count] = o;
  return bytes;
}

/** Encodes sequences `from .. to` (sorted positions) of `encoded` as a `sequences` blob. */
export function encodeSequenceBlock(
  encoded: EncodedSequences,
  from: number,
  to: number,
): Int32Array {
  const { ids, starts, order } = encoded;
  const count = to - from;
  let symbols = 0;
  for (let r = from; r < to; r++) {
    symbols += starts[order[r] + 1] - starts[order[r]];
  }
  const out = new Int32Array(1 + count + symbols);
  out[0] = count;
  let at = 1 + count;
  for (let r = from; r < to; r++) {
    const q = order[r];
    const seq = ids.subarray(starts[q], starts[q + 1]);
    out[1 + r - from] = seq.length;
    out.set(seq, at);
    at += seq.length;
  }
  return out;
}

/** A decoded `sequences` blob. */
export interface SequenceBlock {
  /** Every id, back to back. */
  ids: Int32Array;
  /** `count + 1` offsets into `ids`. */
  starts: Uint32Array;
}

/** A decoded blob. */
export type Decoded =
  | { kind: "f64"; value: Float64Array }
  | { kind: "f32"; value: Float32Array }
  | { kind: "patterns" | "patterns32"; value: PackedPatterns }
  | { kind: "i32"; value: Int32Array }
  | { kind: "sequences"; value: SequenceBlock };

/** The refusal of a blob: malformed (`TypeError`) or over a limit (`RangeError`). */
function malformed(what: string, why: string): TypeError {
  return new TypeError(`malformed shard: ${what} ${why}`);
}

/** A copy of `bytes` as an aligned typed array of `T`'s element size. */
function aligned<T extends Float64Array | Float32Array | Int32Array>(
  bytes: Uint8Array,
  Type: { new (buffer: ArrayBuffer): T; BYTES_PER_ELEMENT: number },
  what: string,
): T {
  if (bytes.byteLength % Type.BYTES_PER_ELEMENT !== 0) {
    throw malformed(
      what,
      `has ${bytes.byteLength} bytes, not a multiple of ${Type.BYTES_PER_ELEMENT}`,
    );
  }
  const copy = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(copy).set(bytes);
  return new Type(copy);
}

/** Checks that every value of `x` is finite. */
function finite(
  x: Float64Array | Float32Array,
  from: number,
  what: string,
): void {
  for (let i = from; i < x.length; i++) {
    const v = x[i];
    if (v - v !== 0) {
      throw new TypeError(
        `malformed shard: ${what}[${
          i - from
        }] is ${v}; expected a finite number`,
      );
    }
  }
}

/** Checks that a count of points is within `limits.maxSeriesLength`. */
export function checkSeries(
  what: string,
  points: number,
  limits: Limits,
): void {
  if (points > limits.maxSeriesLength) {
    throw new RangeError(
      `shard refused: ${what} has ${points} points; the worker's limit (maxSeriesLength, as the matching service's) is ${limits.maxSeriesLength}`,
    );
  }
}

/** Checks that a count of series is within `limits.maxBatchLength`. */
export function checkBatch(what: string, count: number, limits: Limits): void {
  if (count > limits.maxBatchLength) {
    throw new RangeError(
      `shard refused: ${count} ${what} exceed the worker's limit (maxBatchLength, as the matching service's) of ${limits.maxBatchLength}`,
    );
  }
}

/**
 * Decodes and checks a blob of `kind`: its shape, that every value is
 * finite, and the limits on each series and on the count of series; a
 * pattern's points are of `dims` values (series blobs are checked against
 * the shard's `dims` when it runs, as they are shared by shards).
 *
 * @throws {TypeError} when it is malformed.
 * @throws {RangeError} when it is over a limit.
 */
export function decodeBlob(
  kind: BlobKind,
  bytes: Uint8Array,
  limits: Limits,
  what: string,
  dims = 1,
): Decoded {
  if (bytes.byteLength > limits.maxRequestBytes) {
    throw new RangeError(
      `shard refused: ${what} has ${bytes.byteLength} bytes; the worker's limit (maxRequestBytes, as the matching service's) is ${limits.maxRequestBytes}`,
    );
  }
  switch (kind) {
    case "f64": {
      const value = aligned(bytes, Float64Array, what);
      finite(value, 0, what);
      return { kind, value };
    }
    case "f32": {
      const value = aligned(bytes, Float32Array, what);
      finite(value, 0, what);
      return { kind, value };
    }
    case "i32": {
      return { kind, value: aligned(bytes, Int32Array, what) };
    }
    case "patterns":
    case "patterns32": {
      const view = new DataView(bytes.buffer, bytes.byteOffset);
      const count = bytes.byteLength < 8 ? NaN : view.getFloat64(0, true);
      if (
        !(Number.isInteger(count) && count >= 0 &&
          8 * (2 + count) <= bytes.byteLength)
      ) {
        throw malformed(what, `has a bad count ${count}`);
      }
      checkBatch("patterns", count, limits);
      const head = aligned(
        bytes.subarray(0, 8 * (2 + count)),
        Float64Array,
        what,
      );
      const flat = kind === "patterns32"
        ? aligned(bytes.subarray(8 * (2 + count)), Float32Array, what)
        : aligned(bytes.subarray(8 * (2 + count)), Float64Array, what);
      if (flat.length % dims !== 0) {
        throw malformed(
          what,
          `has ${flat.length} values, not a whole number of points of ${dims}`,
        );
      }
      const points = flat.length / dims;
      const offsets = new Uint32Array(count + 1);
      for (let i = 0; i <= count; i++) {
        const o = head[1 + i];
        const prev = i === 0 ? 0 : offsets[i - 1];
        if (
          !Number.isInteger(o) || o < prev || o > points ||
          (i === 0 && o !== 0) || (i === count && o !== points)
        ) {
          throw malformed(what, `has a bad offset ${o} at ${i}`);
        }
        offsets[i] = o;
        if (i > 0) checkSeries(`${what}[${i - 1}]`, o - prev, limits);
      }
      finite(flat, 0, what);
      return { kind, value: { flat, offsets, dims } };
    }
    case "sequences": {
      const x = aligned(bytes, Int32Array, what);
      const count = x[0];
      if (!(count >= 0 && 1 + count <= x.length)) {
        throw malformed(what, `has a bad count ${count}`);
      }
      checkBatch("sequences", count, limits);
      const starts = new Uint32Array(count + 1);
      for (let i = 0; i < count; i++) {
        const len = x[1 + i];
        if (len < 0) throw malformed(what, `has a negative length at ${i}`);
        checkSeries(`${what}[${i}]`, len, limits);
        starts[i + 1] = starts[i] + len;
      }
      if (starts[count] !== x.length - 1 - count) {
        throw malformed(
          what,
          `has lengths adding up to ${starts[count]} symbols, not ${
            x.length - 1 - count
          }`,
        );
      }
      return { kind, value: { ids: x.subarray(1 + count), starts } };
    }
  }
}
