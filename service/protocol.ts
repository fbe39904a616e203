// Copyright 2026 the @midstreamer/kit authors. MIT license.

/**
 * The binary protocol of the matching service: one request message per
 * call, one reply message back, carried by `@midstreamer/kit/transport`
 * (which frames messages, matches replies to requests and carries errors).
 * Every number is little-endian.
 *
 * ## Request
 *
 * A 32-byte header, then the data:
 *
 * | offset | size | field                                                         |
 * | ------ | ---- | ------------------------------------------------------------- |
 * | 0      | 1    | op: 1 `dtw`, 2 `dtwBatch`, 3 `topK`, 4 `lcs`                   |
 * | 1      | 1    | protocol version: 1                                           |
 * | 2      | 1    | cost: 0 absolute, 1 squared (0 for `lcs`)                     |
 * | 3      | 1    | `lcs` encoding: 0 int32 symbol ids, 1 UTF-8 strings; else 0   |
 * | 4      | 4    | window, i32: the band half-width in points, -1 for no band    |
 * | 8      | 4    | k, u32 (`topK`; else 0)                                       |
 * | 12     | 4    | count, u32: number of patterns (`dtwBatch`, `topK`; else 0)   |
 * | 16     | 8    | cutoff, f64: early-abandon threshold, `Infinity` for none     |
 * | 24     | 4    | n, u32: length of `a` or of the reference                     |
 * | 28     | 4    | m, u32: length of `b` (`dtw`, `lcs`; else 0)                  |
 * | 32     | 4 × count | the length of each pattern, u32 (`dtwBatch`, `topK`)     |
 *
 * Then the values, back to back with no padding: `a` (or the reference)
 * then `b` (or every pattern in order). Series are f64. For `lcs`,
 * encoding 0 sends int32 symbol ids (equal ids are equal symbols; `n` and
 * `m` count ids) and encoding 1 sends two UTF-8 strings compared by code
 * point (`n` and `m` count bytes). The message must end exactly after the
 * last value.
 *
 * ## Reply
 *
 * The reply holds only the result:
 *
 * - `dtw`: one f64, the distance (`Infinity` above the cutoff);
 * - `lcs`: one f64, the LCS length;
 * - `dtwBatch`: `count` f64 distances, in pattern order;
 * - `topK`: for each match, in order, the pattern index then the
 *   distance, both f64 (16 bytes per match).
 *
 * ## Errors
 *
 * A request the server cannot answer — malformed, over the limits,
 * rejected by a kernel (e.g. a `NaN` in a series), or sent while the server
 * shuts down — gets the transport's error reply, whose UTF-8 message
 * starts with the error's class (`"RangeError: dtw: ..."`); the client's
 * promise rejects with a `RemoteError` carrying it. A request larger than
 * the server's byte limit is refused by the transport itself
 * (`MessageTooLargeError`). Either way the connection stays usable.
 *
 * @example A request and its reply, by hand
 * ```ts
 * import { decodeReply, decodeRequest, encodeReply, encodeRequest } from "@midstreamer/kit/service";
 * import assert from "node:assert/strict";
 *
 * const bytes = encodeRequest({ op: "dtw", a: [1, 2, 3], b: [1, 3], window: 1 });
 * assert.equal(bytes.length, 32 + 5 * 8);
 * const request = decodeRequest(bytes);
 * assert.equal(request.op, "dtw");
 * const reply = encodeReply("dtw", 1);
 * assert.equal(decodeReply("dtw", reply), 1);
 * ```
 *
 * @module
 */

import { copySeries, describe, seriesLength } from "../kernels/_input.ts";
import {
  checkOptionKeys,
  DTW_OPTION_KEYS,
  dtwArgs,
} from "../kernels/_options.ts";
import { kArg, patternOffsets } from "../kernels/_search_input.ts";
import { sequenceLength, SymbolTable } from "../kernels/_symbols.ts";
import type { LcsSequence } from "../kernels/lcs.ts";
import type { Match } from "../kernels/search_types.ts";
import type { DtwOptions } from "../kernels/types.ts";

