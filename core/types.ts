// Copyright 2026 the @midstreamer/kit authors. MIT license.

/**
 * What a {@linkcode StreamProcessor} is for, as the original API names it.
 * Every mode accepts every method; `"streaming"` also names the queue of
 * `matchPattern` `bufferSize`.
 */
export type StreamProcessorMode =
  | "pattern_matching"
  | "correlation"
  | "correlation_matrix"
  | "multi_timeframe"
  | "high_concurrency"
  | "streaming";

/**
 * The algorithm the original API names. Each method runs its own algorithm
 * (DTW for `computeDTW`, LCS for `computeLCS`, …), so this only documents
 * intent, except that `"parallel_lcs"` without a parallelism option means
 * `parallelism: "auto"`.
 */
export type StreamProcessorAlgorithm =
  | "dtw"
  | "dtw_batch"
  | "lcs"
  | "parallel_lcs";

/**
 * How many cores to use: `"auto"` (`navigator.hardwareConcurrency`), a
 * number of workers (`0` or `1` mean this thread only), or a boolean
 * (`true` is `"auto"`, `false` is `0`).
 */
export type Parallelism = "auto" | number | boolean;

/** Options of {@linkcode StreamProcessor}: the original API's, and `window`/`cost`. */
export interface StreamProcessorOptions {
  /**
   * What the processor is for; see {@linkcode StreamProcessorMode}.
   *
   * @default {"pattern_matching"}
   */
  mode?: StreamProcessorMode;
  /**
   * The algorithm; see {@linkcode StreamProcessorAlgorithm}.
   *
   * @default {undefined}
   */
  algorithm?: StreamProcessorAlgorithm;
  /**
   * Use SIMD. The kit's kernels always do (exact in `f64`, so results do
   * not depend on it); `false` is accepted and changes nothing.
   *
   * @default {true}
   */
  simd?: boolean;
  /**
   * Use the bit-parallel LCS. The kit's LCS kernels always do (results are
   * exact either way); `false` is accepted and changes nothing.
   *
   * @default {true}
   */
  bitParallel?: boolean;
  /**
   * Cores for `batchDTW`, `findTopMatches`, `correlationMatrix` and
   * `matchPattern`; see {@linkcode Parallelism}. `workers` and `parallel`
   * are the same option under the original's other names; giving several
   * that disagree is a `TypeError`.
   *
   * @default {0} this thread only (`"auto"` with `algorithm: "parallel_lcs"`)
   */
  parallelism?: Parallelism;
  /**
   * Same as `parallelism`.
   *
   * @default {0}
   */
  workers?: Parallelism;
  /**
   * Same as `parallelism`.
   *
   * @default {false}
   */
  parallel?: Parallelism;
  /**
   * How many matches `findTopMatches` returns: a positive integer, or
   * `Infinity` for all.
   *
   * @default {10}
   */
  topK?: number;
  /**
   * Patterns `matchPattern` computes at once, at most: they are matched in
   * batches of up to `min(64, maxConcurrent)`; on workers, up to
   * `maxConcurrent / batch size` batches run together (at most 2 per
   * worker).
   *
   * @default {64 × max(1, 2 × workers)}
   */
  maxConcurrent?: number;
  /**
   * Patterns waiting for `matchPattern` beyond those being computed, at
   * most; past it `matchPattern` rejects at once with `QueueFullError`.
   *
   * @default {bufferSize, else 1024}
   */
  queueSize?: number;
  /**
   * The original's name for `queueSize` in `"streaming"` mode (any mode
   * accepts it). Giving both with different values is a `TypeError`.
   *
   * @default {1024}
   */
  bufferSize?: number;
  /**
   * Working memory allowed, as bytes or a string such as `"512MB"` or
   * `"1GB"` (units B, KB, MB, GB, TB, 1024-based, case-insensitive;
   * decimals allowed).
   *
   * What is enforced: before doing any work, each call estimates the memory
   * it allocates in proportion to its inputs (the validated copies of the
   * inputs, the WebAssembly scratch they are staged in, the copies sent to
   * workers, and the result) from the input sizes; calls still pending
   * (for example queued `matchPattern` calls) hold their estimate until
   * they settle. A call whose estimate plus the held amount exceeds the
   * limit rejects with `MemoryLimitError` naming the limit and the
   * estimate. It is not a cap on the process (`Deno.memoryUsage().rss`),
   * which includes the runtime, other code and WebAssembly memory kept
   * for reuse.
   *
   * @default {Infinity} no limit
   */
  memoryLimit?: string | number;
  /**
   * Extension: Sakoe-Chiba band half-width for the DTW methods, as for
   * `dtw`.
   *
   * @default {undefined} no band
   */
  window?: number;
  /**
   * Extension: local cost of the DTW methods, as for `dtw`.
   *
   * @default {"absolute"}
   */
  cost?: "absolute" | "squared";
}

/** A {@linkcode StreamProcessor}'s options, checked and resolved. */
export interface StreamProcessorConfig {
  /** The mode. */
  readonly mode: StreamProcessorMode;
  /** The algorithm, if one was given. */
  readonly algorithm: StreamProcessorAlgorithm | undefined;
  /** Workers used by the parallel methods; `0` runs everything in this thread. */
  readonly workers: number;
  /** Matches returned by `findTopMatches`. */
  readonly topK: number;
  /** Patterns `matchPattern` computes at once, at most. */
  readonly maxConcurrent: number;
  /** Patterns waiting for `matchPattern`, at most. */
  readonly queueSize: number;
  /** The memory limit in bytes; `Infinity` for none. */
  readonly memoryLimit: number;
  /** The DTW band, if any. */
  readonly window: number | undefined;
  /** The DTW cost. */
  readonly cost: "absolute" | "squared";
}

/** One result of {@linkcode StreamProcessor.findTopMatches}. */
export interface TopMatch<P> {
  /** Index of the pattern in the input. */
  index: number;
  /** The pattern itself (the object passed in, not a copy). */
  pattern: P;
  /** Its DTW distance to the reference. */
  distance: number;
}
