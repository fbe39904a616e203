// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Validation of the options shared by the DTW kernels. Internal.

import { describe } from "./_input.ts";
import type { DtwOptions } from "./types.ts";

/** DTW options, checked and encoded for the WebAssembly kernels. */
export interface DtwArgs {
  /** Band half-width, or -1 for no band. */
  window: number;
  /** 1 for the squared cost, 0 for the absolute cost. */
  squared: number;
  /** Early-abandon threshold; `Infinity` when unset. */
  cutoff: number;
}

/** The option keys every DTW function accepts. */
export const DTW_OPTION_KEYS: readonly string[] = ["window", "cost", "cutoff"];

/**
 * Checks that `options` is undefined or a plain object whose keys are all in
 * `allowed`.
 *
 * @throws {TypeError} on a non-object or an unknown key.
 */
export function checkOptionKeys(
  fn: string,
  options: unknown,
  allowed: readonly string[],
): Record<string, unknown> {
  if (options === undefined) return {};
  if (
    options === null || typeof options !== "object" || Array.isArray(options)
  ) {
    throw new TypeError(
      `${fn}: options must be an object, got ${describe(options)}`,
    );
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new TypeError(
        `${fn}: unknown option "${key}"; accepted options are ${
          allowed.join(", ")
        }`,
      );
    }
  }
  return options as Record<string, unknown>;
}

/**
 * Checks the `window`, `cost` and `cutoff` options.
 *
 * @throws {TypeError} on an unknown key, a non-number `window` or an unknown `cost`.
 * @throws {RangeError} on a negative or non-integer `window`, or a `cutoff` that is not a number.
 */
export function dtwArgs(
  fn: string,
  options: DtwOptions | undefined,
  allowed: readonly string[] = DTW_OPTION_KEYS,
): DtwArgs {
  const o = checkOptionKeys(fn, options, allowed);
  return {
    window: windowArg(fn, o.window),
    squared: costArg(fn, o.cost),
    cutoff: cutoffArg(fn, o.cutoff),
  };
}

/** `window`: undefined or `Infinity` (no band), else a non-negative integer. */
export function windowArg(fn: string, w: unknown): number {
  if (w === undefined || w === Infinity) return -1;
  if (typeof w !== "number") {
    throw new TypeError(
      `${fn}: options.window must be a number, got ${describe(w)}`,
    );
  }
  if (!Number.isInteger(w) || w < 0) {
    throw new RangeError(
      `${fn}: options.window must be a non-negative integer (points), got ${w}`,
    );
  }
  return w;
}

/** `options.cost` as the kernels take it: 0 absolute (the default), 1 squared. */
export function costArg(fn: string, c: unknown): number {
  if (c === undefined || c === "absolute") return 0;
  if (c === "squared") return 1;
  throw new TypeError(
    `${fn}: options.cost must be "absolute" or "squared", got ${describe(c)}`,
  );
}

function cutoffArg(fn: string, c: unknown): number {
  if (c === undefined) return Infinity;
  if (typeof c !== "number" || Number.isNaN(c)) {
    throw new RangeError(
      `${fn}: options.cutoff must be a number, got ${describe(c)}`,
    );
  }
  return c;
}
