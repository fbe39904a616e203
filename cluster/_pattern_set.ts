// Copyright 2026 the @midstreamer/kit authors. MIT license.
// A stored pattern set (`Cluster.storePatterns`): its patterns checked,
// cut into shards for a reference of a given length, each shard a blob
// held in Redis by the set (one count of the blob's holders) with the
// set's TTL. Calls on the set hold its blobs too while they run, and
// renew their TTL; `delete()` lets go of the set's hold. Internal.

import type { Redis } from "ioredis";
import {
  checkOptionKeys,
  describe,
  precisionArg,
} from "../kernels/internal.ts";
import { encodePatterns, type Limits } from "./_blob_format.ts";
import { acquireBlobs, releaseBlobs, sha256 } from "./_blobs.ts";
import type { Keys } from "./_keys.ts";
import { numberOption } from "./_options.ts";
import {
  checkPatterns,
  cutPatterns,
  patternBlobBytes,
  type StoredLayout,
} from "./_plan.ts";
import type { PatternSet, StorePatternsOptions } from "./pattern_set.ts";
import { RedisUnavailableError } from "./redis_unavailable_error.ts";

/** The implementation of {@linkcode PatternSet}. */
export class StoredPatterns implements PatternSet {
  readonly id: string;
  readonly count: number;
  readonly dims: number;
  readonly precision: "f64" | "f32";
  /** How it lies in Redis. */
  readonly layout: StoredLayout;
  /** Its TTL, ms. */
  readonly ttlMs: number;
  /** The cluster that stored it. */
  readonly owner: object;
  readonly #release: () => Promise<void>;
  #deleting: Promise<void> | undefined;

  constructor(
    layout: StoredLayout,
    ttlMs: number,
    owner: object,
    release: () => Promise<void>,
  ) {
    this.layout = layout;
    this.count = layout.lengths.length;
    this.dims = layout.dims;
    this.precision = layout.f32 ? "f32" : "f64";
    this.id = sha256(
      new TextEncoder().encode(
        `${this.precision}:${this.dims}:${layout.bounds.join(",")}:${
          layout.hashes.join(",")
        }`,
      ),
    );
    this.ttlMs = ttlMs;
    this.owner = owner;
    this.#release = release;
  }

  get deleted(): boolean {
    return this.#deleting !== undefined;
  }

  delete(): Promise<void> {
    return this.#deleting ??= this.#release();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.delete();
  }
}

/** What `storePatterns` needs from its cluster. */
export interface StoreContext {
  kv: Redis;
  keys: Keys;
  shown: string;
  limits: Limits;
  shardMs: number;
  ttlMs: number;
  outageMs: number;
  owner: object;
  /** Whether the cluster is closed (a set's delete then does nothing). */
  closed(): boolean;
}

/** `p`, or a RedisUnavailableError after `ms`. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new RedisUnavailableError(what)),
        ms,
      );
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Checks and stores `patterns` as a set (see `Cluster.storePatterns`).
 *
 * @throws {TypeError} as `topK` for the patterns, and on a bad option.
 * @throws {RangeError} as `topK`, on a pattern over the cluster's limits, and on an out-of-range option.
 */
export async function storePatterns(
  ctx: StoreContext,
  patterns: unknown,
  options: StorePatternsOptions | undefined,
): Promise<StoredPatterns> {
  const fn = "storePatterns";
  const o = checkOptionKeys(fn, options, [
    "precision",
    "ttl",
    "referenceLength",
    "shardMs",
    "signal",
  ]) as StorePatternsOptions;
  const f32 = precisionArg(fn, o.precision);
  const ttlMs = Math.round(
    1000 * numberOption(fn, "ttl", o.ttl, ctx.ttlMs / 1000, 0, 30 * 86400),
  );
  if (ttlMs < 1) {
    throw new RangeError(
      `${fn}: options.ttl must be at least 0.001 seconds (Redis keeps keys for whole milliseconds), got ${o.ttl}`,
    );
  }
  const referenceLength = numberOption(
    fn,
    "referenceLength",
    o.referenceLength,
    0,
    0,
    ctx.limits.maxSeriesLength,
  );
  if (!Number.isInteger(referenceLength)) {
    throw new RangeError(
      `${fn}: options.referenceLength must be an integer, got ${referenceLength}`,
    );
  }
  const shardMs = numberOption(
    fn,
    "shardMs",
    o.shardMs,
    ctx.shardMs,
    0,
    3_600_000,
  );
  const signal = o.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(
      `${fn}: options.signal must be an AbortSignal, got ${describe(signal)}`,
    );
  }
  signal?.throwIfAborted();
  const { list, forms, dims } = checkPatterns(fn, patterns, f32, ctx.limits);
  const lengths = Uint32Array.from(forms, (f) => f.points);
  let longest = 1;
  for (const m of lengths) longest = Math.max(longest, m);
  const bounds = cutPatterns(
    fn,
    lengths,
    referenceLength || longest,
    dims,
    f32,
    -1,
    ctx.limits,
    shardMs,
  );
  const { kv, keys } = ctx;
  const hashes: string[] = [];
  const held = new Set<string>();
  let scratch = new Uint8Array(0);
  try {
    for (let s = 0; s + 1 < bounds.length; s++) {
      signal?.throwIfAborted();
      const [a, b] = [bounds[s], bounds[s + 1]];
      let points = 0;
      for (let i = a; i < b; i++) points += lengths[i];
      const size = patternBlobBytes(b - a, points, dims, f32);
      if (scratch.byteLength < size) scratch = new Uint8Array(size);
      const bytes = encodePatterns(
        fn,
        "patterns",
        list,
        forms,
        dims,
        a,
        b,
        f32,
        scratch,
      );
      const hash = sha256(bytes);
      hashes.push(hash);
      if (held.has(hash)) continue;
      // Counted as held before the reply: if the wait times out but Redis
      // stores it later, the clean-up still lets it go.
      held.add(hash);
      await within(
        acquireBlobs(kv, keys, [{ hash, bytes }], ttlMs),
        ctx.outageMs,
        `${fn}: Redis at ${ctx.shown} did not store a shard of the set within ${ctx.outageMs} ms (outageTimeout)`,
      );
    }
  } catch (e) {
    await within(releaseBlobs(kv, keys, held), ctx.outageMs, "").catch(
      () => {},
    );
    if (
      e instanceof RedisUnavailableError || e instanceof TypeError ||
      e instanceof RangeError || signal?.aborted
    ) throw e;
    throw new RedisUnavailableError(
      `${fn}: storing the set on Redis at ${ctx.shown} failed: ${
        e instanceof Error ? e.message : String(e)
      }`,
      { cause: e },
    );
  }
  return new StoredPatterns(
    { dims, f32, lengths, bounds, hashes },
    ttlMs,
    ctx.owner,
    () =>
      ctx.closed() ? Promise.resolve() : within(
        releaseBlobs(kv, keys, held),
        ctx.outageMs,
        `${fn}: Redis at ${ctx.shown} did not delete the set within ${ctx.outageMs} ms (outageTimeout); its keys expire`,
      ),
  );
}
