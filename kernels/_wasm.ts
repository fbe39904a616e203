// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Loader of the kernels' WebAssembly module. Internal: not exported from mod.ts.

import {
  KIT_EXPORTS,
  type KitExports,
  WASM_SHA256,
} from "./_wasm.generated.ts";
import { kitImports } from "./_bound_exchange.ts";
import { wasmModule } from "./_wasm_module.js";

export type { KitExports };

/** Scratch slots of `kit_scratch`; each kernel call owns them while it runs. */
export const enum Slot {
  A = 0,
  B = 1,
  C = 2,
  D = 3,
  E = 4,
  F = 5,
  G = 6,
  H = 7,
}

/** SHA-256 of the module in use (the committed, generated one). */
export const wasmSha256: string = WASM_SHA256;

// (module (func (result v128) v128.const i32x4 0 0 0 0))
const SIMD_PROBE = new Uint8Array([
  0,
  97,
  115,
  109,
  1,
  0,
  0,
  0,
  1,
  5,
  1,
  96,
  0,
  1,
  123,
  3,
  2,
  1,
  0,
  10,
  22,
  1,
  20,
  0,
  253,
  12,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  11,
]);

let exportsCache: KitExports | undefined;

/**
 * The kernels' exports, instantiated synchronously on first use.
 *
 * @throws {Error} when the engine lacks WebAssembly SIMD128.
 */
export function kit(): KitExports {
  if (exportsCache !== undefined) return exportsCache;
  if (!WebAssembly.validate(SIMD_PROBE)) {
    throw new Error(
      "@midstreamer/kit needs WebAssembly SIMD128, which this JavaScript engine does not support",
    );
  }
  const instance = new WebAssembly.Instance(wasmModule(), kitImports());
  if (!isKitExports(instance.exports)) {
    throw new Error(
      "@midstreamer/kit: the WebAssembly module does not match its generated type; run `deno task build:wasm`",
    );
  }
  exportsCache = instance.exports;
  return exportsCache;
}

/**
 * Whether `exports` holds every export that {@linkcode KIT_EXPORTS} lists,
 * of its kind, and each function with its number of parameters.
 */
function isKitExports(
  exports: WebAssembly.Exports,
): exports is WebAssembly.Exports & KitExports {
  return Object.entries(KIT_EXPORTS).every(([name, kind]) => {
    const e = exports[name];
    if (kind === "memory") return e instanceof WebAssembly.Memory;
    if (kind === "global") return e instanceof WebAssembly.Global;
    if (kind === "table") return e instanceof WebAssembly.Table;
    // A function: "(i32, f64) -> f64".
    const params = kind.slice(1, kind.indexOf(")"));
    return typeof e === "function" &&
      e.length === (params === "" ? 0 : params.split(",").length);
  });
}

/**
 * A function returning a view (made by `make`) over the whole WebAssembly
 * memory, cached until the memory grows.
 */
function memoryView<T extends ArrayBufferView>(
  make: (buffer: ArrayBufferLike) => T,
): () => T {
  let view: T | undefined;
  return () => {
    const buffer = kit().memory.buffer;
    if (view?.buffer !== buffer) view = make(buffer);
    return view;
  };
}

/**
 * A `Float64Array` over the whole WebAssembly memory, refreshed when the
 * memory has grown. Call it again after anything that may allocate.
 */
export const f64Heap: () => Float64Array<ArrayBufferLike> = memoryView(
  (buffer) => new Float64Array(buffer),
);

/**
 * A `Float32Array` over the whole WebAssembly memory, refreshed when the
 * memory has grown (the inputs of the `f32` kernels).
 */
export const f32Heap: () => Float32Array<ArrayBufferLike> = memoryView(
  (buffer) => new Float32Array(buffer),
);

/** An `Int32Array` over the whole WebAssembly memory, refreshed on growth. */
export const i32Heap: () => Int32Array<ArrayBufferLike> = memoryView(
  (buffer) => new Int32Array(buffer),
);

/** Byte address of at least `bytes` bytes of scratch slot `slot`. */
export function scratch(slot: Slot, bytes: number): number {
  return kit().kit_scratch(slot, bytes);
}
