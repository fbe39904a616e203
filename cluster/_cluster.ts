// Copyright 2026 the @midstreamer/kit authors. MIT license.
// The caller's side of the cluster: every AsyncKernels method validates
// its arguments as the synchronous function does, cuts the call into
// shards (`_plan.ts`), runs them as one job (`_job.ts`) and merges the
// results as they arrive, exactly as the pool merges its parts. Internal;
// `connectCluster` makes one.

import { Queue } from "bullmq";
import { Redis } from "ioredis";
import type { CorrelationMatrixOptions } from "../kernels/correlation_matrix.ts";
import type { DtwOptions, Series } from "../kernels/dtw.ts";
import type { DtwPathResult } from "../kernels/dtw_path.ts";
import {
  checkOptionKeys,
  DTW_OPTION_KEYS,
  type DtwArgs,
  dtwArgs,
  emptyCorrelationMatrix,
  encodeSequences,
  f64SearchOnly,
  fillSearchStats,
  fillTopKStats,
  internPair,
  mergeTopK,
  pathArgs,
  SEARCH_KEYS,
  searchArgs,
  searchInput,
  searchMatches,
  statsArg,
  toF64,
  TOP_K_KEYS,
  topKArgs,
  writeCorrelationRows,
} from "../kernels/internal.ts";
import type { LcsSequence } from "../kernels/lcs.ts";
import type {
  SearchOptions,
  SearchStats,
  SubsequenceMatch,
} from "../kernels/search_subsequence.ts";
import type { Match, TopKOptions } from "../kernels/top_k.ts";
import type { AsyncOptions, Progress } from "../pool/async_kernels.ts";
import { ClosedError } from "../pool/closed_error.ts";
import { asyncArgs, withAsyncKeys } from "../pool/internal.ts";
import { cellsOf } from "../service/internal.ts";
import type { ServiceOp } from "../service/protocol.ts";
import type { Limits } from "./_blob_format.ts";
import {
  type ClusterEvent,
  type Lease,
  runJob,
  type RunningJob,
} from "./_job.ts";
import { Keys } from "./_keys.ts";
import {
  checkCells,
  checkLength,
  type Plan,
  planCorrelation,
  planDtwPair,
  planPair,
  planPatterns,
  planSearch,
  planStored,
} from "./_plan.ts";
import { StoredPatterns, storePatterns } from "./_pattern_set.ts";
import type { PatternSet, StorePatternsOptions } from "./pattern_set.ts";
import { PatternSetExpiredError } from "./pattern_set_expired_error.ts";
import {
  KEY_PREFIX,
  lastingOptions,
  parseInfo,
  type RedisTarget,
} from "./_redis.ts";

const DTW_KEYS = withAsyncKeys(DTW_OPTION_KEYS);
const TOP_K_ASYNC_KEYS = withAsyncKeys(TOP_K_KEYS);
const SEARCH_ASYNC_KEYS = withAsyncKeys(SEARCH_KEYS);
const NO_KEYS = withAsyncKeys([]);

/** Idle blocking-read connections kept for the next calls. */
const IDLE_READERS = 4;

/** The settings a ClusterClient runs with, checked by `connectCluster`. */
export interface ClusterSettings {
  target: RedisTarget;
  runId: string;
  limits: Limits;
  shardMs: number;
  ttlMs: number;
  outageMs: number;
  onEvent?: (e: ClusterEvent) => void;
}

/** The Cluster: see `connect_cluster.ts` for the documented interface. */
export class ClusterClient {
  readonly #s: ClusterSettings;
  readonly #kv: Redis;
  readonly #queue: Queue;
  readonly #keys: Keys;
  readonly #idle: Redis[] = [];
  readonly #busy = new Set<Redis>();
  readonly #jobs = new Set<RunningJob>();
  #runId: string;
  #closed = false;
  #closing: Promise<void> | undefined;
  #down = false;
  readonly #ready: Promise<boolean>;

