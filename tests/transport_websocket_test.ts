// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Frames spanning several WebSocket messages, padding and acks: the message
// shaping of Deno's client, the server's acks, and clients ignoring acks.

import assert from "node:assert/strict";
import WsWebSocket from "ws";
import {
  connect,
  listen,
  MessageTooLargeError,
  ProtocolError,
} from "../transport/mod.ts";
import {
  ACK_FRAME,
  encodeFrame,
  ERROR_TOO_LARGE,
  FLAG_CONTINUED,
  type FrameHeader,
  HEADER_BYTES,
  KIND_ACK,
  KIND_ERROR,
  KIND_PADDING,
  KIND_REPLY,
  KIND_REQUEST,
  MessageDecoder,
  writePaddingHeader,
} from "../transport/internal.ts";
import {
  DENO_MAX_CHUNKS,
  DENO_ONE_WRITE_BYTES,
  DENO_PAD_BYTES,
  denoMessages,
} from "../transport/internal.ts";

function pattern(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed) & 0xff;
  return bytes;
}

function request(requestId: number, payload: Uint8Array): Uint8Array {
  return encodeFrame(KIND_REQUEST, 0, 0, requestId, payload, false)[0]!;
}

/** A continued frame cut into messages of `size` bytes. */
function chunked(frame: Uint8Array, size: number): Uint8Array[] {
  const copy = frame.slice();
  copy[6]! |= FLAG_CONTINUED;
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < copy.length; at += size) {
    chunks.push(copy.subarray(at, at + size));
  }
  return chunks;
}

/** `frame` followed by a padding frame of `filler` bytes, in one buffer. */
function padded(frame: Uint8Array, filler: number): Uint8Array {
  const out = new Uint8Array(frame.length + HEADER_BYTES + filler).fill(0xee);
  out.set(frame);
  writePaddingHeader(out, frame.length, filler);
  return out;
}

function header(
  message: Uint8Array,
): { kind: number; code: number; id: number } {
  const view = new DataView(message.buffer, message.byteOffset);
  return {
    kind: view.getUint8(4),
    code: view.getUint8(5),
    id: view.getUint32(12),
  };
}

interface Decoded {
  frames: [FrameHeader, Uint8Array][];
  oversize: FrameHeader[];
  decoder: MessageDecoder;
}

function messageDecoder(max = 1 << 20): Decoded {
  const frames: [FrameHeader, Uint8Array][] = [];
  const oversize: FrameHeader[] = [];
  const decoder = new MessageDecoder(
    max,
    (h, payload) => frames.push([h, payload.slice()]),
    (h) => oversize.push(h),
  );
  return { frames, oversize, decoder };
}

Deno.test("MessageDecoder: a continued frame spans several messages", () => {
  const payload = pattern(5000, 1);
  const { frames, decoder } = messageDecoder();
  const chunks = chunked(request(7, payload), 1024);
  assert.equal(chunks.length, 5);
  chunks.forEach((chunk, i) => {
    // Every message but the last leaves the frame incomplete: ack it.
    assert.equal(decoder.push(chunk), i < chunks.length - 1);
    assert.equal(frames.length, i < chunks.length - 1 ? 0 : 1);
  });
  assert.equal(frames[0]![0].requestId, 7);
  assert.equal(frames[0]![0].flags, FLAG_CONTINUED);
  assert.deepEqual(frames[0]![1], payload);
  // Odd chunk sizes, and a continued frame that fits one message.
  for (const size of [16, 17, 999, 5016]) {
    const { frames, decoder } = messageDecoder();
    for (const chunk of chunked(request(1, payload), size)) {
      decoder.push(chunk);
    }
    assert.deepEqual(frames[0]![1], payload);
  }
});

Deno.test("MessageDecoder: several frames and padding in one message", () => {
  const { frames, decoder } = messageDecoder(100);
  const message = new Uint8Array([
    ...padded(request(1, pattern(3, 1)), 200_000),
    ...request(2, new Uint8Array(0)),
    ...ACK_FRAME,
    ...padded(request(3, pattern(90, 3)), 0),
  ]);
  assert.equal(decoder.push(message), false);
  // Padding and acks are never delivered, whatever the limit.
  assert.deepEqual(frames.map(([h]) => h.requestId), [1, 2, 3]);
  assert.deepEqual(frames[2]![1], pattern(90, 3));
  // A padding frame may itself be continued across messages.
  const pad = padded(new Uint8Array(0), 3000);
  pad[6] = FLAG_CONTINUED;
  assert.equal(decoder.push(pad.subarray(0, 1000)), true);
  assert.equal(decoder.push(pad.subarray(1000)), false);
  assert.equal(frames.length, 3);
});

