// Copyright 2026 the @midstreamer/kit authors. MIT license.

import type { CorrelationMatrixOptions } from "../kernels/correlation_matrix.ts";
import type { DtwOptions, Series } from "../kernels/dtw.ts";
import type { DtwPathResult } from "../kernels/dtw_path.ts";
import type { LcsSequence } from "../kernels/lcs.ts";
import type {
  SearchOptions,
  SearchStats,
  SubsequenceMatch,
} from "../kernels/search_subsequence.ts";
import type { Match, TopKOptions } from "../kernels/top_k.ts";
import {
  ALONE_CORRELATION_WORK,
  assembleCorrelationMatrix,
  badElement,
  beyondF32,
  checkOptionKeys,
  commonDims,
  copySeries,
  correlationMatrixOf,
  correlationRows,
  correlationWork,
  describe,
  DTW_OPTION_KEYS,
  type DtwArgs,
  dtwArgs,
  encodeSequences,
  fillSearchStats,
  fillTopKStats,
  internPair,
  listForms,
  LOCAL_CORRELATION_WORK,
  MAX_GROUPED_VALUES,
  mergeTopK,
  type PackedPatterns,
  packRange,
  packSeries,
  pathArgs,
  patternGroupValues,
  SEARCH_KEYS,
  searchArgs,
  searchInput,
  searchMatches,
  searchPartWindows,
  searchPrecision,
  seriesForm,
  splitRows,
  statsArg,
  TOP_K_KEYS,
  topKArgs,
  type TopKResult,
} from "../kernels/internal.ts";
import { asyncArgs, withAsyncKeys } from "./_async_options.ts";
import { Dispatcher, ownDispatcher, runKernel } from "./_dispatcher.ts";
import { WORKER_SCRIPT } from "./_protocol.ts";
import {
  type ClaimedResult,
  partFor,
  SearchControl,
} from "./_shared_search.ts";
import { buf, splitBySize } from "./_split.ts";
import type { AsyncKernels, AsyncOptions } from "./async_kernels.ts";
import { ClosedError } from "./closed_error.ts";

/**
 * The largest shared series buffer (in f64 values) a pool keeps between
 * searches: a univariate segment of 2^22 windows and a query of up to 2^16
 * points, about 32 MiB.
 */
const KEPT_SEARCH_VALUES = 2 ** 22 + 2 ** 16;

/** Options of {@linkcode WorkerPool}. */
export interface WorkerPoolOptions {
  /**
   * Number of workers, each with its own WebAssembly instance.
   *
   * @default {navigator.hardwareConcurrency}
   */
  workers?: number;
}

const DTW_KEYS = withAsyncKeys(DTW_OPTION_KEYS);
const TOP_K_ASYNC_KEYS = withAsyncKeys(TOP_K_KEYS);
const SEARCH_ASYNC_KEYS = withAsyncKeys(SEARCH_KEYS);
const CORRELATION_KEYS = withAsyncKeys([]);

/**
 * A pool of Web Workers, each with its own WebAssembly instance: the
 * {@linkcode AsyncKernels} on several cores. Inputs are validated on the
 * calling thread (the same errors as the synchronous functions), split into
 * parts (patterns by size, the series into overlapping segments, the rows
 * of the correlation matrix), sent to the workers as transferred typed
 * arrays (a searched series as shared memory), and the partial results
 * merged exactly: results equal the single-threaded functions'. `dtw`,
 * `dtwPath` and `lcs` run whole on one worker.
 *
 * Jobs queue and go to the next free worker. A worker that crashes rejects
 * its job with an `Error` (it is replaced for later jobs); jobs never hang.
 * An error thrown in a worker keeps its class and message. An aborted
 * `signal` rejects the call at once and drops its parts not yet started.
 * {@linkcode WorkerPool.close} (or `await using`) terminates the workers
 * and rejects unfinished calls with {@linkcode ClosedError}; so does using
 * a closed pool.
 *
 * @example Top matches with two workers, closed by `await using`
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
 * const best = await pool.topK(reference, patterns, { k: 3 });
 * assert.deepEqual(best, topK(reference, patterns, { k: 3 }));
 * assert.equal(best[0].index, 0);
 * ```
 *
 * @example Progress and cancelling
 * ```ts
 * import { WorkerPool } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * await using pool = new WorkerPool({ workers: 2 });
 * const patterns = Array.from({ length: 100 }, (_, p) => [p, p + 1, p + 2]);
 * const seen: number[] = [];
 * await pool.dtwBatch([0, 1, 2], patterns, {
 *   onProgress: ({ done, total }) => seen.push(done / total),
 * });
 * assert.equal(seen.at(-1), 1);
 * const controller = new AbortController();
 * controller.abort(new Error("not needed"));
 * await assert.rejects(
 *   pool.dtwBatch([0, 1, 2], patterns, { signal: controller.signal }),
 *   { message: "not needed" },
 * );
 * ```
 */
