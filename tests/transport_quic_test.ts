// Copyright 2026 the @midstreamer/kit authors. MIT license.
// QUIC 0-RTT resumption as Deno 2.9.6 actually does it.

import assert from "node:assert/strict";
import { connect, type ConnectOptions, listen } from "../transport/mod.ts";
import { generateTls } from "../testing/tls.ts";

const tls = await generateTls();

for (const serverZeroRtt of [false, true]) {
  Deno.test(`quic: 0-RTT resumption (server zeroRtt: ${serverZeroRtt})`, async () => {
    await using server = await listen({
      transport: "quic",
      cert: tls.cert,
      key: tls.key,
      zeroRtt: serverZeroRtt,
      handler: (request) => request.toReversed(),
    });
    const endpoint = new Deno.QuicEndpoint({ hostname: "127.0.0.1" });
    try {
      const options: ConnectOptions = {
        transport: "quic",
        port: server.addr.port,
        caCerts: [tls.caCert],
        serverName: "localhost",
        endpoint,
        timeout: 5_000,
      };
      // Full handshake; the server sends a session ticket to the endpoint.
      {
        await using first = await connect(options);
        assert.equal(first.resumed, false);
        assert.deepEqual(
          await first.request(new Uint8Array([1, 2])),
          new Uint8Array([2, 1]),
        );
      }
      // Same endpoint + same serverName + zeroRtt: resumed with 0-RTT, the
      // connection comes back synchronously from Deno.connectQuic.
      for (let i = 0; i < 3; i++) {
        await using again = await connect({ ...options, zeroRtt: true });
        assert.equal(again.resumed, true);
        assert.deepEqual(
          await again.request(new Uint8Array([3, 4, i])),
          new Uint8Array([i, 4, 3]),
        );
        await using stream = await again.openStream();
        assert.deepEqual(
          await stream.request(new Uint8Array([5])),
          new Uint8Array([5]),
        );
      }
    } finally {
      endpoint.close();
    }
  });
}

Deno.test("quic: no 0-RTT without a ticket on the endpoint", async () => {
  await using server = await listen({
    transport: "quic",
    cert: tls.cert,
    key: tls.key,
    handler: (request) => request,
  });
  // A fresh (owned) endpoint holds no ticket.
  await using channel = await connect({
    transport: "quic",
    port: server.addr.port,
    caCerts: [tls.caCert],
    serverName: "localhost",
    zeroRtt: true,
  });
  assert.equal(channel.resumed, false);
  assert.deepEqual(
    await channel.request(new Uint8Array([1])),
    new Uint8Array([1]),
  );
});

Deno.test("quic: an untrusted certificate fails to connect", async () => {
  await using server = await listen({
    transport: "quic",
    cert: tls.cert,
    key: tls.key,
    handler: (request) => request,
  });
  await assert.rejects(
    connect({
      transport: "quic",
      port: server.addr.port,
      serverName: "localhost",
      timeout: 5_000,
    }),
  );
});