  constructor(settings: ClusterSettings) {
    this.#s = settings;
    this.#runId = settings.runId;
    this.#keys = new Keys(settings.target.queue);
    this.#kv = new Redis(lastingOptions(settings.target, true));
    this.#kv.on("error", () => {}); // seen through "close" and failed commands
    this.#kv.on("close", () => {
      if (this.#closed || this.#down) return;
      this.#down = true;
      this.#event({ type: "disconnected", reason: "connection closed" });
    });
    this.#kv.on("ready", () => {
      if (!this.#down) return;
      this.#down = false;
      this.#event({ type: "reconnected" });
      // Calls started from now on compare against this server's run_id.
      this.#kv.info("server").then((info) => {
        this.#runId = parseInfo(info).run_id ?? this.#runId;
      }).catch(() => {});
    });
    this.#queue = new Queue(settings.target.queue, {
      connection: this.#kv,
      prefix: KEY_PREFIX,
      // Nobody reads the queue's events (results come through each job's
      // own stream): keep its event stream short.
      streams: { events: { maxLen: 100 } },
      defaultJobOptions: {
        attempts: 3,
        backoff: { type: "fixed", delay: 1000 },
        removeOnComplete: true,
        removeOnFail: { count: 100 },
      },
    });
    this.#queue.on("error", () => {});
    // BullMQ's queue checks the server once (INFO) after it is made;
    // closing it before that check settled would leave the check's failure
    // unhandled (its listener is gone), so close() waits for it.
    this.#ready = this.#queue.waitUntilReady().then(() => true, () => false);
  }

  /**
   * Resolves `true` once the queue is ready, `false` if its check failed
   * or took longer than `ms`.
   */
  ready(ms: number): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    return Promise.race([
      this.#ready,
      new Promise<boolean>((r) => timer = setTimeout(() => r(false), ms)),
    ]).finally(() => clearTimeout(timer));
  }

  /** Calls running now. */
  get running(): number {
    return this.#jobs.size;
  }

  /** The Redis URL (without the password). */
  get redis(): string {
    return this.#s.target.shown;
  }

  async dtw(
    a: Series,
    b: Series,
    options?: DtwOptions & AsyncOptions,
  ): Promise<number> {
    let d = NaN;
    await this.#pair("dtw", a, b, options, (v) => d = v[0]);
    return d;
  }

  async dtwPath(
    a: Series,
    b: Series,
    options?: DtwOptions & AsyncOptions,
  ): Promise<DtwPathResult> {
    let result: DtwPathResult | undefined;
    await this.#pair("dtwPath", a, b, options, (v) => {
      const path: Array<[number, number]> = new Array((v.length - 1) / 2);
      for (let i = 0; i < path.length; i++) {
        path[i] = [v[1 + 2 * i], v[2 + 2 * i]];
      }
      result = { distance: v[0], path };
    });
    return result!;
  }

  async lcs(
    a: LcsSequence,
    b: LcsSequence,
    options?: AsyncOptions,
  ): Promise<number> {
    const fn = "lcs";
    const call = this.#begin(fn, options);
    checkOptionKeys(fn, options, NO_KEYS);
    const { ids, n, m } = internPair(fn, a, b);
    checkLength(fn, "a", n, this.#s.limits);
    checkLength(fn, "b", m, this.#s.limits);
    checkCells(
      fn,
      "the pair",
      cellsOf(fn, n, m, [], undefined),
      this.#s.limits,
    );
    let length = 0;
    await this.#run(
      fn,
      "lcs",
      planPair(ids.subarray(0, n), ids.subarray(n), {}),
      call,
      false,
      (_, v) => {
        length = v[0];
      },
    );
    return length;
  }

  async dtwBatch(
    reference: Series,
    patterns: ArrayLike<Series> | PatternSet,
    options?: DtwOptions & AsyncOptions,
  ): Promise<Float64Array> {
    const fn = "dtwBatch";
    const call = this.#begin(fn, options);
    const args = dtwArgs(fn, options, DTW_KEYS);
    const plan = this.#planPatterns(
      fn,
      reference,
      patterns,
      options,
      args,
      () => ({}),
    );
    const out = new Float64Array(plan.total);
    const starts = shardStarts(plan);
    await this.#run(fn, "dtwBatch", plan, call, false, (shard, v) => {
      out.set(v, starts[shard]);
    }, this.#lease(fn, patterns));
    return out;
  }

  async topK(
    reference: Series,
    patterns: ArrayLike<Series> | PatternSet,
    options?: TopKOptions & AsyncOptions,
  ): Promise<Match[]> {
    const fn = "topK";
    const call = this.#begin(fn, options);
    const a = topKArgs(fn, options, undefined, TOP_K_ASYNC_KEYS);
    const k = a.k;
    const plan = this.#planPatterns(
      fn,
      reference,
      patterns,
      options,
      a,
      (base) => ({ k, base }),
    );
    let best: Match[] = [];
    const stats: number[][] = [];
    await this.#run(fn, "topK", plan, call, true, (_, v) => {
      stats.push(Array.from(v.subarray(0, 4)));
      const matches: Match[] = [];
      for (let i = 4; i + 1 < v.length; i += 2) {
        matches.push({ index: v[i], distance: v[i + 1] });
      }
      best = mergeTopK([best, matches], k);
      // The k-th best so far bounds every shard that starts later.
      return best.length < k ? undefined : best[k - 1].distance;
    }, this.#lease(fn, patterns));
    if (a.stats !== undefined) fillTopKStats(a.stats, stats);
    return best;
  }

  async searchSubsequence(
    series: Series,
    query: Series,
    options: SearchOptions & AsyncOptions,
  ): Promise<SubsequenceMatch[]> {
    const fn = "searchSubsequence";
    const call = this.#begin(fn, options);
    f64SearchOnly(fn, options, "the cluster");
    // Read as searchSubsequence reads them (the query first).
    const input = searchInput(fn, series, query);
    const { n, dims, query: q } = input;
    const m = q.length / dims;
    const args = searchArgs(fn, n, m, options, SEARCH_ASYNC_KEYS);
    const stats = statsArg<SearchStats>(fn, options.stats);
    // Stored whole: of one value per point, checked and copied here (at
    // most 2^25 points); of several, as searchInput packed it.
    const x = dims === 1
      ? toF64(fn, "series", input.series())
      : input.series() as Float64Array;
    const plan = planSearch(
      fn,
      x,
      q,
      args,
      this.#s.limits,
      this.#s.shardMs,
      dims,
    );
    const candidates: Float64Array[] = [];
    const counters: number[][] = [];
    let bound = Infinity;
    await this.#run(fn, "searchSubsequence", plan, call, true, (_, v) => {
      counters.push(Array.from(v.subarray(0, 5)));
      candidates.push(v.subarray(6));
      if (v[5] < bound) {
        bound = v[5];
        return bound;
      }
      return undefined;
    });
    if (stats !== undefined) fillSearchStats(stats, plan.total, counters);
    return searchMatches(x, q, candidates, args, dims);
  }

  async correlationMatrix(
    sequences: readonly LcsSequence[],
    options?: CorrelationMatrixOptions & AsyncOptions,
  ): Promise<Float64Array> {
    const fn = "correlationMatrix";
    const call = this.#begin(fn, options);
    checkOptionKeys(fn, options, NO_KEYS);
    const encoded = encodeSequences(fn, sequences);
    const n = encoded.order.length;
    const plan = planCorrelation(fn, encoded, this.#s.limits, this.#s.shardMs);
    const matrix = emptyCorrelationMatrix(encoded);
    // Progress counts rows: the share of the pairs done, in rows.
    const rows: AsyncOptions = {
      signal: call.signal,
      onProgress: call.onProgress &&
        (({ done, total }: Progress) =>
          call.onProgress!({
            done: done === total ? n : Math.floor(n * done / total),
            total: n,
          })),
    };
    await this.#run(fn, "correlationMatrix", plan, rows, false, (s, v) => {
      writeCorrelationRows(encoded, matrix, { ...plan.tiles[s], values: v });
    });
    return matrix;
  }

  storePatterns(
    patterns: ArrayLike<Series>,
    options?: StorePatternsOptions,
  ): Promise<PatternSet> {
    if (this.#closed) {
      return Promise.reject(
        new ClosedError("Cluster: storePatterns() called after close()"),
      );
    }
    return storePatterns(
      {
        kv: this.#kv,
        keys: this.#keys,
        shown: this.#s.target.shown,
        limits: this.#s.limits,
        shardMs: this.#s.shardMs,
        ttlMs: this.#s.ttlMs,
        outageMs: this.#s.outageMs,
        owner: this,
        closed: () => this.#closed,
      },
      patterns,
      options,
    );
  }

  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    this.#closed = true;
    const error = new ClosedError(
      "Cluster: the cluster was closed before the call finished",
    );
    const jobs = [...this.#jobs];
    for (const job of jobs) job.fail(error);
    this.#closing = (async () => {
      await Promise.all(jobs.map((j) => j.ended.catch(() => {})));
      await this.ready(this.#s.target.connectTimeout);
      await this.#queue.close().catch(() => {});
      for (const r of [...this.#idle, ...this.#busy]) r.disconnect();
      this.#idle.length = 0;
      await this.#kv.quit().catch(() => this.#kv.disconnect());
      this.#kv.disconnect();
    })();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Starts a call: checks that the cluster is open, the async options, the signal. */
  #begin(fn: string, options: unknown): AsyncOptions {
    if (this.#closed) {
      throw new ClosedError(`Cluster: ${fn}() called after close()`);
    }
    const call = asyncArgs(fn, options);
    call.signal?.throwIfAborted();
    return call;
  }

  /**
   * The plan of `topK` or `dtwBatch`: of the patterns, or of a stored set
   * of this cluster (computed in its precision, which `options.precision`
   * may only repeat).
   */
  #planPatterns(
    fn: string,
    reference: Series,
    patterns: unknown,
    options: { precision?: unknown } | undefined,
    args: Required<DtwArgs>,
    extra: (base: number) => Record<string, number | string>,
  ): Plan {
    const { limits, shardMs } = this.#s;
    if (!(patterns instanceof StoredPatterns)) {
      return planPatterns(
        fn,
        reference,
        patterns,
        args,
        limits,
        shardMs,
        extra,
      );
    }
    if (patterns.owner !== this) {
      throw new TypeError(
        `${fn}: patterns is a PatternSet stored by another cluster; store the patterns with this one`,
      );
    }
    if (patterns.deleted) {
      throw new TypeError(
        `${fn}: patterns is a PatternSet that was deleted; store the patterns again`,
      );
    }
    const f32 = patterns.layout.f32;
    if (
      options?.precision !== undefined &&
      options.precision !== patterns.precision
    ) {
      throw new TypeError(
        `${fn}: options.precision is "${options.precision}" but the PatternSet was stored in "${patterns.precision}"; store the patterns with { precision: "${options.precision}" } to compute in it`,
      );
    }
    return planStored(
      fn,
      reference,
      patterns.layout,
      { ...args, f32 },
      limits,
      extra,
    );
  }

  /** The lease of a stored set's blobs by a call, if `patterns` is one. */
  #lease(fn: string, patterns: unknown): Lease | undefined {
    if (!(patterns instanceof StoredPatterns)) return undefined;
    return {
      ttlMs: patterns.ttlMs,
      gone: () =>
        new PatternSetExpiredError(
          `${fn}: the PatternSet ${
            patterns.id.slice(0, 12)
          }… is gone from Redis at ${this.#s.target.shown} (its keys expired, ${
            patterns.ttlMs / 1000
          } s after its last use, or Redis lost them): store the patterns again`,
        ),
    };
  }

  /** `dtw` and `dtwPath`: one shard with both series. */
  async #pair(
    fn: "dtw" | "dtwPath",
    a: Series,
    b: Series,
    options: unknown,
    take: (v: Float64Array) => void,
  ): Promise<void> {
    const call = this.#begin(fn, options);
    const args = fn === "dtwPath"
      ? pathArgs(fn, options, DTW_KEYS)
      : dtwArgs(fn, options, DTW_KEYS);
    await this.#run(
      fn,
      fn,
      planDtwPair(fn, a, b, args, this.#s.limits),
      call,
      false,
      (_, v) => take(v),
    );
  }

  /** Runs a plan as one job; `merge` sees every shard's result once. */
  async #run(
    fn: string,
    op: ServiceOp,
    plan: Plan,
    call: AsyncOptions,
    bound: boolean,
    merge: (shard: number, values: Float64Array) => number | undefined | void,
    lease?: Lease,
  ): Promise<void> {
    if (this.#closed) {
      throw new ClosedError(`Cluster: ${fn}() called after close()`);
    }
    await runJob(
      {
        kv: this.#kv,
        queue: this.#queue,
        keys: this.#keys,
        shown: this.#s.target.shown,
        ttlMs: this.#s.ttlMs,
        outageMs: this.#s.outageMs,
        runId: () => this.#runId,
        takeReader: () => this.#takeReader(),
        returnReader: (r, reusable) => this.#returnReader(r, reusable),
        event: (e) => this.#event(e),
      },
      {
        fn,
        op,
        plan,
        bound,
        merge: (s, v) => merge(s, v) ?? undefined,
        progress: call.onProgress,
        signal: call.signal,
        lease,
      },
      (job) => {
        this.#jobs.add(job);
        return () => this.#jobs.delete(job);
      },
    );
    if (plan.shards.length === 0) {
      call.onProgress?.({ done: plan.total, total: plan.total });
    }
  }

  #takeReader(): Redis {
    const r = this.#idle.pop() ?? new Redis({
      ...lastingOptions(this.#s.target, true),
      // A blocking read in flight when the connection drops fails, rather
      // than being sent again unseen: the job then checks its state.
      autoResendUnfulfilledCommands: false,
      commandTimeout: 5000,
    });
    if (r.listenerCount("error") === 0) r.on("error", () => {});
    this.#busy.add(r);
    return r;
  }

  #returnReader(r: Redis, reusable: boolean): void {
    this.#busy.delete(r);
    if (reusable && !this.#closed && this.#idle.length < IDLE_READERS) {
      this.#idle.push(r);
    } else {
      r.disconnect();
    }
  }

  #event(e: ClusterEvent): void {
    try {
      this.#s.onEvent?.(e);
    } catch {
      // An observer's error must not break the cluster.
    }
  }
}

/** The index of the first pattern of each shard of a `planPatterns` plan. */
function shardStarts(plan: Plan): number[] {
  const starts: number[] = [];
  let at = 0;
  for (const s of plan.shards) {
    starts.push(at);
    at += s.units;
  }
  return starts;
}