export class WorkerPool implements AsyncKernels {
  readonly #workers: Dispatcher;
  /**
   * The shared memory that `searchSubsequence` copies series into, kept
   * between calls: a fresh SharedArrayBuffer of 8 MiB costs about 22 ms
   * here as its pages are first touched, 90 times the copy (measured).
   */
  #searchSeries?: Float64Array;

  /**
   * Starts the workers.
   *
   * @example Two workers
   * ```ts
   * import { WorkerPool } from "@midstreamer/kit";
   * import assert from "node:assert/strict";
   *
   * await using pool = new WorkerPool({ workers: 2 });
   * assert.equal(pool.size, 2);
   * ```
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
    this.#workers = ownDispatcher(
      this,
      new Dispatcher(
        workers,
        (options as { [WORKER_SCRIPT]?: URL } | undefined)?.[WORKER_SCRIPT] ??
          new URL("./_worker.ts", import.meta.url),
      ),
    );
  }

  /**
   * Number of workers.
   *
   * @example The default size
   * ```ts
   * import { WorkerPool } from "@midstreamer/kit";
   * import assert from "node:assert/strict";
   *
   * await using pool = new WorkerPool();
   * assert.equal(pool.size, navigator.hardwareConcurrency);
   * ```
   *
   * @returns The number of workers.
   */
  get size(): number {
    return this.#workers.size;
  }

  /**
   * {@linkcode dtw} on one of the pool's workers.
   *
   * @example One distance
   * ```ts
   * import { dtw, WorkerPool } from "@midstreamer/kit";
   * import assert from "node:assert/strict";
   *
   * await using pool = new WorkerPool({ workers: 1 });
   * assert.equal(await pool.dtw([0, 1, 2], [0, 2], { window: 1 }), dtw([0, 1, 2], [0, 2], { window: 1 }));
   * ```
   *
   * @param a First series.
   * @param b Second series.
   * @param options Band, cost, cutoff, multivariate comparison and precision, as for `dtw`, and {@linkcode AsyncOptions}.
   * @returns The distance.
   * @throws {TypeError} as `dtw`, and on a bad `signal` or `onProgress`.
   * @throws {RangeError} as `dtw`.
   * @throws {ClosedError} when the pool is closed.
   */
  async dtw(
    a: Series,
    b: Series,
    options?: DtwOptions & AsyncOptions,
  ): Promise<number> {
    return await this.#onPair("dtw", a, b, options) as number;
  }

