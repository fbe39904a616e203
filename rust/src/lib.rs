//! WebAssembly kernels of `@midstreamer/kit`.
//!
//! The crate has no dependencies and exports plain `extern "C"` functions.
//! It is built for `wasm32-unknown-unknown` with `+simd128` by
//! `scripts/build_wasm.ts`, which inlines the module into
//! `kernels/_wasm.generated.ts`. Every kernel reads its inputs from buffers
//! that the TypeScript side obtained with [`kit_scratch`].

mod batch;
mod dtw;
mod envelope;
mod lcs;
mod memory;
mod num;
mod path;
mod screen;
mod search;

pub use memory::kit_scratch;
