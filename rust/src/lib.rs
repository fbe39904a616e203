//! WebAssembly kernels of `@midstreamer/kit`.
//!
//! The crate has no dependencies. It is built for `wasm32-unknown-unknown`
//! with `+simd128` by `scripts/build_wasm.ts`, which inlines the module into
//! `kernels/_wasm.generated.ts` together with the TypeScript type of its
//! exports. Every export is a plain `extern "C"` function in [`ffi`]; the
//! other modules hold the kernels as safe functions (or `unsafe fn`s with
//! documented contracts):
//!
//! * `dtw`: one DTW, full or banded, and the stripes it runs on;
//! * `stripes`: the same for multivariate series (dependent DTW) and in
//!   `f32`, in either precision of `prec`;
//! * `batch`: many DTWs against one reference, lane-parallel (`dtwBatch`);
//! * `lanes`: the same for multivariate series and in `f32`;
//! * `bounds`: envelopes and lower bounds; `envelope`: the envelope of any
//!   part of a series (van Herk / Gil-Werman);
//! * `top_k`, `best`, `screen`: `topK`, its k best, its `f32` screening;
//! * `top_k_dims`: `topK` for multivariate series and in `f32`;
//! * `path`: the optimal warping path in bounded memory;
//! * `search`: the subsequence search; `search_dims`: the same for
//!   multivariate series (dependent and independent DTW);
//! * `lcs`: LCS lengths, rows and the correlation matrix;
//! * `memory`, `num`: scratch buffers and scalar helpers.
//!
//! The module's one import, `kit.exchange_bound`, is declared in [`ffi`]
//! too: through it a search in parts on several threads shares its bound.

mod batch;
mod best;
mod bounds;
mod dtw;
mod envelope;
pub mod ffi;
mod lanes;
mod lcs;
mod memory;
mod num;
mod path;
mod prec;
mod screen;
mod search;
mod search_dims;
mod stripes;
mod top_k;
mod top_k_dims;
