// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * Property-based fuzzing of the decoders that read what a peer sends: the
 * transport's frame decoder (`transport/_frame.ts` `FrameDecoder`), the
 * WebSocket message layer on top of it (`MessageDecoder`, and the client's
 * reply routing `RequestTable.receive`), and the service's request decoder
 * (`decodeRequest`). Inputs are random and mutated valid encodings: bit
 * flips, truncation, inserted bytes, and length fields set to 0, max−1,
 * max, max+1 and 2^32−1. Each decoder is checked against a reference
 * written here:
 *
 * - frames and messages: the same frames, oversize reports and
 *   `ProtocolError` (at the same point) as a whole-buffer reference
 *   parser, whatever the chunking; no payload buffer above `maxBytes`;
 * - requests: a clean `TypeError`/`RangeError`, or a decode that
 *   re-encodes to the same bytes (valid requests always do) and holds no
 *   more bytes than it was given.
 *
 * Any other exception, or a disagreement, is a failure. Used by
 * `tests/fuzz_test.ts` (fixed seed) and `deno task fuzz`.
 *
 * @module
 */

import {
  FLAG_CONTINUED,
  FrameDecoder,
  type FrameHeader,
  HEADER_BYTES,
  KIND_ACK,
  KIND_AUTH,
  KIND_ERROR,
  KIND_PADDING,
  KIND_REPLY,
  KIND_REQUEST,
  MessageDecoder,
} from "../transport/internal.ts";
import { RequestTable } from "../transport/internal.ts";
import { ProtocolError } from "../transport/protocol_error.ts";
import { decodeRequest } from "../service/decode_request.ts";
import { encodeRequest } from "../service/encode_request.ts";
import type {
  DecodedRequest,
  ServiceLimits,
  ServiceRequest,
} from "../service/protocol.ts";
import { rng } from "../testing/rng.ts";

/** One input that broke a property. */
export interface FuzzFailure {
  target: string;
  case: number;
  message: string;
  input: string;
}

/** What a run did. */
export interface FuzzResult {
  seed: number;
  cases: number;
  byTarget: Record<string, number>;
  /** Outcomes: decoded, clean errors by class. */
  outcomes: Record<string, number>;
  failures: FuzzFailure[];
  /** Slowest single case, in milliseconds. */
  slowestMs: number;
  seconds: number;
}

type Random = () => number;
const int = (random: Random, n: number) => Math.floor(random() * n);
const pick = <T>(random: Random, items: readonly T[]): T =>
  items[int(random, items.length)]!;

/** Frame decoders' limit in the fuzz. */
const MAX = 64;
/** The length values the fuzz plants in length fields. */
function lengthsFor(max: number): number[] {
  return [0, 1, max - 1, max, max + 1, 0xffff_fffe, 0xffff_ffff];
}

// ---------------------------------------------------------------- frames