Deno.test("MessageDecoder: a continued oversize frame is refused at once", () => {
  const { frames, oversize, decoder } = messageDecoder(1000);
  const chunks = chunked(request(4, pattern(3000, 4)), 1024);
  assert.equal(decoder.push(chunks[0]!), true);
  // Refused from the header, before the rest of the payload arrived.
  assert.deepEqual(oversize.map((h) => h.requestId), [4]);
  for (const chunk of chunks.slice(1)) decoder.push(chunk);
  assert.equal(decoder.push(request(5, pattern(10, 5))), false);
  assert.deepEqual(frames.map(([h]) => h.requestId), [5]);
  assert.equal(oversize.length, 1);
});

Deno.test("MessageDecoder: truncated frames are malformed", () => {
  // Length field larger than the message, without the continued flag.
  const lying = request(1, pattern(4, 1));
  new DataView(lying.buffer).setUint32(0, 40);
  assert.throws(
    () => messageDecoder().decoder.push(lying),
    (error: unknown) =>
      error instanceof ProtocolError &&
      /length field says 40 bytes but 4 follow/.test(error.message),
  );
  assert.throws(
    () => messageDecoder().decoder.push(new Uint8Array(3)),
    /3 bytes is shorter than the 16-byte header/,
  );
  // A header split across messages, even after a whole frame.
  const next = request(2, new Uint8Array(0));
  const message = new Uint8Array([...request(1, new Uint8Array(0)), 1, 2]);
  assert.throws(
    () => messageDecoder().decoder.push(message),
    /message ends inside a frame header/,
  );
  assert.throws(
    () => messageDecoder().decoder.push(next.subarray(0, 10)),
    ProtocolError,
  );
  // Unknown flags.
  const flagged = request(1, new Uint8Array(0));
  flagged[6] = 2;
  assert.throws(() => messageDecoder().decoder.push(flagged), /reserved/);
});

Deno.test("denoMessages: chunks, padding and plain messages", () => {
  const sizes = [
    0,
    1,
    DENO_ONE_WRITE_BYTES - HEADER_BYTES,
    DENO_ONE_WRITE_BYTES - HEADER_BYTES + 1,
    2000,
    DENO_ONE_WRITE_BYTES * DENO_MAX_CHUNKS - HEADER_BYTES,
    DENO_ONE_WRITE_BYTES * DENO_MAX_CHUNKS - HEADER_BYTES + 1,
    30_000,
    DENO_PAD_BYTES - 2 * HEADER_BYTES,
    DENO_PAD_BYTES - 2 * HEADER_BYTES + 1,
    DENO_PAD_BYTES - HEADER_BYTES - 1,
    DENO_PAD_BYTES - HEADER_BYTES,
    100_000,
  ];
  for (const size of sizes) {
    const payload = pattern(size, size);
    const frameBytes = size + HEADER_BYTES;
    const messages = denoMessages(request(9, payload));
    // Every message is written in one go by Deno's client.
    for (const message of messages) {
      assert.ok(
        message.length <= DENO_ONE_WRITE_BYTES ||
          message.length >= DENO_PAD_BYTES,
        `${size}: message of ${message.length} bytes`,
      );
    }
    const expected = frameBytes <= DENO_ONE_WRITE_BYTES ||
        frameBytes >= DENO_PAD_BYTES
      ? 1
      : frameBytes <= DENO_ONE_WRITE_BYTES * DENO_MAX_CHUNKS
      ? Math.ceil(frameBytes / DENO_ONE_WRITE_BYTES)
      : 1;
    assert.equal(messages.length, expected, `${size} B`);
    if (messages[0]!.length > frameBytes) {
      // Padded: a padding frame follows the request in the same message.
      assert.equal(messages[0]![frameBytes + 4], KIND_PADDING);
    }
    const { frames, decoder } = messageDecoder();
    messages.forEach((message, i) =>
      assert.equal(decoder.push(message), i < messages.length - 1)
    );
    assert.equal(frames.length, 1);
    assert.equal(frames[0]![0].requestId, 9);
    assert.deepEqual(frames[0]![1], payload);
  }
});

/** A raw client collecting every message the server sends. */
interface RawClient {
  send(message: Uint8Array): void;
  next(): Promise<Uint8Array>;
  readonly received: Uint8Array[];
  close(): Promise<void>;
}

