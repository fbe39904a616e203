// Copyright 2026 the @midstreamer/kit authors. MIT license.

/**
 * The binary protocol of the matching service, version 2: one request
 * message per call, one reply message back, carried by
 * `@midstreamer/kit/transport` (which frames messages, matches replies to
 * requests and carries errors). Every number is little-endian.
 *
 * ## Request
 *
 * A 32-byte header, then the data:
 *
 * | offset | size | field |
 * | ------ | ---- | ----- |
 * | 0 | 1 | op: 1 `dtw`, 2 `dtwBatch`, 3 `topK`, 4 `lcs`, 5 `searchSubsequence`, 6 `dtwPath`, 7 `correlationMatrix` |
 * | 1 | 1 | protocol version: 2 |
 * | 2 | 1 | cost: 0 absolute, 1 squared (0 for `lcs` and `correlationMatrix`) |
 * | 3 | 1 | flags: `lcs` encoding (0 int32 symbol ids, 1 UTF-8 strings); `searchSubsequence` normalize (0 or 1); else 0 |
 * | 4 | 4 | window, i32: the band half-width in points, -1 for no band (0 for `lcs` and `correlationMatrix`) |
 * | 8 | 4 | k, u32 (`topK`, `searchSubsequence`; else 0) |
 * | 12 | 4 | count, u32: number of patterns (`dtwBatch`, `topK`) or sequences (`correlationMatrix`); else 0 |
 * | 16 | 8 | f64: cutoff (`dtw`, `dtwBatch`, `topK`, `dtwPath`; `Infinity` for none), the exclusion zone (`searchSubsequence`); else 0 |
 * | 24 | 4 | n, u32: length of `a`, the reference or the series; all symbols together for `correlationMatrix` |
 * | 28 | 4 | m, u32: length of `b` or the query (`dtw`, `dtwPath`, `lcs`, `searchSubsequence`; else 0) |
 * | 32 | 4 × count | the length of each pattern or sequence, u32 (`dtwBatch`, `topK`, `correlationMatrix`) |
 *
 * Then the values, back to back with no padding: `a` (or the reference, or
 * the series) then `b` (or every pattern in order, or the query). Series
 * are f64. For `lcs`, encoding 0 sends int32 symbol ids (equal ids are
 * equal symbols; `n` and `m` count ids) and encoding 1 sends two UTF-8
 * strings compared by code point (`n` and `m` count bytes).
 * `correlationMatrix` sends the int32 symbol ids of every sequence, interned
 * with one table. The message must end exactly after the last value.
 * `searchSubsequence` sends its options resolved (`k` at most the number
 * of windows, the exclusion zone's default applied).
 *
 * ## Reply
 *
 * The reply holds only the result, as f64 values unless said otherwise:
 *
 * - `dtw`: the distance (`Infinity` above the cutoff); `lcs`: the LCS length;
 * - `dtwBatch`: `count` distances, in pattern order;
 * - `topK`: the 4 counters of `TopKStats` (`prunedByKim`, `prunedByKeogh`,
 *   `abandoned`, `computed`), then for each match, in order, the pattern
 *   index then the distance;
 * - `searchSubsequence`: the 6 counters of `SearchStats` (`windows`,
 *   `prunedByKim`, `prunedByKeoghEQ`, `prunedByKeoghEC`, `abandoned`,
 *   `computed`), then for each match, in order, its start then the distance;
 * - `dtwPath`: the distance, then the path as u32 pairs `i`, `j`;
 * - `correlationMatrix`: the `count × count` matrix, row-major.
 *
 * ## Errors
 *
 * A request the server cannot answer — malformed, over the limits,
 * rejected by a kernel (e.g. a `NaN` in a series), or sent while the server
 * shuts down — gets the transport's error reply, whose UTF-8 message is
 * the error's class, `": "`, and its message (`"RangeError: dtw: ..."`).
 * The service client rethrows the kit's error classes (`TypeError`,
 * `RangeError`, `ClosedError`, `QueueFullError`) as that class with that
 * message, and anything else as the transport's `RemoteError` carrying the
 * whole text. A request larger than the server's byte limit is refused by
 * the transport itself (`MessageTooLargeError`). Either way the connection
 * stays usable.
 *
 * ## Versions
 *
 * Version 1 (kit 0.1) had ops 1 to 4, took `topK`'s `k` as now, and
 * replied to `topK` without the counters. A server answers only its own
 * version; any other is a malformed request.
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

import type { DtwOptions } from "../kernels/dtw.ts";
import type { DtwPathResult } from "../kernels/dtw_path.ts";
import {
  checkOptionKeys,
  copySeries,
  describe,
  DTW_OPTION_KEYS,
  dtwArgs,
  encodeSequences,
  internPair,
  patternOffsets,
  searchArgs,
  sequenceLength,
  seriesLength,
  subsequenceMatch,
  TOP_K_KEYS,
  topKArgs,
} from "../kernels/internal.ts";
import type { LcsSequence } from "../kernels/lcs.ts";
import type {
  SearchOptions,
  SearchStats,
  SubsequenceMatch,
} from "../kernels/search_subsequence.ts";
import type { Match, TopKStats } from "../kernels/top_k.ts";

/** The operations of the service. */
export type ServiceOp =
  | "dtw"
  | "dtwBatch"
  | "topK"
  | "lcs"
  | "searchSubsequence"
  | "dtwPath"
  | "correlationMatrix";

