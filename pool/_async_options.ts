// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Checking of the AsyncOptions. Internal; other folders reach it through
// `internal.ts`.

import { describe } from "../kernels/internal.ts";
import type { AsyncOptions } from "./async_kernels.ts";

/** No signal and no progress callback (shared: calls allocate nothing). */
const NONE: AsyncOptions = Object.freeze({});

/** The option keys of {@linkcode AsyncOptions}. */
export const ASYNC_KEYS: readonly string[] = ["signal", "onProgress"];

/**
 * Checks `signal` and `onProgress` of `options` (an object, or undefined;
 * other keys are checked by the function's own validation).
 *
 * @throws {TypeError} when `signal` is not an `AbortSignal` or `onProgress` not a function.
 */
export function asyncArgs(fn: string, options: unknown): AsyncOptions {
  if (options === null || typeof options !== "object") return NONE;
  const { signal, onProgress } = options as AsyncOptions;
  if (signal === undefined && onProgress === undefined) return NONE;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(
      `${fn}: options.signal must be an AbortSignal, got ${describe(signal)}`,
    );
  }
  if (onProgress !== undefined && typeof onProgress !== "function") {
    throw new TypeError(
      `${fn}: options.onProgress must be a function, got ${
        describe(onProgress)
      }`,
    );
  }
  return { signal, onProgress };
}

/**
 * `keys` with the {@linkcode ASYNC_KEYS} added: the options a method of
 * `AsyncKernels` accepts.
 */
export function withAsyncKeys(keys: readonly string[]): readonly string[] {
  return [...keys, ...ASYNC_KEYS];
}
