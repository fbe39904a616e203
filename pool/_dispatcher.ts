// Copyright 2026 the @midstreamer/kit authors. MIT license.
// The workers of a WorkerPool and the queue of jobs they take: spawning,
// handing out, replies, crashes, aborts and closing. Internal.

import type { Reply, Request } from "./_protocol.ts";
import { ClosedError } from "./closed_error.ts";
import { reviveError } from "./internal.ts";

interface Job {
  kernel: string;
  args: unknown[];
  transfer: Transferable[];
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

interface WorkerSlot {
  worker: Worker;
  job?: Job;
}

/**
 * Runs kernels of the worker script (`_worker.ts`, or a test's) on a fixed
 * number of workers: a job goes to the next free worker; a worker that
 * crashes rejects its job and is replaced.
 */
export class Dispatcher {
  #slots: WorkerSlot[] = [];
  #queue: Job[] = [];
  #closed = false;
  #nextId = 0;
  readonly #script: URL;

  constructor(workers: number, script: URL) {
    this.#script = script;
    for (let i = 0; i < workers; i++) {
      this.#slots.push({ worker: this.#spawn() });
    }
  }

  /** Number of workers. */
  get size(): number {
    return this.#slots.length;
  }

  /** Number of workers with no job, less the jobs waiting for one. */
  get idle(): number {
    let free = 0;
    for (const slot of this.#slots) if (slot.job === undefined) free++;
    return Math.max(0, free - this.#queue.length);
  }

  /** Whether {@linkcode Dispatcher.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Runs `kernel` (a key of the worker's registry) with `args` on the next
   * free worker, transferring `transfer`. An abort of `signal` rejects it
   * at once (and drops it from the queue); errors thrown in the worker keep
   * their class ({@linkcode reviveError}).
   */
  run(
    kernel: string,
    args: unknown[],
    transfer: Transferable[],
    signal?: AbortSignal,
  ): Promise<unknown> {
    if (this.#closed) {
      return Promise.reject(
        new ClosedError(`WorkerPool: ${kernel}() called after close()`),
      );
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      let settled = false;
      const onAbort = () => {
        const i = this.#queue.indexOf(job);
        if (i >= 0) this.#queue.splice(i, 1);
        job.reject(signal!.reason);
      };
      const job: Job = {
        kernel,
        args,
        transfer,
        resolve(value) {
          if (settled) return;
          settled = true;
          signal?.removeEventListener("abort", onAbort);
          resolve(value);
        },
        reject(error) {
          if (settled) return;
          settled = true;
          signal?.removeEventListener("abort", onAbort);
          reject(error);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#queue.push(job);
      this.#pump();
    });
  }

  /**
   * Runs `job(0)` .. `job(count - 1)`, as many at once as there are
   * workers, each started when one before it is done (so that a job can
   * use what the finished ones found). Stops handing out jobs once one
   * fails, and rejects with its error.
   */
  async handOut(
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

  /** Terminates the workers; unfinished jobs reject with `ClosedError`. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const error = new ClosedError(
      "WorkerPool: the pool was closed before the job finished",
    );
    for (const slot of this.#slots) {
      slot.worker.terminate();
      slot.job?.reject(error);
      slot.job = undefined;
    }
    for (const job of this.#queue.splice(0)) job.reject(error);
  }

  #spawn(): Worker {
    return new Worker(this.#script, { type: "module" });
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

  #start(slot: WorkerSlot, job: Job): void {
    const id = this.#nextId++;
    const worker = slot.worker;
    worker.onmessage = (e: MessageEvent<Reply>) => {
      if (slot.job !== job || e.data.id !== id) return;
      slot.job = undefined;
      const reply = e.data;
      if (reply.ok) {
        job.resolve(reply.result);
      } else {
        const { name, message } = reply.error;
        job.reject(reviveError(name, message) ?? new Error(message));
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
    const request: Request = { id, kernel: job.kernel, args: job.args };
    worker.postMessage(request, job.transfer);
  }
}

/** The dispatcher of each WorkerPool (see {@linkcode runKernel}). */
const OWNERS = new WeakMap<object, Dispatcher>();

/** Registers `dispatcher` as the one of `owner` (a WorkerPool); returns it. */
export function ownDispatcher(
  owner: object,
  dispatcher: Dispatcher,
): Dispatcher {
  OWNERS.set(owner, dispatcher);
  return dispatcher;
}

/**
 * Runs `kernel` (a key of the worker script's registry, `_worker.ts`) with
 * `args`, already validated and packed, on one of `pool`'s workers (see
 * `Dispatcher.run`). The pool's own methods run their parts through it,
 * and so does the cluster's worker process, for its shards.
 *
 * @throws {TypeError} when `pool` is not a WorkerPool.
 */
export function runKernel(
  pool: object,
  kernel: string,
  args: unknown[],
  transfer: Transferable[],
  signal?: AbortSignal,
): Promise<unknown> {
  const dispatcher = OWNERS.get(pool);
  if (dispatcher === undefined) {
    return Promise.reject(
      new TypeError("runKernel: pool must be a WorkerPool"),
    );
  }
  return dispatcher.run(kernel, args, transfer, signal);
}