/**
 * Op codes on the wire (byte 0 of a request).
 *
 * @example The op of a request
 * ```ts
 * import { encodeRequest, OP_CODES } from "@midstreamer/kit/service";
 * import assert from "node:assert/strict";
 *
 * assert.equal(encodeRequest({ op: "lcs", a: "ab", b: "b" })[0], OP_CODES.lcs);
 * ```
 */
export const OP_CODES: Readonly<Record<ServiceOp, number>> = Object.freeze({
  dtw: 1,
  dtwBatch: 2,
  topK: 3,
  lcs: 4,
  searchSubsequence: 5,
  dtwPath: 6,
  correlationMatrix: 7,
});

/**
 * Protocol version (byte 1 of a request).
 *
 * @example The version of a request
 * ```ts
 * import { encodeRequest, PROTOCOL_VERSION } from "@midstreamer/kit/service";
 * import assert from "node:assert/strict";
 *
 * assert.equal(encodeRequest({ op: "dtw", a: [1], b: [1] })[1], PROTOCOL_VERSION);
 * ```
 */
export const PROTOCOL_VERSION = 2;

/**
 * Size of the request header, in bytes, before the pattern lengths.
 *
 * @example An empty dtw request is the header alone
 * ```ts
 * import { encodeRequest, REQUEST_HEADER_BYTES } from "@midstreamer/kit/service";
 * import assert from "node:assert/strict";
 *
 * assert.equal(encodeRequest({ op: "dtw", a: [], b: [] }).length, REQUEST_HEADER_BYTES);
 * ```
 */
export const REQUEST_HEADER_BYTES = 32;

/** The search options a request carries (all but `stats`). */
export type SearchRequestOptions = Omit<SearchOptions, "stats">;

/**
 * A request as the client gives it to {@linkcode encodeRequest}: the op,
 * the arguments of the function of that name, and its options (without
 * the `stats` out-parameters, which come back in the reply).
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
    k?: number;
  } & DtwOptions)
  | { op: "lcs"; a: LcsSequence; b: LcsSequence }
  | ({
    op: "searchSubsequence";
    series: ArrayLike<number>;
    query: ArrayLike<number>;
  } & SearchRequestOptions)
  | ({ op: "dtwPath"; a: ArrayLike<number>; b: ArrayLike<number> } & DtwOptions)
  | { op: "correlationMatrix"; sequences: readonly LcsSequence[] };

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
    options: DtwOptions & { k: number };
  }
  | { op: "lcs"; a: Int32Array | string; b: Int32Array | string }
  | {
    op: "searchSubsequence";
    series: Float64Array;
    query: Float64Array;
    options: SearchRequestOptions;
  }
  | { op: "dtwPath"; a: Float64Array; b: Float64Array; options: DtwOptions }
  | { op: "correlationMatrix"; sequences: Int32Array[] };

/** The reply to `topK`: the matches and the pruning counters. */
export interface TopKReply {
  /** The best matches, sorted. */
  matches: Match[];
  /** The counters of the server's `topK`. */
  stats: TopKStats;
}

