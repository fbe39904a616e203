// Copyright 2026 the @midstreamer/kit authors. MIT license.

/**
 * A running job's state is gone from Redis: the server restarted without
 * persistence (its `run_id` changed and the job's marker key is missing),
 * or the job's keys expired or were deleted by someone else. Nothing of it
 * can resume; submitting the call again computes it from the start.
 *
 * @example Resubmitting once
 * ```ts ignore
 * import { JobLostError } from "@midstreamer/kit/cluster";
 *
 * const best = await cluster.topK(reference, patterns, { k: 10 }).catch((e) => {
 *   if (e instanceof JobLostError) return cluster.topK(reference, patterns, { k: 10 });
 *   throw e;
 * });
 * ```
 */
export class JobLostError extends Error {
  /**
   * Constructs a new instance.
   *
   * @example An error
   * ```ts
   * import { JobLostError } from "@midstreamer/kit/cluster";
   * import assert from "node:assert/strict";
   *
   * const error = new JobLostError("Redis restarted without persistence");
   * assert.equal(error.name, "JobLostError");
   * ```
   *
   * @param message The error message.
   * @param options Standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "JobLostError";
  }
}
