// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * Loopback benchmarks for `@midstreamer/kit/transport`.
 *
 * ```sh
 * deno bench -A bench/transport_bench.ts
 * ```
 *
 * Each round-trip group compares the framed `request` with the raw Deno
 * socket of the same transport (the baseline). Deno's WebSocket client
 * stalls ~44 ms on messages of 1025-65482 bytes (no TCP_NODELAY); the
 * transport shapes its messages to avoid that (see `_websocket.ts`), so all
 * sizes run here; see the report script for the full figures.
 *
 * @module
 */

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

const fixture: Fixture = await startFixture();
const quic: Channel = await openChannel(fixture, "quic");
const wsDeno: Channel = await openChannel(fixture, "websocket", "deno");
const wsNpm: Channel = await openChannel(fixture, "websocket", "ws");
const rawQuic: Roundtrip = await openRawQuic(fixture);
const rawWsDeno: Roundtrip = await openRawWebSocket(fixture, "deno");
const rawWsNpm: Roundtrip = await openRawWebSocket(fixture, "ws");

const SIZES: [string, number][] = [
  ["64B", 64],
  ["1KiB", 1024],
  ["64KiB", 64 * 1024],
  ["1MiB", 1024 * 1024],
];

for (const [label, size] of SIZES) {
  const message = new Uint8Array(size).fill(3);
  Deno.bench({
    name: `raw QUIC stream echo ${label}`,
    group: `quic rtt ${label}`,
    baseline: true,
    fn: async () => void await rawQuic.request(message),
  });
  Deno.bench({
    name: `quic request ${label}`,
    group: `quic rtt ${label}`,
    fn: async () => void await quic.request(message),
  });
  Deno.bench({
    name: `raw WebSocket echo (npm:ws) ${label}`,
    group: `websocket rtt ${label}`,
    baseline: true,
    fn: async () => void await rawWsNpm.request(message),
  });
  Deno.bench({
    name: `websocket request (npm:ws) ${label}`,
    group: `websocket rtt ${label}`,
    fn: async () => void await wsNpm.request(message),
  });
  Deno.bench({
    name: `raw WebSocket echo (Deno) ${label}`,
    group: `websocket rtt ${label}`,
    fn: async () => void await rawWsDeno.request(message),
  });
  Deno.bench({
    name: `websocket request (Deno) ${label}`,
    group: `websocket rtt ${label}`,
    fn: async () => void await wsDeno.request(message),
  });
}

// 100 streams, one 64-byte request on each per iteration.
const STREAMS = 100;
const small = new Uint8Array(64);
const quicStreams = await Promise.all(
  Array.from({ length: STREAMS }, () => quic.openStream()),
);
const wsStreams = await Promise.all(
  Array.from({ length: STREAMS }, () => wsDeno.openStream()),
);
const sockets: Channel[] = [];
for (let i = 0; i < STREAMS; i++) {
  sockets.push(await openChannel(fixture, "websocket", "deno"));
}
Deno.bench({
  name: "100 separate WebSockets",
  group: "100 streams",
  baseline: true,
  fn: async () => void await Promise.all(sockets.map((s) => s.request(small))),
});
Deno.bench({
  name: "100 WebSocket logical streams",
  group: "100 streams",
  fn: async () =>
    void await Promise.all(wsStreams.map((s) => s.request(small))),
});
Deno.bench({
  name: "100 QUIC streams",
  group: "100 streams",
  fn: async () =>
    void await Promise.all(quicStreams.map((s) => s.request(small))),
});

// Connection set-up.
const ticketEndpoint = new Deno.QuicEndpoint({ hostname: "127.0.0.1" });
const quicOptions: ConnectOptions = {
  transport: "quic",
  port: fixture.quic.addr.port,
  caCerts: [fixture.tls.caCert],
  serverName: "localhost",
};
{
  await using first = await connect({
    ...quicOptions,
    endpoint: ticketEndpoint,
  });
  await first.request(small);
}
Deno.bench({
  name: "quic full handshake (new endpoint)",
  group: "connect",
  baseline: true,
  fn: async () => {
    const endpoint = new Deno.QuicEndpoint({ hostname: "127.0.0.1" });
    const channel = await connect({ ...quicOptions, endpoint });
    await channel.close();
    endpoint.close();
  },
});
Deno.bench({
  name: "quic 0-RTT resumption",
  group: "connect",
  fn: async () => {
    const channel = await connect({
      ...quicOptions,
      endpoint: ticketEndpoint,
      zeroRtt: true,
    });
    // `channel.resumed` is false when no unused ticket was held: a
    // resumed connection closed right after its first reply loses the
    // tickets the server sends just after the handshake, so about a third
    // of these reconnects do a full handshake (the report shows that a
    // 1 ms wait before closing gets every one resumed). A reused ticket
    // makes the server reject the early data, which fails this request.
    await channel.request(small).catch(() => {});
    await channel.close();
  },
});
Deno.bench({
  name: "ws:// (Deno client)",
  group: "connect",
  fn: async () => {
    const channel = await connect({
      transport: "websocket",
      port: fixture.ws.addr.port,
    });
    await channel.close();
  },
});
Deno.bench({
  name: "wss:// (Deno client)",
  group: "connect",
  fn: async () => {
    const channel = await connect({
      transport: "websocket",
      hostname: "localhost",
      port: fixture.wss.addr.port,
      caCerts: [fixture.tls.caCert],
    });
    await channel.close();
  },
});

// Release everything once the benchmarks are done.
globalThis.addEventListener("unload", () => {
  ticketEndpoint.close();
});
