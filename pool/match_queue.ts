// Copyright 2026 the @midstreamer/kit authors. MIT license.

import { dtwBatch } from "../kernels/dtw_batch.ts";
import type { DtwOptions } from "../kernels/dtw.ts";
import {
  checkOptionKeys,
  describe,
  dtwArgs,
  toF64,
} from "../kernels/internal.ts";
import type { AsyncKernels } from "./async_kernels.ts";
import { ClosedError } from "./closed_error.ts";
import { QueueFullError } from "./queue_full_error.ts";

/**
 * What a {@linkcode MatchQueue} runs its batches on: any
 * {@linkcode AsyncKernels} (a {@linkcode WorkerPool}, a service client),
 * of which only `dtwBatch` is used.
 */
export type MatchQueueKernels = Pick<AsyncKernels, "dtwBatch">;

/** Options of {@linkcode createMatchQueue}. */
export interface MatchQueueOptions {
  /**
   * Sakoe-Chiba band half-width, in points, as for `dtw`.
   *
   * @default {undefined} no band
   */
  window?: number;
  /**
   * Local cost, as for `dtw`.
   *
   * @default {"absolute"}
   */
  cost?: "absolute" | "squared";
  /**
   * Where batches run. `0` runs them in this thread, between turns of the
   * event loop. A positive count starts a {@linkcode WorkerPool} of that
   * many workers, owned by the queue and closed by
   * {@linkcode MatchQueue.close}. Any {@linkcode AsyncKernels} (a
   * `WorkerPool`, a service client; only its `dtwBatch` is used) is shared:
   * the queue never closes it.
   *
   * @default {0}
   */
  workers?: number | MatchQueueKernels;
  /**
   * Batches handed to the pool and not yet finished, at most. In this
   * thread batches always run one at a time, so only pools use it.
   *
   * @default {2 × workers for an owned pool, 4 for a shared pool, 1 in-thread}
   */
  maxConcurrent?: number;
  /**
   * Patterns waiting to be matched (not yet in a running batch), at most.
   * A `match` beyond it rejects at once with {@linkcode QueueFullError}.
   *
   * @default {1024}
   */
  queueSize?: number;
  /**
   * Patterns per batch, at most. Queued patterns are matched together by
   * `dtwBatch`, several per SIMD lane group, so larger batches are faster
   * per pattern, up to a few dozen.
   *
   * @default {64}
   */
  batchSize?: number;
}

