// Copyright 2026 the @midstreamer/kit authors. MIT license.

import assert from "node:assert/strict";
import { deflateRawSync } from "node:zlib";
import { inflateBase64, inflateRaw } from "../kernels/internal_inline.ts";
import { wasmBytes } from "../kernels/internal_inline.ts";
import { rng } from "../testing/rng.ts";

/** Inputs that exercise stored, fixed and dynamic Huffman blocks. */
function inputs(): Array<[string, Uint8Array]> {
  const random = rng(1951);
  const noise = Uint8Array.from({ length: 70_000 }, () => random() * 256);
  const text = new TextEncoder().encode(
    Array.from(
      { length: 4000 },
      (_, i) => `line ${i % 97}: BUY SELL HOLD ${(random() * 10) | 0}\n`,
    ).join(""),
  );
  const skewed = Uint8Array.from(
    { length: 50_000 },
    () => Math.floor(random() ** 4 * 40),
  );
  return [
    ["empty", new Uint8Array(0)],
    ["one byte", new Uint8Array([42])],
    ["short text (fixed Huffman)", new TextEncoder().encode("abcabcabcabc")],
    ["random bytes (stored blocks)", noise],
    ["text (dynamic Huffman, long matches)", text],
    ["skewed symbols", skewed],
    ["long run", new Uint8Array(100_000).fill(7)],
    ["the kernels' module", wasmBytes()],
  ];
}

Deno.test("inflateRaw() inverts zlib's raw deflate at every level", () => {
  for (const [name, data] of inputs()) {
    for (const level of [0, 1, 6, 9]) {
      const packed = deflateRawSync(data, { level });
      assert.deepEqual(
        inflateRaw(packed, data.length),
        data,
        `${name}, level ${level}`,
      );
    }
  }
});

Deno.test("inflateRaw() rejects malformed or mis-sized streams", () => {
  const data = new TextEncoder().encode("hello hello hello hello");
  const packed = new Uint8Array(deflateRawSync(data, { level: 9 }));
  assert.throws(() => inflateRaw(packed, data.length - 1), /overruns/);
  assert.throws(() => inflateRaw(packed, data.length + 1), /bytes instead/);
  assert.throws(
    () => inflateRaw(packed.subarray(0, 4), data.length),
    /malformed/,
  );
  assert.throws(() => inflateRaw(new Uint8Array([0x07]), 1), /reserved/);
  // A stored block whose length check fails.
  assert.throws(
    () => inflateRaw(new Uint8Array([1, 5, 0, 0, 0]), 5),
    /stored length/,
  );
});

Deno.test("inflateBase64() decodes base64 text and inflates it, as atob and inflateRaw do", () => {
  for (const [name, data] of inputs()) {
    const packed = deflateRawSync(data, { level: 9 });
    const text = btoa(
      Array.from(packed, (b) => String.fromCharCode(b)).join(""),
    );
    // The platform's decoder where there is one, and the unpacker's.
    for (const native of [true, false]) {
      assert.deepEqual(
        inflateBase64(text, data.length, native),
        data,
        `${name}, native ${native}`,
      );
      // Without the padding, too.
      assert.deepEqual(
        inflateBase64(text.replace(/=+$/, ""), data.length, native),
        data,
        `${name}, unpadded, native ${native}`,
      );
    }
  }
});

Deno.test("inflateBase64() rejects text that is not base64", () => {
  const packed = deflateRawSync(new TextEncoder().encode("abc abc abc"));
  const text = btoa(Array.from(packed, (b) => String.fromCharCode(b)).join(""));
  const starred = text.slice(0, 4) + "*" + text.slice(4);
  for (const native of [true, false]) {
    for (const bad of [text + "!", "é" + text, starred, "AAAAA", "A==="]) {
      assert.throws(
        () => inflateBase64(bad, 11, native),
        /not base64/,
        `${bad}, native ${native}`,
      );
    }
    assert.throws(() => inflateBase64(text, 12, native), /bytes instead of 12/);
  }
});
