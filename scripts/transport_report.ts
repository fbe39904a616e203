// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * Measures `@midstreamer/kit/transport` on loopback: request round trips by
 * transport, client and size (with the raw, unframed Deno sockets as the
 * floor), 100 multiplexed streams, and connection set-up (full QUIC
 * handshake, QUIC 0-RTT resumption, ws://, wss://). Extra round-trip rows
 * for Deno's WebSocket client at 2, 4, 16 and 60 KiB cover each way the
 * transport shapes its messages (chunks of a continued frame, padding);
 * the raw client stalls ~44 ms there (Nagle), so those rows take fewer
 * samples.
 *
 * ```sh
 * deno run -A scripts/transport_report.ts [--quick] [--json]
 * ```
 *
 * All figures are milliseconds. The measuring functions are exported so
 * that other scripts (compare/HTML reports) can import them.
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  type Channel,
  connect,
  type ConnectOptions,
} from "../transport/mod.ts";
import {
  type Fixture,
  openChannel,
  openRawQuic,
  openRawWebSocket,
  type Roundtrip,
  startFixture,
} from "../testing/transport_fixture.ts";
import { mean, percentile } from "./_stats.ts";

/** Summary statistics in milliseconds. */
export interface Stats {
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  n: number;
}

/** What is measured in a round-trip row. */
export type RttKind =
  | "quic"
  | "websocket"
  | "raw-quic"
  | "raw-websocket";

/** One round-trip measurement. */
export interface RttRow extends Stats {
  transport: RttKind;
  client: "deno" | "ws" | "-";
  size: number;
}

/** One multiplexing measurement: a round of 100 concurrent requests. */
export interface MultiplexRow extends Stats {
  mode: "quic-streams" | "websocket-logical-streams" | "websocket-100-sockets";
  streams: number;
  size: number;
}

/**
 * One connection set-up measurement. For QUIC 0-RTT modes the statistics
 * cover only the connections that were resumed; connections that fell back
 * to a full handshake (no unused session ticket) are counted separately.
 */
export interface SetupRow extends Stats {
  mode:
    | "quic-full-handshake"
    | "quic-0rtt"
    | "quic-full+first-request"
    | "quic-0rtt+first-request"
    | "ws://"
    | "wss://";
  client: "deno" | "ws" | "-";
  /** For QUIC 0-RTT: how many connections reported `resumed: true`. */
  resumed?: number;
  /** For QUIC 0-RTT: `resumed` divided by the number of connections. */
  resumedFraction?: number;
  /** For QUIC 0-RTT: p50 of the connections that were not resumed. */
  unresumedP50?: number;
  /** For QUIC 0-RTT: requests that failed because 0-RTT was rejected. */
  rejected?: number;
  /**
   * For QUIC 0-RTT: how long each connection stayed open after its
   * (untimed) last reply, e.g. "0 ms" or "1 ms"; session tickets arrive
   * just after the handshake, so closing at once can lose them.
   */
  closeWait?: string;
}

/** The whole report, as printed by `--json`. */
export interface Report {
  meta: { deno: string; date: string; quick: boolean; note: string };
  rtt: RttRow[];
  multiplex: MultiplexRow[];
  setup: SetupRow[];
}

/** Computes mean and nearest-rank percentiles of samples in ms. */
export function stats(samples: number[]): Stats {
  const sorted = samples.toSorted((a, b) => a - b);
  const round = (x: number) => Math.round(x * 1e4) / 1e4;
  const at = (q: number) => round(percentile(sorted, q, 0));
  return {
    mean: round(mean(sorted, 0)),
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    n: sorted.length,
  };
}

/**
 * Times `fn` `n` times after `warmup` untimed runs, stopping early once
 * `budgetMs` of timed runs have passed (the row's `n` says how many ran).
 */
export async function sample(
  fn: () => Promise<unknown>,
  n: number,
  warmup = Math.min(50, n),
  budgetMs = 15_000,
): Promise<Stats> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
    if (performance.now() - start > budgetMs) break;
  }
  return stats(samples);
}

/** Round trips of `size` bytes for one transport/client, `n` samples. */
export async function measureRtt(
  fixture: Fixture,
  transport: RttKind,
  client: "deno" | "ws" | "-",
  size: number,
  n: number,
): Promise<RttRow> {
  const message = new Uint8Array(size).fill(7);
  let target: Roundtrip;
  if (transport === "raw-quic") target = await openRawQuic(fixture);
  else if (transport === "raw-websocket") {
    target = await openRawWebSocket(fixture, client === "ws" ? "ws" : "deno");
  } else {
    const channel = await openChannel(
      fixture,
      transport,
      client === "ws" ? "ws" : "deno",
    );
    target = {
      request: (m) => channel.request(m),
      [Symbol.asyncDispose]: () => channel.close(),
    };
  }
  await using _ = target;
  const result = await sample(() => target.request(message), n);
  return { transport, client, size, ...result };
}

