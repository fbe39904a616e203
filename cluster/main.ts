// Copyright 2026 the @midstreamer/kit authors. MIT license.

/**
 * `deno task worker`: a worker of a cluster, in a process of its own.
 *
 * ```sh
 * deno run -A cluster/main.ts --redis redis://host:6379 [--threads N]
 *   [--concurrency N] [--queue shards] [--ca ca.pem] [--cert c.pem --key k.pem]
 *   [--max-series-length 100000] [--max-batch-length 10000]
 *   [--max-request-bytes 16777216] [--cache-mb 256] [--lock-duration 4000]
 *   [--stalled-interval 2000] [--max-stalled-count 1] [--verbose]
 * ```
 *
 * - A password may be given in the URL (`redis://user:password@host:port`),
 *   or, kept out of the process list, in `REDIS_PASSWORD` (and
 *   `REDIS_USERNAME`), which then fill in the URL's.
 * - Once connected it prints one line: `ready worker <pid> redis://…
 *   queue=shards threads=2 concurrency=2`.
 * - On a terminal it keeps one status line up to date (shards done and
 *   running, the last shard); `--verbose` prints a line per shard instead.
 * - SIGTERM or SIGINT: takes no more shards, finishes the running ones
 *   (their results are posted), then exits with code 0; a second signal
 *   exits at once with code 1. Killed (SIGKILL), it loses nothing: its
 *   shards are taken again by other workers.
 * - A bad argument or an unreachable Redis exits with code 2 and a message.
 * - It listens on no port.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { type ShardEvent, startWorker } from "./start_worker.ts";

const USAGE = `Usage: deno task worker --redis URL [options]
  --redis URL              redis://[user:password@]host:port[/db] or rediss://… (required)
  --threads N              WorkerPool threads (default: the number of cores)
  --concurrency N          shards taken at once (default: --threads)
  --queue NAME             the queue shared with the callers (default shards)
  --ca FILE                PEM CA for rediss:// (default: the system's)
  --cert FILE --key FILE   PEM client certificate for rediss:// servers that check clients
  --max-series-length N    limits checked on every shard (default: the matching
  --max-batch-length N       service's: 100000, 10000, 16777216, 4000000000)
  --max-request-bytes N
  --max-cells N            (the compute budget of one shard, in DTW/LCS cells)
  --cache-mb N             fetched inputs kept for later shards, stored pattern
                             sets' too: give it room for them (default 256)
  --lock-duration MS       shard lock (default 4000): a dead worker's shards are
  --stalled-interval MS      taken again after about lock + interval (default 2000)
  --max-stalled-count N    times a shard may stop its worker before its call fails (default 1)
  --verbose                one line per shard
  --help                   this message
Environment: REDIS_USERNAME, REDIS_PASSWORD fill in the URL's credentials.`;

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError(
      `--${name} must be a non-negative integer, got ${value}`,
    );
  }
  return n;
}

/** The URL with credentials from the environment filled in. */
function withCredentials(redis: string): string {
  const user = Deno.env.get("REDIS_USERNAME");
  const password = Deno.env.get("REDIS_PASSWORD");
  if (user === undefined && password === undefined) return redis;
  const url = new URL(redis);
  if (user !== undefined) url.username = encodeURIComponent(user);
  if (password !== undefined) url.password = encodeURIComponent(password);
  return url.href;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      redis: { type: "string" },
      threads: { type: "string" },
      concurrency: { type: "string" },
      queue: { type: "string" },
      ca: { type: "string" },
      cert: { type: "string" },
      key: { type: "string" },
      "max-series-length": { type: "string" },
      "max-batch-length": { type: "string" },
      "max-request-bytes": { type: "string" },
      "max-cells": { type: "string" },
      "cache-mb": { type: "string" },
      "lock-duration": { type: "string" },
      "stalled-interval": { type: "string" },
      "max-stalled-count": { type: "string" },
      verbose: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.redis === undefined) {
    throw new TypeError(`--redis URL is required\n${USAGE}`);
  }
  const read = (f: string | undefined) =>
    f === undefined ? undefined : Deno.readTextFileSync(f);
  const tls = values.ca ?? values.cert ?? values.key
    ? { ca: read(values.ca), cert: read(values.cert), key: read(values.key) }
    : undefined;
  const limits = {
    maxSeriesLength: integer("max-series-length", values["max-series-length"]),
    maxBatchLength: integer("max-batch-length", values["max-batch-length"]),
    maxRequestBytes: integer("max-request-bytes", values["max-request-bytes"]),
    maxCells: integer("max-cells", values["max-cells"]),
  };
  const cacheMb = integer("cache-mb", values["cache-mb"]);
  const terminal = Deno.stdout.isTerminal() && !values.verbose;
  const encoder = new TextEncoder();
  let last = "";
  let done = 0, failed = 0;
  let running = () => 0;
  const onShard = (e: ShardEvent) => {
    if (e.type === "done") done++;
    if (e.type === "failed") failed++;
    last = `${e.op} shard ${e.shard + 1}/${e.shards} of job ${e.job} ${e.type}${
      e.ms === undefined
        ? ""
        : ` (${e.ms} ms${
          e.computeMs === undefined ? "" : `, computing ${e.computeMs} ms`
        })`
    }${e.error === undefined ? "" : `: ${e.error}`}`;
    if (values.verbose) {
      console.log(`${last} at=${e.at.toFixed(3)}`);
    } else if (terminal) {
      const line = `\r\x1b[2K${done} shards done, ${running()} running${
        failed > 0 ? `, ${failed} failed` : ""
      } | ${last}`;
      Deno.stdout.writeSync(encoder.encode(line.slice(0, 160)));
    }
  };
  const worker = await startWorker({
    redis: withCredentials(values.redis),
    ...(tls === undefined ? {} : { tls }),
    ...(values.queue === undefined ? {} : { queue: values.queue }),
    threads: integer("threads", values.threads),
    concurrency: integer("concurrency", values.concurrency),
    limits,
    ...(cacheMb === undefined ? {} : { cacheBytes: cacheMb * 2 ** 20 }),
    lockDuration: integer("lock-duration", values["lock-duration"]),
    stalledInterval: integer("stalled-interval", values["stalled-interval"]),
    maxStalledCount: integer("max-stalled-count", values["max-stalled-count"]),
    onShard,
  });
  running = () => worker.running;
  const shown = new URL(values.redis);
  if (shown.password !== "") shown.password = "***";
  const threads = integer("threads", values.threads) ??
    navigator.hardwareConcurrency;
  console.log(
    `ready worker ${Deno.pid} ${shown.href} queue=${
      values.queue ?? "shards"
    } threads=${threads} concurrency=${
      integer("concurrency", values.concurrency) ?? threads
    }`,
  );

  const { promise: stopped, resolve: stop } = Promise.withResolvers<string>();
  let signalled = false;
  const onSignal = (signal: Deno.Signal) => () => {
    if (signalled) {
      console.error(`${signal} again: exiting without waiting`);
      Deno.exit(1);
    }
    signalled = true;
    stop(signal);
  };
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, onSignal(s));
  const signal = await stopped;
  if (terminal) console.log();
  console.log(
    `${signal}: finishing ${worker.running} running shard${
      worker.running === 1 ? "" : "s"
    }`,
  );
  await worker.close();
  console.log(`stopped after ${worker.shardsDone} shards`);
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main());
  } catch (error) {
    console.error(
      `worker: ${error instanceof Error ? error.message : error}`,
    );
    Deno.exit(2);
  }
}
