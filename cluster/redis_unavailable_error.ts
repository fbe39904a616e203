// Copyright 2026 the @midstreamer/kit authors. MIT license.

/**
 * Redis could not be used: `connectCluster` or `startWorker` could not
 * reach it (nothing listening, or no answer within `connectTimeout`), or a
 * running job lost contact with it for longer than the cluster's
 * `outageTimeout`. The message says which server and for how long; the
 * job's keys expire on their own (their TTL). Retrying later may succeed.
 *
 * @example Nothing listening
 * ```ts
 * import { connectCluster, RedisUnavailableError } from "@midstreamer/kit/cluster";
 * import assert from "node:assert/strict";
 *
 * const free = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const port = free.addr.port;
 * free.close();
 * await assert.rejects(
 *   connectCluster({ redis: `redis://127.0.0.1:${port}` }),
 *   RedisUnavailableError,
 * );
 * ```
 */
export class RedisUnavailableError extends Error {
  /**
   * Constructs a new instance.
   *
   * @example An error
   * ```ts
   * import { RedisUnavailableError } from "@midstreamer/kit/cluster";
   * import assert from "node:assert/strict";
   *
   * const error = new RedisUnavailableError("Redis at redis://127.0.0.1:6379 is unreachable");
   * assert.equal(error.name, "RedisUnavailableError");
   * ```
   *
   * @param message The error message.
   * @param options Standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RedisUnavailableError";
  }
}