/** One round = one request on each of `streams` streams, concurrently. */
export async function measureMultiplex(
  fixture: Fixture,
  mode: MultiplexRow["mode"],
  n: number,
  streams = 100,
  size = 64,
): Promise<MultiplexRow> {
  const message = new Uint8Array(size).fill(1);
  const channels: Channel[] = [];
  const requests: ((m: Uint8Array) => Promise<Uint8Array>)[] = [];
  const closers: (() => Promise<void>)[] = [];
  if (mode === "websocket-100-sockets") {
    for (let i = 0; i < streams; i++) {
      const channel = await openChannel(fixture, "websocket");
      channels.push(channel);
      requests.push((m) => channel.request(m));
    }
  } else {
    const channel = await openChannel(
      fixture,
      mode === "quic-streams" ? "quic" : "websocket",
    );
    channels.push(channel);
    for (let i = 0; i < streams; i++) {
      const stream = await channel.openStream();
      requests.push((m) => stream.request(m));
      closers.push(() => stream.close());
    }
  }
  try {
    const result = await sample(
      () => Promise.all(requests.map((request) => request(message))),
      n,
      Math.min(10, n),
    );
    return { mode, streams, size, ...result };
  } finally {
    await Promise.all(closers.map((close) => close()));
    await Promise.all(channels.map((channel) => channel.close()));
  }
}

/**
 * Connection set-up times (connect until the channel is usable, or until
 * the first reply). For 0-RTT modes, each connection stays open
 * `closeWaitMs` after its last reply before it is closed.
 */
export async function measureSetup(
  fixture: Fixture,
  mode: SetupRow["mode"],
  client: "deno" | "ws" | "-",
  n: number,
  closeWaitMs = 0,
): Promise<SetupRow> {
  const one = new Uint8Array(1);
  const quicOptions = (endpoint: Deno.QuicEndpoint): ConnectOptions => ({
    transport: "quic",
    port: fixture.quic.addr.port,
    caCerts: [fixture.tls.caCert],
    serverName: "localhost",
    endpoint,
  });
  if (mode.startsWith("quic")) {
    const zeroRtt = mode.includes("0rtt");
    const withRequest = mode.includes("first-request");
    const shared = new Deno.QuicEndpoint({ hostname: "127.0.0.1" });
    let resumed = 0;
    let rejected = 0;
    try {
      if (zeroRtt) {
        // Obtain a session ticket.
        await using first = await connect(quicOptions(shared));
        await first.request(one);
      }
      const samples: number[] = [];
      const unresumed: number[] = [];
      for (let i = 0; i < n; i++) {
        // Full handshakes use a fresh endpoint (no ticket), bound untimed.
        const endpoint = zeroRtt
          ? shared
          : new Deno.QuicEndpoint({ hostname: "127.0.0.1" });
        const t = performance.now();
        const channel = await connect({ ...quicOptions(endpoint), zeroRtt });
        let ok = true;
        if (withRequest) {
          ok = await channel.request(one).then(() => true, () => false);
        }
        const elapsed = performance.now() - t;
        if (!zeroRtt || channel.resumed) samples.push(elapsed);
        else unresumed.push(elapsed);
        if (channel.resumed) resumed++;
        if (!withRequest) {
          ok = await channel.request(one).then(() => true, () => false);
        }
        if (!ok) rejected++;
        if (closeWaitMs > 0) {
          await new Promise((resolve) => setTimeout(resolve, closeWaitMs));
        }
        await channel.close();
        if (!zeroRtt) endpoint.close();
      }
      return {
        mode,
        client: "-",
        ...stats(samples),
        ...(zeroRtt
          ? {
            resumed,
            resumedFraction: Math.round((resumed / n) * 1000) / 1000,
            ...(unresumed.length > 0
              ? { unresumedP50: stats(unresumed).p50 }
              : {}),
            rejected,
            closeWait: `${closeWaitMs} ms`,
          }
          : {}),
      };
    } finally {
      shared.close();
    }
  }
  const secure = mode === "wss://";
  const options: ConnectOptions = secure
    ? {
      transport: "websocket",
      hostname: client === "deno" ? "localhost" : "127.0.0.1",
      port: fixture.wss.addr.port,
      caCerts: [fixture.tls.caCert],
      client: client === "ws" ? "ws" : "deno",
      ...(client === "ws" ? { serverName: "localhost" } : {}),
    }
    : {
      transport: "websocket",
      port: fixture.ws.addr.port,
      client: client === "ws" ? "ws" : "deno",
    };
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const channel = await connect(options);
    samples.push(performance.now() - t);
    await channel.close();
  }
  return { mode, client, ...stats(samples) };
}

