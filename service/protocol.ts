// Copyright 2026 the @midstreamer/kit authors. MIT license.

/**
 * The binary protocol of the matching service, version 3 (encoded and
 * decoded by {@linkcode encodeRequest}, {@linkcode decodeRequest},
 * {@linkcode encodeReply} and {@linkcode decodeReply}): one request
 * message per call, one reply message back, carried by
 * `@midstreamer/kit/transport` (which frames messages, matches replies to
 * requests and carries errors). Every number is little-endian.
 *
 * ## Request
 *
 * A 40-byte header, then the data:
 *
 * | offset | size | field |
 * | ------ | ---- | ----- |
 * | 0 | 1 | op: 1 `dtw`, 2 `dtwBatch`, 3 `topK`, 4 `lcs`, 5 `searchSubsequence`, 6 `dtwPath`, 7 `correlationMatrix` |
 * | 1 | 1 | protocol version: 3 |
 * | 2 | 1 | cost: 0 absolute, 1 squared (0 for `lcs` and `correlationMatrix`) |
 * | 3 | 1 | flags: `lcs` encoding (0 int32 symbol ids, 1 UTF-8 strings); `searchSubsequence` normalize (0 or 1); else 0 |
 * | 4 | 4 | window, i32: the band half-width in points, -1 for no band (0 for `lcs` and `correlationMatrix`) |
 * | 8 | 4 | k, u32 (`topK`, `searchSubsequence`; else 0) |
 * | 12 | 4 | count, u32: number of patterns (`dtwBatch`, `topK`) or sequences (`correlationMatrix`); else 0 |
 * | 16 | 8 | f64: cutoff (`dtw`, `dtwBatch`, `topK`, `dtwPath`; `Infinity` for none), the exclusion zone (`searchSubsequence`); else 0 |
 * | 24 | 4 | n, u32: points of `a`, the reference or the series; all symbols together for `correlationMatrix` |
 * | 28 | 4 | m, u32: points of `b` or the query (`dtw`, `dtwPath`, `lcs`, `searchSubsequence`; else 0) |
 * | 32 | 4 | dims, u32: values per point, at least 1 (`dtw`, `dtwBatch`, `topK`, `dtwPath`, `searchSubsequence`; 0 for `lcs` and `correlationMatrix`) |
 * | 36 | 1 | precision: 0 `"f64"`, 1 `"f32"` (`dtw`, `dtwBatch`, `topK`, `dtwPath`; else 0, also for `searchSubsequence`) |
 * | 37 | 1 | multivariate: 0 `"dependent"`, 1 `"independent"` (`dtw`, `dtwBatch`, `topK`, `searchSubsequence`, when dims is above 1; else 0) |
 * | 38 | 2 | reserved: 0 |
 * | 40 | 4 × count | the length in points of each pattern or sequence, u32 (`dtwBatch`, `topK`, `correlationMatrix`) |
 *
 * Then the values, back to back with no padding: `a` (or the reference, or
 * the series) then `b` (or every pattern in order, or the query). Series
 * are point-major (`dims` values per point, value `k` of point `i` at
 * `i × dims + k`), as f64, or as f32 when the precision is `"f32"` (the
 * client rounds them once, as the local function would, so the server
 * computes on the same values and the request is half the size). For
 * `lcs`, encoding 0 sends int32 symbol ids (equal ids are equal symbols;
 * `n` and `m` count ids) and encoding 1 sends two UTF-8 strings compared
 * by code point (`n` and `m` count bytes). `correlationMatrix` sends the
 * int32 symbol ids of every sequence, interned with one table. The message
 * must end exactly after the last value. `searchSubsequence` sends its
 * options resolved (`k` at most the number of windows, the exclusion
 * zone's default applied), and its series and query in `f64`, point-major
 * with their `dims` like the other series (`n` and `m` count points).
 *
 * ## Reply
 *
 * The reply holds only the result, as f64 values unless said otherwise
 * (an `f32` distance is exactly an f64):
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
 * Version 3 (kit 0.3) added bytes 32 to 39 (dims, precision,
 * multivariate) for series of several values per point and the `f32`
 * arithmetic; its header is 40 bytes. Within version 3, `searchSubsequence`
 * came to take `dims` above 1 and the multivariate byte (the header had
 * both fields, so the layout is unchanged; a server that still searches
 * one dimension only refuses such a request as malformed, naming the
 * `dims`, as it refuses any request it cannot serve). A search's
 * precision stays 0: a request with another is malformed. Version 2 (kit 0.2) had the same
 * fields but these, in a 32-byte header, and only f64 values of one
 * dimension. Version 1 (kit 0.1) had ops 1 to 4, took `topK`'s `k` as
 * now, and replied to `topK` without the counters. A server answers only
 * its own version; any other is a malformed request.
 *
 * @example A request and its reply, by hand
 * ```ts
 * import { decodeReply, decodeRequest, encodeReply, encodeRequest } from "@midstreamer/kit/service";
 * import assert from "node:assert/strict";
 *
 * const bytes = encodeRequest({ op: "dtw", a: [1, 2, 3], b: [1, 3], window: 1 });
 * assert.equal(bytes.length, 40 + 5 * 8);
 * const request = decodeRequest(bytes);
 * assert.equal(request.op, "dtw");
 * const reply = encodeReply("dtw", 1);
 * assert.equal(decodeReply("dtw", reply), 1);
 * ```
 *
 * @module
 */

