// Copyright 2026 the @midstreamer/kit authors. MIT license.
// The kernels' WebAssembly module inlined in the source, for the npm bundle
// (Node, browsers), where `scripts/bundle.ts` puts this file in place of
// `_wasm_module.js`. Internal.

import { inflateBase64 } from "./_inflate.ts";
import { WASM_BYTES } from "./_wasm.generated.ts";
import { WASM_DEFLATE_BASE64 } from "./_wasm_packed.generated.ts";

/** Decodes and inflates the inlined module bytes. */
export function wasmBytes(): Uint8Array {
  return inflateBase64(WASM_DEFLATE_BASE64, WASM_BYTES);
}

/**
 * The kernels' module, unpacked and compiled (by each call: `kit()`, which
 * keeps the instance, calls it once).
 */
export function wasmModule(): WebAssembly.Module {
  return new WebAssembly.Module(wasmBytes() as BufferSource);
}
