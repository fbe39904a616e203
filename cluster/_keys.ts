// Copyright 2026 the @midstreamer/kit authors. MIT license.
// The names of the cluster's Redis keys, and the scripts that keep them
// consistent. Internal.
//
// Every key starts with `midstreamer:<queue>:` (BullMQ's own keys too:
// its `prefix` is `midstreamer`):
//
// | key | what | written by | expires |
// | --- | --- | --- | --- |
// | `job:<id>` | a running call's marker (hash: op, shards) | caller | TTL, refreshed while the call runs; deleted at its end |
// | `job:<id>:res` | its results and errors (stream) | workers | the marker's remaining TTL, set with every entry |
// | `job:<id>:bound` | topK's k-th best distance, search's bound | caller | TTL; deleted at the end |
// | `blob:<sha256>` | an input, content-addressed | caller | TTL; deleted when its last job ends |
// | `blob:<sha256>:refs` | how many running calls use it | caller | as the blob |
// | `<id>-<i>`, … | shard `i` (BullMQ's job) | BullMQ | removed when it completes; failed ones are capped at 100 |

import { KEY_PREFIX } from "./_redis.ts";

/** The key names of one queue. */
export class Keys {
  /** `midstreamer:<queue>`. */
  readonly base: string;

  constructor(queue: string) {
    this.base = `${KEY_PREFIX}:${queue}`;
  }

  /** The marker of job `id`. */
  job(id: string): string {
    return `${this.base}:job:${id}`;
  }

  /** The results stream of job `id`. */
  results(id: string): string {
    return `${this.base}:job:${id}:res`;
  }

  /** The bound of job `id`. */
  bound(id: string): string {
    return `${this.base}:job:${id}:bound`;
  }

  /** The blob of SHA-256 `hash`. */
  blob(hash: string): string {
    return `${this.base}:blob:${hash}`;
  }

  /** The holder count of the blob `hash`. */
  refs(hash: string): string {
    return `${this.base}:blob:${hash}:refs`;
  }
}

/** The BullMQ job id of shard `i` of job `id`. */
export function shardId(id: string, i: number): string {
  return `${id}-${i}`;
}

/**
 * Renews a blob's TTL to `ARGV[1]` ms unless it has longer to live (a
 * stored pattern set's TTL may be longer than a call's). KEYS: blob, refs.
 */
export const EXTEND = `
local ttl = tonumber(ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
for _, key in ipairs(KEYS) do
  if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
end
return 1`;

/**
 * Counts a job or a pattern set as a holder of a stored blob and renews
 * its TTL (`ARGV[1]` ms, as {@linkcode EXTEND}): returns 1, or 0 when the
 * blob is not stored (the caller then stores it and counts itself, in one
 * transaction). KEYS: blob, refs.
 */
export const ACQUIRE = `
local ttl = tonumber(ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('INCR', KEYS[2])
for _, key in ipairs(KEYS) do
  if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
end
return 1`;

/**
 * A job stops holding a blob: deletes the blob when it was the last.
 * KEYS: blob, refs.
 */
export const RELEASE = `
local n = redis.call('DECR', KEYS[2])
if n <= 0 then redis.call('DEL', KEYS[1], KEYS[2]) end
return n`;

/**
 * A worker posts a shard's result or error (ARGV: the fields) to the job's
 * stream, only while the job's marker exists (a cancelled job's stream is
 * not recreated), and gives the stream the marker's remaining TTL.
 * KEYS: marker, stream. Returns 1 if posted.
 */
export const POST = `
local ttl = redis.call('PTTL', KEYS[1])
if ttl == -2 then return 0 end
redis.call('XADD', KEYS[2], '*', unpack(ARGV))
if ttl < 0 then ttl = 3600000 end
redis.call('PEXPIRE', KEYS[2], ttl)
return 1`;