import type { DtwOptions, Series } from "../kernels/dtw.ts";
import type { DtwPathResult } from "../kernels/dtw_path.ts";
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
export const PROTOCOL_VERSION = 3;

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
export const REQUEST_HEADER_BYTES = 40;

/**
 * The search options a request carries: all but `stats` and `precision`
 * (a search runs in `f64` on the service).
 */
export type SearchRequestOptions = Omit<SearchOptions, "stats" | "precision">;

/**
 * A request as the client gives it to {@linkcode encodeRequest}: the op,
 * the arguments of the function of that name, and its options (without
 * the `stats` out-parameters, which come back in the reply).
 */
export type ServiceRequest =
  | ({ op: "dtw"; a: Series; b: Series } & DtwOptions)
  | ({
    op: "dtwBatch";
    reference: Series;
    patterns: ArrayLike<Series>;
  } & DtwOptions)
  | ({
    op: "topK";
    reference: Series;
    patterns: ArrayLike<Series>;
    k?: number;
  } & DtwOptions)
  | { op: "lcs"; a: LcsSequence; b: LcsSequence }
  | ({
    op: "searchSubsequence";
    series: Series;
    query: Series;
  } & SearchRequestOptions)
  | ({ op: "dtwPath"; a: Series; b: Series } & DtwOptions)
  | { op: "correlationMatrix"; sequences: readonly LcsSequence[] };

/**
 * A series as {@linkcode decodeRequest} gives it: a `Float64Array` when it
 * has one value per point in `f64` (as in version 2), else packed
 * point-major with its `dims`, its values a `Float32Array` for precision
 * `"f32"`.
 */
export type DecodedSeries = Float64Array | {
  /** Values per point. */
  dims: number;
  /** The values, point-major. */
  values: Float64Array | Float32Array;
};

/** A request as {@linkcode decodeRequest} gives it to the server. */
export type DecodedRequest =
  | { op: "dtw"; a: DecodedSeries; b: DecodedSeries; options: DtwOptions }
  | {
    op: "dtwBatch";
    reference: DecodedSeries;
    patterns: DecodedSeries[];
    options: DtwOptions;
  }
  | {
    op: "topK";
    reference: DecodedSeries;
    patterns: DecodedSeries[];
    options: DtwOptions & { k: number };
  }
  | { op: "lcs"; a: Int32Array | string; b: Int32Array | string }
  | {
    op: "searchSubsequence";
    series: DecodedSeries;
    query: DecodedSeries;
    options: SearchRequestOptions;
  }
  | {
    op: "dtwPath";
    a: DecodedSeries;
    b: DecodedSeries;
    options: DtwOptions;
  }
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
  /**
   * The compute budget of one request, in dynamic-programming cells before
   * pruning, as {@linkcode requestCells} counts them (`n × m` for a pair,
   * less within a band, summed over patterns, windows or pairs, times the
   * values per point). A request
   * over it is refused up front with a `RangeError` reply instead of
   * holding a worker for minutes. The default is a few seconds of one core.
   *
   * @default {4000000000}
   */
  maxCells?: number;
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
    maxCells: 4_000_000_000,
  });
