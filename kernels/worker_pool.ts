// Copyright 2026 the @midstreamer/kit authors. MIT license.

import {
  ALONE_CORRELATION_WORK,
  assembleCorrelationMatrix,
  correlationRows,
  correlationWork,
  encodeSequences,
  LOCAL_CORRELATION_WORK,
  splitRows,
} from "./_correlation.ts";
import { describe } from "./_input.ts";
import { checkOptionKeys, dtwArgs } from "./_options.ts";
import {
  fillSearchStats,
  fillTopKStats,
  kArg,
  type PackedPatterns,
  packRange,
  patternOffsets,
  searchArgs,
  statsArg,
  toF64,
  TOP_K_KEYS,
} from "./_search_input.ts";
import {
  mergeTopK,
  SEARCH_RESET,
  type SearchResult,
  selectMatches,
  type TopKResult,
} from "./_search_kernels.ts";
import { buf, RUN, splitBySize } from "./_search_pool.ts";
import type {
  Match,
  SearchOptions,
  SearchStats,
  TopKOptions,
  TopKStats,
  WorkerPoolOptions,
} from "./search_types.ts";
import type { DtwOptions } from "./types.ts";
import type { CorrelationMatrixOptions } from "./correlation_matrix.ts";
import type { LcsSequence } from "./lcs.ts";

interface Job {
  kernel: string;
  args: unknown[];
  transfer: Transferable[];
  resolve(value: unknown): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  job?: Job;
}

type Reply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { name: string; message: string } };

const ERRORS: Record<string, new (message: string) => Error> = {
  TypeError,
  RangeError,
};

/**
 * A pool of Web Workers, each with its own WebAssembly instance, that runs
 * {@linkcode dtwBatch}, {@linkcode topK}, {@linkcode searchSubsequence} and
 * {@linkcode correlationMatrix} on several cores. Inputs are validated on the calling thread (same
 * errors as the synchronous functions), split into chunks (patterns by
 * size, the series into overlapping segments), sent to the workers as
 * transferred `Float64Array`s, and the partial results merged exactly:
 * results equal the single-threaded functions'.
 *
 * Jobs queue and go to the next free worker. A worker that crashes rejects
 * its job with an `Error` (it is replaced for later jobs); jobs never hang.
 * {@linkcode WorkerPool.close} (or `await using`) terminates the workers
 * and rejects unfinished jobs; using a closed pool rejects with an `Error`.
 *
 * @example Search with two workers, closed by `await using`
 * ```ts
 * import { topK, WorkerPool } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * const reference = Array.from({ length: 64 }, (_, i) => Math.sin(i / 5));
 * const patterns = Array.from(
 *   { length: 40 },
 *   (_, p) => Array.from({ length: 64 }, (_, i) => Math.sin(i / 5 + p / 10)),
 * );
 * await using pool = new WorkerPool({ workers: 2 });
 * const best = await pool.topK(reference, patterns, 3);
 * assert.deepEqual(best, topK(reference, patterns, 3));
 * assert.equal(best[0].index, 0);
 * ```
 */
export class WorkerPool implements AsyncDisposable {
  #slots: Slot[] = [];
  #queue: Job[] = [];
  #closed = false;
  #nextId = 0;

  /**
   * Starts the workers.
   *
   * @param options The number of workers.
   * @throws {TypeError} on an unknown option or a non-number `workers`.
   * @throws {RangeError} when `workers` is not a positive integer.
   */
  constructor(options?: WorkerPoolOptions) {
    const o = checkOptionKeys("WorkerPool", options, ["workers"]);
    const workers = o.workers ?? navigator.hardwareConcurrency ?? 1;
    if (typeof workers !== "number") {
      throw new TypeError(
        `WorkerPool: options.workers must be a number, got ${
          describe(workers)
        }`,
      );
    }
    if (!Number.isInteger(workers) || workers < 1) {
      throw new RangeError(
        `WorkerPool: options.workers must be a positive integer, got ${workers}`,
      );
    }
    for (let i = 0; i < workers; i++) {
      this.#slots.push({ worker: this.#spawn() });
    }
  }

  /** Number of workers. */
  get size(): number {
    return this.#slots.length;
  }

