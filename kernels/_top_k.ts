// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Arguments and merging of topK, shared by `topK`, the pool and the
// service. Internal; other folders reach it through `internal.ts`.

import {
  checkOptionKeys,
  costArg,
  cutoffArg,
  DTW_OPTION_KEYS,
  type DtwArgs,
  kArg,
  multivariateArg,
  precisionArg,
  statsArg,
  windowArg,
} from "./_validate.ts";
import type { Match, TopKStats } from "./top_k.ts";

/** The options `topK` accepts: `dtw`'s, `k` and `stats`. */
export const TOP_K_KEYS: readonly string[] = [...DTW_OPTION_KEYS, "k", "stats"];

/** The arguments of a `topK` call, checked: its DTW arguments, `k` and `stats`. */
export interface TopKArgs extends Required<DtwArgs> {
  /** How many matches. */
  k: number;
  /** The `stats` out-parameter, if given. */
  stats: TopKStats | undefined;
}

/**
 * Checks the third and fourth arguments of `topK`: `(options)`, or the
 * deprecated `(k, options)`.
 *
 * @throws {TypeError} on a wrong type, an unknown option, or `k` given twice.
 * @throws {RangeError} on an out-of-range `k`, `window` or `cutoff`.
 */
export function topKArgs(
  fn: string,
  kOrOptions: unknown,
  options: unknown,
  keys: readonly string[] = TOP_K_KEYS,
): TopKArgs {
  let o = kOrOptions;
  let k: unknown;
  if (typeof kOrOptions === "number") {
    // The deprecated positional form topK(reference, patterns, k, options).
    o = options;
    k = kOrOptions;
  } else if (options !== undefined) {
    throw new TypeError(
      `${fn}: options are the third argument; a fourth is accepted only after a numeric k (deprecated)`,
    );
  }
  const given = checkOptionKeys(fn, o, keys);
  if (k === undefined) {
    k = given.k;
  } else if (given.k !== undefined) {
    throw new TypeError(
      `${fn}: k is given twice, as the third argument and as options.k; pass options.k only`,
    );
  }
  return {
    window: windowArg(fn, given.window),
    squared: costArg(fn, given.cost),
    cutoff: cutoffArg(fn, given.cutoff),
    independent: multivariateArg(fn, given.multivariate),
    f32: precisionArg(fn, given.precision),
    k: k === undefined ? 1 : kArg(fn, k),
    stats: statsArg<TopKStats>(fn, given.stats),
  };
}

/** Orders matches by distance, then index. */
function byDistance(a: Match, b: Match): number {
  return a.distance - b.distance || a.index - b.index;
}

/** Merges per-part top-k lists into the global top-k. */
export function mergeTopK(lists: Match[][], k: number): Match[] {
  return lists.flat().sort(byDistance).slice(0, k);
}

/** Writes the sum of per-part `topK` counters into `stats`. */
export function fillTopKStats(stats: TopKStats, parts: number[][]): void {
  const s = sumParts(parts, 4);
  stats.prunedByKim = s[0];
  stats.prunedByKeogh = s[1];
  stats.abandoned = s[2];
  stats.computed = s[3];
}

/** The element-wise sums of the first `n` counters of every part. */
export function sumParts(parts: number[][], n: number): number[] {
  const s = new Array<number>(n).fill(0);
  for (const p of parts) for (let i = 0; i < n; i++) s[i] += p[i];
  return s;
}
