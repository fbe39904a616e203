// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Content-addressed inputs in Redis: stored once by callers (shared by
// every running call that has the same bytes, counted, with a TTL), and
// cached by workers (bounded, least recently used first). Internal.

import type { Redis } from "ioredis";
import { Buffer } from "node:buffer";
import type { Decoded } from "./_blob_format.ts";
import { ACQUIRE, type Keys, RELEASE } from "./_keys.ts";

/** SHA-256 of `bytes`, in hex. */
export async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>),
  );
  let hex = "";
  for (const b of digest) hex += b.toString(16).padStart(2, "0");
  return hex;
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
 * does not have yet (one pipelined round trip, plus one for the bytes that
 * are missing). Their TTL is renewed to `ttlMs`.
 */
export async function acquireBlobs(
  kv: Redis,
  keys: Keys,
  blobs: readonly { hash: string; bytes: Uint8Array }[],
  ttlMs: number,
): Promise<void> {
  if (blobs.length === 0) return;
  const probe = kv.pipeline();
  for (const b of blobs) {
    probe.eval(ACQUIRE, 2, keys.blob(b.hash), keys.refs(b.hash), ttlMs);
  }
  const held = replies(await probe.exec());
  const missing = blobs.filter((_, i) => held[i] === 0);
  if (missing.length === 0) return;
  const store = kv.pipeline();
  for (const b of missing) {
    store.eval(
      ACQUIRE,
      2,
      keys.blob(b.hash),
      keys.refs(b.hash),
      ttlMs,
      bufferOf(b.bytes),
    );
  }
  replies(await store.exec());
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