  /**
   * {@linkcode dtwBatch} on the pool's workers: the patterns are split into
   * chunks of similar total length.
   *
   * @param reference The series every pattern is compared with.
   * @param patterns The patterns, of any lengths.
   * @param options Band, cost and cutoff, as for `dtw`.
   * @returns One distance per pattern, in order.
   * @throws {TypeError} / {RangeError} as `dtwBatch`; {Error} when the pool is closed or a worker crashed.
   */
  async dtwBatch(
    reference: ArrayLike<number>,
    patterns: ArrayLike<ArrayLike<number>>,
    options?: DtwOptions,
  ): Promise<Float64Array> {
    this.#checkOpen("dtwBatch");
    const args = dtwArgs("dtwBatch", options);
    const ref = toF64("dtwBatch", "reference", reference);
    const offsets = patternOffsets("dtwBatch", "patterns", patterns);
    const count = offsets.length - 1;
    // A few parts per worker, for balance.
    const bounds = splitBySize(
      offsets,
      count,
      Math.max(1, Math.min(count, 2 * this.#slots.length)),
    );
    const out = new Float64Array(count);
    await this.#onParts(
      "dtwBatch",
      ref,
      patterns,
      offsets,
      bounds,
      async (c, run) => {
        out.set(await run([args]) as Float64Array, bounds[c]);
      },
    );
    return out;
  }

  /**
   * {@linkcode topK} on the pool's workers: each part of the patterns gives
   * its own top `k`, with the k-th best distance of the parts done before it
   * as its cutoff, and the union is sorted by (distance, index) and cut to
   * `k`, which is exactly the global top `k`. `options.stats` receives the
   * sum of the parts' counters.
   *
   * @param reference The series every pattern is compared with.
   * @param patterns The candidate patterns.
   * @param k How many to return: an integer `>= 1`.
   * @param options Band, cost, cutoff, and a `stats` out-parameter.
   * @returns Up to `k` matches, sorted by distance then index.
   * @throws {TypeError} / {RangeError} as `topK`; {Error} when the pool is closed or a worker crashed.
   */
  async topK(
    reference: ArrayLike<number>,
    patterns: ArrayLike<ArrayLike<number>>,
    k: number,
    options?: TopKOptions,
  ): Promise<Match[]> {
    this.#checkOpen("topK");
    const args = dtwArgs("topK", options, TOP_K_KEYS);
    const kk = kArg("topK", k);
    const stats = statsArg<TopKStats>("topK", options?.stats);
    const ref = toF64("topK", "reference", reference);
    const offsets = patternOffsets("topK", "patterns", patterns);
    const count = offsets.length - 1;
    // Parts of at least 64 patterns, up to 4 per worker, handed out as
    // workers free up: each part's cutoff is the k-th best distance of the
    // parts done before it (none of its patterns above it can be in the
    // result), so later parts abandon early from their first pattern.
    const bounds = splitBySize(
      offsets,
      count,
      Math.max(1, Math.min(Math.floor(count / 64), 4 * this.#slots.length)),
    );
    const parts: TopKResult[] = [];
    let best: Match[] = [];
    await this.#onParts(
      "topK",
      ref,
      patterns,
      offsets,
      bounds,
      async (c, run) => {
        const cutoff = best.length < kk
          ? args.cutoff
          : Math.min(args.cutoff, best[kk - 1].distance);
        const part = await run([
          kk,
          { ...args, cutoff },
          bounds[c],
        ]) as TopKResult;
        parts.push(part);
        best = mergeTopK([best, part.matches], kk);
      },
    );
    if (stats !== undefined) fillTopKStats(stats, parts.map((p) => p.stats));
    return best; // the parts merged as they came in
  }

  /**
   * {@linkcode searchSubsequence} on the pool's workers: the window starts
   * are split into segments; each worker returns every window of its
   * segment that may belong to the result, and the exclusion-zone
   * selection runs over their union, which gives exactly the
   * single-threaded result. `options.stats` receives the summed counters.
   *
   * @param series The long series to search.
   * @param query The query.
   * @param options As for `searchSubsequence`.
   * @returns Up to `k` matches, sorted by distance then index.
   * @throws {TypeError} / {RangeError} as `searchSubsequence`; {Error} when the pool is closed or a worker crashed.
   */
  async searchSubsequence(
    series: ArrayLike<number>,
    query: ArrayLike<number>,
    options?: SearchOptions,
  ): Promise<Match[]> {
    const fn = "searchSubsequence";
    this.#checkOpen(fn);
    const x = toF64(fn, "series", series);
    const q = toF64(fn, "query", query);
    const args = searchArgs(fn, x.length, q.length, options);
    const stats = statsArg<SearchStats>(fn, options?.stats);
    const m = q.length;
    const windows = x.length - m + 1;
    // Parts of at least 16 Ki windows, up to 8 per worker, handed out as
    // workers free up: each part starts from the best bound of the k-th
    // match that the parts before it found (a part searched alone would
    // start from nothing and prune less).
    const segments = Math.max(
      1,
      Math.min(
        Math.floor(windows / (16 * SEARCH_RESET)),
        8 * this.#slots.length,
      ),
    );
    const step = Math.ceil(windows / segments / SEARCH_RESET) * SEARCH_RESET;
    const parts: SearchResult[] = [];
    let threshold = Infinity;
    await this.#handOut(Math.ceil(windows / step), async (i) => {
      const s = i * step;
      const part = x.slice(s, Math.min(s + step, windows) + m - 1);
      const qq = q.slice();
      const r = await this[RUN](fn, [part, s, qq, args, threshold], [
        buf(part),
        buf(qq),
      ]) as SearchResult;
      threshold = Math.min(threshold, r.threshold);
      parts.push(r);
    });
    if (stats !== undefined) {
      fillSearchStats(
        stats,
        windows,
        parts.map((p) => p.stats),
      );
    }
    return selectMatches(
      parts.map((p) => p.candidates),
      args.k,
      args.exclusionZone,
    );
  }

