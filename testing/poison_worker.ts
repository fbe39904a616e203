// Copyright 2026 the @midstreamer/kit authors. MIT license.
// A cluster worker for tests: the real one (`startWorker`, one thread),
// which kills itself (SIGKILL) as soon as it takes a `dtwPath` shard: every
// such shard is a poison shard. Started like `cluster/main.ts`:
// `deno run -A testing/poison_worker.ts --redis URL`; prints a `ready` line.

import { parseArgs } from "node:util";
import { startWorker } from "../cluster/mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { redis: { type: "string" }, queue: { type: "string" } },
});
await startWorker({
  redis: values.redis!,
  ...(values.queue === undefined ? {} : { queue: values.queue }),
  threads: 1,
  onShard: (e) => {
    if (e.type === "start" && e.op === "dtwPath") {
      Deno.kill(Deno.pid, "SIGKILL");
    }
  },
});
console.log(`ready poison worker ${Deno.pid}`);