/** The operations of the service. */
export type ServiceOp = "dtw" | "dtwBatch" | "topK" | "lcs";

/** Op codes on the wire (byte 0 of a request). */
export const OP_CODES: Readonly<Record<ServiceOp, number>> = Object.freeze({
  dtw: 1,
  dtwBatch: 2,
  topK: 3,
  lcs: 4,
});

/** Protocol version (byte 1 of a request). */
export const PROTOCOL_VERSION = 1;

/** Size of the request header, in bytes, before the pattern lengths. */
export const REQUEST_HEADER_BYTES = 32;

/**
 * A request as the client gives it to {@linkcode encodeRequest}. The DTW
 * options are those of `dtw` (`window`, `cost`, `cutoff`).
 */
export type ServiceRequest =
  | ({ op: "dtw"; a: ArrayLike<number>; b: ArrayLike<number> } & DtwOptions)
  | ({
    op: "dtwBatch";
    reference: ArrayLike<number>;
    patterns: ArrayLike<ArrayLike<number>>;
  } & DtwOptions)
  | ({
    op: "topK";
    reference: ArrayLike<number>;
    patterns: ArrayLike<ArrayLike<number>>;
    k: number;
  } & DtwOptions)
  | { op: "lcs"; a: LcsSequence; b: LcsSequence };

/** A request as {@linkcode decodeRequest} gives it to the server. */
export type DecodedRequest =
  | { op: "dtw"; a: Float64Array; b: Float64Array; options: DtwOptions }
  | {
    op: "dtwBatch";
    reference: Float64Array;
    patterns: Float64Array[];
    options: DtwOptions;
  }
  | {
    op: "topK";
    reference: Float64Array;
    patterns: Float64Array[];
    k: number;
    options: DtwOptions;
  }
  | { op: "lcs"; a: Int32Array | string; b: Int32Array | string };

/** What each op replies with. */
export interface ServiceReplies {
  /** The DTW distance. */
  dtw: number;
  /** One distance per pattern. */
  dtwBatch: Float64Array;
  /** The best matches, sorted. */
  topK: Match[];
  /** The LCS length. */
  lcs: number;
}

/** Limits a server puts on each request. */
export interface ServiceLimits {
  /**
   * Longest series (or LCS sequence, in symbols or UTF-8 bytes), in points.
   *
   * @default {100000}
   */
  maxSeriesLength?: number;
  /**
   * Most patterns in one `dtwBatch` or `topK` request.
   *
   * @default {10000}
   */
  maxBatchLength?: number;
  /**
   * Largest request, in bytes (the transport refuses larger ones).
   *
   * @default {16777216}
   */
  maxRequestBytes?: number;
}

/** The default {@linkcode ServiceLimits}. */
export const DEFAULT_SERVICE_LIMITS: Readonly<Required<ServiceLimits>> = Object
  .freeze({
    maxSeriesLength: 100_000,
    maxBatchLength: 10_000,
    maxRequestBytes: 16 * 1024 * 1024,
  });

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** Largest window on the wire; any band at least this wide is no band. */
const MAX_WINDOW = 0x7fff_ffff;

/**
 * Encodes a request, validating it as the local kernel would (so a bad
 * series fails here, with the kernel's error, before anything is sent).
 *
 * A `lcs` of two well-formed strings is sent as UTF-8; anything else is
 * interned to int32 ids first (equal symbols, under the rules of `lcs`,
 * get equal ids), which keeps `lcs`'s exact semantics.
 *
 * @example Encoding a batch
 * ```ts
 * import { encodeRequest } from "@midstreamer/kit/service";
 * import assert from "node:assert/strict";
 *
 * const bytes = encodeRequest({
 *   op: "dtwBatch",
 *   reference: [0, 1, 2],
 *   patterns: [[0, 1], [2, 2, 2]],
 *   cost: "squared",
 * });
 * assert.equal(bytes[0], 2); // op code
 * assert.equal(bytes.length, 32 + 2 * 4 + 8 * 8); // header, lengths, values
 * ```
 *
 * @param request The op and its arguments.
 * @returns The request message.
 * @throws {TypeError} for an unknown op or a bad argument (naming it).
 * @throws {RangeError} for an out-of-range option or length.
 */
