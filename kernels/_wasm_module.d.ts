// Copyright 2026 the @midstreamer/kit authors. MIT license.

/** The kernels' module, compiled (see `_wasm_module.js`). */
export declare function wasmModule(): WebAssembly.Module;