  /**
   * {@linkcode dtwBatch} on the pool's workers: the patterns are split into
   * parts of similar total length, a few per worker.
   *
   * @example Distances to each pattern
   * ```ts
   * import { dtwBatch, WorkerPool } from "@midstreamer/kit";
   * import assert from "node:assert/strict";
   *
   * await using pool = new WorkerPool({ workers: 2 });
   * const patterns = [[0, 1], [2, 1, 0], [1, 1, 1, 1]];
   * assert.deepEqual(await pool.dtwBatch([0, 1, 2], patterns), dtwBatch([0, 1, 2], patterns));
   * ```
   *
   * @param reference The series every pattern is compared with.
   * @param patterns The patterns, of any lengths.
   * @param options Band, cost, cutoff, multivariate comparison and precision, as for `dtw`, and {@linkcode AsyncOptions} (progress counts patterns).
   * @returns One distance per pattern, in order.
   * @throws {TypeError} as `dtwBatch`, and on a bad `signal` or `onProgress`.
   * @throws {RangeError} as `dtwBatch`.
   * @throws {ClosedError} when the pool is closed.
   * @throws {Error} when a worker crashed.
   */
  async dtwBatch(
    reference: Series,
    patterns: ArrayLike<Series>,
    options?: DtwOptions & AsyncOptions,
  ): Promise<Float64Array> {
    const fn = "dtwBatch";
    const call = this.#begin(fn, options);
    const args = dtwArgs(fn, options, DTW_KEYS);
    let out: Float64Array | undefined;
    // A few parts per worker, for balance.
    await this.#onParts(
      fn,
      reference,
      patterns,
      call,
      args,
      (count) => Math.min(count, 2 * this.#workers.size),
      (count) => out = new Float64Array(count),
      async (from, run) => {
        out!.set(await run([args]) as Float64Array, from);
      },
    );
    return out!;
  }

  /**
   * {@linkcode topK} on the pool's workers: each part of the patterns gives
   * its own top `k`, with the k-th best distance of the parts done before it
   * as its cutoff, and the union is sorted by (distance, index) and cut to
   * `k`, which is exactly the global top `k`. `options.stats` receives the
   * sum of the parts' counters.
   *
   * @example The three nearest patterns
   * ```ts
   * import { topK, WorkerPool } from "@midstreamer/kit";
   * import assert from "node:assert/strict";
   *
   * await using pool = new WorkerPool({ workers: 2 });
   * const patterns = Array.from({ length: 50 }, (_, p) => [p % 7, 1, 2]);
   * assert.deepEqual(
   *   await pool.topK([0, 1, 2], patterns, { k: 3 }),
   *   topK([0, 1, 2], patterns, { k: 3 }),
   * );
   * ```
   *
   * @param reference The series every pattern is compared with.
   * @param patterns The candidate patterns.
   * @param options `k`, band, cost, cutoff, a `stats` out-parameter, and {@linkcode AsyncOptions} (progress counts patterns).
   * @returns Up to `k` matches `{ index, distance }`, sorted by distance then index.
   * @throws {TypeError} as `topK`, and on a bad `signal` or `onProgress`.
   * @throws {RangeError} as `topK`.
   * @throws {ClosedError} when the pool is closed.
   * @throws {Error} when a worker crashed.
   */
  topK(
    reference: Series,
    patterns: ArrayLike<Series>,
    options?: TopKOptions & AsyncOptions,
  ): Promise<Match[]>;
  /**
   * The deprecated form of {@linkcode WorkerPool.topK}, with `k` as the
   * third argument.
   *
   * @example Migrating
   * ```ts
   * import { WorkerPool } from "@midstreamer/kit";
   * import assert from "node:assert/strict";
   *
   * await using pool = new WorkerPool({ workers: 1 });
   * const patterns = [[1, 2], [0, 1, 2], [5]];
   * assert.deepEqual(
   *   await pool.topK([0, 1, 2], patterns, 2),
   *   await pool.topK([0, 1, 2], patterns, { k: 2 }),
   * );
   * ```
   *
   * @deprecated Pass `k` as an option: `pool.topK(reference, patterns, { k })`.
   * This form is removed in 1.0.
   *
   * @param reference The series every pattern is compared with.
   * @param patterns The candidate patterns.
   * @param k How many to return.
   * @param options The other options.
   * @returns Up to `k` matches.
   * @throws {TypeError} as `topK`.
   * @throws {RangeError} as `topK`.
   * @throws {ClosedError} when the pool is closed.
   */
  topK(
    reference: Series,
    patterns: ArrayLike<Series>,
    k: number,
    options?: TopKOptions & AsyncOptions,
  ): Promise<Match[]>;
  async topK(
    reference: Series,
    patterns: ArrayLike<Series>,
    kOrOptions?: number | (TopKOptions & AsyncOptions),
    options?: TopKOptions & AsyncOptions,
  ): Promise<Match[]> {
    const fn = "topK";
    const given = typeof kOrOptions === "number" ? options : kOrOptions;
    const call = this.#begin(fn, given);
    const a = topKArgs(fn, kOrOptions, options, TOP_K_ASYNC_KEYS);
    const kk = a.k;
    const parts: TopKResult[] = [];
    let best: Match[] = [];
    // Parts of at least 64 patterns, up to 4 per worker, handed out as
    // workers free up: each part's cutoff is the k-th best distance of the
    // parts done before it (none of its patterns above it can be in the
    // result), so later parts abandon early from their first pattern.
    await this.#onParts(
      fn,
      reference,
      patterns,
      call,
      a,
      (count) => Math.min(Math.floor(count / 64), 4 * this.#workers.size),
      () => {},
      async (from, run) => {
        const cutoff = best.length < kk
          ? a.cutoff
          : Math.min(a.cutoff, best[kk - 1].distance);
        const args: DtwArgs = {
          window: a.window,
          squared: a.squared,
          cutoff,
          independent: a.independent,
        };
        const part = await run([kk, args, from]) as TopKResult;
        parts.push(part);
        best = mergeTopK([best, part.matches], kk);
      },
    );
    if (a.stats !== undefined) {
      fillTopKStats(a.stats, parts.map((p) => p.stats));
    }
    return best; // the parts merged as they came in
  }

