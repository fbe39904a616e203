// Copyright 2026 the @midstreamer/kit authors. MIT license.

import { toF64 } from "../kernels/internal.ts";
import {
  alignTimeframes,
  type TimeframeAlignment,
} from "../kernels/align_timeframes.ts";
import { correlationMatrix } from "../kernels/correlation_matrix.ts";
import { dtw } from "../kernels/dtw.ts";
import { dtwBatch } from "../kernels/dtw_batch.ts";
import { lcs, type LcsSequence } from "../kernels/lcs.ts";
import { topK } from "../kernels/top_k.ts";
import type { DtwOptions } from "../kernels/dtw.ts";
import {
  createMatchQueue,
  type MatchQueue,
  type MatchQueueKernels,
  type MatchQueueOptions,
} from "../pool/match_queue.ts";
import type { WorkerPool } from "../pool/worker_pool.ts";
import { MAX_BATCH, resolveConfig } from "./_config.ts";
import {
  alignBytes,
  batchBytes,
  dtwBytes,
  formatBytes,
  lcsBytes,
  lengthOf,
  lengthsOf,
  matchBytes,
  matrixBytes,
  sum,
  topKBytes,
} from "./_memory.ts";
import { closeIfIdle, withPool } from "./_pool.ts";
import { MemoryLimitError } from "./memory_limit_error.ts";
import type {
  StreamProcessorConfig,
  StreamProcessorOptions,
  TopMatch,
} from "./types.ts";

/**
 * DTW cells (`reference.length × Σ pattern lengths`) from which
 * `batchDTW` and `findTopMatches` use the workers: below it (well under a
 * millisecond of work) messaging would cost more than it saves.
 */
const PARALLEL_DTW_CELLS = 2 ** 20;

/**
 * LCS cells (`Σ over pairs of length × length`) from which
 * `correlationMatrix` uses the workers. LCS is bit-parallel, 63 cells per
 * word step, hence the larger figure.
 */
const PARALLEL_LCS_CELLS = 2 ** 26;

/** Match queues kept, one per reference, by `matchPattern` (least recently used go first). */
const MAX_QUEUES = 8;

/** A cached match queue of `matchPattern`. */
interface QueueEntry {
  /** The reference it was made for (a copy, to notice changes). */
  ref: Float64Array;
  queue: Promise<MatchQueue>;
  /** `matchPattern` calls using it now. */
  pending: number;
  /** Out of the cache: closed once `pending` is 0. */
  retired: boolean;
}

/** What a method will do, and the memory it needs for it. */
interface Plan<T> {
  bytes: number;
  run(): T | Promise<T>;
}

