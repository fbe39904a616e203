// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Garbage and oversize frames sent to the server with raw sockets, bypassing
// the client; the server must answer sensibly and keep serving.

import assert from "node:assert/strict";
import { connect, listen } from "../transport/mod.ts";
import {
  ERROR_MALFORMED,
  ERROR_TOO_LARGE,
  FrameDecoder,
  type FrameHeader,
  HEADER_BYTES,
  KIND_ERROR,
  KIND_REPLY,
  KIND_REQUEST,
} from "../transport/internal.ts";
import { generateTls } from "../testing/tls.ts";

const tls = await generateTls();
const ALPN = "midstreamer/1";

function frame(
  kind: number,
  requestId: number,
  payload: Uint8Array,
  length = payload.length,
): Uint8Array {
  const bytes = new Uint8Array(HEADER_BYTES + payload.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, length);
  view.setUint8(4, kind);
  view.setUint32(12, requestId);
  bytes.set(payload, HEADER_BYTES);
  return bytes;
}

interface Frame {
  header: FrameHeader;
  payload: Uint8Array;
}

/** Reads frames from a raw QUIC stream until `count` arrived or it ends. */
async function readFrames(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  count: number,
): Promise<Frame[]> {
  const frames: Frame[] = [];
  const decoder = new FrameDecoder(
    1 << 20,
    (header, payload) => frames.push({ header, payload: payload.slice() }),
    () => assert.fail("oversize reply"),
  );
  for (let i = 0; i < 1000 && frames.length < count; i++) {
    const { value, done } = await reader.read();
    if (done) break;
    decoder.push(value);
  }
  return frames;
}

Deno.test("quic: garbage and oversize frames from a raw client", async () => {
  await using server = await listen({
    transport: "quic",
    cert: tls.cert,
    key: tls.key,
    maxMessageBytes: 1000,
    handler: (request) => request.toReversed(),
  });
  const conn = await Deno.connectQuic({
    hostname: "127.0.0.1",
    port: server.addr.port,
    caCerts: [tls.caCert],
    serverName: "localhost",
    alpnProtocols: [ALPN],
  });
  try {
    // Garbage: unknown kind 9. The server answers with a malformed-frame
    // error and finishes the stream.
    const bad = await conn.createBidirectionalStream();
    const badWriter = bad.writable.getWriter();
    const garbage = new Uint8Array(HEADER_BYTES).fill(9);
    await badWriter.write(garbage);
    const badReader = bad.readable.getReader();
    const [error] = await readFrames(badReader, 2);
    assert.equal(error?.header.kind, KIND_ERROR);
    assert.equal(error?.header.code, ERROR_MALFORMED);
    assert.match(new TextDecoder().decode(error!.payload), /unknown kind 9/);
    assert.equal((await badReader.read()).done, true);
    await badWriter.close().catch(() => {});

    // Oversize: refused with an error for that request id; the payload is
    // skipped and the same stream keeps working.
    const big = await conn.createBidirectionalStream();
    const writer = big.writable.getWriter();
    const reader = big.readable.getReader();
    await writer.write(frame(KIND_REQUEST, 7, new Uint8Array(5000)));
    await writer.write(frame(KIND_REQUEST, 8, new Uint8Array([1, 2, 3])));
    const [refused, reply] = await readFrames(reader, 2);
    assert.equal(refused?.header.requestId, 7);
    assert.equal(refused?.header.code, ERROR_TOO_LARGE);
    assert.equal(reply?.header.requestId, 8);
    assert.equal(reply?.header.kind, KIND_REPLY);
    assert.deepEqual(reply?.payload, new Uint8Array([3, 2, 1]));
    // A header announcing 4 GiB, then the stream ends mid-frame.
    await writer.write(frame(KIND_REQUEST, 9, new Uint8Array(0), 0xffff_ffff));
    const [huge] = await readFrames(reader, 1);
    assert.equal(huge?.header.code, ERROR_TOO_LARGE);
    await writer.close();
    await reader.cancel();
  } finally {
    conn.close();
    conn.endpoint.close();
  }

  // A new client is served.
  await using channel = await connect({
    transport: "quic",
    port: server.addr.port,
    caCerts: [tls.caCert],
    serverName: "localhost",
  });
  assert.deepEqual(
    await channel.request(new Uint8Array([4, 5])),
    new Uint8Array([5, 4]),
  );
});

interface RawSocket {
  ws: WebSocket;
  messages: Uint8Array[];
  closed: Promise<CloseEvent>;
  next(): Promise<Uint8Array>;
}

async function rawWebSocket(port: number): Promise<RawSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
  ws.binaryType = "arraybuffer";
  const messages: Uint8Array[] = [];
  let wake: (() => void) | undefined;
  ws.onmessage = (event) => {
    messages.push(new Uint8Array(event.data));
    wake?.();
  };
  const closed = new Promise<CloseEvent>((resolve) => {
    ws.onclose = (event) => {
      resolve(event);
      wake?.();
    };
  });
  await new Promise((resolve) => (ws.onopen = resolve));
  return {
    ws,
    messages,
    closed,
    async next() {
      while (messages.length === 0) {
        await new Promise<void>((resolve) => (wake = resolve));
      }
      return messages.shift()!;
    },
  };
}

Deno.test("websocket: garbage and oversize frames from a raw client", async () => {
  await using server = await listen({
    transport: "websocket",
    maxMessageBytes: 1000,
    handler: (request) => request.toReversed(),
  });
  const port = server.addr.port;

  // Shorter than a header: closed with 1002 (protocol error).
  const short = await rawWebSocket(port);
  short.ws.send(new Uint8Array([1, 2, 3]));
  const shortClose = await short.closed;
  assert.equal(shortClose.code, 1002);
  assert.match(shortClose.reason, /shorter than the 16-byte header/);

  // Length field disagreeing with the message size.
  const lying = await rawWebSocket(port);
  lying.ws.send(frame(KIND_REQUEST, 1, new Uint8Array(4), 40));
  assert.equal((await lying.closed).code, 1002);

  // Text messages: closed with 1003.
  const text = await rawWebSocket(port);
  text.ws.send("hello");
  assert.equal((await text.closed).code, 1003);

  // Oversize but well-formed: refused for that request only.
  const big = await rawWebSocket(port);
  big.ws.send(frame(KIND_REQUEST, 7, new Uint8Array(2000)));
  big.ws.send(frame(KIND_REQUEST, 8, new Uint8Array([1, 2])));
  const refused = await big.next();
  const view = new DataView(refused.buffer);
  assert.equal(view.getUint8(4), KIND_ERROR);
  assert.equal(view.getUint8(5), ERROR_TOO_LARGE);
  assert.equal(view.getUint32(12), 7);
  const reply = await big.next();
  assert.equal(new DataView(reply.buffer).getUint32(12), 8);
  assert.deepEqual(reply.subarray(HEADER_BYTES), new Uint8Array([2, 1]));
  big.ws.close();
  await big.closed;

  // A new client is served.
  for (const client of ["deno", "ws"] as const) {
    await using channel = await connect({
      transport: "websocket",
      port,
      client,
    });
    assert.deepEqual(
      await channel.request(new Uint8Array([4, 5])),
      new Uint8Array([5, 4]),
    );
  }
});

Deno.test("websocket: a plain HTTP request gets 426", async () => {
  await using server = await listen({
    transport: "websocket",
    handler: (request) => request,
  });
  const response = await fetch(`http://127.0.0.1:${server.addr.port}/`);
  assert.equal(response.status, 426);
  await response.body?.cancel();
});
