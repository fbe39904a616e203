// Copyright 2026 the @midstreamer/kit authors. MIT license.
// The private frame decoder: chunk boundaries, oversize skipping, garbage.

import assert from "node:assert/strict";
import {
  encodeFrame,
  FrameDecoder,
  type FrameHeader,
  HEADER_BYTES,
  KIND_REPLY,
  KIND_REQUEST,
  MessageDecoder,
} from "../transport/internal.ts";
import { ProtocolError } from "../transport/mod.ts";

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function stream(): Uint8Array {
  return concat([
    ...encodeFrame(KIND_REQUEST, 0, 0, 1, new Uint8Array([1, 2, 3]), false),
    ...encodeFrame(KIND_REQUEST, 0, 5, 2, new Uint8Array(0), false),
    ...encodeFrame(KIND_REQUEST, 0, 0, 3, new Uint8Array(300).fill(7), true),
    ...encodeFrame(KIND_REPLY, 0, 0, 4, new Uint8Array(70_000).fill(9), true),
  ]);
}

function decodeAll(
  bytes: Uint8Array,
  chunk: number,
  max = 1 << 20,
): { frames: [FrameHeader, Uint8Array][]; oversize: FrameHeader[] } {
  const frames: [FrameHeader, Uint8Array][] = [];
  const oversize: FrameHeader[] = [];
  const decoder = new FrameDecoder(
    max,
    (header, payload) => frames.push([header, payload.slice()]),
    (header) => oversize.push(header),
  );
  for (let i = 0; i < bytes.length; i += chunk) {
    decoder.push(bytes.subarray(i, i + chunk));
  }
  assert.ok(decoder.idle);
  return { frames, oversize };
}

Deno.test("FrameDecoder reassembles frames across any chunking", () => {
  const bytes = stream();
  for (const chunk of [1, 3, 16, 17, 1000, bytes.length]) {
    const { frames } = decodeAll(bytes, chunk);
    assert.deepEqual(frames.map(([h]) => h.requestId), [1, 2, 3, 4]);
    assert.deepEqual(frames[0]![1], new Uint8Array([1, 2, 3]));
    assert.equal(frames[1]![0].streamId, 5);
    assert.equal(frames[1]![1].length, 0);
    assert.ok(frames[2]![1].every((b) => b === 7));
    assert.equal(frames[3]![1].length, 70_000);
    assert.equal(frames[3]![0].kind, KIND_REPLY);
  }
});

Deno.test("FrameDecoder skips oversize payloads and keeps going", () => {
  for (const chunk of [1, 7, 100_000]) {
    const { frames, oversize } = decodeAll(stream(), chunk, 1000);
    assert.deepEqual(frames.map(([h]) => h.requestId), [1, 2, 3]);
    assert.deepEqual(oversize.map((h) => h.requestId), [4]);
  }
});

Deno.test("FrameDecoder rejects malformed headers", () => {
  const decoder = new FrameDecoder(100, () => {}, () => {});
  const bad = new Uint8Array(HEADER_BYTES);
  bad[4] = 0; // kind 0
  assert.throws(() => decoder.push(bad), ProtocolError);
  const reserved = encodeFrame(
    KIND_REQUEST,
    0,
    0,
    1,
    new Uint8Array(0),
    false,
  )[0]!;
  reserved[7] = 1;
  assert.throws(
    () => new FrameDecoder(100, () => {}, () => {}).push(reserved),
    /reserved/,
  );
  const code = encodeFrame(KIND_REQUEST, 0, 0, 1, new Uint8Array(0), false)[0]!;
  code[5] = 2;
  assert.throws(
    () => new FrameDecoder(100, () => {}, () => {}).push(code),
    /error code 2/,
  );
});

Deno.test("MessageDecoder checks the length field", () => {
  const [message] = encodeFrame(
    KIND_REQUEST,
    0,
    3,
    9,
    new Uint8Array(5),
    false,
  );
  const frames: [FrameHeader, Uint8Array][] = [];
  const decoder = () =>
    new MessageDecoder(100, (h, p) => frames.push([h, p]), () => {});
  assert.equal(decoder().push(message!), false);
  const [[header, payload]] = frames as [[FrameHeader, Uint8Array]];
  assert.equal(header.streamId, 3);
  assert.equal(header.requestId, 9);
  assert.equal(payload.length, 5);
  assert.throws(() => decoder().push(message!.subarray(0, 20)), ProtocolError);
  assert.throws(() => decoder().push(new Uint8Array(3)), /shorter/);
});

Deno.test("encodeFrame splits only large payloads", () => {
  const small = new Uint8Array(10);
  const large = new Uint8Array(100_000);
  assert.equal(encodeFrame(KIND_REQUEST, 0, 0, 1, small, true).length, 1);
  const parts = encodeFrame(KIND_REQUEST, 0, 0, 1, large, true);
  assert.equal(parts.length, 2);
  assert.equal(parts[1], large); // not copied
  assert.equal(encodeFrame(KIND_REQUEST, 0, 0, 1, large, false).length, 1);
});
