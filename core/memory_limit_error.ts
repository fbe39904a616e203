// Copyright 2026 the @midstreamer/kit authors. MIT license.

/**
 * A {@linkcode StreamProcessor} call would exceed the processor's
 * `memoryLimit`: the estimated working memory of the call, plus what its
 * calls still pending hold, is above the limit. The call rejects with this
 * error before doing any work. The message names the method, the limit
 * and the estimate; so do {@linkcode MemoryLimitError.limit} and
 * {@linkcode MemoryLimitError.estimate}.
 *
 * @example Catching it
 * ```ts
 * import { MemoryLimitError, StreamProcessor } from "@midstreamer/kit/core";
 * import assert from "node:assert/strict";
 *
 * await using processor = new StreamProcessor({ memoryLimit: "64KB" });
 * const big = new Float64Array(10_000);
 * await assert.rejects(processor.computeDTW(big, big), (e) => {
 *   assert.ok(e instanceof MemoryLimitError);
 *   assert.equal(e.limit, 64 * 1024);
 *   assert.ok(e.estimate > e.limit);
 *   return true;
 * });
 * assert.equal(await processor.computeDTW([1, 2], [1, 2]), 0);
 * ```
 */
export class MemoryLimitError extends Error {
  /** The processor's `memoryLimit`, in bytes. */
  readonly limit: number;
  /** Estimated bytes the call needed, including those held by pending calls. */
  readonly estimate: number;

  /**
   * Constructs a new instance.
   *
   * @example An error of the limit
   * ```ts
   * import { MemoryLimitError } from "@midstreamer/kit/core";
   * import assert from "node:assert/strict";
   *
   * const error = new MemoryLimitError("too big", 1024, 4096);
   * assert.equal(error.name, "MemoryLimitError");
   * assert.equal(error.estimate, 4096);
   * ```
   *
   * @param message The error message.
   * @param limit The limit, in bytes.
   * @param estimate The estimate that exceeded it, in bytes.
   */
  constructor(message: string, limit: number, estimate: number) {
    super(message);
    this.name = "MemoryLimitError";
    this.limit = limit;
    this.estimate = estimate;
  }
}
