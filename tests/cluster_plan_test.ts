// Copyright 2026 the @midstreamer/kit authors. MIT license.
// The cluster's plan of a search keeps every shard and every chunk of the
// series within the limits its workers check (cluster/_execute.ts refuses
// a search shard of more than maxRequestBytes for its query and range, and
// cluster/_blob_format.ts a blob over it).

import assert from "node:assert/strict";
import { planSearch, SERIES_CHUNK } from "../cluster/internal.ts";
import { searchArgs } from "../kernels/internal.ts";
import { DEFAULT_SERVICE_LIMITS } from "../service/mod.ts";

const fn = "searchSubsequence";

Deno.test("cluster plan: a search of several values per point keeps its shards and chunks within maxRequestBytes", () => {
  for (const [dims, maxRequestBytes] of [[3, 1_600_000], [2, 1_100_000]]) {
    const n = SERIES_CHUNK + 4_464, m = 64;
    const limits = { ...DEFAULT_SERVICE_LIMITS, maxRequestBytes };
    const plan = planSearch(
      fn,
      new Float64Array(n * dims),
      new Float64Array(m * dims),
      searchArgs(fn, n, m, { window: 3 }),
      limits,
      1e6, // shards as long as the limits let them be
      dims,
    );
    assert.ok(plan.shards.length > 1, `dims ${dims}: cut into shards`);
    let next = 0;
    for (const { args } of plan.shards) {
      const length = args.length as number;
      assert.ok(
        8 * dims * (m + length) <= maxRequestBytes,
        `dims ${dims}: a shard of ${length} points`,
      );
      assert.equal(args.base, next, "the shards cover the windows in order");
      next += length - m + 1;
    }
    assert.equal(next, n - m + 1);
    for (const blob of plan.blobs) {
      assert.ok(blob.bytes!.byteLength <= maxRequestBytes);
    }
  }
});

Deno.test("cluster plan: a search whose chunk or smallest shard is over maxRequestBytes is a RangeError", () => {
  const n = 2 * SERIES_CHUNK;
  const plan = (dims: number, maxRequestBytes: number, m = 64) =>
    planSearch(
      fn,
      new Float64Array(n * dims),
      new Float64Array(m * dims),
      searchArgs(fn, n, m, { window: 3 }),
      { ...DEFAULT_SERVICE_LIMITS, maxRequestBytes },
      100,
      dims,
    );
  // A chunk of 65,536 points of 40 values is 21 MB.
  assert.throws(() => plan(40, 16 * 1024 * 1024), {
    name: "RangeError",
    message: /40 values per point.*chunks of 65536 points.*maxRequestBytes/,
  });
  // The chunk fits but no shard of 1,024 windows of a query of 40,000
  // points does.
  assert.throws(() => plan(1, 8 * SERIES_CHUNK, 40_000), {
    name: "RangeError",
    message: /a shard of 1024 windows would need/,
  });
});
