// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Checks and resolves the options of StreamProcessor. Internal.

import { checkOptionKeys, describe, dtwArgs } from "../kernels/internal.ts";
import { parseMemoryLimit } from "./_memory.ts";
import type {
  StreamProcessorAlgorithm,
  StreamProcessorConfig,
  StreamProcessorMode,
} from "./types.ts";

const FN = "StreamProcessor";

/** The accepted `mode` values. */
export const MODES: readonly StreamProcessorMode[] = [
  "pattern_matching",
  "correlation",
  "correlation_matrix",
  "multi_timeframe",
  "high_concurrency",
  "streaming",
];

/** The accepted `algorithm` values. */
export const ALGORITHMS: readonly StreamProcessorAlgorithm[] = [
  "dtw",
  "dtw_batch",
  "lcs",
  "parallel_lcs",
];

/** The accepted option keys. */
export const OPTION_KEYS: readonly string[] = [
  "mode",
  "algorithm",
  "simd",
  "bitParallel",
  "parallelism",
  "workers",
  "parallel",
  "topK",
  "maxConcurrent",
  "queueSize",
  "bufferSize",
  "memoryLimit",
  "window",
  "cost",
];

/** Patterns per `matchPattern` batch, at most (the match queue's default). */
export const MAX_BATCH = 64;

/**
 * Checks `options` and resolves the defaults.
 *
 * @throws {TypeError} on an unknown key, `mode` or `algorithm` (listing
 * the accepted ones), a value of the wrong type, or disagreeing aliases.
 * @throws {RangeError} on an out-of-range number or size.
 */
export function resolveConfig(options: unknown): StreamProcessorConfig {
  const o = checkOptionKeys(FN, options, OPTION_KEYS);
  const mode = oneOf("mode", o.mode, MODES) ?? "pattern_matching";
  const algorithm = oneOf("algorithm", o.algorithm, ALGORITHMS);
  flag("simd", o.simd);
  flag("bitParallel", o.bitParallel);
  let workers = workerCount(o);
  if (workers === undefined) {
    workers = algorithm === "parallel_lcs" ? autoWorkers() : 0;
  }
  if (workers < 2) workers = 0;
  const { window, squared } = dtwArgs(FN, {
    window: o.window,
    cost: o.cost,
  }, ["window", "cost"]);
  const queueSize = positiveInt("queueSize", o.queueSize);
  const bufferSize = positiveInt("bufferSize", o.bufferSize);
  if (
    queueSize !== undefined && bufferSize !== undefined &&
    queueSize !== bufferSize
  ) {
    throw new TypeError(
      `${FN}: options.queueSize (${queueSize}) and options.bufferSize (${bufferSize}) name the same limit and disagree; give one of them`,
    );
  }
  return Object.freeze({
    mode,
    algorithm,
    workers,
    topK: positiveInt("topK", o.topK, true) ?? 10,
    maxConcurrent: positiveInt("maxConcurrent", o.maxConcurrent) ??
      MAX_BATCH * Math.max(1, 2 * workers),
    queueSize: queueSize ?? bufferSize ?? 1024,
    memoryLimit: parseMemoryLimit(FN, o.memoryLimit),
    window: window < 0 ? undefined : window,
    cost: squared ? "squared" : "absolute",
  });
}

function oneOf<T extends string>(
  key: string,
  value: unknown,
  accepted: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!accepted.includes(value as T)) {
    throw new TypeError(
      `${FN}: unknown options.${key}, ${describe(value)}; accepted values are ${
        accepted.map((v) => `"${v}"`).join(", ")
      }`,
    );
  }
  return value as T;
}

function flag(key: string, value: unknown): void {
  if (value !== undefined && typeof value !== "boolean") {
    throw new TypeError(
      `${FN}: options.${key} must be a boolean, got ${describe(value)}`,
    );
  }
}

function positiveInt(
  key: string,
  value: unknown,
  infinite = false,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number") {
    throw new TypeError(
      `${FN}: options.${key} must be a number, got ${describe(value)}`,
    );
  }
  if (
    !(Number.isInteger(value) && value >= 1) &&
    !(infinite && value === Infinity)
  ) {
    throw new RangeError(
      `${FN}: options.${key} must be a positive integer${
        infinite ? " or Infinity" : ""
      }, got ${value}`,
    );
  }
  return value;
}

function autoWorkers(): number {
  return navigator.hardwareConcurrency ?? 1;
}

const PARALLEL_KEYS = ["parallelism", "workers", "parallel"] as const;

/**
 * The worker count from `parallelism`, `workers` and `parallel` (aliases):
 * `undefined` when none is given.
 */
function workerCount(o: Record<string, unknown>): number | undefined {
  let count: { key: string; value: number; raw: unknown } | undefined;
  let on: { key: string; value: boolean } | undefined;
  for (const key of PARALLEL_KEYS) {
    const v = o[key];
    if (v === undefined) continue;
    if (typeof v === "boolean") {
      if (on !== undefined && on.value !== v) {
        throw conflict(on, { key, value: v });
      }
      on = { key, value: v };
      continue;
    }
    let n: number;
    if (v === "auto") {
      n = autoWorkers();
    } else if (typeof v === "number") {
      if (!Number.isInteger(v) || v < 0) {
        throw new RangeError(
          `${FN}: options.${key} must be "auto", a non-negative integer or a boolean, got ${v}`,
        );
      }
      n = v;
    } else {
      throw new TypeError(
        `${FN}: options.${key} must be "auto", a number of workers or a boolean, got ${
          describe(v)
        }`,
      );
    }
    if (count !== undefined && count.value !== n) {
      throw conflict({ key: count.key, value: count.raw }, { key, value: v });
    }
    count = { key, value: n, raw: v };
  }
  if (count !== undefined && on !== undefined) {
    if (on.value ? count.value === 0 : count.value >= 2) {
      throw conflict(on, { key: count.key, value: count.raw });
    }
  }
  return count?.value ??
    (on === undefined ? undefined : on.value ? autoWorkers() : 0);
}

function conflict(
  a: { key: string; value: unknown },
  b: { key: string; value: unknown },
): TypeError {
  const show = (v: unknown) => typeof v === "string" ? `"${v}"` : String(v);
  return new TypeError(
    `${FN}: options.${a.key} (${show(a.value)}) and options.${b.key} (${
      show(b.value)
    }) are aliases and disagree; give one of them`,
  );
}
