// Copyright 2026 the @midstreamer/kit authors. MIT license.
/* @ts-self-types="./_wasm_module.d.ts" */
// The kernels' compiled WebAssembly module, for Deno. Internal.
//
// A source-phase import: Deno compiles `_kit.wasm` while it loads the
// module graph, and caches the file like any other module, so the first
// kernel call neither unpacks nor compiles it (see the README's "Cold
// start"). The npm bundle replaces this file with `_wasm_inline.ts`, which
// inlines the bytes (`scripts/bundle.ts`).

import source kitModule from "./_kit.wasm";

/** The kernels' module, compiled. */
export function wasmModule() {
  return kitModule;
}