  /**
   * {@linkcode correlationMatrix} on the pool's workers: the sequences are
   * interned once on the calling thread, the rows of the upper triangle are
   * split into ranges of similar work, one per worker, and the rows that
   * come back are assembled into the matrix. The result equals
   * `correlationMatrix(sequences)`.
   *
   * A small matrix (up to about 4 ms of single-thread work, such as 100
   * sequences of 200 symbols) is split into `workers` shares of which the
   * calling thread computes one, blocking it for that share, and
   * `workers - 1` workers the others: posting a share to a worker and
   * waking it costs about as much as computing it. A tiny one (up to about
   * half a millisecond, such as 50 sequences of 100 symbols) is computed on
   * the calling thread alone.
   *
   * @example Correlate strategies on two workers
   * ```ts
   * import { correlationMatrix, WorkerPool } from "@midstreamer/kit";
   * import assert from "node:assert/strict";
   *
   * const strategies = [["BUY", "HOLD", "SELL"], ["BUY", "SELL"], ["HOLD"]];
   * await using pool = new WorkerPool({ workers: 2 });
   * assert.deepEqual(
   *   await pool.correlationMatrix(strategies),
   *   correlationMatrix(strategies),
   * );
   * ```
   *
   * @param sequences The sequences, as for `correlationMatrix`.
   * @param options None yet; reserved.
   * @returns The `n * n` matrix, row-major.
   * @throws {TypeError} / {RangeError} as `correlationMatrix`; {Error} when the pool is closed or a worker crashed.
   */
  async correlationMatrix(
    sequences: readonly LcsSequence[],
    options?: CorrelationMatrixOptions,
  ): Promise<Float64Array> {
    const fn = "correlationMatrix";
    this.#checkOpen(fn);
    checkOptionKeys(fn, options, []);
    const encoded = encodeSequences(fn, sequences);
    // A small matrix: posting it and waking a worker costs about as much as
    // a share of it, so this thread computes one share too (blocking it for
    // about a millisecond at most); a tiny one, all of it.
    const work = correlationWork(encoded);
    const local = work <= LOCAL_CORRELATION_WORK ? 1 : 0;
    const shares = work <= ALONE_CORRELATION_WORK ? 1 : this.#slots.length;
    const bounds = splitRows(encoded, shares);
    const jobs = bounds.slice(1 + local).map((rowEnd, c) =>
      this[RUN](fn, [encoded, bounds[c + local], rowEnd])
    );
    const mine = local === 1
      ? [correlationRows(encoded, bounds[0], bounds[1])]
      : [];
    const parts = [...mine, ...(await Promise.all(jobs) as Float64Array[])];
    return assembleCorrelationMatrix(
      encoded,
      parts.map((values, c) => ({
        rowStart: bounds[c],
        rowEnd: bounds[c + 1],
        values,
      })),
    );
  }

  /**
   * Terminates the workers. Jobs not finished yet reject with an `Error`;
   * later calls reject with an `Error`. Calling it again does nothing.
   */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    const error = new Error(
      "WorkerPool: the pool was closed before the job finished",
    );
    for (const slot of this.#slots) {
      slot.worker.terminate();
      slot.job?.reject(error);
      slot.job = undefined;
    }
    for (const job of this.#queue.splice(0)) job.reject(error);
    return Promise.resolve();
  }