/** Sizes measured: 64 B, 1 KiB, 64 KiB, 1 MiB. */
export const SIZES: readonly number[] = [64, 1024, 64 * 1024, 1024 * 1024];

/**
 * Extra sizes for Deno's WebSocket client: 2 KiB (3 chunks), 4 KiB (just
 * above the chunk limit: padded), 16 KiB and 60 KiB (padded).
 */
export const DENO_SHAPING_SIZES: readonly number[] = [
  2048,
  4096,
  16 * 1024,
  60 * 1024,
];

/** Runs every measurement. `quick` uses 100 samples instead of 1,000. */
export async function runReport(
  options: { quick?: boolean; log?: (line: string) => void } = {},
): Promise<Report> {
  const quick = options.quick ?? false;
  const log = options.log ?? (() => {});
  const n = quick ? 100 : 1000;
  await using fixture = await startFixture();
  const rtt: RttRow[] = [];
  const rttCases: [RttKind, "deno" | "ws" | "-"][] = [
    ["raw-quic", "-"],
    ["quic", "-"],
    ["raw-websocket", "deno"],
    ["websocket", "deno"],
    ["raw-websocket", "ws"],
    ["websocket", "ws"],
  ];
  for (const size of SIZES) {
    for (const [transport, client] of rttCases) {
      const count = size >= 1024 * 1024 ? Math.max(50, n / 5) : n;
      const row = await measureRtt(fixture, transport, client, size, count);
      log(`rtt ${transport}/${client} ${size} B: p50 ${row.p50} ms`);
      rtt.push(row);
    }
  }
  for (const size of DENO_SHAPING_SIZES) {
    for (const transport of ["raw-websocket", "websocket"] as const) {
      // The raw client stalls ~44 ms per message at these sizes.
      const count = transport === "raw-websocket" ? n / 10 : n;
      const row = await measureRtt(fixture, transport, "deno", size, count);
      log(`rtt ${transport}/deno ${size} B: p50 ${row.p50} ms`);
      rtt.push(row);
    }
  }
  const multiplex: MultiplexRow[] = [];
  for (
    const mode of [
      "quic-streams",
      "websocket-logical-streams",
      "websocket-100-sockets",
    ] as const
  ) {
    const row = await measureMultiplex(fixture, mode, quick ? 50 : 200);
    log(`multiplex ${mode}: p50 ${row.p50} ms`);
    multiplex.push(row);
  }
  const setup: SetupRow[] = [];
  const setupCases: [SetupRow["mode"], "deno" | "ws" | "-", number][] = [
    ["quic-full-handshake", "-", 0],
    ["quic-0rtt", "-", 0],
    ["quic-0rtt", "-", 1],
    ["quic-full+first-request", "-", 0],
    ["quic-0rtt+first-request", "-", 0],
    ["quic-0rtt+first-request", "-", 1],
    ["ws://", "deno", 0],
    ["ws://", "ws", 0],
    ["wss://", "deno", 0],
    ["wss://", "ws", 0],
  ];
  for (const [mode, client, closeWaitMs] of setupCases) {
    const row = await measureSetup(
      fixture,
      mode,
      client,
      quick ? 30 : 200,
      closeWaitMs,
    );
    log(
      `setup ${mode}/${client}${
        row.closeWait ? ` (close wait ${row.closeWait})` : ""
      }: p50 ${row.p50} ms${
        row.resumedFraction === undefined
          ? ""
          : `, resumed ${row.resumedFraction}`
      }`,
    );
    setup.push(row);
  }
  return {
    meta: {
      deno: Deno.version.deno,
      date: new Date().toISOString(),
      quick,
      note: "loopback; ms; n may be below the target when a row hit the " +
        "15 s time budget; QUIC 0-RTT rows: statistics over resumed " +
        "connections only (see resumedFraction, unresumedP50)",
    },
    rtt,
    multiplex,
    setup,
  };
}

function table(rows: readonly object[]): string {
  if (rows.length === 0) return "";
  const keys = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const line = (cells: unknown[]) => `| ${cells.join(" | ")} |`;
  return [
    line(keys),
    line(keys.map(() => "---")),
    ...rows.map((row) =>
      line(keys.map((key) => (row as Record<string, unknown>)[key] ?? ""))
    ),
  ].join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      quick: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    },
  });
  const report = await runReport({
    quick: values.quick,
    log: values.json ? undefined : (line) => console.error(line),
  });
  if (values.json) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    console.log(`Transport report (Deno ${report.meta.deno}, loopback, ms)\n`);
    console.log("Round trips\n");
    console.log(table(report.rtt));
    console.log("\n100 concurrent requests, one per stream\n");
    console.log(
      table(report.multiplex),
    );
    console.log("\nConnection set-up\n");
    console.log(table(report.setup));
  }
}
