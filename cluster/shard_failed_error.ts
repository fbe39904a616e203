// Copyright 2026 the @midstreamer/kit authors. MIT license.

/**
 * A shard of a job failed for good, so the job did: a poison shard that
 * stopped every worker that took it (the queue's stalled-job limit,
 * `maxStalledCount`, was passed), or an error in the worker that retries
 * did not cure. The message names the call, the shard, the job and the
 * cause. A shard that a worker refuses (over its limits, malformed)
 * rejects with the worker's `TypeError` or `RangeError` instead.
 *
 * @example Telling a poison shard apart
 * ```ts
 * import { ShardFailedError } from "@midstreamer/kit/cluster";
 * import assert from "node:assert/strict";
 *
 * const error = new ShardFailedError("dtw: shard 1 of 1 (job 5f3a) stopped 2 workers", {
 *   shard: 0,
 *   attempts: 2,
 *   poison: true,
 * });
 * assert.equal(error.poison, true);
 * ```
 */
export class ShardFailedError extends Error {
  /**
   * The failed shard's index in its job, from 0.
   *
   * @example The shard
   * ```ts
   * import { ShardFailedError } from "@midstreamer/kit/cluster";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new ShardFailedError("x", { shard: 3, attempts: 1, poison: false }).shard, 3);
   * ```
   */
  readonly shard: number;
  /**
   * How many times the shard was started before it failed.
   *
   * @example Attempts
   * ```ts
   * import { ShardFailedError } from "@midstreamer/kit/cluster";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new ShardFailedError("x", { shard: 0, attempts: 2, poison: true }).attempts, 2);
   * ```
   */
  readonly attempts: number;
  /**
   * Whether the workers that took it died (a poison shard), rather than
   * reporting an error.
   *
   * @example A shard that raised an error
   * ```ts
   * import { ShardFailedError } from "@midstreamer/kit/cluster";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new ShardFailedError("x", { shard: 0, attempts: 3, poison: false }).poison, false);
   * ```
   */
  readonly poison: boolean;

  /**
   * Constructs a new instance.
   *
   * @example An error
   * ```ts
   * import { ShardFailedError } from "@midstreamer/kit/cluster";
   * import assert from "node:assert/strict";
   *
   * const error = new ShardFailedError("topK: shard 2 of 9 failed", { shard: 2, attempts: 3, poison: false });
   * assert.equal(error.name, "ShardFailedError");
   * ```
   *
   * @param message The error message.
   * @param details The shard, its attempts, and whether it was poison.
   * @param options Standard error options (`cause`).
   */
  constructor(
    message: string,
    details: { shard: number; attempts: number; poison: boolean },
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "ShardFailedError";
    this.shard = details.shard;
    this.attempts = details.attempts;
    this.poison = details.poison;
  }
}
