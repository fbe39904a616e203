// Copyright 2026 the @midstreamer/kit authors. MIT license.

/**
 * A {@linkcode Matcher}'s queue was full: `match` rejects with this error at
 * once instead of waiting, so that a caller under overload can shed load
 * (retry later, or report back-pressure) and memory stays bounded.
 *
 * @example Shedding load
 * ```ts
 * import { createMatcher, QueueFullError } from "@midstreamer/kit";
 * import assert from "node:assert/strict";
 *
 * await using matcher = await createMatcher([1, 2, 3], { queueSize: 1 });
 * const first = matcher.match([1, 2, 3]);
 * await assert.rejects(matcher.match([3, 2, 1]), QueueFullError);
 * assert.equal(await first, 0);
 * ```
 */
export class QueueFullError extends Error {
  /**
   * Constructs a new instance.
   *
   * @param message The error message.
   * @param options Standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "QueueFullError";
  }
}