async function rawClient(
  port: number,
  kind: "deno" | "ws",
): Promise<RawClient> {
  const received: Uint8Array[] = [];
  let read = 0;
  let wake: (() => void) | undefined;
  const push = (message: Uint8Array) => {
    received.push(message);
    wake?.();
  };
  const url = `ws://127.0.0.1:${port}/`;
  let send: (message: Uint8Array) => void;
  let close: () => Promise<void>;
  if (kind === "ws") {
    const ws = new WsWebSocket(url, { perMessageDeflate: false });
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    ws.on("message", (data: Uint8Array) => push(new Uint8Array(data)));
    send = (message) => ws.send(message);
    close = async () => {
      const closed = new Promise((resolve) => ws.once("close", resolve));
      ws.close();
      await closed;
    };
  } else {
    const ws = new WebSocket(url);
    ws.binaryType = "arraybuffer";
    await new Promise((resolve) => (ws.onopen = resolve));
    ws.onmessage = (event) => push(new Uint8Array(event.data));
    send = (message) => ws.send(message);
    close = async () => {
      const closed = new Promise((resolve) => (ws.onclose = resolve));
      ws.close();
      await closed;
    };
  }
  return {
    send,
    received,
    close,
    async next() {
      // Fail rather than hang when an expected message (an ack) never
      // comes.
      while (read === received.length) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await new Promise<void>((resolve, reject) => {
          wake = resolve;
          timer = setTimeout(
            () => reject(new Error("no message within 5 s")),
            5_000,
          );
        }).finally(() => clearTimeout(timer));
      }
      return received[read++]!;
    },
  };
}

Deno.test("websocket server: acks continued frames, skips padding", async () => {
  await using server = await listen({
    transport: "websocket",
    maxMessageBytes: 4000,
    handler: (message) => message.toReversed(),
  });
  const client = await rawClient(server.addr.port, "deno");
  try {
    // A frame in three messages: an ack after each of the first two, each
    // sent before the next chunk goes out.
    const payload = pattern(2500, 3);
    for (const chunk of chunked(request(1, payload), 1000)) {
      client.send(chunk);
      const answer = await client.next();
      if (answer.length === HEADER_BYTES && header(answer).kind === KIND_ACK) {
        assert.deepEqual(answer, ACK_FRAME);
        continue;
      }
      assert.equal(header(answer).kind, KIND_REPLY);
      assert.equal(header(answer).id, 1);
      assert.deepEqual(answer.subarray(HEADER_BYTES), payload.toReversed());
    }
    assert.equal(client.received.length, 3);

    // A frame padded to 70 KB (above maxMessageBytes): the padding is
    // discarded, the frame answered, no ack.
    client.send(padded(request(2, pattern(5, 2)), 70_000));
    const reply = await client.next();
    assert.equal(header(reply).id, 2);
    assert.deepEqual(reply.subarray(HEADER_BYTES), pattern(5, 2).toReversed());

    // An oversize frame arriving in chunks is refused after its first
    // chunk, before the rest is sent; the rest is acked and skipped.
    const chunks = chunked(request(3, pattern(9000, 3)), 1024);
    client.send(chunks[0]!);
    const refused = await client.next();
    const ack = await client.next();
    assert.deepEqual(
      [header(refused), header(ack).kind],
      [{ kind: KIND_ERROR, code: ERROR_TOO_LARGE, id: 3 }, KIND_ACK],
    );
    for (const chunk of chunks.slice(1)) client.send(chunk);
    client.send(request(4, pattern(3, 4)));
    for (let i = 1; i < chunks.length - 1; i++) {
      assert.equal(header(await client.next()).kind, KIND_ACK);
    }
    const after = await client.next();
    assert.equal(header(after).id, 4);
    assert.deepEqual(after.subarray(HEADER_BYTES), pattern(3, 4).toReversed());
  } finally {
    await client.close();
  }
});

Deno.test("websocket server: no acks for one message per frame (npm:ws)", async () => {
  await using server = await listen({
    transport: "websocket",
    handler: (message) => message,
  });
  const client = await rawClient(server.addr.port, "ws");
  try {
    const sizes = [0, 1000, 1040, 5000, 60_000, 70_000];
    sizes.forEach((size, id) => client.send(request(id, pattern(size, id))));
    for (const [id, size] of sizes.entries()) {
      const reply = await client.next();
      assert.deepEqual(header(reply), { kind: KIND_REPLY, code: 0, id });
      assert.equal(reply.length, size + HEADER_BYTES);
    }
    // Nothing else arrives: a round trip later, still only the replies.
    client.send(request(99, new Uint8Array(1)));
    assert.equal(header(await client.next()).id, 99);
    assert.equal(client.received.length, sizes.length + 1);
  } finally {
    await client.close();
  }
});

