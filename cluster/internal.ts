// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * The cluster's interface to the other folders of the kit (its scripts):
 * reading Redis's `INFO` replies, and (for its tests) its URL and version checks. Not exported from any entry point, and
 * not for users.
 *
 * @module
 */

export { checkVersion, parseInfo, redisTarget } from "./_redis.ts";
