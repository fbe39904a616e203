// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * The cluster's interface to the other folders of the kit: reading
 * Redis's `INFO` replies (its scripts), its URL and version checks, and
 * the plan of a search and the shard format's version (its tests). Not exported from any entry point, and not for users.
 *
 * @module
 */

export { checkVersion, parseInfo, redisTarget } from "./_redis.ts";
export { planSearch, SERIES_CHUNK } from "./_plan.ts";
export { SHARD_VERSION } from "./_shards.ts";
