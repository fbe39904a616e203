// Copyright 2026 the @midstreamer/kit authors. MIT license.

/**
 * A {@linkcode MatchQueue}'s queue was full: `match` rejects with this error
 * at once instead of waiting, so that a caller under overload can shed load
 * (retry later, or report back-pressure) and memory stays bounded.
 *
 * @example Shedding load
 * ```ts
 * import { createMatchQueue, QueueFullError } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * await using queue = await createMatchQueue([1, 2, 3], { queueSize: 1 });
 * const first = queue.match([1, 2, 3]);
 * await assert.rejects(queue.match([3, 2, 1]), QueueFullError);
 * assert.equal(await first, 0);
 * ```
 */
export class QueueFullError extends Error {
  /**
   * Constructs a new instance.
   *
   * @example A queue-full error
   * ```ts
   * import { QueueFullError } from "@midstreamer/kit";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new QueueFullError("full").name, "QueueFullError");
   * ```
   *
   * @param message The error message.
   * @param options Standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "QueueFullError";
  }
}