  /**
   * {@linkcode searchSubsequence} on the pool's workers, over shared
   * memory. The series is put in a `SharedArrayBuffer`: read in place when
   * it already is a `Float64Array` on one, otherwise copied part by part
   * while the workers search the parts before (a typed array's values are
   * checked by the workers, another series' as it is copied). The workers
   * free when the call starts (one at least, which may wait for a worker)
   * each claim the next part of window starts (32 Ki up to query 128, in
   * proportion fewer for longer queries, at most a quarter of a worker's
   * share of a short series) until none is left, and search it
   * from a bound of the k-th match that they share: the least that any part
   * has found so far, exchanged again at every block of 1,024 window
   * starts within a part. Each returns every window of its parts that may
   * belong to the result; the exclusion-zone selection runs over their
   * union, and the distances of the selected windows are recomputed
   * exactly, which gives exactly the single-threaded result.
   * `options.stats` receives the summed counters; progress is reported as
   * each worker finishes its share.
   *
   * Memory: a series that is not a `Float64Array` on a `SharedArrayBuffer`
   * is copied, a segment of at most 2^22 window starts at a time, into one
   * `SharedArrayBuffer` of `min(series.length, 2^22 + query.length - 1)`
   * points of `d` values (`f64`: at most 32 MiB and the query per
   * dimension). The pool keeps that buffer for the next call (the largest
   * one so far, until it is closed) when it holds at most 2^22 + 2^16
   * values (about 32 MiB; a larger, multivariate one is let go after its
   * call): a new one costs far more than the copy, as its pages are first
   * touched. Each
   * worker stages one part (at most 32 Ki windows and the query's length)
   * in its WebAssembly memory. A series read in place is not copied: it
   * must not change until the call settles. A series of one value per
   * point has no length limit. Multivariate series (points of `d` values,
   * either form, and `multivariate: "dependent" | "independent"`) are
   * searched alike, after one checked copy of the series (at most 2^25
   * values), whose segments are copied into the shared memory (`d` times
   * the points above). With `precision: "f32"` the shared copy holds the
   * values as given, and each worker rounds its part to `f32` as it stages
   * it (a multivariate series is rounded when it is packed).
   *
   * @example A query cut out of the series
   * ```ts
   * import { searchSubsequence, WorkerPool } from "@midstreamer/kit";
   * import assert from "node:assert/strict";
   *
   * await using pool = new WorkerPool({ workers: 2 });
   * const series = Array.from({ length: 3000 }, (_, i) => Math.sin(i / 9) * (1 + i / 1000));
   * const query = series.slice(2000, 2064);
   * const options = { window: 6, k: 2 };
   * assert.deepEqual(
   *   await pool.searchSubsequence(series, query, options),
   *   searchSubsequence(series, query, options),
   * );
   * ```
   *
   * @param series The long series to search: one value per point, or points of `d` values.
   * @param query The query, with the `d` of `series`.
   * @param options As for `searchSubsequence` (`window` is required), and {@linkcode AsyncOptions} (progress counts windows).
   * @returns Up to `k` matches `{ start, end, distance }`, sorted by distance then start.
   * @throws {TypeError} as `searchSubsequence`, and on a bad `signal` or `onProgress`.
   * @throws {RangeError} as `searchSubsequence`.
   * @throws {ClosedError} when the pool is closed.
   * @throws {Error} when a worker crashed.
   */
  async searchSubsequence(
    series: Series,
    query: Series,
    options: SearchOptions & AsyncOptions,
  ): Promise<SubsequenceMatch[]> {
    const fn = "searchSubsequence";
    const call = this.#begin(fn, options);
    const f32 = searchPrecision(fn, options);
    const input = searchInput(fn, series, query, f32);
    const { n, dims, query: q } = input;
    const m = q.length / dims;
    const args = searchArgs(fn, n, m, options, SEARCH_ASYNC_KEYS);
    const stats = statsArg<SearchStats>(fn, options.stats);
    // Of one value per point, the series as given; of several, packed.
    const source = input.series();
    const windows = n - m + 1;
    // A Float64Array of one value per point on shared memory is read in
    // place, in one segment; other series are copied into shared memory a
    // segment of at most searchPartWindows() windows at a time.
    const inPlace = dims === 1 && source instanceof Float64Array &&
        source.buffer instanceof SharedArrayBuffer
      ? source
      : undefined;
    const segment = inPlace === undefined ? searchPartWindows() : windows;
    const part = partFor(m, Math.min(segment, windows), this.size);
    const control = new SearchControl();
    const abort = () => control.stop();
    call.signal?.addEventListener("abort", abort, { once: true });
    let copy: Float64Array | undefined;
    const results: ClaimedResult[] = [];
    let done = 0;
    try {
      for (let s = 0; s < windows; s += segment) {
        const count = Math.min(segment, windows - s);
        const points = count + m - 1;
        const x = inPlace ??
          (copy ??= this.#sharedSeries(Math.min(segment + m - 1, n) * dims))
            .subarray(0, points * dims);
        const parts = Math.ceil(count / part);
        control.restart();
        // As many workers as are free (one at least, queued): a worker that
        // joins late would find every part taken.
        const jobs = Array.from(
          { length: Math.max(1, Math.min(parts, this.#workers.idle)) },
          () =>
            this.#run(
              "searchShared",
              [x, s, q, args, control.buffer, part, count, dims],
              [],
              call,
            ).then((r) => {
              const c = r as ClaimedResult;
              results.push(c);
              done += c.windows;
              call.onProgress?.({ done, total: windows });
            }),
        );
        const settled = Promise.all(jobs);
        // A failed or aborted job: the others stop claiming parts.
        settled.catch(() => control.stop());
        // The parts' points, copied in order while the workers search the
        // parts before them: the first part, then twice as many parts each
        // time (the workers check typed arrays; a series of another kind is
        // checked as it is copied, a multivariate one was when packed).
        try {
          if (inPlace !== undefined) control.ready(parts);
          for (let j = 0, at = 0; inPlace === undefined && j < parts;) {
            j = Math.min(parts, 2 * j + 1);
            const to = Math.min(j * part, count) + m - 1;
            if (
              source instanceof Float64Array || source instanceof Float32Array
            ) {
              x.set(
                source.subarray((s + at) * dims, (s + to) * dims),
                at * dims,
              );
            } else {
              copySeries(fn, "series", source, x, at, s + at, s + to);
            }
            at = to;
            control.ready(j);
          }
        } catch (e) {
          control.stop(); // the parts' results are not wanted
          throw e;
        }
        await settled;
        const bad = results.reduce(
          (first, r) => r.bad < 0 ? first : Math.min(first, r.bad),
          Infinity,
        );
        if (bad < Infinity) {
          const v = source[bad];
          throw f32 && v - v === 0
            ? beyondF32(fn, `series[${bad}]`, v)
            : badElement(fn, "series", bad, v);
        }
      }
    } finally {
      call.signal?.removeEventListener("abort", abort);
      // Kept for the next call (the larger one, when calls overlap).
      if (copy !== undefined && !this.#workers.closed) {
        if (
          copy.length <= KEPT_SEARCH_VALUES &&
          copy.length > (this.#searchSeries?.length ?? 0)
        ) {
          this.#searchSeries = copy;
        }
      }
    }
    if (stats !== undefined) {
      fillSearchStats(stats, windows, results.map((r) => r.stats));
    }
    return searchMatches(
      source,
      q,
      results.flatMap((r) => r.candidates),
      args,
      dims,
    );
  }

  /**
   * {@linkcode dtwPath} on one of the pool's workers.
   *
   * @example Distance and path
   * ```ts
   * import { dtwPath, WorkerPool } from "@midstreamer/kit";
   * import assert from "node:assert/strict";
   *
   * await using pool = new WorkerPool({ workers: 1 });
   * assert.deepEqual(await pool.dtwPath([0, 1, 2], [0, 0, 2]), dtwPath([0, 1, 2], [0, 0, 2]));
   * ```
   *
   * @param a First series.
   * @param b Second series.
   * @param options Band, cost, cutoff, multivariate comparison and precision, as for `dtw`, and {@linkcode AsyncOptions}.
   * @returns The distance and an optimal warping path.
   * @throws {TypeError} as `dtwPath`, and on a bad `signal` or `onProgress`.
   * @throws {RangeError} as `dtwPath`.
   * @throws {ClosedError} when the pool is closed.
   */
  async dtwPath(
    a: Series,
    b: Series,
    options?: DtwOptions & AsyncOptions,
  ): Promise<DtwPathResult> {
    const { distance, cells } = await this.#onPair(
      "dtwPath",
      a,
      b,
      options,
    ) as {
      distance: number;
      cells: Uint32Array;
    };
    const path: Array<[number, number]> = new Array(cells.length / 2);
    for (let i = 0; i < path.length; i++) {
      path[i] = [cells[2 * i], cells[2 * i + 1]];
    }
    return { distance, path };
  }

  /**
   * {@linkcode lcs} on one of the pool's workers (the symbols are interned
   * on the calling thread, so the semantics are `lcs`'s).
   *
   * @example LCS length
   * ```ts
   * import { WorkerPool } from "@midstreamer/kit";
   * import assert from "node:assert/strict";
   *
   * await using pool = new WorkerPool({ workers: 1 });
   * assert.equal(await pool.lcs(["BUY", "HOLD", "SELL"], ["BUY", "SELL"]), 2);
   * ```
   *
   * @param a First sequence.
   * @param b Second sequence.
   * @param options {@linkcode AsyncOptions}.
   * @returns The LCS length.
   * @throws {TypeError} as `lcs`, on an unknown option, or a bad `signal` or `onProgress`.
   * @throws {RangeError} as `lcs`.
   * @throws {ClosedError} when the pool is closed.
   */
  async lcs(
    a: LcsSequence,
    b: LcsSequence,
    options?: AsyncOptions,
  ): Promise<number> {
    const fn = "lcs";
    const call = this.#begin(fn, options);
    checkOptionKeys(fn, options, CORRELATION_KEYS);
    const { ids, n, m } = internPair(fn, a, b);
    const x = ids.slice(0, n);
    const y = ids.slice(n, n + m);
    const r = await this.#run(fn, [x, y], [buf(x), buf(y)], call);
    call.onProgress?.({ done: 1, total: 1 });
    return r as number;
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
   * @param options {@linkcode AsyncOptions} (progress counts rows).
   * @returns The `n * n` matrix, row-major.
   * @throws {TypeError} as `correlationMatrix`, and on a bad `signal` or `onProgress`.
   * @throws {RangeError} as `correlationMatrix`.
   * @throws {ClosedError} when the pool is closed.
   * @throws {Error} when a worker crashed.
   */
  async correlationMatrix(
    sequences: readonly LcsSequence[],
    options?: CorrelationMatrixOptions & AsyncOptions,
  ): Promise<Float64Array> {
    const fn = "correlationMatrix";
    const call = this.#begin(fn, options);
    checkOptionKeys(fn, options, CORRELATION_KEYS);
    const encoded = encodeSequences(fn, sequences);
    const total = sequences.length;
    // A small matrix: posting it and waking a worker costs about as much as
    // a share of it, so this thread computes one share too (blocking it for
    // about a millisecond at most); a tiny one, all of it.
    const work = correlationWork(encoded);
    const local = work <= LOCAL_CORRELATION_WORK ? 1 : 0;
    const shares = work <= ALONE_CORRELATION_WORK ? 1 : this.#workers.size;
    if (shares === 1 && local === 1) {
      const matrix = correlationMatrixOf(encoded);
      call.onProgress?.({ done: total, total });
      return matrix;
    }
    const bounds = splitRows(encoded, shares);
    let done = 0;
    const progress = (c: number) => {
      done += bounds[c + 1] - bounds[c];
      call.onProgress?.({ done, total });
    };
    const jobs = bounds.slice(1 + local).map(async (rowEnd, i) => {
      const c = i + local;
      const rows = await this.#run(fn, [encoded, bounds[c], rowEnd], [], call);
      progress(c);
      return rows as Float64Array;
    });
    const mine: Float64Array[] = [];
    if (local === 1) {
      mine.push(correlationRows(encoded, bounds[0], bounds[1]));
      progress(0);
    }
    const parts = [...mine, ...await Promise.all(jobs)];
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
   * Terminates the workers. Calls not finished yet reject with
   * {@linkcode ClosedError}, and so do later calls. Calling it again does
   * nothing.
   *
   * @example Closing rejects pending calls
   * ```ts
   * import { ClosedError, WorkerPool } from "@midstreamer/kit";
   * import assert from "node:assert/strict";
   *
   * const pool = new WorkerPool({ workers: 1 });
   * const pending = pool.dtw(new Float64Array(3000), new Float64Array(3000));
   * await pool.close();
   * await assert.rejects(pending, ClosedError);
   * ```
   *
   * @returns Resolves once the workers are terminated.
   */
  close(): Promise<void> {
    this.#workers.close();
    this.#searchSeries = undefined;
    return Promise.resolve();
  }

  /**
   * Same as {@linkcode WorkerPool.close}, for `await using`.
   *
   * @example Closed at the end of the block
   * ```ts
   * import { WorkerPool } from "@midstreamer/kit";
   *
   * {
   *   await using pool = new WorkerPool({ workers: 1 });
   *   await pool.dtw([1], [1]);
   * } // the workers are terminated here
   * ```
   *
   * @returns Resolves once the workers are terminated.
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Starts a call: checks that the pool is open, the async options, and
   * the signal.
   */
  #begin(fn: string, options: unknown): AsyncOptions {
    if (this.#workers.closed) {
      throw new ClosedError(`WorkerPool: ${fn}() called after close()`);
    }
    const call = asyncArgs(fn, options);
    call.signal?.throwIfAborted();
    return call;
  }

  /**
   * Validates two series and DTW options as `fn` (`dtw` or `dtwPath`) does
   * and runs that kernel on one worker.
   */
  async #onPair(
    fn: string,
    a: Series,
    b: Series,
    options: unknown,
  ): Promise<unknown> {
    const call = this.#begin(fn, options);
    const args = fn === "dtwPath"
      ? pathArgs(fn, options, DTW_KEYS)
      : dtwArgs(fn, options, DTW_KEYS);
    const fa = seriesForm(fn, "a", a), fb = seriesForm(fn, "b", b);
    const dims = commonDims(fn, [["a", fa], ["b", fb]]);
    const x = packSeries(fn, "a", a, fa, dims, args.f32);
    const y = packSeries(fn, "b", b, fb, dims, args.f32);
    const r = await this.#run(
      fn,
      [x, y, args],
      [buf(x.values), buf(y.values)],
      call,
    );
    call.onProgress?.({ done: 1, total: 1 });
    return r;
  }

  /**
   * Shared memory for `points` points of a searched series: the memory
   * kept from an earlier call when it is large enough (taken, so that no
   * other call writes it meanwhile), or new.
   */
  #sharedSeries(points: number): Float64Array {
    const kept = this.#searchSeries;
    if (kept !== undefined && kept.length >= points) {
      this.#searchSeries = undefined;
      return kept;
    }
    return new Float64Array(new SharedArrayBuffer(8 * points));
  }

  /** Runs `kernel` on a worker for a call (see `runKernel`). */
  #run(
    kernel: string,
    args: unknown[],
    transfer: Transferable[],
    call: AsyncOptions,
  ): Promise<unknown> {
    return runKernel(this, kernel, args, transfer, call.signal);
  }

