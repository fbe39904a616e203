// Copyright 2026 the @midstreamer/kit authors. MIT license.

import type { DtwOptions } from "../kernels/dtw.ts";
import { describe } from "../kernels/internal.ts";
import { takeF32, takeF64, takeI32 } from "./_wire.ts";
import { cellsOf, checkBatch, checkCells, checkSeries } from "./_check.ts";
import {
  type DecodedRequest,
  type DecodedSeries,
  DEFAULT_SERVICE_LIMITS,
  OP_CODES,
  PROTOCOL_VERSION,
  REQUEST_HEADER_BYTES,
  type SearchRequestOptions,
  type ServiceLimits,
  type ServiceOp,
} from "./protocol.ts";

const decoder = new TextDecoder("utf-8", { fatal: true });

/** A request the server refuses: malformed. */
function malformed(message: string): Error {
  return new TypeError(`malformed request: ${message}`);
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
/** The ops that take series of several values per point. */
const DIMS: readonly ServiceOp[] = [
  "dtw",
  "dtwBatch",
  "topK",
  "dtwPath",
  "searchSubsequence",
];
/** The ops that take `precision: "f32"`. */
const F32: readonly ServiceOp[] = ["dtw", "dtwBatch", "topK", "dtwPath"];
/** The ops that take `multivariate: "independent"`. */
const INDEPENDENT: readonly ServiceOp[] = [
  "dtw",
  "dtwBatch",
  "topK",
  "searchSubsequence",
];

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
 *   assert.equal(request.options.multivariate, "dependent");
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
  const dims = view.getUint32(32, true);
  const precision = view.getUint8(36);
  const multivariate = view.getUint8(37);
  if (view.getUint16(38, true) !== 0) throw malformed("reserved bytes set");
  if (cost > 1) throw malformed(`unknown cost code ${cost}`);
  if (precision > 1) throw malformed(`unknown precision code ${precision}`);
  if (multivariate > 1) {
    throw malformed(`unknown multivariate code ${multivariate}`);
  }
  if (DIMS.includes(op) ? dims === 0 : dims !== 0) {
    throw malformed(`dims ${dims} on op ${op}`);
  }
  if (!F32.includes(op) && precision !== 0) {
    throw malformed(`precision set on op ${op}`);
  }
  if (
    multivariate !== 0 && (!INDEPENDENT.includes(op) || dims === 1)
  ) {
    throw malformed(`multivariate set on op ${op} with ${dims} dimensions`);
  }
  if (window < -1) throw malformed(`window ${window} is negative`);
  if (op !== "lcs" && op !== "searchSubsequence" && flags !== 0) {
    throw malformed(`flags byte ${flags} on op ${op}`);
  }
  if (flags > 1) throw malformed(`unknown flags ${flags} on op ${op}`);
  if (
    NO_DTW.includes(op) && (cost !== 0 || window !== 0 || !Object.is(value, 0))
  ) {
    throw malformed(`cost, window or cutoff set on op ${op}`);
  }
  if (!USES_K.includes(op) && k !== 0) throw malformed(`k set on op ${op}`);
  if (USES_K.includes(op) && k === 0) throw malformed("k is 0");
  if (!USES_COUNT.includes(op) && count !== 0) {
    throw malformed(`count set on op ${op}`);
  }
  if (!USES_M.includes(op) && m !== 0) throw malformed(`m set on op ${op}`);
  const series = (name: string, length: number): void =>
    checkSeries(op, name, length, limits);
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
    multivariate: multivariate === 1 ? "independent" : "dependent",
    precision: precision === 1 ? "f32" : "f64",
  };
  const H = REQUEST_HEADER_BYTES;
  /** Bytes of one value of a series. */
  const size = precision === 1 ? 4 : 8;
  /** A series of `points` points at byte `at`. */
  const take = (at: number, points: number): DecodedSeries => {
    if (dims === 1 && precision === 0) return takeF64(bytes, at, points);
    const values = precision === 1
      ? takeF32(bytes, at, points * dims)
      : takeF64(bytes, at, points * dims);
    return { dims, values };
  };
  if (USES_M.includes(op)) {
    const [nameA, nameB] = op === "searchSubsequence"
      ? ["series", "query"]
      : ["a", "b"];
    series(nameA, n);
    series(nameB, m);
    checkCells(
      op,
      cellsOf(op, n, m, [], op === "lcs" ? undefined : dtwOptions.window) *
        Math.max(1, dims),
      limits,
    );
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
    expect(H + size * dims * (n + m));
    const a = take(H, n);
    const b = take(H + size * dims * n, m);
    if (op === "searchSubsequence") {
      if (m <= n && k > n - m + 1) {
        throw malformed(
          `k ${k} exceeds the ${
            n - m + 1
          } windows (the client sends k resolved)`,
        );
      }
      const options: SearchRequestOptions = {
        window: window < 0 ? Infinity : window,
        k,
        normalize: flags === 1,
        exclusionZone: value,
        cost: dtwOptions.cost,
        multivariate: dtwOptions.multivariate,
      };
      return { op, series: a, query: b, options };
    }
    return op === "dtw"
      ? { op, a, b, options: dtwOptions }
      : { op: "dtwPath", a, b, options: dtwOptions };
  }
  checkBatch(op, count, limits);
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
  if (op !== "correlationMatrix") series("reference", n);
  checkCells(
    op,
    cellsOf(op, n, 0, lengths, dtwOptions.window) * Math.max(1, dims),
    limits,
  );
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
  expect(at + size * dims * (n + total));
  const reference = take(at, n);
  at += size * dims * n;
  const patterns: DecodedSeries[] = new Array(count);
  for (let i = 0; i < count; i++) {
    patterns[i] = take(at, lengths[i]);
    at += size * dims * lengths[i];
  }
  return op === "topK"
    ? { op, reference, patterns, options: { ...dtwOptions, k } }
    : { op: "dtwBatch", reference, patterns, options: dtwOptions };
}
