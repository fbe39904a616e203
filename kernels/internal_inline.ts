// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * The npm bundle's inlined copy of the kernels' module, its unpacker, and
 * the module's imports (`kitImports`, to instantiate a copy), for the
 * tests and scripts that check or time them. Apart from
 * `internal.ts` so that what imports that (the pool's workers, the
 * service, the cluster) does not load the copy's 170 KB of base64, which
 * Deno does not use. Not for users.
 *
 * @module
 */

export { inflateBase64, inflateRaw } from "./_inflate.ts";
export { wasmBytes } from "./_wasm_inline.ts";
export { kitImports } from "./_bound_exchange.ts";
