// Copyright 2026 the @midstreamer/kit authors. MIT license.

/**
 * A stored pattern set's keys are gone from Redis: they expired (the set
 * was not used for its `ttl`), or Redis lost them (restarted without
 * persistence, or evicted them). The call did not start; store the
 * patterns again.
 *
 * @example Storing again
 * ```ts ignore
 * import { PatternSetExpiredError } from "@midstreamer/kit/cluster";
 *
 * const best = await cluster.topK(reference, set, { k: 10 }).catch(async (e) => {
 *   if (!(e instanceof PatternSetExpiredError)) throw e;
 *   set = await cluster.storePatterns(patterns);
 *   return cluster.topK(reference, set, { k: 10 });
 * });
 * ```
 */
export class PatternSetExpiredError extends Error {
  /**
   * Constructs a new instance.
   *
   * @example An error
   * ```ts
   * import { PatternSetExpiredError } from "@midstreamer/kit/cluster";
   * import assert from "node:assert/strict";
   *
   * const error = new PatternSetExpiredError("the pattern set expired");
   * assert.equal(error.name, "PatternSetExpiredError");
   * ```
   *
   * @param message The error message.
   * @param options Standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "PatternSetExpiredError";
  }
}