/**
 * The original `@midstreamer/core` API on the kit's kernels: code written
 * against `new StreamProcessor({ mode, algorithm, ... })` runs unchanged,
 * with exact results. Every method is async, as the original's callers
 * `await` it, and delegates to the kit's own functions: `computeDTW` to
 * `dtw`, `batchDTW` to `dtwBatch`, `findTopMatches` to `topK`,
 * `computeLCS` to `lcs`, `correlationMatrix` to `correlationMatrix`,
 * `alignTimeframes` to `alignTimeframes`, and `matchPattern` to a
 * `createMatchQueue` queue per reference.
 *
 * With `parallelism` (or `workers`, or `parallel`) of 2 or more, the batch
 * methods run on a {@linkcode WorkerPool} once their work is large enough
 * that messaging costs less than it saves (2^20 DTW cells, `reference
 * length × Σ pattern lengths`; 2^26 LCS cells, `Σ over pairs of length
 * products`), with the same results. Processors share one pool per worker count: it starts
 * on first use and closes when no call has used it for 250 ms, so that code
 * which never closes its processors (as the original's) neither keeps
 * workers per processor nor keeps the process alive. `close()` (or
 * `await using`) waits for pending calls, closes the match queues and the pool
 * if no other call is using it; methods called afterwards reject.
 *
 * Unknown options, modes and algorithms are a `TypeError` listing the
 * accepted ones; see {@linkcode StreamProcessorOptions} for each option
 * and `memoryLimit` for what it enforces.
 *
 * @example The original client code
 * ```ts
 * import { StreamProcessor } from "@midstreamer/kit/core";
 * import { PureJSDTW } from "@midstreamer/kit/baseline";
 * import assert from "node:assert/strict";
 *
 * const pattern1 = Float64Array.from({ length: 100 }, (_, i) => Math.sin(i / 9));
 * const pattern2 = Float64Array.from({ length: 90 }, (_, i) => Math.cos(i / 7));
 * const processor = new StreamProcessor({
 *   mode: "pattern_matching",
 *   algorithm: "dtw",
 *   simd: true,
 * });
 * const distance = await processor.computeDTW(pattern1, pattern2);
 * assert.equal(distance, PureJSDTW.calculate(pattern1, pattern2));
 * await processor.close();
 * ```
 *
 * @example Top matches, on two workers, closed by `await using`
 * ```ts
 * import { StreamProcessor } from "@midstreamer/kit/core";
 * import { dtw } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * const reference = Array.from({ length: 200 }, (_, i) => Math.sin(i / 10));
 * const patterns = Array.from(
 *   { length: 60 },
 *   (_, k) => Array.from({ length: 200 }, (_, i) => Math.sin(i / 10 + k / 20)),
 * );
 * await using processor = new StreamProcessor({
 *   mode: "pattern_matching",
 *   topK: 3,
 *   parallelism: 2,
 * });
 * const best = await processor.findTopMatches(reference, patterns);
 * const sorted = patterns
 *   .map((p, index) => ({ index, distance: dtw(reference, p) }))
 *   .sort((a, b) => a.distance - b.distance);
 * assert.deepEqual(
 *   best.map(({ index, distance }) => ({ index, distance })),
 *   sorted.slice(0, 3),
 * );
 * assert.equal(best[0].pattern, patterns[best[0].index]);
 * ```
 */