/** The reply to `searchSubsequence`: the matches and the pruning counters. */
export interface SearchReply {
  /** The best windows, sorted. */
  matches: SubsequenceMatch[];
  /** The counters of the server's search. */
  stats: SearchStats;
}

/** What each op replies with. */
export interface ServiceReplies {
  /** The DTW distance. */
  dtw: number;
  /** One distance per pattern. */
  dtwBatch: Float64Array;
  /** The best matches and the counters. */
  topK: TopKReply;
  /** The LCS length. */
  lcs: number;
  /** The best windows and the counters. */
  searchSubsequence: SearchReply;
  /** The distance and the warping path. */
  dtwPath: DtwPathResult;
  /** The correlation matrix, row-major. */
  correlationMatrix: Float64Array;
}

/** Limits a server puts on each request. */
export interface ServiceLimits {
  /**
   * Longest series, query, or sequence (in symbols, or UTF-8 bytes for an
   * `lcs` string), in points.
   *
   * @default {100000}
   */
  maxSeriesLength?: number;
  /**
   * Most patterns in one `dtwBatch` or `topK` request, or sequences in one
   * `correlationMatrix` request.
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

/**
 * The default {@linkcode ServiceLimits}.
 *
 * @example A request over the default series length
 * ```ts
 * import { decodeRequest, DEFAULT_SERVICE_LIMITS, encodeRequest } from "@midstreamer/kit/service";
 * import assert from "node:assert/strict";
 *
 * const long = new Float64Array(DEFAULT_SERVICE_LIMITS.maxSeriesLength + 1);
 * assert.throws(() => decodeRequest(encodeRequest({ op: "dtw", a: long, b: [1] })), RangeError);
 * ```
 */
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

const SEARCH_REQUEST_KEYS = [
  "op",
  "series",
  "query",
  "window",
  "k",
  "normalize",
  "exclusionZone",
  "cost",
];

/**
 * Encodes a request, validating it as the local function would (so a bad
 * argument fails here, with the function's error, before anything is
 * sent).
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
    case "dtwPath":
      return encodePair(request);
    case "dtwBatch":
    case "topK":
      return encodeBatch(request);
    case "lcs":
      return encodeLcs(request.a, request.b);
    case "searchSubsequence":
      return encodeSearch(request);
    case "correlationMatrix":
      return encodeCorrelation(request);
    default:
      throw new TypeError(
        `encodeRequest: unknown op ${
          JSON.stringify((request as { op: unknown }).op)
        }; expected one of ${Object.keys(OP_CODES).join(", ")}`,
      );
  }
}

/** Header fields of a request (all 0 when left out). */
interface Header {
  cost?: number;
  flags?: number;
  /** -1 for no band. */
  window?: number;
  k?: number;
  count?: number;
  value?: number;
  n: number;
  m: number;
}

function header(bytes: Uint8Array, op: ServiceOp, h: Header): DataView {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  view.setUint8(0, OP_CODES[op]);
  view.setUint8(1, PROTOCOL_VERSION);
  view.setUint8(2, h.cost ?? 0);
  view.setUint8(3, h.flags ?? 0);
  view.setInt32(4, Math.min(h.window ?? 0, MAX_WINDOW), true);
  view.setUint32(8, h.k ?? 0, true);
  view.setUint32(12, h.count ?? 0, true);
  view.setFloat64(16, h.value ?? 0, true);
  view.setUint32(24, h.n, true);
  view.setUint32(28, h.m, true);
  return view;
}

/** The DTW fields of a header, validated as `fn` would. */
function dtwHeader(fn: string, request: DtwOptions): Partial<Header> {
  const args = dtwArgs(fn, {
    window: request.window,
    cost: request.cost,
    cutoff: request.cutoff,
  });
  return { cost: args.squared, window: args.window, value: args.cutoff };
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
  putValues(values, bytes, at);
}

/** Writes `values` little-endian at byte offset `at` (which may be unaligned). */
function putValues(
  values: Float64Array | Int32Array,
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
  const f64 = values instanceof Float64Array;
  for (let i = 0; i < values.length; i++) {
    if (f64) view.setFloat64(at + 8 * i, values[i], true);
    else view.setInt32(at + 4 * i, values[i], true);
  }
}

function encodePair(
  request: Extract<ServiceRequest, { op: "dtw" | "dtwPath" }>,
): Uint8Array {
  const fn = request.op;
  checkOptionKeys(fn, request, ["op", "a", "b", ...DTW_OPTION_KEYS]);
  const h = dtwHeader(fn, request);
  const n = seriesLength(fn, "a", request.a);
  const m = seriesLength(fn, "b", request.b);
  const bytes = new Uint8Array(REQUEST_HEADER_BYTES + 8 * (n + m));
  header(bytes, fn, { ...h, n, m });
  putSeries(fn, "a", request.a, bytes, REQUEST_HEADER_BYTES);
  putSeries(fn, "b", request.b, bytes, REQUEST_HEADER_BYTES + 8 * n);
  return bytes;
}

function encodeBatch(
  request: Extract<ServiceRequest, { op: "dtwBatch" | "topK" }>,
): Uint8Array {
  const fn = request.op;
  const keys = ["op", "reference", "patterns", ...DTW_OPTION_KEYS];
  let k = 0;
  let h: Partial<Header>;
  if (request.op === "topK") {
    const { op: _, reference: _r, patterns: _p, ...options } = request;
    const a = topKArgs(fn, options, undefined, TOP_K_KEYS);
    k = Math.min(a.k, 2 ** 32 - 1);
    h = { cost: a.squared, window: a.window, value: a.cutoff };
    keys.push("k");
    checkOptionKeys(fn, request, keys);
  } else {
    checkOptionKeys(fn, request, keys);
    h = dtwHeader(fn, request);
  }
  const n = seriesLength(fn, "reference", request.reference);
  const patterns = request.patterns;
  const offsets = patternOffsets(fn, "patterns", patterns);
  const count = offsets.length - 1;
  const total = n + offsets[count];
  const values = REQUEST_HEADER_BYTES + 4 * count;
  const bytes = new Uint8Array(values + 8 * total);
  const view = header(bytes, request.op, { ...h, k, count, n, m: 0 });
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
  sequenceLength(fn, "a", a);
  sequenceLength(fn, "b", b);
  if (
    typeof a === "string" && typeof b === "string" &&
    a.isWellFormed() && b.isWellFormed()
  ) {
    const ua = encoder.encode(a);
    const ub = encoder.encode(b);
    const bytes = new Uint8Array(REQUEST_HEADER_BYTES + ua.length + ub.length);
    header(bytes, "lcs", { flags: 1, n: ua.length, m: ub.length });
    bytes.set(ua, REQUEST_HEADER_BYTES);
    bytes.set(ub, REQUEST_HEADER_BYTES + ua.length);
    return bytes;
  }
  const { ids, n, m } = internPair(fn, a, b);
  const bytes = new Uint8Array(REQUEST_HEADER_BYTES + 4 * (n + m));
  header(bytes, "lcs", { n, m });
  putValues(ids.subarray(0, n + m), bytes, REQUEST_HEADER_BYTES);
  return bytes;
}

function encodeSearch(
  request: Extract<ServiceRequest, { op: "searchSubsequence" }>,
): Uint8Array {
  const fn = "searchSubsequence";
  checkOptionKeys(fn, request, SEARCH_REQUEST_KEYS);
  const n = seriesLength(fn, "series", request.series);
  const m = seriesLength(fn, "query", request.query);
  const { op: _, series: _s, query: _q, ...options } = request;
  const args = searchArgs(fn, n, m, options);
  const bytes = new Uint8Array(REQUEST_HEADER_BYTES + 8 * (n + m));
  header(bytes, "searchSubsequence", {
    cost: args.squared,
    flags: args.normalize,
    window: args.window,
    k: args.k,
    value: args.exclusionZone,
    n,
    m,
  });
  putSeries(fn, "series", request.series, bytes, REQUEST_HEADER_BYTES);
  putSeries(fn, "query", request.query, bytes, REQUEST_HEADER_BYTES + 8 * n);
  return bytes;
}

function encodeCorrelation(
  request: Extract<ServiceRequest, { op: "correlationMatrix" }>,
): Uint8Array {
  const fn = "correlationMatrix";
  checkOptionKeys(fn, request, ["op", "sequences"]);
  const { ids, starts } = encodeSequences(fn, request.sequences);
  const count = starts.length - 1;
  const n = starts[count];
  const values = REQUEST_HEADER_BYTES + 4 * count;
  const bytes = new Uint8Array(values + 4 * n);
  const view = header(bytes, "correlationMatrix", { count, n, m: 0 });
  for (let i = 0; i < count; i++) {
    view.setUint32(
      REQUEST_HEADER_BYTES + 4 * i,
      starts[i + 1] - starts[i],
      true,
    );
  }
  putValues(ids.subarray(0, n), bytes, values);
  return bytes;
}

/** A request the server refuses: malformed. */
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

/** The ops whose header has the given fields set. */
const USES_K: readonly ServiceOp[] = ["topK", "searchSubsequence"];
const USES_COUNT: readonly ServiceOp[] = [
  "dtwBatch",
  "topK",
  "correlationMatrix",
];
const USES_M: readonly ServiceOp[] = [
  "dtw",
  "dtwPath",
  "lcs",
  "searchSubsequence",
];
const NO_DTW: readonly ServiceOp[] = ["lcs", "correlationMatrix"];

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
 *   assert.equal(request.options.k, 1);
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
  const flags = view.getUint8(3);
  const window = view.getInt32(4, true);
  const k = view.getUint32(8, true);
  const count = view.getUint32(12, true);
  const value = view.getFloat64(16, true);
  const n = view.getUint32(24, true);
  const m = view.getUint32(28, true);
  if (cost > 1) throw malformed(`unknown cost code ${cost}`);
  if (window < -1) throw malformed(`window ${window} is negative`);
  if (op !== "lcs" && op !== "searchSubsequence" && flags !== 0) {
    throw malformed(`flags byte ${flags} on op ${op}`);
  }
  if (flags > 1) throw malformed(`unknown flags ${flags} on op ${op}`);
  if (NO_DTW.includes(op) && (cost !== 0 || window !== 0 || value !== 0)) {
    throw malformed(`cost, window or cutoff set on op ${op}`);
  }
  if (!USES_K.includes(op) && k !== 0) throw malformed(`k set on op ${op}`);
  if (USES_K.includes(op) && k === 0) throw malformed("k is 0");
  if (!USES_COUNT.includes(op) && count !== 0) {
    throw malformed(`count set on op ${op}`);
  }
  if (!USES_M.includes(op) && m !== 0) throw malformed(`m set on op ${op}`);
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
  const dtwOptions: DtwOptions = {
    window: window < 0 ? undefined : window,
    cost: cost === 1 ? "squared" : "absolute",
    cutoff: value,
  };
  const H = REQUEST_HEADER_BYTES;
  if (USES_M.includes(op)) {
    const [nameA, nameB] = op === "searchSubsequence"
      ? ["series", "query"]
      : ["a", "b"];
    series(nameA, n);
    series(nameB, m);
    if (op === "lcs") {
      if (flags === 1) {
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
      expect(H + 4 * (n + m));
      return { op, a: takeI32(bytes, H, n), b: takeI32(bytes, H + 4 * n, m) };
    }
    expect(H + 8 * (n + m));
    const a = takeF64(bytes, H, n);
    const b = takeF64(bytes, H + 8 * n, m);
    if (op === "searchSubsequence") {
      const options: SearchRequestOptions = {
        window: window < 0 ? Infinity : window,
        k,
        normalize: flags === 1,
        exclusionZone: value,
        cost: dtwOptions.cost,
      };
      return { op, series: a, query: b, options };
    }
    return op === "dtw"
      ? { op, a, b, options: dtwOptions }
      : { op: "dtwPath", a, b, options: dtwOptions };
  }
  if (count > maxBatch) {
    throw new RangeError(
      `${op}: ${count} ${
        op === "correlationMatrix" ? "sequences" : "patterns"
      } exceed the server's limit of ${maxBatch}`,
    );
  }
  if (bytes.length < H + 4 * count) {
    throw malformed(`${count} lengths do not fit in the request`);
  }
  const lengths = new Uint32Array(count);
  let total = 0;
  const name = op === "correlationMatrix" ? "sequences" : "patterns";
  for (let i = 0; i < count; i++) {
    lengths[i] = view.getUint32(H + 4 * i, true);
    series(`${name}[${i}]`, lengths[i]);
    total += lengths[i];
  }
  let at = H + 4 * count;
  if (op === "correlationMatrix") {
    if (total !== n) {
      throw malformed(`the lengths add up to ${total} symbols, not ${n}`);
    }
    expect(at + 4 * n);
    const ids = takeI32(bytes, at, n);
    const sequences: Int32Array[] = new Array(count);
    let from = 0;
    for (let i = 0; i < count; i++) {
      sequences[i] = ids.subarray(from, from + lengths[i]);
      from += lengths[i];
    }
    return { op, sequences };
  }
  series("reference", n);
  expect(at + 8 * (n + total));
  const reference = takeF64(bytes, at, n);
  at += 8 * n;
  const patterns: Float64Array[] = new Array(count);
  for (let i = 0; i < count; i++) {
    patterns[i] = takeF64(bytes, at, lengths[i]);
    at += 8 * lengths[i];
  }
  return op === "topK"
    ? { op, reference, patterns, options: { ...dtwOptions, k } }
    : { op: "dtwBatch", reference, patterns, options: dtwOptions };
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
 * const stats = { prunedByKim: 0, prunedByKeogh: 0, abandoned: 0, computed: 1 };
 * assert.equal(
 *   encodeReply("topK", { matches: [{ index: 3, distance: 0 }], stats }).length,
 *   32 + 16,
 * );
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
  switch (op) {
    case "dtwBatch":
    case "correlationMatrix":
      values = result as Float64Array;
      break;
    case "topK": {
      const { matches, stats: s } = result as TopKReply;
      values = pairs(
        [s.prunedByKim, s.prunedByKeogh, s.abandoned, s.computed],
        matches.length,
        (i) => [matches[i].index, matches[i].distance],
      );
      break;
    }
    case "searchSubsequence": {
      const { matches, stats: s } = result as SearchReply;
      values = pairs(
        [
          s.windows,
          s.prunedByKim,
          s.prunedByKeoghEQ,
          s.prunedByKeoghEC,
          s.abandoned,
          s.computed,
        ],
        matches.length,
        (i) => [matches[i].start, matches[i].distance],
      );
      break;
    }
    case "dtwPath": {
      const { distance, path } = result as DtwPathResult;
      const bytes = new Uint8Array(8 + 8 * path.length);
      const view = new DataView(bytes.buffer);
      view.setFloat64(0, distance, true);
      for (let i = 0; i < path.length; i++) {
        view.setUint32(8 + 8 * i, path[i][0], true);
        view.setUint32(12 + 8 * i, path[i][1], true);
      }
      return bytes;
    }
    default:
      values = Float64Array.of(result as number);
  }
  const bytes = new Uint8Array(8 * values.length);
  putValues(values, bytes, 0);
  return bytes;
}

/** `head`, then `count` pairs `pair(i)`, as f64 values. */
function pairs(
  head: number[],
  count: number,
  pair: (i: number) => [number, number],
): Float64Array {
  const values = new Float64Array(head.length + 2 * count);
  values.set(head);
  for (let i = 0; i < count; i++) {
    const [a, b] = pair(i);
    values[head.length + 2 * i] = a;
    values[head.length + 2 * i + 1] = b;
  }
  return values;
}

/** Size in bytes of a reply's fixed head and of each of its items, by op. */
const REPLY_SHAPE: Readonly<Record<ServiceOp, [number, number]>> = {
  dtw: [8, 0],
  lcs: [8, 0],
  dtwBatch: [0, 8],
  correlationMatrix: [0, 8],
  topK: [32, 16],
  searchSubsequence: [48, 16],
  dtwPath: [8, 8],
};

/**
 * Decodes the server's reply to an op. A `searchSubsequence` reply needs
 * the query's length, for the matches' `end`.
 *
 * @example Round trip of a topK reply
 * ```ts
 * import { decodeReply, encodeReply } from "@midstreamer/kit/service";
 * import assert from "node:assert/strict";
 *
 * const reply = {
 *   matches: [{ index: 1, distance: 0.5 }, { index: 0, distance: 2 }],
 *   stats: { prunedByKim: 0, prunedByKeogh: 0, abandoned: 0, computed: 2 },
 * };
 * assert.deepEqual(decodeReply("topK", encodeReply("topK", reply)), reply);
 * ```
 *
 * @param op The op that was requested.
 * @param bytes The reply message.
 * @param queryLength For `searchSubsequence`: the length of the query.
 * @returns The result.
 * @throws {TypeError} when the reply has the wrong size for the op.
 */
export function decodeReply<Op extends ServiceOp>(
  op: Op,
  bytes: Uint8Array,
  queryLength = 0,
): ServiceReplies[Op] {
  const [head, item] = REPLY_SHAPE[op];
  if (
    bytes.length < head ||
    (item === 0 ? bytes.length !== head : (bytes.length - head) % item !== 0)
  ) {
    throw new TypeError(
      `malformed reply: ${bytes.length} bytes is not a ${op} reply`,
    );
  }
  if (op === "dtwPath") {
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const path: Array<[number, number]> = new Array((bytes.length - 8) / 8);
    for (let i = 0; i < path.length; i++) {
      path[i] = [
        view.getUint32(8 + 8 * i, true),
        view.getUint32(12 + 8 * i, true),
      ];
    }
    const reply: DtwPathResult = { distance: view.getFloat64(0, true), path };
    return reply as ServiceReplies[Op];
  }
  const values = takeF64(bytes, 0, bytes.length / 8);
  switch (op) {
    case "dtw":
    case "lcs":
      return values[0] as ServiceReplies[Op];
    case "topK": {
      const matches: Match[] = new Array((values.length - 4) / 2);
      for (let i = 0; i < matches.length; i++) {
        matches[i] = { index: values[4 + 2 * i], distance: values[5 + 2 * i] };
      }
      const stats: TopKStats = {
        prunedByKim: values[0],
        prunedByKeogh: values[1],
        abandoned: values[2],
        computed: values[3],
      };
      const reply: TopKReply = { matches, stats };
      return reply as ServiceReplies[Op];
    }
    case "searchSubsequence": {
      const matches: SubsequenceMatch[] = new Array((values.length - 6) / 2);
      for (let i = 0; i < matches.length; i++) {
        matches[i] = subsequenceMatch(
          values[6 + 2 * i],
          queryLength,
          values[7 + 2 * i],
        );
      }
      const stats: SearchStats = {
        windows: values[0],
        prunedByKim: values[1],
        prunedByKeoghEQ: values[2],
        prunedByKeoghEC: values[3],
        abandoned: values[4],
        computed: values[5],
      };
      const reply: SearchReply = { matches, stats };
      return reply as ServiceReplies[Op];
    }
    default:
      return values as ServiceReplies[Op];
  }
}