function frameBytes(
  random: Random,
  kinds: readonly number[],
  continued = false,
): Uint8Array {
  const kind = pick(random, kinds);
  const length = random() < 0.1 ? MAX + int(random, 8) : int(random, 24);
  const bytes = new Uint8Array(HEADER_BYTES + length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, length);
  view.setUint8(4, kind);
  view.setUint8(5, kind === KIND_ERROR ? 1 + int(random, 6) : 0);
  view.setUint8(6, continued ? FLAG_CONTINUED : 0);
  view.setUint32(8, int(random, 4));
  view.setUint32(12, int(random, 1 << 20));
  for (let i = HEADER_BYTES; i < bytes.length; i++) bytes[i] = int(random, 256);
  return bytes;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * Mutates `bytes`: bit flips, truncation, inserted bytes, or a frame
 * length field (at one of `lengthAt`) set to a boundary value.
 */
function mutate(
  random: Random,
  bytes: Uint8Array,
  lengthAt: number[],
  max: number,
  little = false,
): Uint8Array {
  let out: Uint8Array = bytes.slice();
  const rounds = 1 + int(random, 3);
  for (let r = 0; r < rounds; r++) {
    const what = int(random, 5);
    if (what === 0 && out.length > 0) {
      const flips = 1 + int(random, 3);
      for (let i = 0; i < flips; i++) {
        out[int(random, out.length)]! ^= 1 << int(random, 8);
      }
    } else if (what === 1) {
      out = out.slice(0, int(random, out.length + 1));
    } else if (what === 2) {
      const at = int(random, out.length + 1);
      const extra = Uint8Array.from(
        { length: 1 + int(random, 8) },
        () => int(random, 256),
      );
      out = concat([out.subarray(0, at), extra, out.subarray(at)]);
    } else if (lengthAt.length > 0) {
      const at = pick(random, lengthAt);
      if (at + 4 <= out.length) {
        new DataView(out.buffer).setUint32(
          at,
          pick(random, lengthsFor(max)),
          little,
        );
      }
    } else if (out.length > 0) {
      out[int(random, out.length)] = int(random, 256);
    }
  }
  return out;
}

type Event =
  | { type: "frame"; kind: number; requestId: number; payload: string }
  | { type: "oversize"; kind: number; requestId: number; length: number }
  | { type: "error" };

const hex = (b: Uint8Array) =>
  Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

/**
 * The reference: the events of decoding `stream` whole (message
 * boundaries `ends`, when given, apply the WebSocket rule).
 */
function referenceEvents(
  stream: Uint8Array,
  max: number,
  ends?: number[],
): Event[] {
  const events: Event[] = [];
  const view = new DataView(stream.buffer, stream.byteOffset);
  /** [start, header end, frame end, continued] of each frame begun. */
  const spans: [number, number, number, boolean][] = [];
  let at = 0;
  let errorAt = Infinity;
  while (at < stream.length) {
    if (stream.length - at < HEADER_BYTES) {
      spans.push([at, at + HEADER_BYTES, Infinity, false]);
      break;
    }
    const length = view.getUint32(at);
    const kind = view.getUint8(at + 4);
    const code = view.getUint8(at + 5);
    const flags = view.getUint8(at + 6);
    const reserved = view.getUint8(at + 7);
    const valid = kind >= 1 && kind <= 6 && (flags & ~1) === 0 &&
      reserved === 0 && (kind === KIND_ERROR) === (code !== 0);
    if (!valid) {
      errorAt = at + HEADER_BYTES;
      break;
    }
    const end = at + HEADER_BYTES + length;
    spans.push([at, at + HEADER_BYTES, end, (flags & 1) === 1]);
    at = end;
  }
  // The WebSocket rule: the first message that ends inside a header, or
  // inside a payload not flagged continued, is an error at its end.
  if (ends !== undefined) {
    for (const end of ends) {
      if (end >= errorAt) break;
      const inside = spans.find(([s, , e]) => s < end && end < e);
      const bad = inside !== undefined &&
        (end < inside[1] || !inside[3]);
      if (bad) {
        errorAt = end;
        break;
      }
    }
  }
  for (const [s, h, e] of spans) {
    if (h > errorAt || h > stream.length) break;
    const length = view.getUint32(s);
    const kind = view.getUint8(s + 4);
    const requestId = view.getUint32(s + 12);
    const control = kind === KIND_ACK || kind === KIND_PADDING;
    if (!control && length > max) {
      events.push({ type: "oversize", kind, requestId, length });
      continue;
    }
    if (control || e > errorAt || e > stream.length) continue;
    events.push({
      type: "frame",
      kind,
      requestId,
      payload: hex(stream.subarray(h, e)),
    });
  }
  if (errorAt !== Infinity) events.push({ type: "error" });
  return events;
}

function collector(max: number, check: (message: string) => void) {
  const events: Event[] = [];
  const onFrame = (header: FrameHeader, payload: Uint8Array) => {
    if (payload.length !== header.length) check("payload length mismatch");
    if (payload.length > max) check("payload above maxBytes");
    events.push({
      type: "frame",
      kind: header.kind,
      requestId: header.requestId,
      payload: hex(payload),
    });
  };
  const onOversize = (header: FrameHeader) =>
    events.push({
      type: "oversize",
      kind: header.kind,
      requestId: header.requestId,
      length: header.length,
    });
  return {
    events,
    onFrame,
    onOversize,
  };
}

const ALL_KINDS = [
  KIND_REQUEST,
  KIND_REPLY,
  KIND_ERROR,
  KIND_ACK,
  KIND_PADDING,
  KIND_AUTH,
];

function splits(random: Random, length: number): number[] {
  const cuts = new Set<number>();
  const n = int(random, 6);
  for (let i = 0; i < n; i++) cuts.add(1 + int(random, Math.max(1, length)));
  return [...cuts].filter((c) => c < length).sort((a, b) => a - b).concat(
    length,
  );
}

function compare(expected: Event[], actual: Event[]): string | null {
  const a = JSON.stringify(expected);
  const b = JSON.stringify(actual);
  return a === b ? null : `expected ${a}\n  got ${b}`;
}

/** Fuzzes `FrameDecoder` once; returns the outcome or throws a failure. */
function frameCase(random: Random): string {
  const frames = Array.from(
    { length: 1 + int(random, 4) },
    () => frameBytes(random, ALL_KINDS),
  );
  const starts: number[] = [];
  let at = 0;
  for (const f of frames) {
    starts.push(at);
    at += f.length;
  }
  let stream = concat(frames);
  if (random() < 0.8) stream = mutate(random, stream, starts, MAX);
  const expected = referenceEvents(stream, MAX);
  let failure: string | null = null;
  const c = collector(MAX, (m) => failure ??= m);
  const decoder = new FrameDecoder(MAX, c.onFrame, c.onOversize);
  let from = 0;
  try {
    for (const to of splits(random, stream.length)) {
      decoder.push(stream.subarray(from, to));
      from = to;
      // Bounded memory: only a frame within maxBytes is ever buffered.
      const partial = decoder.partial;
      const control = partial?.header.kind === KIND_ACK ||
        partial?.header.kind === KIND_PADDING;
      if (partial !== null && !control && partial.header.length > MAX) {
        // Skipped, not buffered: the oversize report must have been made.
        if (c.events.at(-1)?.type !== "oversize") {
          failure ??= "an oversize frame is read without being reported";
        }
      }
    }
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    c.events.push({ type: "error" });
  }
  failure ??= compare(expected, c.events);
  if (failure !== null) throw new Error(`${failure}\n  input ${hex(stream)}`);
  return c.events.at(-1)?.type === "error" ? "ProtocolError" : "decoded";
}

/** Fuzzes `MessageDecoder` (WebSocket messages) and `RequestTable`. */
function messageCase(random: Random): string {
  const frames = Array.from(
    { length: 1 + int(random, 4) },
    () => frameBytes(random, ALL_KINDS, random() < 0.3),
  );
  const starts: number[] = [];
  let at = 0;
  for (const f of frames) {
    starts.push(at);
    at += f.length;
  }
  let stream = concat(frames);
  if (random() < 0.8) stream = mutate(random, stream, starts, MAX);
  // Message boundaries: frame ends, or random cuts.
  const ends = random() < 0.5
    ? splits(random, stream.length)
    : [...starts.slice(1).filter((s) => s < stream.length), stream.length];
  const expected = referenceEvents(stream, MAX, ends);
  let failure: string | null = null;
  const c = collector(MAX, (m) => failure ??= m);
  // Replies routed by a client's table: must never throw.
  const table = new RequestTable(MAX, Infinity, false, () => {});
  const decoder = new MessageDecoder(
    MAX,
    (header, payload) => {
      c.onFrame(header, payload);
      table.receive(header, payload);
    },
    (header) => {
      c.onOversize(header);
      table.oversize(header);
    },
  );
  let from = 0;
  try {
    for (const to of ends) {
      decoder.push(stream.subarray(from, to));
      from = to;
    }
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    c.events.push({ type: "error" });
  }
  table.close("done");
  failure ??= compare(expected, c.events);
  if (failure !== null) {
    throw new Error(`${failure}\n  input ${hex(stream)} ends ${ends}`);
  }
  return c.events.at(-1)?.type === "error" ? "ProtocolError" : "decoded";
}

// --------------------------------------------------------------- requests

const series = (random: Random, n: number) =>
  Array.from({ length: n }, () => Math.round((random() - 0.5) * 100) / 8);

/** `n` points of `dims` values: packed, or an array of points. */
const points = (random: Random, n: number, dims: number) => {
  const values = series(random, n * dims);
  return random() < 0.5
    ? { dims, values }
    : Array.from({ length: n }, (_, i) =>
      values.slice(i * dims, i * dims + dims));
};

function validRequest(random: Random): ServiceRequest {
  const n = () => int(random, 6);
  const window = random() < 0.5 ? undefined : int(random, 4);
  const cost = random() < 0.5 ? "absolute" as const : "squared" as const;
  switch (int(random, 10)) {
    case 8: {
      const dims = 1 + int(random, 3);
      return {
        op: random() < 0.5 ? "dtw" : "dtwPath",
        a: points(random, n(), dims),
        b: points(random, n(), dims),
        window,
        cost,
        precision: random() < 0.5 ? "f32" : "f64",
      };
    }
    case 9: {
      const dims = 2 + int(random, 2);
      return {
        op: random() < 0.5 ? "dtwBatch" : "topK",
        reference: points(random, n(), dims),
        patterns: Array.from(
          { length: 1 + n() },
          () => points(random, n(), dims),
        ),
        window,
        cost,
        multivariate: random() < 0.5 ? "independent" : "dependent",
        precision: random() < 0.5 ? "f32" : "f64",
      };
    }
    case 0:
      return {
        op: "dtw",
        a: series(random, n()),
        b: series(random, n()),
        window,
        cost,
      };
    case 1:
      return {
        op: "dtwBatch",
        reference: series(random, n()),
        patterns: Array.from({ length: n() }, () => series(random, n())),
        window,
        cost,
        cutoff: random() < 0.5 ? undefined : random() * 10,
      };
    case 2:
      return {
        op: "topK",
        reference: series(random, n()),
        patterns: Array.from({ length: 1 + n() }, () => series(random, n())),
        k: 1 + int(random, 3),
        window,
      };
    case 3:
      return {
        op: "lcs",
        a: random() < 0.5 ? "abcab".slice(0, n()) : [1, 2, 3].slice(0, n()),
        b: random() < 0.5 ? "bca".slice(0, n()) : [3, 1].slice(0, n()),
      };
    case 4: {
      const m = 1 + int(random, 3);
      return {
        op: "searchSubsequence",
        series: series(random, m + n()),
        query: series(random, m),
        window: int(random, 3),
        k: 1,
        normalize: random() < 0.5,
      };
    }
    case 5:
      return {
        op: "dtwPath",
        a: series(random, n()),
        b: series(random, n()),
        window,
      };
    default:
      return {
        op: "correlationMatrix",
        sequences: Array.from({ length: n() }, () => "abcd".slice(0, n())),
      };
  }
}

/** A decoded request as the client would give it again. */
function asServiceRequest(d: DecodedRequest): ServiceRequest {
  switch (d.op) {
    case "dtw":
    case "dtwPath":
      return { op: d.op, a: d.a, b: d.b, ...d.options };
    case "dtwBatch":
      return {
        op: d.op,
        reference: d.reference,
        patterns: d.patterns,
        ...d.options,
      };
    case "topK":
      return {
        op: d.op,
        reference: d.reference,
        patterns: d.patterns,
        ...d.options,
      };
    case "lcs":
      return d;
    case "searchSubsequence":
      return { op: d.op, series: d.series, query: d.query, ...d.options };
    case "correlationMatrix":
      return d;
  }
}

function heldBytes(d: DecodedRequest): number {
  const arrays: ArrayLike<unknown>[] = [];
  const walk = (x: unknown) => {
    if (ArrayBuffer.isView(x)) arrays.push(x as unknown as ArrayLike<unknown>);
    else if (Array.isArray(x)) x.forEach(walk);
    else if (typeof x === "string") arrays.push({ length: x.length });
    else if (x !== null && typeof x === "object") {
      Object.values(x).forEach(walk);
    }
  };
  Object.values(d).forEach(walk);
  return arrays.reduce(
    (n, a) => n + ((a as { byteLength?: number }).byteLength ?? a.length),
    0,
  );
}

/** Whether the request carries int32 symbol ids (re-interned by the client). */
function hasSymbolIds(d: DecodedRequest): boolean {
  return d.op === "correlationMatrix" ||
    (d.op === "lcs" && typeof d.a !== "string");
}

/** The ids' equality pattern: each id replaced by its first-use rank. */
function symbolPattern(d: DecodedRequest): string {
  const seqs = d.op === "correlationMatrix"
    ? d.sequences
    : d.op === "lcs"
    ? [d.a as Int32Array, d.b as Int32Array]
    : [];
  const rank = new Map<number, number>();
  return JSON.stringify(seqs.map((s) =>
    Array.from(s, (id) => {
      if (!rank.has(id)) rank.set(id, rank.size);
      return rank.get(id);
    })
  ));
}

const LIMITS: ServiceLimits = {
  maxSeriesLength: 8,
  maxBatchLength: 8,
  maxRequestBytes: 4096,
  maxCells: 10_000,
};

/** Fuzzes `decodeRequest` once. */
function requestCase(random: Random): string {
  const valid = encodeRequest(validRequest(random));
  const mutated = random() < 0.85;
  const little = true;
  // Length fields: k, count, n, m, dims, and the first pattern lengths.
  const lengthAt = [8, 12, 24, 28, 32, 40, 44, 48];
  const bytes = mutated
    ? mutate(random, valid, lengthAt, LIMITS.maxSeriesLength!, little)
    : valid;
  let decoded: DecodedRequest;
  try {
    decoded = decodeRequest(bytes, LIMITS);
  } catch (error) {
    if (!mutated) {
      throw new Error(
        `a valid request was refused: ${error}\n  input ${hex(bytes)}`,
      );
    }
    if (error instanceof TypeError || error instanceof RangeError) {
      return error.name;
    }
    throw error;
  }
  if (heldBytes(decoded) > bytes.length) {
    throw new Error(`decoded more bytes than given\n  input ${hex(bytes)}`);
  }
  let again: Uint8Array;
  try {
    again = encodeRequest(asServiceRequest(decoded));
  } catch (error) {
    // Values the client would refuse (NaN, a fractional k...): only a
    // mutated request may hold them.
    if (!mutated) throw error;
    return "decoded";
  }
  if (
    hasSymbolIds(decoded)
      ? symbolPattern(decoded) !== symbolPattern(decodeRequest(again, LIMITS))
      : hex(again) !== hex(bytes)
  ) {
    throw new Error(
      `decode then encode changed the request\n  input ${hex(bytes)}\n  again ${
        hex(again)
      }`,
    );
  }
  return "decoded";
}

const TARGETS: [string, (random: Random) => string][] = [
  ["frame", frameCase],
  ["message", messageCase],
  ["request", requestCase],
];

/**
 * Runs the fuzz: `cases` in total (spread over the targets), or for
 * `seconds` (whichever ends first), from `seed`.
 */
export function runFuzz(
  options: {
    seed?: number;
    cases?: number;
    seconds?: number;
    maxFailures?: number;
  },
): FuzzResult {
  const seed = options.seed ?? 1;
  const maxCases = options.cases ?? Infinity;
  const deadline = performance.now() +
    (options.seconds === undefined ? Infinity : options.seconds * 1000);
  const random = rng(seed);
  const result: FuzzResult = {
    seed,
    cases: 0,
    byTarget: Object.fromEntries(TARGETS.map(([name]) => [name, 0])),
    outcomes: {},
    failures: [],
    slowestMs: 0,
    seconds: 0,
  };
  const start = performance.now();
  while (result.cases < maxCases) {
    if ((result.cases & 1023) === 0 && performance.now() > deadline) break;
    const [name, run] = TARGETS[result.cases % TARGETS.length]!;
    const t0 = performance.now();
    try {
      const outcome = run(random);
      const key = `${name}:${outcome}`;
      result.outcomes[key] = (result.outcomes[key] ?? 0) + 1;
    } catch (error) {
      result.failures.push({
        target: name,
        case: result.cases,
        message: error instanceof Error
          ? `${error.name}: ${error.message}`
          : String(error),
        input: "",
      });
      if (result.failures.length >= (options.maxFailures ?? 10)) break;
    }
    const ms = performance.now() - t0;
    if (ms > result.slowestMs) result.slowestMs = ms;
    result.byTarget[name]!++;
    result.cases++;
  }
  result.seconds = (performance.now() - start) / 1000;
  return result;
}