export function encodeRequest(request: ServiceRequest): Uint8Array {
  if (request === null || typeof request !== "object") {
    throw new TypeError(
      `encodeRequest: request must be an object, got ${describe(request)}`,
    );
  }
  switch (request.op) {
    case "dtw":
      return encodeDtw(request);
    case "dtwBatch":
    case "topK":
      return encodeBatch(request);
    case "lcs":
      return encodeLcs(request.a, request.b);
    default:
      throw new TypeError(
        `encodeRequest: unknown op ${
          JSON.stringify((request as { op: unknown }).op)
        }; expected one of ${Object.keys(OP_CODES).join(", ")}`,
      );
  }
}

function header(
  bytes: Uint8Array,
  op: ServiceOp,
  fields: {
    options?: DtwOptions;
    fn?: string;
    encoding?: number;
    k?: number;
    count?: number;
    n: number;
    m: number;
  },
): DataView {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  view.setUint8(0, OP_CODES[op]);
  view.setUint8(1, PROTOCOL_VERSION);
  let window = -1;
  let cutoff = Infinity;
  if (fields.options !== undefined) {
    const args = dtwArgs(fields.fn!, fields.options);
    view.setUint8(2, args.squared);
    window = Math.min(args.window, MAX_WINDOW);
    cutoff = args.cutoff;
  }
  view.setUint8(3, fields.encoding ?? 0);
  view.setInt32(4, window, true);
  view.setUint32(8, fields.k ?? 0, true);
  view.setUint32(12, fields.count ?? 0, true);
  view.setFloat64(16, cutoff, true);
  view.setUint32(24, fields.n, true);
  view.setUint32(28, fields.m, true);
  return view;
}

/** Only the DTW options of a request object. */
function dtwOptionsOf(request: DtwOptions): DtwOptions {
  return { window: request.window, cost: request.cost, cutoff: request.cutoff };
}

/** Writes validated f64 values at byte offset `at` (which may be unaligned). */
function putSeries(
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
  if (LITTLE_ENDIAN) {
    bytes.set(new Uint8Array(values.buffer), at);
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    for (let i = 0; i < n; i++) view.setFloat64(at + 8 * i, values[i], true);
  }
}

function encodeDtw(
  request: Extract<ServiceRequest, { op: "dtw" }>,
): Uint8Array {
  const fn = "dtw";
  checkOptionKeys(fn, request, ["op", "a", "b", ...DTW_OPTION_KEYS]);
  const n = seriesLength(fn, "a", request.a);
  const m = seriesLength(fn, "b", request.b);
  const bytes = new Uint8Array(REQUEST_HEADER_BYTES + 8 * (n + m));
  header(bytes, "dtw", { options: dtwOptionsOf(request), fn, n, m });
  putSeries(fn, "a", request.a, bytes, REQUEST_HEADER_BYTES);
  putSeries(fn, "b", request.b, bytes, REQUEST_HEADER_BYTES + 8 * n);
  return bytes;
}

function encodeBatch(
  request: Extract<ServiceRequest, { op: "dtwBatch" | "topK" }>,
): Uint8Array {
  const fn = request.op;
  const keys = ["op", "reference", "patterns", ...DTW_OPTION_KEYS];
  if (request.op === "topK") keys.push("k");
  checkOptionKeys(fn, request, keys);
  const k = request.op === "topK"
    ? Math.min(kArg(fn, request.k), 2 ** 32 - 1)
    : 0;
  const n = seriesLength(fn, "reference", request.reference);
  const patterns = request.patterns;
  const offsets = patternOffsets(fn, "patterns", patterns);
  const count = offsets.length - 1;
  const total = n + offsets[count];
  const values = REQUEST_HEADER_BYTES + 4 * count;
  const bytes = new Uint8Array(values + 8 * total);
  const view = header(bytes, request.op, {
    options: dtwOptionsOf(request),
    fn,
    k,
    count,
    n,
    m: 0,
  });
  for (let i = 0; i < count; i++) {
    view.setUint32(
      REQUEST_HEADER_BYTES + 4 * i,
      offsets[i + 1] - offsets[i],
      true,
    );
  }
  putSeries(fn, "reference", request.reference, bytes, values);
  let at = values + 8 * n;
  for (let i = 0; i < count; i++) {
    putSeries(fn, `patterns[${i}]`, patterns[i], bytes, at);
    at += 8 * (offsets[i + 1] - offsets[i]);
  }
  return bytes;
}

