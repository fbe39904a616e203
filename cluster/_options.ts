// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Checks of the options shared by connectCluster and startWorker. Internal.

import { checkOptionKeys, describe } from "../kernels/internal.ts";
import { DEFAULT_SERVICE_LIMITS } from "../service/protocol.ts";
import type { Limits } from "./_blob_format.ts";

/**
 * Checks that `v`, the option `name` of `fn`, is a number in `(lo, hi]`,
 * or returns `fallback` when it is undefined.
 */
export function numberOption(
  fn: string,
  name: string,
  v: unknown,
  fallback: number,
  lo: number,
  hi: number,
): number {
  if (v === undefined) return fallback;
  if (typeof v !== "number") {
    throw new TypeError(
      `${fn}: options.${name} must be a number, got ${describe(v)}`,
    );
  }
  if (!(v > lo && v <= hi)) {
    throw new RangeError(
      `${fn}: options.${name} must be in (${lo}, ${hi}], got ${v}`,
    );
  }
  return v;
}

/**
 * Checks `limits` (as `serveService` takes them): every given field a
 * positive integer.
 */
export function checkLimits(fn: string, limits: unknown): Limits {
  if (limits === undefined) return DEFAULT_SERVICE_LIMITS;
  const o = checkOptionKeys(`${fn}: options.limits`, limits, [
    "maxSeriesLength",
    "maxBatchLength",
    "maxRequestBytes",
    "maxCells",
  ]);
  const out = { ...DEFAULT_SERVICE_LIMITS };
  for (const k of Object.keys(o) as (keyof Limits)[]) {
    if (o[k] === undefined) continue;
    out[k] = numberOption(
      fn,
      `limits.${k}`,
      o[k],
      0,
      0,
      k === "maxCells" ? Number.MAX_SAFE_INTEGER : 2 ** 31,
    );
    if (!Number.isInteger(out[k])) {
      throw new RangeError(
        `${fn}: options.limits.${k} must be an integer, got ${out[k]}`,
      );
    }
  }
  return Object.freeze(out);
}
