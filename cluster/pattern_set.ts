// Copyright 2026 the @midstreamer/kit authors. MIT license.

/** Options of `Cluster.storePatterns`. */
export interface StorePatternsOptions {
  /**
   * The precision the patterns are stored in, and calls on the set
   * compute in: `"f32"` as the synchronous functions with `precision:
   * "f32"` (half the bytes).
   *
   * @default {"f64"}
   */
  precision?: "f64" | "f32";
  /**
   * Seconds the set's keys live in Redis after it was stored or last
   * used by a call (each call renews them; a running call holds them).
   * After that they expire, and calls on the set reject with a
   * `PatternSetExpiredError`.
   *
   * @default {the cluster's keyTtl}
   */
  ttl?: number;
  /**
   * The reference length, in points, the set's shards are cut for: each
   * shard is about the cluster's `shardMs` of work against a reference
   * this long, and within the limits. A call with a longer reference may
   * find a shard over `maxCells` or `maxRequestBytes` (a `RangeError`).
   *
   * @default {the longest pattern's length}
   */
  referenceLength?: number;
  /**
   * Single-thread milliseconds of work a shard of the set aims at,
   * against a reference of `referenceLength` with every DTW computed
   * (`topK`'s pruning makes the real work a fraction of it). A stored
   * shard moves no bytes per call, but each costs about 1 ms of
   * coordination per call; fewer, larger shards cost less of it and
   * balance less finely over the workers.
   *
   * @default {the cluster's shardMs}
   */
  shardMs?: number;
  /**
   * Cancels the storing: the blobs stored so far are let go, and the
   * promise rejects with the signal's reason.
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
}

/**
 * A list of patterns stored once in the cluster's Redis, from
 * `Cluster.storePatterns`: `topK` and `dtwBatch` take it where they take
 * patterns, and return exactly what they return for the patterns
 * themselves, but move only the reference and the results. Workers keep
 * the set's shards in their cache (`cacheBytes`), so a warm call fetches
 * nothing else. Its keys are content-addressed blobs (shared with any
 * other set or call of the same bytes); they stay until
 * {@linkcode PatternSet.delete} or until they expire, `ttl` seconds
 * after the set was last used.
 */
export interface PatternSet extends AsyncDisposable {
  /**
   * Its content's name: the SHA-256 (hex) of its blobs' hashes, with its
   * precision and dimensions.
   *
   * @example Same patterns, same id
   * ```ts
   * import type { PatternSet } from "@midstreamer/kit/cluster";
   *
   * export function same(a: PatternSet, b: PatternSet): boolean {
   *   return a.id === b.id;
   * }
   * ```
   */
  readonly id: string;
  /**
   * How many patterns.
   *
   * @example Count
   * ```ts
   * import type { PatternSet } from "@midstreamer/kit/cluster";
   *
   * export function describeSet(set: PatternSet): string {
   *   return `${set.count} patterns`;
   * }
   * ```
   */
  readonly count: number;
  /**
   * Values per point of every pattern.
   *
   * @example Dimensions
   * ```ts
   * import type { PatternSet } from "@midstreamer/kit/cluster";
   *
   * export function multivariate(set: PatternSet): boolean {
   *   return set.dims > 1;
   * }
   * ```
   */
  readonly dims: number;
  /**
   * The precision of its values: calls on it compute in it (as the
   * synchronous functions with this `precision`).
   *
   * @example Precision
   * ```ts
   * import type { PatternSet } from "@midstreamer/kit/cluster";
   *
   * export function single(set: PatternSet): boolean {
   *   return set.precision === "f32";
   * }
   * ```
   */
  readonly precision: "f64" | "f32";
  /**
   * Whether {@linkcode PatternSet.delete} was called.
   *
   * @example Deleted
   * ```ts
   * import type { PatternSet } from "@midstreamer/kit/cluster";
   *
   * export async function drop(set: PatternSet) {
   *   await set.delete();
   *   return set.deleted; // true
   * }
   * ```
   */
  readonly deleted: boolean;
  /**
   * Lets go of the set's keys in Redis: each blob is deleted unless a
   * running call or another set holds it (then the last holder deletes
   * it). Later calls on the set throw a `TypeError`. Calling it again, or
   * after the cluster was closed (the keys then expire), does nothing.
   *
   * @example Deleting
   * ```ts
   * import type { Cluster } from "@midstreamer/kit/cluster";
   *
   * export async function once(cluster: Cluster, reference: number[], patterns: number[][]) {
   *   const set = await cluster.storePatterns(patterns);
   *   try {
   *     return await cluster.topK(reference, set, { k: 3 });
   *   } finally {
   *     await set.delete();
   *   }
   * }
   * ```
   *
   * @returns Resolves once deleted.
   */
  delete(): Promise<void>;
}
