// Copyright 2026 the @midstreamer/kit authors. MIT license.
// The soak (`deno task cluster:soak`), short: calls of every kind, some
// aborted, on a real redis-server and 2 worker processes; every result
// checked, and nothing but the queue's fixed bookkeeping left behind. The
// hour-long run is `deno task cluster:soak --minutes 60` (README).

import assert from "node:assert/strict";
import { soak } from "../scripts/cluster_soak.ts";
import { findRedisServer, NO_REDIS } from "../testing/redis.ts";

const hasRedis = findRedisServer() !== undefined;
if (!hasRedis) console.warn(NO_REDIS);

Deno.test({
  name:
    "cluster soak, 20 s: right results, aborted calls clean up, no key left behind",
  ignore: !hasRedis,
  async fn() {
    const report = await soak(1 / 3, () => {});
    assert.deepEqual(report.failures, []);
    const total = Object.values(report.calls).reduce((a, b) => a + b, 0);
    assert.ok(total >= 12, `${total} calls`);
    assert.ok(report.aborted >= 1, `${report.aborted} aborted`);
    assert.ok(report.clean, report.finalKeys.join(" "));
  },
});
