// Copyright 2026 the @midstreamer/kit authors. MIT license.

import type { DtwOptions } from "./types.ts";

/** One result of {@linkcode topK} or {@linkcode searchSubsequence}. */
export interface Match {
  /** Index of the pattern, or start of the window in the series. */
  index: number;
  /** Its DTW distance. */
  distance: number;
}

/**
 * What the lower bounds of {@linkcode topK} achieved. Every pattern is
 * counted once: `prunedByKim + prunedByKeogh + abandoned + computed` is the
 * number of patterns.
 */
export interface TopKStats {
  /** Patterns skipped because LB_Kim (first and last cells) exceeded the k-th best. */
  prunedByKim: number;
  /** Patterns skipped because LB_Kim + LB_Keogh exceeded the k-th best. */
  prunedByKeogh: number;
  /** Patterns whose DTW was started and abandoned early. */
  abandoned: number;
  /** Patterns whose DTW ran to the end. */
  computed: number;
}

/** Options of {@linkcode topK}: those of `dtw`, plus a statistics sink. */
export interface TopKOptions extends DtwOptions {
  /**
   * An object whose fields are overwritten with the pruning counters of
   * the call (an out-parameter; leave it out when not needed).
   *
   * @default {undefined}
   */
  stats?: TopKStats;
}

/**
 * What the cascade of lower bounds of {@linkcode searchSubsequence}
 * achieved. Every window is counted once:
 * `prunedByKim + prunedByKeoghEQ + prunedByKeoghEC + abandoned + computed`
 * is `windows`.
 */
export interface SearchStats {
  /** Number of windows of the series: `series.length - query.length + 1`. */
  windows: number;
  /** Windows skipped by the hierarchical LB_Kim. */
  prunedByKim: number;
  /** Windows skipped by LB_Keogh against the query's envelope. */
  prunedByKeoghEQ: number;
  /** Windows skipped by LB_Keogh of the query against the window's envelope. */
  prunedByKeoghEC: number;
  /** Windows whose DTW was started and abandoned early. */
  abandoned: number;
  /** Windows whose DTW ran to the end. */
  computed: number;
}

/** Options of {@linkcode searchSubsequence}. */
export interface SearchOptions {
  /**
   * Number of matches to return (fewer when the series has fewer
   * non-overlapping windows).
   *
   * @default {1}
   */
  k?: number;
  /**
   * Sakoe-Chiba band half-width, in points; `Infinity` for unconstrained
   * DTW (slow: the lower bounds get weak and every DTW is quadratic).
   *
   * @default {Math.floor(query.length / 10)} a 10% band
   */
  window?: number;
  /**
   * Z-normalize the query and every window (UCR Suite's setting), so that
   * matches are found whatever their offset and amplitude.
   *
   * @default {true}
   */
  normalize?: boolean;
  /**
   * Reported matches start at least this many points apart, so that a
   * match's own neighbours (trivial matches) are not reported after it.
   * `0` reports the best windows whatever their overlap.
   *
   * @default {query.length / 2}
   */
  exclusionZone?: number;
  /**
   * Local cost. The default is UCR Suite's squared cost; the distance
   * returned is then the sum of squared differences along the path (UCR
   * prints its square root).
   *
   * @default {"squared"}
   */
  cost?: "absolute" | "squared";
  /**
   * An object whose fields are overwritten with the pruning counters of
   * the call (an out-parameter).
   *
   * @default {undefined}
   */
  stats?: SearchStats;
}

/** Result of {@linkcode dtwPath}. */
export interface DtwPathResult {
  /** The DTW distance, exactly as `dtw` returns it. */
  distance: number;
  /**
   * The optimal warping path as `[i, j]` pairs (index into `a`, index into
   * `b`), from `[0, 0]` to `[a.length - 1, b.length - 1]`. Empty when a
   * series is empty or the distance exceeds `cutoff`.
   */
  path: Array<[number, number]>;
}

/** The alignment of two adjacent series in {@linkcode alignTimeframes}. */
export interface TimeframeAlignment {
  /** Index of the first series of the pair in the input. */
  from: number;
  /** Index of the second series (`from + 1`). */
  to: number;
  /** DTW distance between the two series. */
  distance: number;
  /**
   * Warping path: `[i, j]` matches point `i` of `series[from]` with point
   * `j` of `series[to]`.
   */
  path: Array<[number, number]>;
}

/** Options of {@linkcode WorkerPool}. */
export interface WorkerPoolOptions {
  /**
   * Number of workers, each with its own WebAssembly instance.
   *
   * @default {navigator.hardwareConcurrency}
   */
  workers?: number;
}