/** Options of {@linkcode MatchQueue.match}. */
export interface MatchOptions {
  /**
   * Cancels the match: the promise rejects with `signal.reason`, the
   * pattern leaves the queue, and a result computed anyway is discarded.
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
}

/** Latency percentiles of completed matches, in milliseconds. */
export interface MatchQueueLatency {
  /** Mean time from `match` to its result; `NaN` before the first result. */
  mean: number;
  /** Median, within ±2.2 % (a log-scale histogram); `NaN` before the first result. */
  p50: number;
  /** 99th percentile, within ±2.2 %; `NaN` before the first result. */
  p99: number;
}

/** Counters of a {@linkcode MatchQueue}, from {@linkcode MatchQueue.stats}. */
export interface MatchQueueStats {
  /** Matches that resolved with a distance. */
  completed: number;
  /** Matches rejected with {@linkcode QueueFullError}. */
  rejected: number;
  /** Matches rejected because their signal aborted. */
  aborted: number;
  /** Matches rejected because their batch failed, or by `close`. */
  failed: number;
  /** Patterns in batches that are running now. */
  inFlight: number;
  /** Patterns waiting in the queue. */
  queued: number;
  /** Latency of the completed matches. */
  latency: MatchQueueLatency;
}

/**
 * A bounded queue matching patterns against one reference series
 * concurrently; made by {@linkcode createMatchQueue}.
 */
export interface MatchQueue extends AsyncDisposable {
  /**
   * Queues `pattern` and resolves with `dtw(reference, pattern, { window,
   * cost })`, exactly.
   *
   * @example One match
   * ```ts
   * import { createMatchQueue, dtw } from "@midstreamer/kit";
   * import assert from "node:assert/strict";
   *
   * await using queue = await createMatchQueue([1, 2, 3]);
   * assert.equal(await queue.match([1, 3]), dtw([1, 2, 3], [1, 3]));
   * ```
   *
   * @param pattern An array-like of finite numbers; it is copied at once,
   * so it may be changed as soon as `match` returns.
   * @param options An abort signal.
   * @returns The DTW distance.
   * @throws {TypeError} when `pattern` is not an array of finite numbers, or on a bad option.
   * @throws {QueueFullError} when `queueSize` patterns are waiting already.
   * @throws {ClosedError} when the queue is closed.
   */
  match(pattern: ArrayLike<number>, options?: MatchOptions): Promise<number>;
  /**
   * A snapshot of the counters.
   *
   * @example Counters after two matches
   * ```ts
   * import { createMatchQueue } from "@midstreamer/kit";
   * import assert from "node:assert/strict";
   *
   * await using queue = await createMatchQueue([1, 2, 3]);
   * await Promise.all([queue.match([1]), queue.match([2, 3])]);
   * const { completed, queued, latency } = queue.stats();
   * assert.equal(completed, 2);
   * assert.equal(queued, 0);
   * assert.ok(latency.p50 > 0);
   * ```
   *
   * @returns The counters and latency percentiles.
   */
  stats(): MatchQueueStats;
  /**
   * Stops the queue: new matches and the queued ones reject with
   * {@linkcode ClosedError}; batches already running on a pool finish and
   * their matches resolve; then an owned pool is closed. Calling it again
   * returns the same promise.
   *
   * @example Closing
   * ```ts
   * import { ClosedError, createMatchQueue } from "@midstreamer/kit";
   * import assert from "node:assert/strict";
   *
   * const queue = await createMatchQueue([1, 2, 3]);
   * await queue.close();
   * await assert.rejects(queue.match([1]), ClosedError);
   * ```
   *
   * @returns Resolves once running batches are done and an owned pool is closed.
   */
  close(): Promise<void>;
}

/**
 * The former name of {@linkcode MatchQueueKernels}.
 *
 * @deprecated Use `AsyncKernels` (or `MatchQueueKernels`). Removed in 1.0.
 */
export type MatcherPool = MatchQueueKernels;
/**
 * The former name of {@linkcode MatchQueueOptions}.
 *
 * @deprecated Use `MatchQueueOptions`. Removed in 1.0.
 */
export type MatcherOptions = MatchQueueOptions;
/**
 * The former name of {@linkcode MatchQueueLatency}.
 *
 * @deprecated Use `MatchQueueLatency`. Removed in 1.0.
 */
export type MatcherLatency = MatchQueueLatency;
/**
 * The former name of {@linkcode MatchQueueStats}.
 *
 * @deprecated Use `MatchQueueStats`. Removed in 1.0.
 */
export type MatcherStats = MatchQueueStats;
/**
 * The former name of {@linkcode MatchQueue}.
 *
 * @deprecated Use `MatchQueue`. Removed in 1.0.
 */
export type Matcher = MatchQueue;

/** A pool the queue started, and closes. */
interface OwnedPool extends MatchQueueKernels {
  close(): Promise<void>;
}

const FN = "createMatchQueue";
const KEYS = [
  "window",
  "cost",
  "workers",
  "maxConcurrent",
  "queueSize",
  "batchSize",
];

/**
 * Creates a {@linkcode MatchQueue}: a bounded queue of patterns in front of
 * `dtwBatch`, matching them against one reference. Patterns queued while a batch runs are matched together in
 * the next batch (micro-batching), so that under load many patterns share
 * each kernel call and its SIMD lanes; batches run in this thread or on a
 * {@linkcode WorkerPool}.
 *
 * Overload never makes it hang or grow: past `queueSize` waiting patterns,
 * `match` rejects at once with {@linkcode QueueFullError}, and each queued
 * pattern is held as one compact `Float64Array` copy. Latencies are kept
 * in a fixed-size histogram.
 *
 * In this thread (the default), the queue runs batches for up to about
 * 8 ms at a time and then yields to the event loop: through a
 * `MessageChannel` (which exists only while patterns are queued), and
 * through a timer at least every 50 ms so that timers and I/O get their
 * turn.
 *
 * @example Many concurrent matches
 * ```ts
 * import { createMatchQueue, dtw } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * const reference = Array.from({ length: 100 }, (_, i) => Math.sin(i / 8));
 * const patterns = Array.from(
 *   { length: 50 },
 *   (_, k) => Array.from({ length: 80 }, (_, i) => Math.sin(i / 8 + k / 10)),
 * );
 * await using queue = await createMatchQueue(reference, { window: 20 });
 * const distances = await Promise.all(patterns.map((p) => queue.match(p)));
 * assert.deepEqual(
 *   distances,
 *   patterns.map((p) => dtw(reference, p, { window: 20 })),
 * );
 * assert.equal(queue.stats().completed, 50);
 * ```
 *
 * @example Cancelling a match
 * ```ts
 * import { createMatchQueue } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * await using queue = await createMatchQueue([1, 2, 3]);
 * const controller = new AbortController();
 * const pending = queue.match([1, 2], { signal: controller.signal });
 * controller.abort(new Error("no longer needed"));
 * await assert.rejects(pending, { message: "no longer needed" });
 * assert.equal(queue.stats().aborted, 1);
 * ```
 *
 * @example Batches on a shared worker pool
 * ```ts
 * import { createMatchQueue, dtw, WorkerPool } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * await using pool = new WorkerPool({ workers: 2 });
 * await using queue = await createMatchQueue([0, 1, 2, 1], { workers: pool });
 * assert.equal(await queue.match([0, 2, 1]), dtw([0, 1, 2, 1], [0, 2, 1]));
 * ```
 *
 * @param reference The series every pattern is compared with: an
 * array-like of finite numbers (copied).
 * @param options Band, cost, where to run, and the limits.
 * @returns The queue, ready to use.
 * @throws {TypeError} when `reference` is not an array of finite numbers,
 * on an unknown option, an option of the wrong type, or a `workers` that
 * is neither a count nor an `AsyncKernels`.
 * @throws {RangeError} on a negative or fractional `window`, or a
 * `maxConcurrent`, `queueSize`, `batchSize` or `workers` count that is not
 * a positive integer (`workers` may be 0).
 */
export async function createMatchQueue(
  reference: ArrayLike<number>,
  options?: MatchQueueOptions,
): Promise<MatchQueue> {
  const o = checkOptionKeys(FN, options, KEYS);
  const args = dtwArgs(FN, { window: o.window, cost: o.cost }, [
    "window",
    "cost",
  ]);
  const ref = toF64(FN, "reference", reference);
  const queueSize = positiveInt("queueSize", o.queueSize, 1024);
  const batchSize = positiveInt("batchSize", o.batchSize, 64);
  const workers = o.workers ?? 0;
  let pool: MatchQueueKernels | undefined;
  let owned: OwnedPool | undefined;
  let maxConcurrent: number;
  if (typeof workers === "number") {
    if (!Number.isInteger(workers) || workers < 0) {
      throw new RangeError(
        `${FN}: options.workers must be a non-negative integer or an AsyncKernels, got ${workers}`,
      );
    }
    maxConcurrent = positiveInt("maxConcurrent", o.maxConcurrent, 2 * workers);
    if (workers > 0) {
      // Loaded only when needed: in-thread queues never start workers.
      const { WorkerPool } = await import("./worker_pool.ts");
      pool = owned = new WorkerPool({ workers });
    } else maxConcurrent = 1;
  } else if (
    workers !== null && typeof workers === "object" &&
    typeof (workers as MatchQueueKernels).dtwBatch === "function"
  ) {
    pool = workers as MatchQueueKernels;
    maxConcurrent = positiveInt("maxConcurrent", o.maxConcurrent, 4);
  } else {
    throw new TypeError(
      `${FN}: options.workers must be a worker count or an AsyncKernels (with a dtwBatch method), got ${
        describe(workers)
      }`,
    );
  }
  const dtwOptions: DtwOptions = {
    window: args.window < 0 ? undefined : args.window,
    cost: args.squared ? "squared" : "absolute",
  };
  return new BatchingQueue(ref, dtwOptions, {
    queueSize,
    batchSize,
    maxConcurrent,
    pool,
    owned,
  });
}

function positiveInt(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number") {
    throw new TypeError(
      `${FN}: options.${name} must be a number, got ${describe(value)}`,
    );
  }
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(
      `${FN}: options.${name} must be a positive integer, got ${value}`,
    );
  }
  return value;
}

