// Copyright 2026 the @midstreamer/kit authors. MIT license.
// One call of a Cluster, on the caller: its keys, the upload of its
// inputs, the enqueueing of its shards, the reading of their results as
// they arrive, and its end (completion, failure, abort, outage, close),
// after which its shards and keys are removed. Every wait is bounded: by
// the call's end, or by the outage timeout. Internal.

import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { Buffer } from "node:buffer";
import type { Progress } from "../pool/async_kernels.ts";
import { reviveError } from "../pool/internal.ts";
import type { ServiceOp } from "../service/protocol.ts";
import {
  acquireBlobs,
  extendBlobs,
  leaseBlobs,
  releaseBlobs,
  replies,
  sha256,
} from "./_blobs.ts";
import { type Keys, shardId } from "./_keys.ts";
import type { Plan } from "./_plan.ts";
import { parseInfo } from "./_redis.ts";
import { type Shard, SHARD_VERSION } from "./_shards.ts";
import { JobLostError } from "./job_lost_error.ts";
import { RedisUnavailableError } from "./redis_unavailable_error.ts";
import { ShardFailedError } from "./shard_failed_error.ts";

/** What a Cluster tells its observer (`ClusterOptions.onEvent`). */
export type ClusterEvent =
  | {
    /** The connection to Redis dropped; running calls wait for it. */
    type: "disconnected";
    /** Why, as the client saw it. */
    reason: string;
  }
  | {
    /** The connection is back. */
    type: "reconnected";
  }
  | {
    /**
     * A call has stored its inputs and enqueued its last shard: from now
     * on it only waits for results (and merges them).
     */
    type: "enqueued";
    /** The call's job id. */
    job: string;
    /** Its method. */
    op: string;
    /** Its shards. */
    shards: number;
    /** Milliseconds since the call started its job. */
    ms: number;
  }
  | {
    /**
     * A running call found its state in Redis after the connection came
     * back, and goes on.
     */
    type: "resumed";
    /** The call's job id. */
    job: string;
    /** Its method. */
    op: string;
    /** Whether the server restarted (with persistence) in between. */
    restarted: boolean;
  };

/** What a job needs from its Cluster. */
export interface JobContext {
  /** The command connection (also the queue's). */
  kv: Redis;
  /** The shard queue. */
  queue: Queue;
  /** Key names. */
  keys: Keys;
  /** The URL, for messages. */
  shown: string;
  /** TTL of every key, in milliseconds. */
  ttlMs: number;
  /** How long Redis may be unreachable before a call rejects, in ms. */
  outageMs: number;
  /** The server's `run_id` when the call starts. */
  runId(): string;
  /** A connection for blocking reads (taken from a pool). */
  takeReader(): Redis;
  /** Gives a reader back: `reusable` if no command is in flight on it. */
  returnReader(reader: Redis, reusable: boolean): void;
  /** Tells the observer. */
  event(e: ClusterEvent): void;
}

/** A call to run. */
export interface JobSpec {
  /** The method, for messages. */
  fn: string;
  /** The kernel. */
  op: ServiceOp;
  /** The shards and their inputs. */
  plan: Plan;
  /** Whether the call has a bound key (topK, searchSubsequence). */
  bound: boolean;
  /**
   * Merges a shard's result as it arrives; returns a lower bound for the
   * shards not started yet, if there is one.
   */
  merge(shard: number, values: Float64Array): number | undefined;
  /** Reports progress (in the plan's units). */
  progress?: (p: Progress) => void;
  /** Cancels the call. */
  signal?: AbortSignal;
  /** How the plan's `leased` blobs (a stored set's) are held. */
  lease?: Lease;
}

/** How a call holds the blobs of a stored set. */
export interface Lease {
  /** The TTL they are renewed to when the call starts, ms. */
  ttlMs: number;
  /** The error when some are gone. */
  gone(): Error;
}

/** A handle on a running job, for `close()`. */
export interface RunningJob {
  /** Ends the job with `error`. */
  fail(error: unknown): void;
  /** Settles when the job has ended and cleaned up. */
  readonly ended: Promise<void>;
}

/** Milliseconds each XREAD blocks. */
const BLOCK_MS = 1000;
/** Milliseconds between checks that the job's marker is still there. */
const CHECK_MS = 2000;
/** Bytes above which an input is packed into a reused buffer and sent alone. */
const LARGE = 1 << 20;
/** Shards per enqueued batch (the first is small, to start early). */
const FIRST_BATCH = 2;
const BATCH = 8;

