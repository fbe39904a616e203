// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Content-addressed inputs in Redis: stored once by callers (shared by
// every running call that has the same bytes, counted, with a TTL), and
// cached by workers (bounded, least recently used first). Internal.

import type { Redis } from "ioredis";
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import type { Decoded } from "./_blob_format.ts";
import { ACQUIRE, EXTEND, type Keys, RELEASE } from "./_keys.ts";

/** SHA-256 of `bytes`, in hex. */
export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** A Buffer over `bytes` (no copy), as ioredis sends it. */
export function bufferOf(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Fails with the first error of a pipeline's replies; returns the values. */
export function replies(
  result: [Error | null, unknown][] | null,
): unknown[] {
  if (result === null) throw new Error("the Redis transaction was aborted");
  return result.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}

/**
 * Makes each of `blobs` held by one more job, storing those that Redis
 * does not have yet: one round trip to count the stored ones, one to send
 * the rest (each in a transaction, rather than as an argument of a
 * script, which would copy the bytes once more in Redis; another caller may
 * store the same bytes meanwhile: NX keeps the first, they are equal).
 * Their TTL is renewed to `ttlMs`. Once it resolves, the bytes may be
 * reused.
 */
export async function acquireBlobs(
  kv: Redis,
  keys: Keys,
  blobs: readonly { hash: string; bytes: Uint8Array }[],
  ttlMs: number,
): Promise<void> {
  const held = await leaseBlobs(kv, keys, blobs.map((b) => b.hash), ttlMs);
  const missing = blobs.filter((_, i) => !held[i]);
  if (missing.length === 0) return;
  const store = kv.multi();
  for (const b of missing) {
    const blob = keys.blob(b.hash), refs = keys.refs(b.hash);
    store.set(blob, bufferOf(b.bytes), "PX", ttlMs, "NX")
      .incr(refs)
      .eval(EXTEND, 2, blob, refs, ttlMs);
  }
  replies(await store.exec());
}

/**
 * Makes each of the stored blobs `hashes` held by one more job, renewing
 * their TTL to `ttlMs` (as {@linkcode acquireBlobs}, without the bytes):
 * returns whether each was there (those that were not are not held).
 */
export async function leaseBlobs(
  kv: Redis,
  keys: Keys,
  hashes: readonly string[],
  ttlMs: number,
): Promise<boolean[]> {
  if (hashes.length === 0) return [];
  const p = kv.pipeline();
  for (const h of hashes) {
    p.eval(ACQUIRE, 2, keys.blob(h), keys.refs(h), ttlMs);
  }
  return replies(await p.exec()).map((x) => x === 1);
}

/** Renews the TTL of the blobs `hashes` to `ttlMs`, never shortening it. */
export function extendBlobs(
  p: ReturnType<Redis["pipeline"]>,
  keys: Keys,
  hashes: Iterable<string>,
  ttlMs: number,
): void {
  for (const h of hashes) p.eval(EXTEND, 2, keys.blob(h), keys.refs(h), ttlMs);
}

/** One job stops holding `hashes`: the last holder's release deletes a blob. */
export async function releaseBlobs(
  kv: Redis,
  keys: Keys,
  hashes: Iterable<string>,
): Promise<void> {
  const p = kv.pipeline();
  let any = false;
  for (const h of hashes) {
    p.eval(RELEASE, 2, keys.blob(h), keys.refs(h));
    any = true;
  }
  if (any) replies(await p.exec());
}

/** A bounded cache of decoded blobs, least recently used evicted first. */
export class BlobCache {
  readonly #max: number;
  readonly #entries = new Map<string, { value: Decoded; bytes: number }>();
  #bytes = 0;

  /** A cache of at most `maxBytes` (of encoded blobs). */
  constructor(maxBytes: number) {
    this.#max = maxBytes;
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The blob of `key`, marked as just used, or `undefined`. */
  get(key: string): Decoded | undefined {
    const e = this.#entries.get(key);
    if (e === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, e);
    return e.value;
  }

  /** Keeps `value` (of `bytes` encoded bytes), evicting the oldest as needed. */
  set(key: string, value: Decoded, bytes: number): void {
    if (bytes > this.#max) return;
    const old = this.#entries.get(key);
    if (old !== undefined) {
      this.#entries.delete(key);
      this.#bytes -= old.bytes;
    }
    for (const [k, e] of this.#entries) {
      if (this.#bytes + bytes <= this.#max) break;
      this.#entries.delete(k);
      this.#bytes -= e.bytes;
    }
    this.#entries.set(key, { value, bytes });
    this.#bytes += bytes;
  }
}