Deno.test("clients ignore acks and padding, and read continued replies", async () => {
  // A hand-made server that surrounds every reply with control frames and
  // sends large replies as continued frames in 700-byte messages.
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen() {},
  }, (req) => {
    const { socket, response } = Deno.upgradeWebSocket(req);
    socket.binaryType = "arraybuffer";
    const decoder = new MessageDecoder(1 << 20, (h, payload) => {
      const reply = encodeFrame(
        KIND_REPLY,
        0,
        h.streamId,
        h.requestId,
        payload,
        false,
      )[0]!;
      socket.send(ACK_FRAME);
      if (reply.length > 2000) {
        for (const chunk of chunked(reply, 700)) socket.send(chunk);
      } else {
        socket.send(padded(reply, 3000));
      }
      socket.send(ACK_FRAME);
    }, () => assert.fail("oversize"));
    socket.onmessage = (event) => {
      if (decoder.push(new Uint8Array(event.data))) socket.send(ACK_FRAME);
    };
    return response;
  });
  try {
    for (const client of ["deno", "ws"] as const) {
      await using channel = await connect({
        transport: "websocket",
        port: server.addr.port,
        client,
        maxMessageBytes: 10_000,
      });
      for (const size of [0, 1, 1040, 1500, 4096, 6000, 10_000]) {
        const message = pattern(size, size);
        assert.deepEqual(await channel.request(message), message);
      }
      await using stream = await channel.openStream();
      assert.deepEqual(
        await stream.request(pattern(3000, 1)),
        pattern(3000, 1),
      );
    }
  } finally {
    await server.shutdown();
  }
});

Deno.test("websocket/deno: requests of every message shape", async () => {
  await using server = await listen({
    transport: "websocket",
    maxMessageBytes: 50_000,
    handler: (message) => message.toReversed(),
  });
  await using channel = await connect({
    transport: "websocket",
    port: server.addr.port,
    client: "deno",
  });
  const sizes = [1008, 1009, 1500, 2048, 4080, 4081, 20_000, 50_000];
  // Sequentially, then all at once (chunks of concurrent frames must not
  // interleave).
  for (const size of sizes) {
    const message = pattern(size, size);
    assert.deepEqual(await channel.request(message), message.toReversed());
  }
  const replies = await Promise.all(
    sizes.map((size) => channel.request(pattern(size, size + 1))),
  );
  replies.forEach((reply, i) =>
    assert.deepEqual(reply, pattern(sizes[i]!, sizes[i]! + 1).toReversed())
  );
  // Over the server's limit, chunked (3 KB over) and padded (60 KB):
  // refused, and the channel keeps working.
  for (const size of [50_001, 60_000]) {
    await assert.rejects(
      channel.request(new Uint8Array(size)),
      MessageTooLargeError,
    );
  }
  assert.deepEqual(
    await channel.request(pattern(3000, 0)),
    pattern(3000, 0).toReversed(),
  );
});

Deno.test('npm:ws is loaded only when client "ws" is used', async () => {
  // Without npm support, the transport must still load and serve Deno
  // clients; only `client: "ws"` (the default) fails.
  const code = `
    import { connect, listen } from "${
    new URL("../transport/mod.ts", import.meta.url).href
  }";
    await using server = await listen({ transport: "websocket", handler: (r) => r });
    const options = { transport: "websocket", port: server.addr.port } as const;
    {
      await using channel = await connect({ ...options, client: "deno" });
      console.log((await channel.request(new Uint8Array(2000))).length);
    }
    await connect(options).catch((e) => console.log(e.message));
  `;
  const { code: status, stdout, stderr } = await new Deno.Command(
    Deno.execPath(),
    {
      args: [
        "eval",
        "--no-npm",
        "--config",
        new URL("../deno.json", import.meta.url).pathname,
        code,
      ],
      stdout: "piped",
      stderr: "piped",
    },
  ).output();
  const out = new TextDecoder().decode(stdout);
  assert.equal(status, 0, new TextDecoder().decode(stderr));
  assert.match(out, /^2000\n.*npm specifiers/s);
});
