// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Option validation of listen and connect.

import assert from "node:assert/strict";
import {
  connect,
  type ConnectOptions,
  listen,
  type ListenOptions,
} from "../transport/mod.ts";

const handler = (request: Uint8Array) => request;

Deno.test("listen validates its options", async () => {
  const bad = (options: unknown) => listen(options as ListenOptions);
  await assert.rejects(bad(null), TypeError);
  await assert.rejects(bad({ transport: "tcp", handler }), /"transport"/);
  await assert.rejects(
    bad({ transport: "websocket", handler, colour: 1 }),
    (error: unknown) =>
      error instanceof TypeError &&
      /unknown option "colour"/.test(error.message),
  );
  await assert.rejects(bad({ transport: "websocket" }), /"handler"/);
  await assert.rejects(
    bad({ transport: "quic", handler }),
    /"cert" and "key" are required/,
  );
  await assert.rejects(
    bad({ transport: "websocket", handler, cert: "x" }),
    /given together/,
  );
  await assert.rejects(
    bad({ transport: "websocket", handler, port: 70000 }),
    RangeError,
  );
  await assert.rejects(
    bad({ transport: "websocket", handler, port: "80" }),
    TypeError,
  );
  await assert.rejects(
    bad({ transport: "websocket", handler, maxMessageBytes: -1 }),
    RangeError,
  );
  await assert.rejects(
    bad({ transport: "websocket", handler, zeroRtt: true }),
    /only applies to transport "quic"/,
  );
});

Deno.test("connect validates its options", async () => {
  const bad = (options: unknown) => connect(options as ConnectOptions);
  await assert.rejects(bad(undefined), TypeError);
  await assert.rejects(bad({ transport: "websocket" }), /"port"/);
  await assert.rejects(bad({ transport: "websocket", port: 0 }), RangeError);
  await assert.rejects(
    bad({ transport: "websocket", port: 1, timeout: 0 }),
    RangeError,
  );
  await assert.rejects(
    bad({ transport: "websocket", port: 1, timeout: "1" }),
    TypeError,
  );
  await assert.rejects(
    bad({ transport: "websocket", port: 1, client: "undici" }),
    /"client"/,
  );
  await assert.rejects(
    bad({ transport: "quic", port: 1, client: "ws" }),
    /only applies to transport "websocket"/,
  );
  await assert.rejects(
    bad({ transport: "websocket", port: 1, zeroRtt: true }),
    /only applies to transport "quic"/,
  );
  await assert.rejects(
    bad({ transport: "quic", port: 1, endpoint: {} }),
    /Deno.QuicEndpoint/,
  );
  await assert.rejects(
    bad({ transport: "websocket", port: 1, caCerts: "pem" }),
    /"caCerts"/,
  );
  await assert.rejects(
    bad({
      transport: "websocket",
      port: 1,
      serverName: "localhost",
      client: "deno",
    }),
    /"serverName" must equal "hostname"/,
  );
  await assert.rejects(
    bad({ transport: "websocket", port: 1, retries: 3 }),
    /unknown option "retries"/,
  );
});