export class StreamProcessor implements AsyncDisposable {
  readonly #config: StreamProcessorConfig;
  readonly #limitText: string;
  readonly #dtw: DtwOptions;
  #reserved = 0;
  #pending = new Set<Promise<void>>();
  #closing: Promise<void> | undefined;
  #queues = new Map<object, QueueEntry>();
  #retiring = new Set<Promise<void>>();
  #usedPool = false;
  readonly #pool: MatchQueueKernels = {
    dtwBatch: (reference, patterns, options) =>
      this.#onPool((pool) => pool.dtwBatch(reference, patterns, options)),
  };

  /**
   * Creates a processor. It starts nothing: workers and match queues are made
   * by the first call that needs them.
   *
   * @example The original options object
   * ```ts
   * import { StreamProcessor } from "@midstreamer/kit/core";
   * import assert from "node:assert/strict";
   *
   * const processor = new StreamProcessor({ mode: "pattern_matching", algorithm: "dtw", simd: true });
   * assert.equal(processor.config.mode, "pattern_matching");
   * assert.throws(() => new StreamProcessor({ mode: "fast" } as never), TypeError);
   * ```
   *
   * @param options The original options object; see {@linkcode StreamProcessorOptions}.
   * @throws {TypeError} on an unknown option key, `mode` or `algorithm`
   * (the message lists the accepted ones), a value of the wrong type, a
   * malformed `memoryLimit` string, or aliases that disagree
   * (`parallelism`/`workers`/`parallel`, `queueSize`/`bufferSize`).
   * @throws {RangeError} on a `topK`, `maxConcurrent`, `queueSize`,
   * `bufferSize` or worker count that is not a positive integer (counts
   * may be 0), a `memoryLimit` below 1 byte, or a bad `window`.
   */
  constructor(options?: StreamProcessorOptions) {
    this.#config = resolveConfig(options);
    const raw = options?.memoryLimit;
    this.#limitText = formatBytes(this.#config.memoryLimit) +
      (typeof raw === "string" ? ` ("${raw}")` : "");
    this.#dtw = { window: this.#config.window, cost: this.#config.cost };
  }

  /**
   * The options, checked and resolved: the worker count `"auto"` gave, the
   * memory limit in bytes, the defaults.
   *
   * @example Resolved options
   * ```ts
   * import { StreamProcessor } from "@midstreamer/kit/core";
   * import assert from "node:assert/strict";
   *
   * await using processor = new StreamProcessor({
   *   mode: "streaming",
   *   bufferSize: 10000,
   *   memoryLimit: "512MB",
   * });
   * assert.equal(processor.config.queueSize, 10000);
   * assert.equal(processor.config.memoryLimit, 512 * 1024 * 1024);
   * assert.equal(processor.config.workers, 0);
   * assert.equal(processor.config.topK, 10);
   * ```
   *
   * @returns The frozen configuration.
   */
  get config(): StreamProcessorConfig {
    return this.#config;
  }

  /**
   * DTW distance of two series, by `dtw` (exactly the original
   * `PureJSDTW.calculate`; with the `window` extension,
   * `calculateWithWindow`).
   *
   * @example Distance
   * ```ts
   * import { StreamProcessor } from "@midstreamer/kit/core";
   * import assert from "node:assert/strict";
   *
   * await using processor = new StreamProcessor({ algorithm: "dtw", simd: true });
   * assert.equal(await processor.computeDTW([0, 1, 2], [0, 1, 1, 2]), 0);
   * assert.equal(await processor.computeDTW([0, 0], [1, 1]), 2);
   * ```
   *
   * @param pattern1 First series: an array or typed array of finite numbers.
   * @param pattern2 Second series.
   * @returns The distance (`Infinity` when exactly one series is empty).
   * @throws {TypeError} as `dtw`.
   * @throws {RangeError} as `dtw`.
   * @throws {MemoryLimitError} above `memoryLimit`.
   * @throws {Error} after `close`.
   */
  computeDTW(
    pattern1: ArrayLike<number>,
    pattern2: ArrayLike<number>,
  ): Promise<number> {
    return this.#call("computeDTW", () => ({
      bytes: dtwBytes(lengthOf(pattern1), lengthOf(pattern2)),
      run: () => dtw(pattern1, pattern2, this.#dtw),
    }));
  }

  /**
   * DTW distance of `reference` to each pattern, by `dtwBatch`, or
   * `WorkerPool.dtwBatch` with parallelism.
   *
   * @example Batch
   * ```ts
   * import { StreamProcessor } from "@midstreamer/kit/core";
   * import { dtw } from "@midstreamer/kit";
   * import assert from "node:assert/strict";
   *
   * await using processor = new StreamProcessor({
   *   mode: "pattern_matching",
   *   algorithm: "dtw_batch",
   *   simd: true,
   *   parallelism: "auto",
   * });
   * const reference = [0, 1, 2, 3, 2, 1];
   * const patterns = [[0, 1, 2, 3], [3, 2, 1, 0], [0, 1, 2, 3, 2, 1, 0]];
   * const distances = await processor.batchDTW(reference, patterns);
   * assert.ok(distances instanceof Float64Array);
   * assert.deepEqual(Array.from(distances), patterns.map((p) => dtw(reference, p)));
   * ```
   *
   * @param reference The series every pattern is compared with.
   * @param patterns The patterns, of any lengths.
   * @returns One distance per pattern, in order.
   * @throws {TypeError} as `dtwBatch`.
   * @throws {RangeError} as `dtwBatch`.
   * @throws {MemoryLimitError} above `memoryLimit`.
   * @throws {Error} after `close`, or when a worker crashed.
   */
  batchDTW(
    reference: ArrayLike<number>,
    patterns: ArrayLike<ArrayLike<number>>,
  ): Promise<Float64Array> {
    return this.#call("batchDTW", () => {
      const n = lengthOf(reference);
      const lengths = lengthsOf(patterns);
      const workers = this.#workersFor(n * sum(lengths), PARALLEL_DTW_CELLS);
      return {
        bytes: batchBytes(n, lengths, 2 * workers),
        run: () =>
          workers > 0
            ? this.#onPool((pool) =>
              pool.dtwBatch(reference, patterns, this.#dtw)
            )
            : dtwBatch(reference, patterns, this.#dtw),
      };
    });
  }

  /**
   * The `topK` (option, default 10) patterns nearest to `reference`, by
   * `topK` (or `WorkerPool.topK` with parallelism): sorted by distance,
   * ties by index, exactly as sorting every distance and keeping the first
   * `topK`.
   *
   * @example The two best of four
   * ```ts
   * import { StreamProcessor } from "@midstreamer/kit/core";
   * import assert from "node:assert/strict";
   *
   * await using processor = new StreamProcessor({ mode: "pattern_matching", topK: 2 });
   * const reference = [0, 1, 2, 3, 4];
   * const patterns = [[9, 9, 9], [0, 1, 2, 3, 3, 4], [5, 6, 7, 8, 9], [0, 2, 4]];
   * assert.deepEqual(await processor.findTopMatches(reference, patterns), [
   *   { index: 1, pattern: patterns[1], distance: 0 },
   *   { index: 3, pattern: patterns[3], distance: 2 },
   * ]);
   * ```
   *
   * @typeParam P The type of the patterns.
   * @param reference The series every pattern is compared with.
   * @param patterns The candidate patterns.
   * @returns Up to `topK` matches `{ index, pattern, distance }`.
   * @throws {TypeError} as `topK`.
   * @throws {RangeError} as `topK`.
   * @throws {MemoryLimitError} above `memoryLimit`.
   * @throws {Error} after `close`, or when a worker crashed.
   */
  findTopMatches<P extends ArrayLike<number>>(
    reference: ArrayLike<number>,
    patterns: ArrayLike<P>,
  ): Promise<TopMatch<P>[]> {
    return this.#call("findTopMatches", () => {
      const k = this.#config.topK;
      const n = lengthOf(reference);
      const lengths = lengthsOf(patterns);
      const workers = this.#workersFor(n * sum(lengths), PARALLEL_DTW_CELLS);
      return {
        bytes: topKBytes(n, lengths, k, 2 * workers),
        run: async () => {
          const matches = workers > 0
            ? await this.#onPool((pool) =>
              pool.topK(reference, patterns, { ...this.#dtw, k })
            )
            : topK(reference, patterns, { ...this.#dtw, k });
          return matches.map(({ index, distance }) => ({
            index,
            pattern: patterns[index],
            distance,
          }));
        },
      };
    });
  }

  /**
   * Length of the longest common subsequence, by `lcs` (bit-parallel,
   * exactly the original `PureJSLCS.calculate` for arrays).
   *
   * @example Strategy signals
   * ```ts
   * import { StreamProcessor } from "@midstreamer/kit/core";
   * import assert from "node:assert/strict";
   *
   * await using processor = new StreamProcessor({
   *   mode: "correlation",
   *   algorithm: "lcs",
   *   bitParallel: true,
   * });
   * assert.equal(
   *   await processor.computeLCS(["BUY", "HOLD", "SELL", "BUY"], ["BUY", "SELL", "BUY"]),
   *   3,
   * );
   * ```
   *
   * @param strategies1 First sequence: a string, an array of strings and numbers, or a numeric typed array.
   * @param strategies2 Second sequence.
   * @returns The LCS length.
   * @throws {TypeError} as `lcs`.
   * @throws {RangeError} as `lcs`.
   * @throws {MemoryLimitError} above `memoryLimit`.
   * @throws {Error} after `close`.
   */
  computeLCS(
    strategies1: LcsSequence,
    strategies2: LcsSequence,
  ): Promise<number> {
    return this.#call("computeLCS", () => ({
      bytes: lcsBytes(lengthOf(strategies1), lengthOf(strategies2)),
      run: () => lcs(strategies1, strategies2),
    }));
  }

  /**
   * The LCS correlation matrix of the sequences, flattened row-major as
   * the original documents: entry `i * n + j` is `lcs / max(length)`, by
   * `correlationMatrix` (or `WorkerPool.correlationMatrix` with
   * parallelism). It equals the original `buildCorrelationMatrix` flattened
   * (except that two empty sequences correlate 1, not `NaN`).
   *
   * @example Three strategies
   * ```ts
   * import { StreamProcessor } from "@midstreamer/kit/core";
   * import assert from "node:assert/strict";
   *
   * await using processor = new StreamProcessor({
   *   mode: "correlation_matrix",
   *   algorithm: "parallel_lcs",
   *   workers: "auto",
   * });
   * const m = await processor.correlationMatrix([
   *   ["BUY", "HOLD", "SELL", "HOLD"],
   *   ["BUY", "SELL", "HOLD", "HOLD"],
   *   ["SELL", "SELL"],
   * ]);
   * assert.deepEqual(Array.from(m), [1, 0.75, 0.25, 0.75, 1, 0.25, 0.25, 0.25, 1]);
   * ```
   *
   * @param strategies The sequences.
   * @returns A `Float64Array` of `n * n` correlations.
   * @throws {TypeError} as `correlationMatrix`.
   * @throws {RangeError} as `correlationMatrix`.
   * @throws {MemoryLimitError} above `memoryLimit`.
   * @throws {Error} after `close`, or when a worker crashed.
   */
  correlationMatrix(strategies: readonly LcsSequence[]): Promise<Float64Array> {
    return this.#call("correlationMatrix", () => {
      const lengths = lengthsOf(strategies);
      const total = sum(lengths);
      let squares = 0;
      for (const l of lengths) squares += l * l;
      const cells = (total * total - squares) / 2;
      const workers = this.#workersFor(cells, PARALLEL_LCS_CELLS);
      return {
        bytes: matrixBytes(lengths, workers),
        run: () =>
          workers > 0
            ? this.#onPool((pool) => pool.correlationMatrix(strategies))
            : correlationMatrix(strategies),
      };
    });
  }

  /**
   * DTW distance and warping path of each adjacent pair of series, by
   * `alignTimeframes`. It runs in this thread whatever the parallelism
   * (the pool has no path kernel).
   *
   * @example Three timeframes
   * ```ts
   * import { StreamProcessor } from "@midstreamer/kit/core";
   * import assert from "node:assert/strict";
   *
   * await using processor = new StreamProcessor({ mode: "multi_timeframe", parallel: true });
   * const aligned = await processor.alignTimeframes([
   *   [1, 2, 3, 4, 5, 6, 7, 8],
   *   [1.5, 3.5, 5.5, 7.5],
   *   [2.5, 6.5],
   * ]);
   * assert.deepEqual(aligned.map((a) => [a.from, a.to]), [[0, 1], [1, 2]]);
   * assert.deepEqual(aligned[0].path.at(-1), [7, 3]);
   * ```
   *
   * @param patterns The series, in timeframe order.
   * @returns One `{ from, to, distance, path }` per adjacent pair.
   * @throws {TypeError} as `alignTimeframes`.
   * @throws {RangeError} as `alignTimeframes`.
   * @throws {MemoryLimitError} above `memoryLimit`.
   * @throws {Error} after `close`.
   */
  alignTimeframes(
    patterns: ArrayLike<ArrayLike<number>>,
  ): Promise<TimeframeAlignment[]> {
    return this.#call("alignTimeframes", () => ({
      bytes: alignBytes(lengthsOf(patterns)),
      run: () => alignTimeframes(patterns, this.#dtw),
    }));
  }

  /**
   * DTW distance of `pattern` to `reference`, through a match queue
   * (`createMatchQueue`) kept per reference: concurrent calls are queued and
   * computed in batches. `maxConcurrent` and `queueSize` (or `bufferSize`)
   * bound them; past the queue, calls reject at once with
   * `QueueFullError`.
   *
   * Queues are cached by the identity of `reference` (up to 8, the
   * least recently used idle one closed first), so pass the same reference
   * object to share one queue; a cached reference whose values changed
   * since gets a new queue.
   *
   * @example Concurrent matches and a full queue
   * ```ts
   * import { QueueFullError, StreamProcessor } from "@midstreamer/kit/core";
   * import { dtw } from "@midstreamer/kit";
   * import assert from "node:assert/strict";
   *
   * await using processor = new StreamProcessor({
   *   mode: "high_concurrency",
   *   maxConcurrent: 1,
   *   queueSize: 2,
   * });
   * const reference = [0, 1, 2, 3];
   * const calls = [[0, 1], [1, 2], [2, 3], [3, 4]].map((p) =>
   *   processor.matchPattern(reference, p)
   * );
   * const results = await Promise.allSettled(calls);
   * assert.deepEqual(results.slice(0, 2), [
   *   { status: "fulfilled", value: dtw(reference, [0, 1]) },
   *   { status: "fulfilled", value: dtw(reference, [1, 2]) },
   * ]);
   * assert.ok(results[2].status === "rejected" && results[2].reason instanceof QueueFullError);
   * ```
   *
   * @param reference The series matched against.
   * @param pattern The pattern.
   * @returns The DTW distance, as `computeDTW(reference, pattern)`.
   * @throws {TypeError} as `dtw`.
   * @throws {RangeError} as `dtw`.
   * @throws {QueueFullError} when the queue is full.
   * @throws {MemoryLimitError} above `memoryLimit`.
   * @throws {Error} after `close`.
   */
  matchPattern(
    reference: ArrayLike<number>,
    pattern: ArrayLike<number>,
  ): Promise<number> {
    return this.#call("matchPattern", () => {
      const fresh = !this.#queues.has(reference as object);
      return {
        bytes: matchBytes(lengthOf(reference), lengthOf(pattern), fresh),
        run: async () => {
          const entry = this.#acquire(reference);
          try {
            return await (await entry.queue).match(pattern);
          } finally {
            if (--entry.pending === 0 && entry.retired) this.#retire(entry);
          }
        },
      };
    });
  }

  /**
   * Waits for pending calls, closes the match queues, and closes the shared
   * worker pool unless another processor's call is using it (it then
   * closes 250 ms after its last call). Later calls reject with an
   * `Error`. Calling it again returns the same promise.
   *
   * @example Closing with matches pending
   * ```ts
   * import { StreamProcessor } from "@midstreamer/kit/core";
   * import assert from "node:assert/strict";
   *
   * const processor = new StreamProcessor({ mode: "high_concurrency", workers: 2 });
   * const reference = [1, 2, 3, 4];
   * const pending = processor.matchPattern(reference, [1, 2, 2, 3, 4]);
   * await processor.close(); // waits for the match, then stops the workers
   * assert.equal(await pending, 0);
   * await assert.rejects(processor.computeDTW([1], [1]), /closed/);
   * ```
   *
   * @returns Resolves once everything is released.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      while (this.#pending.size > 0) await Promise.all(this.#pending);
      for (const entry of this.#queues.values()) this.#retire(entry);
      this.#queues.clear();
      await Promise.all(this.#retiring);
      if (this.#usedPool) await closeIfIdle(this.#config.workers);
    })();
    return this.#closing;
  }

  /**
   * Same as {@linkcode StreamProcessor.close}, for `await using`.
   *
   * @example Released at the end of the block
   * ```ts
   * import { StreamProcessor } from "@midstreamer/kit/core";
   *
   * {
   *   await using processor = new StreamProcessor({ workers: 2 });
   *   await processor.computeDTW([1, 2], [2]);
   * } // closed here
   * ```
   *
   * @returns Resolves once everything is released.
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Checks that the processor is open, plans the call, enforces the memory
   * limit, and runs it, holding its estimate until it settles.
   */
  #call<T>(fn: string, plan: () => Plan<T>): Promise<T> {
    if (this.#closing !== undefined) {
      return Promise.reject(
        new Error(`StreamProcessor.${fn}: the processor is closed`),
      );
    }
    let p: Plan<T>;
    const limit = this.#config.memoryLimit;
    try {
      p = plan();
      if (this.#reserved + p.bytes > limit) {
        const held = this.#reserved > 0
          ? ` (${formatBytes(p.bytes)} for this call, ${
            formatBytes(this.#reserved)
          } held by pending calls)`
          : "";
        throw new MemoryLimitError(
          `StreamProcessor.${fn}: needs an estimated ${
            formatBytes(this.#reserved + p.bytes)
          } of working memory${held}, above memoryLimit ${this.#limitText}; raise memoryLimit or split the work`,
          limit,
          this.#reserved + p.bytes,
        );
      }
    } catch (error) {
      return Promise.reject(error);
    }
    const bytes = p.bytes;
    this.#reserved += bytes;
    let result: T | Promise<T>;
    try {
      result = p.run();
    } catch (error) {
      this.#reserved -= bytes;
      return Promise.reject(error);
    }
    if (!(result instanceof Promise)) {
      // Computed already, in this thread: nothing stays held.
      this.#reserved -= bytes;
      return Promise.resolve(result);
    }
    const task = result.finally(() => {
      this.#reserved -= bytes;
    });
    const done: Promise<void> = task.then(() => {}, () => {}).then(() => {
      this.#pending.delete(done);
    });
    this.#pending.add(done);
    return task;
  }

  /** Workers for a call of `cells` cells: 0 in this thread. */
  #workersFor(cells: number, threshold: number): number {
    return cells >= threshold ? this.#config.workers : 0;
  }

  #onPool<T>(
    job: (pool: WorkerPool) => Promise<T>,
  ): Promise<T> {
    this.#usedPool = true;
    return withPool(this.#config.workers, job);
  }

  /** The cached queue of `reference` (made if needed), with `pending` counted. */
  #acquire(reference: ArrayLike<number>): QueueEntry {
    const key = reference as object;
    let entry = this.#queues.get(key);
    if (entry !== undefined) {
      this.#queues.delete(key);
      if (sameSeries(entry.ref, reference)) {
        this.#queues.set(key, entry); // most recently used last
        entry.pending++;
        return entry;
      }
      this.#retire(entry);
    }
    const ref = toF64("matchPattern", "reference", reference);
    entry = {
      ref,
      queue: createMatchQueue(ref, this.#queueOptions()),
      pending: 1,
      retired: false,
    };
    this.#queues.set(key, entry);
    const made = entry;
    made.queue.catch(() => {
      // Not cached: the next call tries again (its error is the caller's).
      if (this.#queues.get(key) === made) this.#queues.delete(key);
    });
    for (const [k, e] of this.#queues) {
      if (this.#queues.size <= MAX_QUEUES) break;
      if (e.pending > 0) continue;
      this.#queues.delete(k);
      this.#retire(e);
    }
    return entry;
  }

  /** Takes a queue out of use: closed now if idle, else by its last call. */
  #retire(entry: QueueEntry): void {
    entry.retired = true;
    if (entry.pending > 0) return;
    const closed: Promise<void> = entry.queue
      .then((m) => m.close(), () => {}) // a failed queue has nothing to close
      .then(() => {
        this.#retiring.delete(closed);
      });
    this.#retiring.add(closed);
  }

  #queueOptions(): MatchQueueOptions {
    const { workers, maxConcurrent, queueSize, window, cost } = this.#config;
    const batchSize = Math.min(MAX_BATCH, maxConcurrent);
    const options: MatchQueueOptions = { window, cost, queueSize, batchSize };
    if (workers > 0) {
      options.workers = this.#pool;
      options.maxConcurrent = Math.max(
        1,
        Math.min(Math.floor(maxConcurrent / batchSize), 2 * workers),
      );
    }
    return options;
  }
}

/** Whether `x` still holds the values of `copy`. */
function sameSeries(copy: Float64Array, x: ArrayLike<number>): boolean {
  if (x.length !== copy.length) return false;
  for (let i = 0; i < copy.length; i++) {
    if (x[i] !== copy[i]) return false;
  }
  return true;
}