/** Histogram bins per doubling of the latency (±2.2 % resolution). */
const BINS_PER_OCTAVE = 16;
/** Smallest latency told apart: 1 µs. */
const LATENCY_FLOOR_MS = 0.001;
/** Octaves covered from the floor: up to about 78 hours. */
const OCTAVES = 38;

/** A fixed-size log-scale histogram of latencies in milliseconds. */
class LatencyHistogram {
  #counts = new Float64Array(OCTAVES * BINS_PER_OCTAVE);
  #n = 0;
  #sum = 0;

  add(ms: number): void {
    const bin = Math.floor(
      Math.log2(Math.max(ms, LATENCY_FLOOR_MS) / LATENCY_FLOOR_MS) *
        BINS_PER_OCTAVE,
    );
    this.#counts[Math.min(bin, this.#counts.length - 1)]++;
    this.#n++;
    this.#sum += ms;
  }

  /** Mean and percentiles, each bin standing for its geometric middle. */
  summary(): MatchQueueLatency {
    return {
      mean: this.#n === 0 ? NaN : this.#sum / this.#n,
      p50: this.#quantile(0.5),
      p99: this.#quantile(0.99),
    };
  }

  #quantile(q: number): number {
    if (this.#n === 0) return NaN;
    const rank = Math.max(1, Math.ceil(q * this.#n));
    let seen = 0;
    for (let i = 0; i < this.#counts.length; i++) {
      seen += this.#counts[i];
      if (seen >= rank) {
        return LATENCY_FLOOR_MS * 2 ** ((i + 0.5) / BINS_PER_OCTAVE);
      }
    }
    return Infinity;
  }
}

const QUEUED = 0;
const RUNNING = 1;
const SETTLED = 2;

interface Job {
  pattern: Float64Array;
  start: number;
  state: number;
  resolve: (distance: number) => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

interface Limits {
  queueSize: number;
  batchSize: number;
  maxConcurrent: number;
  pool: MatchQueueKernels | undefined;
  owned: OwnedPool | undefined;
}

/** In-thread batches run back to back for about this long, then yield. */
const SLICE_MS = 8;
/** In-thread: yield through a timer at least this often (see `#schedule`). */
const TIMER_EVERY_MS = 50;

class BatchingQueue implements MatchQueue {
  readonly #ref: Float64Array;
  readonly #options: DtwOptions;
  readonly #limits: Limits;
  #queue: Job[] = [];
  #running = new Set<Promise<void>>();
  #inFlight = 0;
  #completed = 0;
  #rejected = 0;
  #aborted = 0;
  #failed = 0;
  #latency = new LatencyHistogram();
  #closing: Promise<void> | undefined;
  /** In-thread: the channel that schedules the next slice, while work waits. */
  #channel: MessageChannel | undefined;
  #scheduled = false;
  /** In-thread: the pending timer turn, and when the last one ran. */
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastTimer = performance.now();

  constructor(ref: Float64Array, options: DtwOptions, limits: Limits) {
    this.#ref = ref;
    this.#options = options;
    this.#limits = limits;
  }

  match(pattern: ArrayLike<number>, options?: MatchOptions): Promise<number> {
    try {
      return this.#enqueue(pattern, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #enqueue(
    pattern: ArrayLike<number>,
    options?: MatchOptions,
  ): Promise<number> {
    const o = checkOptionKeys("match", options, ["signal"]);
    const signal = o.signal as AbortSignal | undefined;
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw new TypeError(
        `match: options.signal must be an AbortSignal, got ${describe(signal)}`,
      );
    }
    if (this.#closing !== undefined) {
      throw new ClosedError("match: the match queue is closed");
    }
    if (signal?.aborted) {
      this.#aborted++;
      return Promise.reject(signal.reason);
    }
    if (this.#queue.length >= this.#limits.queueSize) {
      this.#rejected++;
      throw new QueueFullError(
        `match: the queue is full (${this.#limits.queueSize} patterns waiting); retry later or raise queueSize`,
      );
    }
    const { promise, resolve, reject } = Promise.withResolvers<number>();
    const job: Job = {
      pattern: toF64("match", "pattern", pattern),
      start: performance.now(),
      state: QUEUED,
      resolve,
      reject,
      signal,
      onAbort: undefined,
    };
    if (signal !== undefined) {
      job.onAbort = () => this.#abort(job);
      signal.addEventListener("abort", job.onAbort, { once: true });
    }
    this.#queue.push(job);
    this.#schedule();
    return promise;
  }

  #abort(job: Job): void {
    if (job.state === SETTLED) return;
    if (job.state === QUEUED) {
      const i = this.#queue.indexOf(job);
      if (i >= 0) this.#queue.splice(i, 1);
    }
    this.#aborted++;
    this.#settle(job);
    job.reject(job.signal!.reason);
  }

  /** Marks a job settled and drops its abort listener. */
  #settle(job: Job): void {
    job.state = SETTLED;
    if (job.onAbort !== undefined) {
      job.signal!.removeEventListener("abort", job.onAbort);
      job.onAbort = undefined;
    }
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    if (this.#limits.pool !== undefined) {
      // Let a synchronous burst of `match` calls queue up first.
      queueMicrotask(() => {
        this.#scheduled = false;
        this.#dispatch();
      });
      return;
    }
    if (performance.now() - this.#lastTimer >= TIMER_EVERY_MS) {
      // A timer turn now and then: Deno runs timers late while a
      // MessageChannel is always ready.
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#lastTimer = performance.now();
        this.#scheduled = false;
        this.#slice();
      }, 0);
      return;
    }
    if (this.#channel === undefined) {
      this.#channel = new MessageChannel();
      this.#channel.port1.onmessage = () => {
        this.#scheduled = false;
        this.#slice();
      };
    }
    this.#channel.port2.postMessage(null);
  }

  /** In-thread: runs batches for up to {@linkcode SLICE_MS}, then yields. */
  #slice(): void {
    const until = performance.now() + SLICE_MS;
    while (this.#queue.length > 0 && performance.now() < until) {
      const batch = this.#take(this.#limits.batchSize);
      let distances: Float64Array;
      try {
        distances = dtwBatch(
          this.#ref,
          batch.map((job) => job.pattern),
          this.#options,
        );
      } catch (error) {
        this.#fail(batch, error);
        continue;
      } finally {
        this.#inFlight -= batch.length;
      }
      this.#deliver(batch, distances);
    }
    if (this.#queue.length > 0) {
      this.#schedule();
    } else {
      this.#release();
    }
  }

  /** Closes the in-thread channel, so that an idle queue keeps nothing alive. */
  #release(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#scheduled = false;
    }
    const channel = this.#channel;
    if (channel === undefined) return;
    this.#channel = undefined;
    this.#scheduled = false;
    channel.port1.close();
    channel.port2.close();
  }

  /** With a pool: starts batches while fewer than `maxConcurrent` run. */
  #dispatch(): void {
    const { pool, maxConcurrent, batchSize } = this.#limits;
    while (this.#queue.length > 0 && this.#running.size < maxConcurrent) {
      // Spread what waits over the free slots, up to `batchSize` each.
      const free = maxConcurrent - this.#running.size;
      const size = Math.min(batchSize, Math.ceil(this.#queue.length / free));
      const batch = this.#take(size);
      let call: Promise<Float64Array>;
      try {
        call = pool!.dtwBatch(
          this.#ref,
          batch.map((job) => job.pattern),
          this.#options,
        );
      } catch (error) {
        call = Promise.reject(error);
      }
      const done = (): void => {
        this.#inFlight -= batch.length;
        this.#running.delete(task);
      };
      const task: Promise<void> = call.then(
        (distances) => {
          done();
          this.#deliver(batch, distances);
        },
        (error) => {
          done();
          this.#fail(batch, error);
        },
      ).finally(() => {
        if (this.#closing === undefined) this.#dispatch();
      });
      this.#running.add(task);
    }
  }

  /** Takes up to `size` jobs off the queue and marks them running. */
  #take(size: number): Job[] {
    const batch = this.#queue.splice(0, size);
    for (const job of batch) job.state = RUNNING;
    this.#inFlight += batch.length;
    return batch;
  }

  #deliver(batch: Job[], distances: Float64Array): void {
    const now = performance.now();
    for (let i = 0; i < batch.length; i++) {
      const job = batch[i];
      if (job.state === SETTLED) continue; // aborted while running
      this.#settle(job);
      this.#completed++;
      this.#latency.add(now - job.start);
      job.resolve(distances[i]);
    }
  }

  #fail(batch: Job[], error: unknown): void {
    for (const job of batch) {
      if (job.state === SETTLED) continue;
      this.#settle(job);
      this.#failed++;
      job.reject(error);
    }
  }

  stats(): MatchQueueStats {
    return {
      completed: this.#completed,
      rejected: this.#rejected,
      aborted: this.#aborted,
      failed: this.#failed,
      inFlight: this.#inFlight,
      queued: this.#queue.length,
      latency: this.#latency.summary(),
    };
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      const queued = this.#queue.splice(0);
      this.#fail(
        queued,
        new ClosedError(
          "match: the match queue was closed before the pattern was matched",
        ),
      );
      this.#release();
      while (this.#running.size > 0) await Promise.all(this.#running);
      await this.#limits.owned?.close();
    })();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * The former name of {@linkcode createMatchQueue}.
 *
 * @example Old code keeps working
 * ```ts
 * import { createMatcher } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * await using matcher = await createMatcher([1, 2, 3]);
 * assert.equal(await matcher.match([1, 2, 3]), 0);
 * ```
 *
 * @deprecated Use `createMatchQueue`. Removed in 1.0.
 *
 * @param reference The series every pattern is compared with.
 * @param options As for `createMatchQueue`.
 * @returns The queue.
 * @throws {TypeError} as `createMatchQueue`.
 * @throws {RangeError} as `createMatchQueue`.
 */
export function createMatcher(
  reference: ArrayLike<number>,
  options?: MatchQueueOptions,
): Promise<MatchQueue> {
  return createMatchQueue(reference, options);
}