  /**
   * Validates `reference` and the shape of `patterns` as `kernel` does,
   * splits the patterns into at most `parts(count)` (at least 1) ranges of
   * similar total length, calls `start(count)`, and hands the ranges out
   * (see `Dispatcher.handOut`): `job(from, run)` calls `run(args)` to run
   * `kernel` on a worker with a copy of the reference, the range starting
   * at pattern `from` packed into fresh buffers (transferred), then
   * `args`; progress is reported as ranges finish. The first ranges are
   * packed and posted at once, and the others packed right after, while
   * those run, so that the call works on a snapshot of `patterns`, as the
   * synchronous functions do, without a packed copy of it all.
   *
   * @throws {TypeError} naming a bad element, as the synchronous functions.
   * @throws {RangeError} on a series or a total over the limits.
   */
  async #onParts(
    kernel: string,
    reference: Series,
    patterns: ArrayLike<Series>,
    call: AsyncOptions,
    args: Required<DtwArgs>,
    parts: (count: number) => number,
    start: (count: number) => void,
    job: (
      from: number,
      run: (args: unknown[]) => Promise<unknown>,
    ) => Promise<void>,
  ): Promise<void> {
    const rf = seriesForm(kernel, "reference", reference);
    const forms = listForms(
      kernel,
      "patterns",
      patterns,
      [["reference", rf]],
      MAX_GROUPED_VALUES,
    );
    const { offsets, dims } = forms;
    const ref = packSeries(kernel, "reference", reference, rf, dims, args.f32);
    const total = offsets.length - 1;
    // At least enough parts that none stages much more than
    // patternGroupValues() values in a worker's WebAssembly memory.
    const bounds = splitBySize(
      offsets,
      total,
      Math.max(
        1,
        parts(total),
        Math.ceil(offsets[total] * dims / patternGroupValues()),
      ),
    );
    start(total);
    const count = bounds.length - 1;
    const packed: PackedPatterns[] = [];
    const part = (c: number) =>
      packed[c] ??= packRange(
        kernel,
        "patterns",
        patterns,
        forms,
        bounds[c],
        bounds[c + 1],
        args.f32,
      );
    let failed: unknown;
    let done = 0;
    const handedOut = this.#workers.handOut(count, async (c) => {
      await job(bounds[c], (args) => {
        // Once the call has failed, no further part is posted.
        if (failed !== undefined) return Promise.reject(failed);
        const p = part(c);
        const r = { dims, values: ref.values.slice() };
        return this.#run(kernel, [r, p, ...args], [
          buf(r.values),
          buf(p.flat),
          buf(p.offsets),
        ], call);
      });
      done += bounds[c + 1] - bounds[c];
      call.onProgress?.({ done, total });
    });
    try {
      for (let c = 0; c < count; c++) part(c);
    } catch (e) {
      failed = e;
      handedOut.catch(() => {}); // its parts' results are not wanted
      throw e;
    }
    await handedOut;
  }
}