function encodeLcs(a: LcsSequence, b: LcsSequence): Uint8Array {
  const fn = "lcs";
  const na = sequenceLength(fn, "a", a);
  const nb = sequenceLength(fn, "b", b);
  if (
    typeof a === "string" && typeof b === "string" &&
    a.isWellFormed() && b.isWellFormed()
  ) {
    const ua = encoder.encode(a);
    const ub = encoder.encode(b);
    const bytes = new Uint8Array(REQUEST_HEADER_BYTES + ua.length + ub.length);
    header(bytes, "lcs", { encoding: 1, n: ua.length, m: ub.length });
    bytes.set(ua, REQUEST_HEADER_BYTES);
    bytes.set(ub, REQUEST_HEADER_BYTES + ua.length);
    return bytes;
  }
  const ids = new Int32Array(na + nb);
  const table = new SymbolTable();
  const n = table.intern(fn, "a", a, ids, 0);
  const m = table.intern(fn, "b", b, ids, n);
  const bytes = new Uint8Array(REQUEST_HEADER_BYTES + 4 * (n + m));
  header(bytes, "lcs", { encoding: 0, n, m });
  if (LITTLE_ENDIAN) {
    bytes.set(
      new Uint8Array(ids.buffer, 0, 4 * (n + m)),
      REQUEST_HEADER_BYTES,
    );
  } else {
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < n + m; i++) {
      view.setInt32(REQUEST_HEADER_BYTES + 4 * i, ids[i], true);
    }
  }
  return bytes;
}

/** A request the server refuses: malformed, or over its limits. */
function malformed(message: string): Error {
  return new TypeError(`malformed request: ${message}`);
}

/** Copies `count` f64 values at byte offset `at` into a new array. */
function takeF64(bytes: Uint8Array, at: number, count: number): Float64Array {
  if (LITTLE_ENDIAN) {
    return new Float64Array(bytes.slice(at, at + 8 * count).buffer);
  }
  const out = new Float64Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  for (let i = 0; i < count; i++) out[i] = view.getFloat64(at + 8 * i, true);
  return out;
}

function takeI32(bytes: Uint8Array, at: number, count: number): Int32Array {
  if (LITTLE_ENDIAN) {
    return new Int32Array(bytes.slice(at, at + 4 * count).buffer);
  }
  const out = new Int32Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  for (let i = 0; i < count; i++) out[i] = view.getInt32(at + 4 * i, true);
  return out;
}

/**
 * Decodes and checks a request on the server. The arrays returned are
 * copies, so `bytes` may be reused afterwards. Values are not checked here
 * (the kernels reject non-finite numbers, naming the argument).
 *
 * @example Decoding what the client sent
 * ```ts
 * import { decodeRequest, encodeRequest } from "@midstreamer/kit/service";
 * import assert from "node:assert/strict";
 *
 * const request = decodeRequest(
 *   encodeRequest({ op: "topK", reference: [1, 2], patterns: [[1], [2]], k: 1 }),
 * );
 * assert.equal(request.op, "topK");
 * if (request.op === "topK") {
 *   assert.equal(request.k, 1);
 *   assert.deepEqual(request.patterns, [Float64Array.of(1), Float64Array.of(2)]);
 * }
 * assert.throws(() => decodeRequest(new Uint8Array(3)), TypeError);
 * ```
 *
 * @param bytes The request message.
 * @param limits The server's limits (defaults: {@linkcode DEFAULT_SERVICE_LIMITS}).
 * @returns The op, its arguments and options.
 * @throws {TypeError} for a malformed request (message starting with "malformed request").
 * @throws {RangeError} for a request over the limits.
 */
