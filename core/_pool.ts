// Copyright 2026 the @midstreamer/kit authors. MIT license.
// The worker pools of StreamProcessor. Internal.
//
// The original client code makes a new StreamProcessor for every call and
// never closes it. So that such code neither starts workers per call nor
// keeps the process alive forever, the processors share one WorkerPool per
// worker count: it starts on first use, and closes itself once no call has
// used it for IDLE_CLOSE_MS (or at once when a processor closes while no
// call is using it).

import { WorkerPool } from "../pool/worker_pool.ts";

/** A pool with no call running closes after this many milliseconds. */
export const IDLE_CLOSE_MS = 250;

interface Shared {
  pool: WorkerPool;
  busy: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

const pools = new Map<number, Shared>();

/**
 * Runs `job` on the shared pool of `workers` workers (started if needed);
 * the pool stays open at least until `job` settles.
 */
export async function withPool<T>(
  workers: number,
  job: (pool: WorkerPool) => Promise<T>,
): Promise<T> {
  let shared = pools.get(workers);
  if (shared === undefined) {
    shared = { pool: new WorkerPool({ workers }), busy: 0, timer: undefined };
    pools.set(workers, shared);
  }
  const s = shared;
  if (s.timer !== undefined) {
    clearTimeout(s.timer);
    s.timer = undefined;
  }
  s.busy++;
  try {
    return await job(s.pool);
  } finally {
    if (--s.busy === 0 && pools.get(workers) === s) {
      s.timer = setTimeout(() => closeShared(workers, s), IDLE_CLOSE_MS);
    }
  }
}

/** Closes the pool of `workers` workers now, unless a call is using it. */
export async function closeIfIdle(workers: number): Promise<void> {
  const s = pools.get(workers);
  if (s !== undefined && s.busy === 0) await closeShared(workers, s);
}

function closeShared(workers: number, s: Shared): Promise<void> {
  if (s.timer !== undefined) clearTimeout(s.timer);
  s.timer = undefined;
  if (pools.get(workers) === s) pools.delete(workers);
  return s.pool.close();
}

/** Workers running in shared pools now (a test hook). */
export function runningWorkers(): number {
  let n = 0;
  for (const s of pools.values()) n += s.pool.size;
  return n;
}