  /** Same as {@linkcode WorkerPool.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Generic dispatch: runs `kernel` (a key of the worker's registry in
   * `_worker.ts`) with `args` on the next free worker, transferring
   * `transfer`. Internal.
   */
  [RUN](
    kernel: string,
    args: unknown[],
    transfer: Transferable[] = [],
  ): Promise<unknown> {
    if (this.#closed) {
      return Promise.reject(
        new Error(`WorkerPool: ${kernel}() called after close()`),
      );
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ kernel, args, transfer, resolve, reject });
      this.#pump();
    });
  }

  #checkOpen(fn: string): void {
    if (this.#closed) {
      throw new Error(`WorkerPool: ${fn}() called after close()`);
    }
  }

  /**
   * Runs `job(0)` .. `job(count - 1)`, as many at once as there are
   * workers, each started when one before it is done (so that a job can
   * use what the finished ones found). Stops handing out jobs once one
   * fails, and rejects with its error.
   */
  async #handOut(
    count: number,
    job: (i: number) => Promise<void>,
  ): Promise<void> {
    let next = 0;
    const loop = async () => {
      while (next < count) {
        const i = next++;
        try {
          await job(i);
        } catch (e) {
          next = count;
          throw e;
        }
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(count, this.#slots.length) }, loop),
    );
  }

  /**
   * Hands out the parts `bounds[c]..bounds[c + 1]` of `patterns` (see
   * `#handOut`): `job(c, run)` calls `run(args)` to run
   * `kernel` on a worker with a copy of `ref`, part `c` packed into fresh
   * buffers (transferred), then `args`. The first parts are packed and
   * posted at once, and the others packed right after, while those run, so
   * that the call works on a snapshot of `patterns`, as the synchronous
   * functions do, without a packed copy of it all.
   *
   * @throws {TypeError} naming a bad element, as the synchronous functions.
   */
  async #onParts(
    kernel: string,
    ref: Float64Array,
    patterns: ArrayLike<ArrayLike<number>>,
    offsets: Uint32Array,
    bounds: number[],
    job: (
      c: number,
      run: (args: unknown[]) => Promise<unknown>,
    ) => Promise<void>,
  ): Promise<void> {
    const count = bounds.length - 1;
    const packed: PackedPatterns[] = [];
    const part = (c: number) =>
      packed[c] ??= packRange(
        kernel,
        "patterns",
        patterns,
        offsets,
        bounds[c],
        bounds[c + 1],
      );
    let failed: unknown;
    const done = this.#handOut(count, (c) =>
      job(c, (args) => {
        // Once the call has failed, no further part is posted.
        if (failed !== undefined) return Promise.reject(failed);
        const p = part(c);
        const r = ref.slice();
        return this[RUN](kernel, [r, p, ...args], [
          buf(r),
          buf(p.flat),
          buf(p.offsets),
        ]);
      }));
    try {
      for (let c = 0; c < count; c++) part(c);
    } catch (e) {
      failed = e;
      done.catch(() => {}); // its parts' results are not wanted
      throw e;
    }
    await done;
  }

  #spawn(): Worker {
    return new Worker(new URL("./_worker.ts", import.meta.url), {
      type: "module",
    });
  }

  #pump(): void {
    for (const slot of this.#slots) {
      if (this.#queue.length === 0) return;
      if (slot.job !== undefined) continue;
      const job = this.#queue.shift()!;
      slot.job = job;
      this.#start(slot, job);
    }
  }

  #start(slot: Slot, job: Job): void {
    const id = this.#nextId++;
    const worker = slot.worker;
    worker.onmessage = (e: MessageEvent<Reply>) => {
      if (slot.job !== job || e.data.id !== id) return;
      slot.job = undefined;
      const reply = e.data;
      if (reply.ok) {
        job.resolve(reply.result);
      } else {
        const Ctor = ERRORS[reply.error.name] ?? Error;
        job.reject(new Ctor(reply.error.message));
      }
      this.#pump();
    };
    const crashed = (message: string) => {
      if (slot.worker !== worker) return;
      worker.terminate();
      slot.worker = this.#spawn();
      slot.job = undefined;
      job.reject(
        new Error(
          `WorkerPool: a worker crashed while running ${job.kernel}(): ${message}`,
        ),
      );
      this.#pump();
    };
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      crashed(e.message);
    };
    worker.onmessageerror = () =>
      crashed("a message could not be deserialized");
    worker.postMessage(
      { id, kernel: job.kernel, args: job.args },
      job.transfer,
    );
  }
}