export function decodeRequest(
  bytes: Uint8Array,
  limits?: ServiceLimits,
): DecodedRequest {
  const maxSeries = limits?.maxSeriesLength ??
    DEFAULT_SERVICE_LIMITS.maxSeriesLength;
  const maxBatch = limits?.maxBatchLength ??
    DEFAULT_SERVICE_LIMITS.maxBatchLength;
  const maxBytes = limits?.maxRequestBytes ??
    DEFAULT_SERVICE_LIMITS.maxRequestBytes;
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(
      `decodeRequest: bytes must be a Uint8Array, got ${describe(bytes)}`,
    );
  }
  if (bytes.length > maxBytes) {
    throw new RangeError(
      `request of ${bytes.length} bytes exceeds the limit of ${maxBytes} bytes`,
    );
  }
  if (bytes.length < REQUEST_HEADER_BYTES) {
    throw malformed(
      `${bytes.length} bytes is shorter than the ${REQUEST_HEADER_BYTES}-byte header`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const code = view.getUint8(0);
  const op = (Object.keys(OP_CODES) as ServiceOp[]).find((name) =>
    OP_CODES[name] === code
  );
  if (op === undefined) throw malformed(`unknown op code ${code}`);
  const version = view.getUint8(1);
  if (version !== PROTOCOL_VERSION) {
    throw malformed(
      `protocol version ${version} is not supported (expected ${PROTOCOL_VERSION})`,
    );
  }
  const cost = view.getUint8(2);
  const encoding = view.getUint8(3);
  const window = view.getInt32(4, true);
  const k = view.getUint32(8, true);
  const count = view.getUint32(12, true);
  const cutoff = view.getFloat64(16, true);
  const n = view.getUint32(24, true);
  const m = view.getUint32(28, true);
  if (cost > 1) throw malformed(`unknown cost code ${cost}`);
  if (window < -1) throw malformed(`window ${window} is negative`);
  if (op !== "lcs" && encoding !== 0) {
    throw malformed(`encoding byte ${encoding} on op ${op}`);
  }
  const series = (name: string, length: number): void => {
    if (length > maxSeries) {
      throw new RangeError(
        `${op}: ${name} has ${length} points; the server's limit is ${maxSeries}`,
      );
    }
  };
  const expect = (size: number): void => {
    if (bytes.length !== size) {
      throw malformed(
        `the ${op} header describes ${size} bytes but the request has ${bytes.length}`,
      );
    }
  };
  const options: DtwOptions = {
    window: window < 0 ? undefined : window,
    cost: cost === 1 ? "squared" : "absolute",
    cutoff,
  };
  const H = REQUEST_HEADER_BYTES;
  if (op === "dtw" || op === "lcs") {
    if (count !== 0 || k !== 0) throw malformed(`count or k set on op ${op}`);
    series("a", n);
    series("b", m);
    if (op === "dtw") {
      expect(H + 8 * (n + m));
      return {
        op,
        a: takeF64(bytes, H, n),
        b: takeF64(bytes, H + 8 * n, m),
        options,
      };
    }
    if (encoding === 1) {
      expect(H + n + m);
      try {
        return {
          op,
          a: decoder.decode(bytes.subarray(H, H + n)),
          b: decoder.decode(bytes.subarray(H + n, H + n + m)),
        };
      } catch {
        throw malformed("lcs strings are not valid UTF-8");
      }
    }
    if (encoding !== 0) throw malformed(`unknown lcs encoding ${encoding}`);
    expect(H + 4 * (n + m));
    return { op, a: takeI32(bytes, H, n), b: takeI32(bytes, H + 4 * n, m) };
  }
  if (m !== 0) throw malformed(`m set on op ${op}`);
  if (op === "dtwBatch" && k !== 0) throw malformed("k set on op dtwBatch");
  if (op === "topK" && k === 0) throw malformed("k is 0");
  if (count > maxBatch) {
    throw new RangeError(
      `${op}: ${count} patterns exceed the server's limit of ${maxBatch}`,
    );
  }
  series("reference", n);
  if (bytes.length < H + 4 * count) {
    throw malformed(`${count} pattern lengths do not fit in the request`);
  }
  let size = H + 4 * count + 8 * n;
  const lengths = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    lengths[i] = view.getUint32(H + 4 * i, true);
    series(`patterns[${i}]`, lengths[i]);
    size += 8 * lengths[i];
  }
  expect(size);
  let at = H + 4 * count;
  const reference = takeF64(bytes, at, n);
  at += 8 * n;
  const patterns: Float64Array[] = new Array(count);
  for (let i = 0; i < count; i++) {
    patterns[i] = takeF64(bytes, at, lengths[i]);
    at += 8 * lengths[i];
  }
  return op === "topK"
    ? { op, reference, patterns, k, options }
    : { op, reference, patterns, options };
}

