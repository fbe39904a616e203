// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * The load test in `deno bench` form: N matches of 500 points against a
 * 500-point reference, by the original pure-JS DTW one after the other
 * (baseline), by a kit matcher all at once, and through the matching
 * service on loopback (in-process server) over WebSocket and QUIC.
 *
 * ```sh
 * deno bench -A bench/load_bench.ts
 * BENCH_QUICK=1 deno bench -A bench/load_bench.ts   # fewer matches
 * ```
 *
 * For the full load test (sustained throughput, memory), run
 * `deno task load`.
 *
 * @module
 */

import { createMatchQueue, dtw, type MatchQueue } from "@midstreamer/kit";
import { PureJSDTW } from "@midstreamer/kit/baseline";
import {
  connectService,
  serveService,
  type ServiceClient,
  type ServiceServer,
} from "../service/mod.ts";
import { randomWalk, randomWalks, rng } from "../testing/rng.ts";
import { generateTls } from "../testing/tls.ts";

const QUICK = Deno.env.get("BENCH_QUICK") === "1";
const N = QUICK ? 20 : 100;
const POINTS = 500;
const random = rng(1);
const reference = randomWalk(POINTS, random);
const patterns = randomWalks(N, random, POINTS);

const tls = await generateTls();
const queue: MatchQueue = await createMatchQueue(reference, { queueSize: N });
// A whole `deno task compare` run can leave these connections idle for
// longer than the servers' default idle timeout (2 minutes) while the other
// suites run: a day, for these bench-only servers.
const idleTimeout = 86_400_000;
const wsServer: ServiceServer = await serveService({
  transport: "websocket",
  idleTimeout,
});
const quicServer: ServiceServer = await serveService({
  transport: "quic",
  cert: tls.cert,
  key: tls.key,
  idleTimeout,
});
const ws: ServiceClient = await connectService({
  transport: "websocket",
  port: wsServer.addr.port,
});
const quic: ServiceClient = await connectService({
  transport: "quic",
  port: quicServer.addr.port,
  caCerts: [tls.caCert],
  serverName: "localhost",
});

// Peers must agree before they are timed.
const want = patterns.map((p) => dtw(reference, p));
const check = (got: ArrayLike<number>, who: string) => {
  for (let i = 0; i < N; i++) {
    if (got[i] !== want[i]) throw new Error(`${who} disagrees at ${i}`);
  }
};
check(patterns.map((p) => PureJSDTW.calculate(reference, p)), "PureJSDTW");
check(await Promise.all(patterns.map((p) => queue.match(p))), "match queue");
check(await Promise.all(patterns.map((p) => ws.dtw(reference, p))), "ws");
check(await Promise.all(patterns.map((p) => quic.dtw(reference, p))), "quic");

const group = `load ${POINTS}`;

Deno.bench({
  name: `original PureJSDTW, ${N} matches in sequence`,
  group,
  baseline: true,
  fn: () => {
    for (const p of patterns) PureJSDTW.calculate(reference, p);
  },
});

Deno.bench({
  name: `kit matcher, ${N} concurrent matches`,
  group,
  fn: async () => {
    await Promise.all(patterns.map((p) => queue.match(p)));
  },
});

Deno.bench({
  name: `service over WebSocket, ${N} concurrent dtw requests`,
  group,
  fn: async () => {
    await Promise.all(patterns.map((p) => ws.dtw(reference, p)));
  },
});

Deno.bench({
  name: `service over QUIC, ${N} concurrent dtw requests`,
  group,
  fn: async () => {
    await Promise.all(patterns.map((p) => quic.dtw(reference, p)));
  },
});

Deno.bench({
  name: `service over QUIC, one dtwBatch of ${N}`,
  group,
  fn: async () => {
    await quic.dtwBatch(reference, patterns);
  },
});

globalThis.addEventListener("unload", () => {
  // Best effort: the bench runner exits after the last bench.
  void Promise.all([
    queue.close(),
    ws.close(),
    quic.close(),
    wsServer.close(),
    quicServer.close(),
  ]);
});
