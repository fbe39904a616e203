// Copyright 2026 the @midstreamer/kit authors. MIT license.

import type { DtwOptions } from "../kernels/dtw.ts";
import {
  checkOptionKeys,
  commonDims,
  describe,
  DTW_OPTION_KEYS,
  type DtwArgs,
  dtwArgs,
  encodeSequences,
  internPair,
  listForms,
  packSeries,
  pathArgs,
  searchArgs,
  searchInput,
  sequenceLength,
  seriesForm,
  TOP_K_KEYS,
  topKArgs,
} from "../kernels/internal.ts";
import type { LcsSequence } from "../kernels/lcs.ts";
import type { SeriesForm } from "../kernels/internal.ts";
import { putSeries, putValues } from "./_wire.ts";
import {
  OP_CODES,
  PROTOCOL_VERSION,
  REQUEST_HEADER_BYTES,
  type ServiceOp,
  type ServiceRequest,
} from "./protocol.ts";

const encoder = new TextEncoder();

/** Largest request: one transport frame (transport/_options.ts). */
const MAX_REQUEST_BYTES = 0xffff_ffff;

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
  "multivariate",
];

/**
 * Encodes a request, validating it as the local function would (so a bad
 * argument fails here, with the function's error, before anything is
 * sent).
 *
 * A `lcs` of two well-formed strings is sent as UTF-8; anything else is
 * interned to int32 ids first (equal symbols, under the rules of `lcs`,
 * get equal ids), which keeps `lcs`'s exact semantics. Series of several
 * values per point are sent point-major with their `dims`; with
 * `precision: "f32"` they are rounded to `f32` here, once, and sent as
 * `f32`.
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
 * assert.equal(bytes.length, 40 + 2 * 4 + 8 * 8); // header, lengths, values
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
  dims?: number;
  /** 1 for `f32` values. */
  precision?: number;
  /** 1 for the independent DTW. */
  multivariate?: number;
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
  view.setUint32(32, h.dims ?? 0, true);
  view.setUint8(36, h.precision ?? 0);
  view.setUint8(37, h.multivariate ?? 0);
  return view;
}

/** The DTW fields of a header from checked arguments. */
function dtwHeader(args: DtwArgs, dims: number): Partial<Header> {
  return {
    cost: args.squared,
    window: args.window,
    value: args.cutoff,
    dims,
    precision: args.f32 ? 1 : 0,
    multivariate: args.independent && dims > 1 ? 1 : 0,
  };
}

/** The DTW options of a request (its other keys are the arguments). */
function dtwOptions(request: DtwOptions): DtwOptions {
  const { window, cost, cutoff, multivariate, precision } = request;
  return { window, cost, cutoff, multivariate, precision };
}

function encodePair(
  request: Extract<ServiceRequest, { op: "dtw" | "dtwPath" }>,
): Uint8Array {
  const fn = request.op;
  checkOptionKeys(fn, request, ["op", "a", "b", ...DTW_OPTION_KEYS]);
  const options = dtwOptions(request);
  const args = fn === "dtwPath" ? pathArgs(fn, options) : dtwArgs(fn, options);
  const fa = seriesForm(fn, "a", request.a);
  const fb = seriesForm(fn, "b", request.b);
  const dims = commonDims(fn, [["a", fa], ["b", fb]]);
  const a = packSeries(fn, "a", request.a, fa, dims, args.f32);
  const b = packSeries(fn, "b", request.b, fb, dims, args.f32);
  const size = a.values.BYTES_PER_ELEMENT;
  const bytes = new Uint8Array(
    REQUEST_HEADER_BYTES + size * (a.values.length + b.values.length),
  );
  header(bytes, fn, { ...dtwHeader(args, dims), n: fa.points, m: fb.points });
  putValues(a.values, bytes, REQUEST_HEADER_BYTES);
  putValues(b.values, bytes, REQUEST_HEADER_BYTES + size * a.values.length);
  return bytes;
}

function encodeBatch(
  request: Extract<ServiceRequest, { op: "dtwBatch" | "topK" }>,
): Uint8Array {
  const fn = request.op;
  const keys = ["op", "reference", "patterns", ...DTW_OPTION_KEYS];
  let k = 0;
  let args: DtwArgs;
  if (request.op === "topK") {
    const { op: _, reference: _r, patterns: _p, ...options } = request;
    const a = topKArgs(fn, options, undefined, TOP_K_KEYS);
    k = Math.min(a.k, 2 ** 32 - 1);
    args = a;
    keys.push("k");
    checkOptionKeys(fn, request, keys);
  } else {
    checkOptionKeys(fn, request, keys);
    args = dtwArgs(fn, dtwOptions(request));
  }
  const rf = seriesForm(fn, "reference", request.reference);
  const patterns = request.patterns;
  const forms = listForms(fn, "patterns", patterns, [["reference", rf]]);
  const { offsets, dims } = forms;
  const f32 = args.f32 === true;
  const size = f32 ? 4 : 8;
  const count = offsets.length - 1;
  const n = rf.points;
  const values = REQUEST_HEADER_BYTES + 4 * count;
  const bytes = new Uint8Array(values + size * dims * (n + offsets[count]));
  const view = header(bytes, request.op, {
    ...dtwHeader(args, dims),
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
  const put = (name: string, x: unknown, form: SeriesForm, at: number) =>
    putValues(packSeries(fn, name, x, form, dims, f32).values, bytes, at);
  put("reference", request.reference, rf, values);
  let at = values + size * dims * n;
  for (let i = 0; i < count; i++) {
    put(`patterns[${i}]`, patterns[i], forms.forms[i], at);
    at += size * dims * (offsets[i + 1] - offsets[i]);
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
  // Read and checked as searchSubsequence reads them (the query first):
  // the searched series has no limit of its own (searchSubsequence
  // streams it); a request is one transport frame, of at most 2^32 - 1
  // bytes.
  const input = searchInput(fn, request.series, request.query);
  const { n, dims, query } = input;
  const m = query.length / dims;
  const { op: _, series: _s, query: _q, ...options } = request;
  const args = searchArgs(fn, n, m, options);
  if (REQUEST_HEADER_BYTES + 8 * dims * (n + m) > MAX_REQUEST_BYTES) {
    throw new RangeError(
      `${fn}: series has ${n} points; a request holds at most ${
        Math.floor((MAX_REQUEST_BYTES - REQUEST_HEADER_BYTES) / 8 / dims) - m
      } points with a query of ${m}${
        dims === 1 ? "" : ` (${dims} values per point)`
      } (a transport frame is at most 2^32 - 1 bytes)`,
    );
  }
  const bytes = new Uint8Array(REQUEST_HEADER_BYTES + 8 * dims * (n + m));
  header(bytes, "searchSubsequence", {
    cost: args.squared,
    flags: args.normalize,
    window: args.window,
    k: args.k,
    value: args.exclusionZone,
    n,
    m,
    dims,
    multivariate: args.independent && dims > 1 ? 1 : 0,
  });
  putValues(query, bytes, REQUEST_HEADER_BYTES + 8 * dims * n);
  // Of one value per point, the series as given, checked here; of
  // several, packed and checked by searchInput.
  const series = input.series();
  if (dims === 1) putSeries(fn, "series", series, bytes, REQUEST_HEADER_BYTES);
  else putValues(series as Float64Array, bytes, REQUEST_HEADER_BYTES);
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
