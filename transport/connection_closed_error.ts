// Copyright 2026 the @midstreamer/kit authors. MIT license.

import { ClosedError } from "../pool/closed_error.ts";

export { ClosedError };

/**
 * The former name of {@linkcode ClosedError}: the same class, so
 * `instanceof` works both ways.
 *
 * @example Old code keeps working
 * ```ts
 * import { ClosedError, ConnectionClosedError } from "@midstreamer/kit/transport";
 * import assert from "node:assert/strict";
 *
 * const error = new ConnectionClosedError("connection closed by peer");
 * assert.ok(error instanceof ClosedError);
 * assert.ok(new ClosedError("closed") instanceof ConnectionClosedError);
 * ```
 *
 * @deprecated Use `ClosedError`. Removed in 1.0.
 */
export const ConnectionClosedError: typeof ClosedError = ClosedError;
/**
 * The former name of {@linkcode ClosedError}.
 *
 * @deprecated Use `ClosedError`. Removed in 1.0.
 */
export type ConnectionClosedError = ClosedError;
