// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Synchronous decoders of base64 and raw DEFLATE streams (RFC 1951), run
// by a small WebAssembly module of their own (rust/unpack/lib.rs). They
// unpack the inlined kernels' module at load time, where the platform's
// DecompressionStream would be asynchronous. Internal.
//
// The module is the fast path of a fresh process's first kernel call: the
// same decoder in JavaScript, interpreted because the engine has not
// compiled it yet, took 25–30 ms for the kernels' 370 KB (see the README's
// "Cold start").

import { UNPACK_BASE64 } from "./_wasm_packed.generated.ts";

/** The exports of the unpacker (see `rust/unpack/lib.rs`). */
interface Unpacker {
  memory: WebAssembly.Memory;
  unpack_alloc(bytes: number): number;
  unpack_base64(src: number, len: number, dst: number): number;
  unpack_inflate(src: number, len: number, dst: number, size: number): number;
}

/** What the unpacker's negative results mean. */
const WHY: Record<number, string> = {
  [-1]: "unexpected end of input",
  [-2]: "invalid code",
  [-3]: "bad stored length",
  [-4]: "stored block overruns",
  [-5]: "over-subscribed code",
  [-6]: "repeat with no previous length",
  [-7]: "lengths overrun",
  [-8]: "reserved block type",
  [-9]: "invalid length symbol",
  [-10]: "invalid distance symbol",
  [-11]: "distance before the start",
  [-12]: "output overruns",
};

let compiled: WebAssembly.Module | undefined;

/**
 * A fresh instance of the unpacker: its memory (about 1 MiB while it
 * works) is garbage once the caller is done.
 */
function unpacker(): Unpacker {
  if (compiled === undefined) {
    const bin = atob(UNPACK_BASE64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    compiled = new WebAssembly.Module(bytes);
  }
  return new WebAssembly.Instance(compiled, {}).exports as unknown as Unpacker;
}

/** Bytes of `u`'s memory at `ptr`, or an error when it could not grow. */
function alloc(u: Unpacker, bytes: number): number {
  const ptr = u.unpack_alloc(bytes);
  if (ptr === 0) throw new Error(`inflate: cannot allocate ${bytes} bytes`);
  return ptr;
}

/** Inflates `len` bytes at `src` of `u`'s memory into `size` fresh bytes. */
function inflateAt(u: Unpacker, src: number, len: number, size: number) {
  const dst = alloc(u, size);
  const got = u.unpack_inflate(src, len, dst, size);
  if (got < 0) {
    throw new Error(
      `inflate: malformed DEFLATE stream (${WHY[got] ?? `error ${got}`})`,
    );
  }
  if (got !== size) {
    throw new Error(
      `inflate: malformed DEFLATE stream (${got} bytes instead of ${size})`,
    );
  }
  return new Uint8Array(u.memory.buffer, dst, size).slice();
}

/**
 * Inflates the raw DEFLATE stream `src` into exactly `size` bytes.
 *
 * @throws {Error} when the stream is malformed or does not hold `size`
 * bytes.
 */
export function inflateRaw(src: Uint8Array, size: number): Uint8Array {
  const u = unpacker();
  const at = alloc(u, src.length);
  new Uint8Array(u.memory.buffer, at, src.length).set(src);
  return inflateAt(u, at, src.length, size);
}

/** The platform's `Uint8Array.fromBase64` (ES2026), where it has one. */
const fromBase64 = (Uint8Array as unknown as {
  fromBase64?: (text: string) => Uint8Array;
}).fromBase64;

/**
 * Inflates the raw DEFLATE stream encoded in the base64 `text` into
 * exactly `size` bytes. The text is decoded by the platform's
 * `Uint8Array.fromBase64` where it exists (Deno and Chromium: 0.2 ms for the
 * kernels' module, against a few ms for the unpacker on baseline code),
 * else copied into the unpacker's memory by `TextEncoder` and decoded
 * there. `native: false` forces the latter (for tests).
 *
 * @throws {Error} when `text` is not base64, or the stream is malformed or
 * does not hold `size` bytes.
 */
export function inflateBase64(
  text: string,
  size: number,
  native: boolean = fromBase64 !== undefined,
): Uint8Array {
  if (native && fromBase64 !== undefined) {
    let packed: Uint8Array;
    try {
      packed = fromBase64(text);
    } catch {
      throw new Error("inflate: the text is not base64");
    }
    return inflateRaw(packed, size);
  }
  const u = unpacker();
  const at = alloc(u, text.length);
  const { read, written } = new TextEncoder().encodeInto(
    text,
    new Uint8Array(u.memory.buffer, at, text.length),
  );
  const len = read === text.length && written === text.length
    ? u.unpack_base64(at, text.length, at)
    : -1;
  if (len < 0) throw new Error("inflate: the text is not base64");
  return inflateAt(u, at, len, size);
}