/**
 * Encodes the server's reply to an op.
 *
 * @example Replies of each op
 * ```ts
 * import { encodeReply } from "@midstreamer/kit/service";
 * import assert from "node:assert/strict";
 *
 * assert.equal(encodeReply("dtw", 2.5).length, 8);
 * assert.equal(encodeReply("dtwBatch", Float64Array.of(1, 2)).length, 16);
 * assert.equal(encodeReply("topK", [{ index: 3, distance: 0 }]).length, 16);
 * ```
 *
 * @param op The op answered.
 * @param result Its result.
 * @returns The reply message.
 */
export function encodeReply<Op extends ServiceOp>(
  op: Op,
  result: ServiceReplies[Op],
): Uint8Array {
  let values: Float64Array;
  if (op === "dtwBatch") {
    values = result as Float64Array;
  } else if (op === "topK") {
    const matches = result as Match[];
    values = new Float64Array(2 * matches.length);
    for (let i = 0; i < matches.length; i++) {
      values[2 * i] = matches[i].index;
      values[2 * i + 1] = matches[i].distance;
    }
  } else {
    values = Float64Array.of(result as number);
  }
  if (LITTLE_ENDIAN) {
    return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  }
  const bytes = new Uint8Array(8 * values.length);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) {
    view.setFloat64(8 * i, values[i], true);
  }
  return bytes;
}

/**
 * Decodes the server's reply to an op.
 *
 * @example Round trip of a topK reply
 * ```ts
 * import { decodeReply, encodeReply } from "@midstreamer/kit/service";
 * import assert from "node:assert/strict";
 *
 * const matches = [{ index: 1, distance: 0.5 }, { index: 0, distance: 2 }];
 * assert.deepEqual(decodeReply("topK", encodeReply("topK", matches)), matches);
 * ```
 *
 * @param op The op that was requested.
 * @param bytes The reply message.
 * @returns The result.
 * @throws {TypeError} when the reply has the wrong size for the op.
 */
export function decodeReply<Op extends ServiceOp>(
  op: Op,
  bytes: Uint8Array,
): ServiceReplies[Op] {
  const scalar = op === "dtw" || op === "lcs";
  if (
    bytes.length % (op === "topK" ? 16 : 8) !== 0 ||
    (scalar && bytes.length !== 8)
  ) {
    throw new TypeError(
      `malformed reply: ${bytes.length} bytes is not a ${op} reply`,
    );
  }
  const values = takeF64(bytes, 0, bytes.length / 8);
  if (scalar) return values[0] as ServiceReplies[Op];
  if (op === "dtwBatch") return values as ServiceReplies[Op];
  const matches: Match[] = new Array(values.length / 2);
  for (let i = 0; i < matches.length; i++) {
    matches[i] = { index: values[2 * i], distance: values[2 * i + 1] };
  }
  return matches as ServiceReplies[Op];
}
