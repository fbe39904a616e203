// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * The internals of the original design's API (`./core`) that tests check
 * directly: its option names, memory-limit parsing and worker bookkeeping.
 * Not exported from any entry point, and not for users.
 *
 * @module
 */

export { ALGORITHMS, MODES, OPTION_KEYS } from "./_config.ts";
export { formatBytes, matchBytes, parseMemoryLimit } from "./_memory.ts";
export { IDLE_CLOSE_MS, runningWorkers } from "./_pool.ts";