/** A random job id: 16 hex digits. */
function jobId(): string {
  const b = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

/** The message of an error. */
function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Runs a call's shards on the cluster: resolves once every shard's result
 * is merged, and its keys are deleted.
 */
export function runJob(
  ctx: JobContext,
  spec: JobSpec,
  track: (job: RunningJob) => () => void,
): Promise<void> {
  const id = jobId();
  const { keys, kv, queue } = ctx;
  const marker = keys.job(id);
  const results = keys.results(id);
  const boundKey = keys.bound(id);
  const { shards, blobs, total } = spec.plan;
  const arrived = new Uint8Array(shards.length);
  let remaining = shards.length;
  let done = 0;
  const held = new Set<string>();
  const runId = ctx.runId();

  let settled = false;
  let failure: { error: unknown } | undefined;
  const end = Promise.withResolvers<void>();
  const fail = (error: unknown) => {
    if (settled) return;
    settled = true;
    failure = { error };
    end.resolve();
  };
  const finish = () => {
    if (settled) return;
    settled = true;
    end.resolve();
  };
  const onAbort = () => fail(spec.signal!.reason);
  spec.signal?.addEventListener("abort", onAbort, { once: true });

  /** `p`, or a rejection once the job ends or Redis does not answer. */
  const wait = <T>(p: Promise<T>, what: string): Promise<T> => {
    p.catch(() => {}); // may lose the race
    let timer: ReturnType<typeof setTimeout> | undefined;
    return Promise.race([
      p,
      end.promise.then(() => {
        throw failure?.error ?? new Error("job ended");
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new RedisUnavailableError(
                `${spec.fn}: Redis at ${ctx.shown} did not answer ${what} within ${ctx.outageMs} ms (outageTimeout)`,
              ),
            ),
          ctx.outageMs,
        );
      }),
    ]).finally(() => clearTimeout(timer));
  };
  const asUnavailable = (e: unknown, what: string): unknown =>
    e instanceof RedisUnavailableError || settled
      ? e
      : new RedisUnavailableError(
        `${spec.fn}: ${what} on Redis at ${ctx.shown} failed: ${messageOf(e)}`,
        { cause: e },
      );

  const onEntry = (fields: Buffer[]) => {
    let shard = -1, result: Buffer | undefined, error: string | undefined;
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const k = fields[i].toString();
      if (k === "s") shard = Number(fields[i + 1].toString());
      else if (k === "r") result = fields[i + 1];
      else if (k === "e") error = fields[i + 1].toString();
    }
    if (!(shard >= 0 && shard < shards.length) || arrived[shard] === 1) return;
    if (error !== undefined) {
      fail(shardError(spec, id, shard, error));
      return;
    }
    if (result === undefined || result.byteLength % 8 !== 0) {
      fail(
        new Error(
          `${spec.fn}: shard ${shard} of job ${id} sent a malformed result`,
        ),
      );
      return;
    }
    const values = new Float64Array(result.byteLength / 8);
    new Uint8Array(values.buffer).set(result);
    arrived[shard] = 1;
    remaining--;
    const bound = spec.merge(shard, values);
    if (bound !== undefined && spec.bound) {
      kv.set(boundKey, String(bound), "PX", ctx.ttlMs).catch(() => {});
    }
    done += shards[shard].units;
    spec.progress?.({ done, total });
    if (remaining === 0) finish();
  };

  /** After a read failed or the reader reconnected: is the job still there? */
  const checkState = async (
    reader: Redis,
    announce: boolean,
    guard: <T>(p: Promise<T>) => Promise<T>,
  ) => {
    const [info, exists] = replies(
      await wait(
        guard(reader.multi().info("server").exists(marker).exec()),
        "a state check",
      ),
    ) as [string, number];
    const now = parseInfo(info).run_id ?? "";
    const restarted = now !== runId;
    if (exists === 1) {
      if (announce || restarted) {
        ctx.event({ type: "resumed", job: id, op: spec.fn, restarted });
      }
      return;
    }
    fail(
      new JobLostError(
        restarted
          ? `${spec.fn}: Redis at ${ctx.shown} restarted (run_id ${
            runId.slice(0, 8)
          }… → ${
            now.slice(0, 8)
          }…) without the job's state (no persistence); job ${id} is lost: call again`
          : `${spec.fn}: the keys of job ${id} are gone from Redis at ${ctx.shown} (expired or deleted); call again`,
      ),
    );
  };

  const read = async () => {
    const reader = ctx.takeReader();
    let idle = true;
    let last = "0-0";
    let contact = Date.now();
    let checked = Date.now();
    let suspect = false;
    // A command in flight when the connection drops is never settled by
    // ioredis (it is not sent again: autoResendUnfulfilledCommands is off),
    // only failed by its commandTimeout: the close fails it at once.
    const inFlight = new Set<(e: Error) => void>();
    const onClose = () => {
      suspect = true;
      for (const reject of inFlight) reject(new Error("connection closed"));
      inFlight.clear();
    };
    const untilClosed = <T>(p: Promise<T>): Promise<T> => {
      let reject: (e: Error) => void = () => {};
      const closed = new Promise<never>((_, r) => reject = r);
      inFlight.add(reject);
      return Promise.race([p, closed]).finally(() => inFlight.delete(reject));
    };
    reader.on("close", onClose);
    /**
     * Whether Redis answered within `outageTimeout`: if not, the job fails
     * with a `RedisUnavailableError`; otherwise a pause before a retry.
     */
    const lost = async (e: unknown) => {
      if (settled) return true;
      if (Date.now() - contact > ctx.outageMs) {
        fail(
          new RedisUnavailableError(
            `${spec.fn}: lost Redis at ${ctx.shown} for more than ${ctx.outageMs} ms (outageTimeout) during job ${id}: ${
              messageOf(e)
            }`,
            { cause: e },
          ),
        );
        return true;
      }
      suspect = true;
      await wait(new Promise((r) => setTimeout(r, 250)), "a pause")
        .catch(() => {});
      return settled;
    };
    try {
      while (!settled) {
        // After a dropped connection, the job's state is checked before
        // anything else is read: a restart without persistence is told at
        // once (not after a blocking read of a stream that is gone), and
        // a call that resumes says so before its last results complete it.
        if (suspect) {
          try {
            await checkState(reader, true, untilClosed);
          } catch (e) {
            if (await lost(e)) break;
            continue;
          }
          suspect = false;
          contact = checked = Date.now();
          continue;
        }
        let reply: [Buffer, [Buffer, Buffer[]][]][] | null;
        try {
          idle = false;
          const p = reader.xreadBuffer(
            "COUNT",
            256,
            "BLOCK",
            BLOCK_MS,
            "STREAMS",
            results,
            last,
          );
          p.then(() => idle = true, () => idle = true);
          reply = await wait(
            untilClosed(p),
            "a read of results",
          ) as typeof reply;
        } catch (e) {
          if (await lost(e)) break;
          continue;
        }
        contact = Date.now();
        // Dropped while the read waited (its reply came after a reconnect):
        // check first; the entries are read again from `last`.
        if (suspect) continue;
        for (const [, entries] of reply ?? []) {
          for (const [entryId, fields] of entries) {
            last = entryId.toString();
            onEntry(fields);
            if (settled) break;
          }
        }
        if (!settled && Date.now() - checked > CHECK_MS) {
          try {
            await checkState(reader, false, untilClosed);
            checked = Date.now();
          } catch {
            suspect = true;
          }
        }
      }
    } catch (e) {
      fail(e);
    } finally {
      reader.off("close", onClose);
      ctx.returnReader(reader, idle);
    }
  };

  const enqueue = async () => {
    // One buffer for every large packed input: fresh memory is slow to
    // touch, and its bytes are sent before the next one is packed. Small
    // inputs are sent together, one round trip for a batch.
    let scratch = new Uint8Array(0);
    // A stored set's blobs: held by the call from now on, or gone.
    const leased = [
      ...new Set((spec.plan.leased ?? []).map((b) => blobs[b].hash!)),
    ];
    if (leased.length > 0) {
      // Counted as held before the reply, as the inputs below: a call
      // that ends meanwhile lets go of them.
      for (const h of leased) held.add(h);
      const there = await wait(
        leaseBlobs(kv, keys, leased, spec.lease?.ttlMs ?? ctx.ttlMs),
        "the lease of stored inputs",
      );
      leased.forEach((h, i) => {
        if (!there[i]) held.delete(h);
      });
      if (there.includes(false)) {
        fail(
          spec.lease?.gone() ??
            new JobLostError(`${spec.fn}: stored inputs are gone from Redis`),
        );
        return;
      }
    }
    for (let from = 0; from < shards.length && !settled;) {
      const to = Math.min(
        shards.length,
        from + (from === 0 ? FIRST_BATCH : BATCH),
      );
      const batch = shards.slice(from, to);
      const small: { hash: string; bytes: Uint8Array }[] = [];
      const large: number[] = [];
      for (const s of batch) {
        for (const b of s.inputs) {
          const blob = blobs[b];
          if (blob.hash !== undefined) continue; // stored already
          if (blob.bytes === undefined && blob.size! > LARGE) {
            if (!large.includes(b)) large.push(b);
            continue;
          }
          const bytes = blob.bytes ?? blob.pack!(new Uint8Array(0));
          blob.hash = sha256(bytes);
          blob.bytes = undefined;
          if (held.has(blob.hash)) continue; // the same bytes twice
          held.add(blob.hash);
          small.push({ hash: blob.hash, bytes });
        }
      }
      await wait(
        acquireBlobs(kv, keys, small, ctx.ttlMs),
        "the upload of inputs",
      );
      for (const b of large) {
        const blob = blobs[b];
        if (scratch.byteLength < blob.size!) {
          scratch = new Uint8Array(blob.size!);
        }
        const bytes = blob.pack!(scratch);
        blob.hash = sha256(bytes);
        if (held.has(blob.hash)) continue;
        held.add(blob.hash);
        await wait(
          acquireBlobs(kv, keys, [{ hash: blob.hash, bytes }], ctx.ttlMs),
          "the upload of an input",
        );
      }
      await wait(
        queue.addBulk(batch.map((s, k) => {
          const shard: Shard = {
            v: SHARD_VERSION,
            job: id,
            op: spec.op,
            shard: from + k,
            shards: shards.length,
            inputs: s.inputs.map((b) => blobs[b].hash!),
            args: s.args,
          };
          return {
            name: spec.op,
            data: shard,
            opts: { jobId: shardId(id, from + k) },
          };
        })),
        "the enqueueing of shards",
      );
      from = to;
    }
  };

  const refresh = setInterval(() => {
    const p = kv.pipeline().pexpire(marker, ctx.ttlMs).pexpire(
      results,
      ctx.ttlMs,
    );
    if (spec.bound) p.pexpire(boundKey, ctx.ttlMs);
    extendBlobs(p, keys, held, ctx.ttlMs);
    p.exec().catch(() => {});
  }, Math.max(1000, ctx.ttlMs / 3));

  const cleanup = async () => {
    clearInterval(refresh);
    spec.signal?.removeEventListener("abort", onAbort);
    const left: string[] = [];
    for (let i = 0; i < shards.length; i++) {
      if (arrived[i] === 0) left.push(shardId(id, i));
    }
    const deadline = (p: Promise<unknown>) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      return Promise.race([
        p.catch(() => {}),
        new Promise((r) => timer = setTimeout(r, ctx.outageMs)),
      ]).finally(() => clearTimeout(timer));
    };
    // Waiting shards go first, so that no worker takes them; active ones
    // finish, and their results are not posted (the marker is gone).
    if (left.length > 0) {
      await deadline(Promise.all(left.map((s) => queue.remove(s))));
    }
    await deadline(
      kv.del(marker, results, ...(spec.bound ? [boundKey] : [])),
    );
    await deadline(releaseBlobs(kv, keys, held));
  };

  const ended = (async () => {
    const untrack = track({ fail, ended: end.promise });
    try {
      if (spec.signal?.aborted) throw spec.signal.reason;
      if (shards.length === 0) return;
      const start = kv.multi()
        .hset(marker, "op", spec.op, "shards", shards.length)
        .pexpire(marker, ctx.ttlMs);
      if (spec.bound) start.set(boundKey, "Infinity", "PX", ctx.ttlMs);
      try {
        replies(await wait(start.exec(), "the job's start"));
      } catch (e) {
        throw asUnavailable(e, "starting the job");
      }
      const reading = read();
      const started = performance.now();
      try {
        await enqueue();
        if (!settled) {
          ctx.event({
            type: "enqueued",
            job: id,
            op: spec.fn,
            shards: shards.length,
            ms: Math.round(performance.now() - started),
          });
        }
      } catch (e) {
        fail(asUnavailable(e, "enqueueing"));
      }
      await end.promise;
      await reading;
      if (failure !== undefined) throw failure.error;
    } finally {
      settled = true;
      end.resolve();
      untrack();
      if (shards.length > 0) await cleanup();
    }
  })();
  return ended;
}

/** The error of a shard's failure entry (`{ name, message, attempts, poison }`). */
function shardError(
  spec: JobSpec,
  id: string,
  shard: number,
  text: string,
): Error {
  let e: {
    name?: string;
    message?: string;
    attempts?: number;
    poison?: boolean;
  };
  try {
    e = JSON.parse(text);
  } catch {
    e = { message: text };
  }
  const count = spec.plan.shards.length;
  const where = `shard ${shard + 1} of ${count} (job ${id})`;
  const attempts = Number(e.attempts ?? 1);
  if (e.poison) {
    return new ShardFailedError(
      `${spec.fn}: ${where} stopped every worker that took it (${attempts} attempts, each ended by the worker dying): a poison shard; the queue gave up: ${e.message}`,
      { shard, attempts, poison: true },
    );
  }
  const revived = e.name !== undefined && e.message !== undefined
    ? reviveError(e.name, `${spec.fn}: ${where}: ${e.message}`)
    : undefined;
  return revived ?? new ShardFailedError(
    `${spec.fn}: ${where} failed after ${attempts} attempt${
      attempts === 1 ? "" : "s"
    }: ${e.name ?? "Error"}: ${e.message}`,
    { shard, attempts, poison: false },
  );
}
