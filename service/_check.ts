// Copyright 2026 the @midstreamer/kit authors. MIT license.
// The service's limits as checks, shared by decodeRequest (on the bytes of
// a request, before its values are copied) and checkRequest (on a decoded
// request). Internal.

import {
  DEFAULT_SERVICE_LIMITS,
  type ServiceLimits,
  type ServiceOp,
} from "./protocol.ts";

/**
 * Dynamic-programming cells of one alignment of `n` against `m` points
 * with the band half-width `window` (`undefined` or `Infinity`: none),
 * widened to `|n − m|` as the kernels do.
 */
function pairCells(n: number, m: number, window: number | undefined): number {
  if (n === 0 || m === 0) return 0;
  const w = window === undefined ? Infinity : Math.max(window, Math.abs(n - m));
  return n * Math.min(m, 2 * w + 1);
}

/**
 * The worst-case cells of a request from its sizes alone: `n` and `m` as
 * in the wire header, `lengths` the pattern or sequence lengths.
 */
export function cellsOf(
  op: ServiceOp,
  n: number,
  m: number,
  lengths: ArrayLike<number>,
  window: number | undefined,
): number {
  switch (op) {
    case "dtw":
    case "dtwPath":
      return pairCells(n, m, window);
    case "lcs":
      return n * m;
    case "dtwBatch":
    case "topK": {
      let cells = 0;
      for (let i = 0; i < lengths.length; i++) {
        cells += pairCells(n, lengths[i]!, window);
      }
      return cells;
    }
    case "searchSubsequence": {
      const windows = Math.max(0, n - m + 1);
      return windows * pairCells(m, m, window);
    }
    case "correlationMatrix": {
      let sum = 0;
      let squares = 0;
      for (let i = 0; i < lengths.length; i++) {
        sum += lengths[i]!;
        squares += lengths[i]! * lengths[i]!;
      }
      return (sum * sum - squares) / 2;
    }
  }
}

/** Throws the RangeError of a series over `maxSeriesLength`. */
export function checkSeries(
  op: ServiceOp,
  name: string,
  length: number,
  limits?: ServiceLimits,
): void {
  const max = limits?.maxSeriesLength ?? DEFAULT_SERVICE_LIMITS.maxSeriesLength;
  if (length > max) {
    throw new RangeError(
      `${op}: ${name} has ${length} points; the server's limit is ${max} (maxSeriesLength)`,
    );
  }
}

/** Throws the RangeError of a batch over `maxBatchLength`. */
export function checkBatch(
  op: ServiceOp,
  count: number,
  limits?: ServiceLimits,
): void {
  const max = limits?.maxBatchLength ?? DEFAULT_SERVICE_LIMITS.maxBatchLength;
  if (count > max) {
    throw new RangeError(
      `${op}: ${count} ${
        op === "correlationMatrix" ? "sequences" : "patterns"
      } exceed the server's limit of ${max} (maxBatchLength)`,
    );
  }
}

/** Throws the RangeError of a request over `maxCells`. */
export function checkCells(
  op: ServiceOp,
  cells: number,
  limits?: ServiceLimits,
): void {
  const max = limits?.maxCells ?? DEFAULT_SERVICE_LIMITS.maxCells;
  if (cells > max) {
    throw new RangeError(
      `${op}: the request needs up to ${cells} cells of compute; the server's budget is ${max} (maxCells): split it, narrow its window, or raise the server's --max-cells`,
    );
  }
}
