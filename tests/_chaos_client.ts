// Copyright 2026 the @midstreamer/kit authors. MIT license.
// A client process for tests/chaos_test.ts, killed in the middle of its
// requests: on each transport it sends 20 slow requests (first byte 1) and
// half a request frame, prints "ready", and waits to be killed.
//
//   deno run -A tests/_chaos_client.ts WS_PORT QUIC_PORT CA_FILE

import { connect } from "../transport/mod.ts";
import {
  encodeFrame,
  FLAG_CONTINUED,
  KIND_REQUEST,
} from "../transport/internal.ts";

const [wsPort, quicPort, caFile] = Deno.args;
const caCerts = [await Deno.readTextFile(caFile!)];
/** Half of a 100,000-byte request frame. */
function half(): Uint8Array {
  const frame = encodeFrame(
    KIND_REQUEST,
    0,
    0,
    99,
    new Uint8Array(100_000),
    false,
  )[0]!;
  frame[6] = FLAG_CONTINUED;
  return frame.subarray(0, 50_000);
}
const ws = await connect({ transport: "websocket", port: Number(wsPort) });
const quic = await connect({
  transport: "quic",
  port: Number(quicPort),
  caCerts,
  serverName: "localhost",
});
for (let i = 0; i < 20; i++) {
  ws.request(Uint8Array.of(1, i)).catch(() => {});
  quic.request(Uint8Array.of(1, i)).catch(() => {});
}
// Half frames on raw connections.
const raw = new WebSocket(`ws://127.0.0.1:${wsPort}/`);
raw.binaryType = "arraybuffer";
await new Promise((resolve) => raw.onopen = resolve);
raw.send(half());
const conn = await Deno.connectQuic({
  hostname: "127.0.0.1",
  port: Number(quicPort),
  caCerts,
  serverName: "localhost",
  alpnProtocols: ["midstreamer/1"],
});
const stream = await conn.createBidirectionalStream();
await stream.writable.getWriter().write(half());
console.log("ready");
await new Promise(() => {});
