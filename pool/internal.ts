// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * The pool's interface to the other folders of the kit (the service and
 * the cluster): rebuilding the kit's errors sent across a thread or
 * process boundary, checking the asynchronous options, and running a
 * kernel of the worker script on a pool's worker.
 * Not exported from any entry point, and not for users.
 *
 * @module
 */

import { ClosedError } from "./closed_error.ts";
import { QueueFullError } from "./queue_full_error.ts";

/**
 * The error classes of the kit that keep their class across a boundary
 * (a worker, the service): an error is sent as its `name` and `message`
 * and rebuilt from this registry.
 */
const KIT_ERRORS: Readonly<
  Record<string, new (message: string, options?: ErrorOptions) => Error>
> = Object.freeze({
  TypeError,
  RangeError,
  ClosedError,
  QueueFullError,
});

/**
 * The error of class `name` (one of the kit's: `TypeError`, `RangeError`,
 * `ClosedError`, `QueueFullError`) with `message`, or `undefined` for any
 * other name.
 */
export function reviveError(
  name: string,
  message: string,
  options?: ErrorOptions,
): Error | undefined {
  const Class = Object.hasOwn(KIT_ERRORS, name) ? KIT_ERRORS[name] : undefined;
  return Class === undefined ? undefined : new Class(message, options);
}

export { ASYNC_KEYS, asyncArgs, withAsyncKeys } from "./_async_options.ts";
export { runKernel } from "./_dispatcher.ts";
export { WORKER_SCRIPT } from "./_protocol.ts";
export {
  type ClaimedResult,
  searchClaimed,
  SearchControl,
  sharedPartWindows,
} from "./_shared_search.ts";
