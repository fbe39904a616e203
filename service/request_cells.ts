// Copyright 2026 the @midstreamer/kit authors. MIT license.

import { cellsOf, checkBatch, checkCells, checkSeries } from "./_check.ts";
import type {
  DecodedRequest,
  DecodedSeries,
  ServiceLimits,
} from "./protocol.ts";

/** Points of a decoded series. */
function points(x: DecodedSeries): number {
  return x instanceof Float64Array ? x.length : x.values.length / x.dims;
}

/** Values per point of a decoded series. */
function dimsOf(x: DecodedSeries): number {
  return x instanceof Float64Array ? 1 : x.dims;
}

/**
 * The compute a request may need, in dynamic-programming cells, before
 * any pruning: `n × m` for a pair (`n × (2·window + 1)` within a band,
 * the band being at least `|n − m|`), summed over the patterns of
 * `dtwBatch` and `topK`, over the windows of `searchSubsequence`, and
 * over the pairs of `correlationMatrix`; for series of `d` values per
 * point, `d` times that (a cell costs about `d` univariate cells, in
 * either multivariate definition). This is the measure of the service's
 * compute budget, {@linkcode ServiceLimits.maxCells}.
 *
 * @example The cells of a banded DTW
 * ```ts
 * import { requestCells } from "@midstreamer/kit/service";
 * import assert from "node:assert/strict";
 *
 * const a = new Float64Array(1000);
 * assert.equal(requestCells({ op: "dtw", a, b: a, options: {} }), 1_000_000);
 * assert.equal(requestCells({ op: "dtw", a, b: a, options: { window: 10 } }), 21_000);
 *
 * // A search of 100 points of 3 values in 1,000: 901 windows of 100 × 21
 * // cells, each counted 3 times.
 * const series = { dims: 3, values: new Float64Array(3 * 1000) };
 * const query = { dims: 3, values: new Float64Array(3 * 100) };
 * const options = { window: 10 };
 * assert.equal(
 *   requestCells({ op: "searchSubsequence", series, query, options }),
 *   901 * 2100 * 3,
 * );
 * ```
 *
 * @param request A decoded request.
 * @returns Its worst-case cells.
 */
export function requestCells(request: DecodedRequest): number {
  switch (request.op) {
    case "dtw":
    case "dtwPath":
      return cellsOf(
        request.op,
        points(request.a),
        points(request.b),
        [],
        request.options.window,
      ) * dimsOf(request.a);
    case "lcs":
      return cellsOf("lcs", request.a.length, request.b.length, [], undefined);
    case "dtwBatch":
    case "topK":
      return cellsOf(
        request.op,
        points(request.reference),
        0,
        request.patterns.map(points),
        request.options.window,
      ) * dimsOf(request.reference);
    case "searchSubsequence":
      return cellsOf(
        "searchSubsequence",
        points(request.series),
        points(request.query),
        [],
        request.options.window,
      ) * dimsOf(request.series);
    case "correlationMatrix":
      return cellsOf(
        "correlationMatrix",
        0,
        0,
        request.sequences.map((s) => s.length),
        undefined,
      );
  }
}

/**
 * Checks a request against a server's limits: its series lengths
 * (`maxSeriesLength`), its number of patterns or sequences
 * (`maxBatchLength`) and its compute budget (`maxCells`, measured by
 * {@linkcode requestCells}). {@linkcode decodeRequest} applies the same
 * checks to the bytes of a request before copying its values; this is
 * the check for requests that arrive some other way (e.g. a cluster's
 * shards), with the same limits and the same messages.
 *
 * @example Refusing a request over the compute budget
 * ```ts
 * import { checkRequest } from "@midstreamer/kit/service";
 * import assert from "node:assert/strict";
 *
 * const a = new Float64Array(10_000);
 * const request = { op: "dtw", a, b: a, options: {} } as const;
 * checkRequest(request); // 10^8 cells: within the default budget
 * assert.throws(() => checkRequest(request, { maxCells: 1_000_000 }), RangeError);
 * ```
 *
 * @param request A decoded request.
 * @param limits The limits (defaults: {@linkcode DEFAULT_SERVICE_LIMITS}).
 * @throws {RangeError} naming the limit that is passed and how to raise it.
 */
export function checkRequest(
  request: DecodedRequest,
  limits?: ServiceLimits,
): void {
  const lengths: [string, number][] = [];
  let batch: number | undefined;
  switch (request.op) {
    case "dtw":
    case "dtwPath":
      lengths.push(["a", points(request.a)], ["b", points(request.b)]);
      break;
    case "lcs":
      lengths.push(["a", request.a.length], ["b", request.b.length]);
      break;
    case "dtwBatch":
    case "topK":
      batch = request.patterns.length;
      // In decodeRequest's order: the patterns' lengths, then the reference.
      request.patterns.forEach((p, i) =>
        lengths.push([`patterns[${i}]`, points(p)])
      );
      lengths.push(["reference", points(request.reference)]);
      break;
    case "searchSubsequence":
      lengths.push(["series", points(request.series)], [
        "query",
        points(request.query),
      ]);
      break;
    case "correlationMatrix":
      batch = request.sequences.length;
      request.sequences.forEach((s, i) =>
        lengths.push([`sequences[${i}]`, s.length])
      );
      break;
  }
  if (batch !== undefined) checkBatch(request.op, batch, limits);
  for (const [name, length] of lengths) {
    checkSeries(request.op, name, length, limits);
  }
  checkCells(request.op, requestCells(request), limits);
}
