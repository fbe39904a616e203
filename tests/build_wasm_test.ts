// Copyright 2026 the @midstreamer/kit authors. MIT license.
// The checks of scripts/build_wasm.ts on the Rust sources and on the
// exports it types.

import assert from "node:assert/strict";
import { wasmBytes } from "../kernels/internal_inline.ts";
import { KIT_EXPORTS } from "../kernels/internal.ts";
import { checkSources, parseFfi, typeExports } from "../scripts/build_wasm.ts";

const FFI = "rust/src/ffi.rs";
const ffiSource = await Deno.readTextFile(
  new URL(`../${FFI}`, import.meta.url),
);

Deno.test("checkSources accepts documented unsafe code and exports in ffi.rs", () => {
  checkSources(
    new Map([
      [
        "rust/src/a.rs",
        [
          "/// Adds.",
          "///",
          "/// # Safety",
          "/// `p` must be readable.",
          "#[inline(always)]",
          "unsafe fn f(p: *const u8) -> u8 {",
          "    // SAFETY: the caller's contract,",
          "    // on two lines.",
          "    let x = unsafe { *p };",
          "    x",
          "}",
          "fn g() { let y = 1; } // SAFETY: not an unsafe block",
        ].join("\n"),
      ],
      [FFI, '#[no_mangle]\npub extern "C" fn h() {}\n'],
    ]),
  );
});

Deno.test("checkSources rejects undocumented unsafe code and exports outside ffi.rs", () => {
  const cases: Array<[string, RegExp]> = [
    ["fn f() { unsafe { g() } }", /a\.rs:1: unsafe block without/],
    ["// a comment\nlet v = unsafe { *p };", /a\.rs:2: unsafe block without/],
    ["// SAFETY: far above\n\nfn x() {}\nlet v = unsafe { *p };", /a\.rs:4/],
    ["/// Docs.\nunsafe fn f() {}", /a\.rs:2: unsafe fn without a # Safety/],
    ['/// # Safety\npub unsafe extern "C" fn f() {}', /exports belong in/],
    [
      "#[no_mangle]\nfn f() {}",
      /a\.rs:1: exports belong in rust\/src\/ffi\.rs/,
    ],
  ];
  for (const [text, message] of cases) {
    assert.throws(
      () => checkSources(new Map([["rust/src/a.rs", text]])),
      message,
      text,
    );
  }
});

Deno.test("parseFfi reads every export of ffi.rs with its documentation", () => {
  const fns = parseFfi(ffiSource);
  const names = fns.map((f) => f.name);
  assert.deepEqual(
    names,
    Object.keys(KIT_EXPORTS).filter((k) =>
      KIT_EXPORTS[k as keyof typeof KIT_EXPORTS].startsWith("(")
    ),
  );
  const dtw = fns.find((f) => f.name === "dtw_f64")!;
  assert.deepEqual(dtw.params.at(-1), { name: "strategy", type: "u32" });
  assert.equal(dtw.result, "f64");
  assert.ok(dtw.doc.includes("# Safety"));
  for (const f of fns) assert.ok(f.doc.includes("# Safety"), f.name);
  assert.throws(
    () => parseFfi('#[no_mangle]\npub extern "C" fn f<T>(a: T) {}'),
    /1 #\[no_mangle\] but 0 functions/,
  );
  assert.throws(
    () => parseFfi('/// Docs.\npub extern "C" fn f() {}'),
    /f is not #\[no_mangle\]/,
  );
});

Deno.test("typeExports types the module from ffi.rs and rejects any mismatch", () => {
  const typed = typeExports(parseFfi(ffiSource), wasmBytes());
  assert.deepEqual(
    Object.fromEntries(typed.map((e) => [e.name, e.signature])),
    KIT_EXPORTS,
  );
  const mismatches: Array<[string, string, RegExp]> = [
    [
      "cutoff: f64,\n    strategy: u32,\n) -> f64 {",
      "cutoff: u32,\n    strategy: u32,\n) -> f64 {",
      /dtw_f64: .* says \(i32, i32, i32, i32, f64, i32, i32, i32\) -> f64, the module \(i32, i32, i32, i32, f64, i32, f64, i32\) -> f64/,
    ],
    [
      'pub extern "C" fn path_len() -> usize {',
      'pub extern "C" fn path_count() -> usize {',
      /exports path_len, which .* lacks[^]*declares path_count, which the module does not/,
    ],
    [
      "slot: u32, bytes: usize)",
      "slot: u32, bytes: u64)",
      /kit_scratch: .* says \(i32, i64\)/,
    ],
    [
      "slot: u32, bytes: usize)",
      "slot: u32, bytes: Vec<u8>)",
      /no WebAssembly type for `Vec<u8>`/,
    ],
  ];
  for (const [from, to, message] of mismatches) {
    assert.ok(ffiSource.includes(from), from);
    assert.throws(
      () => typeExports(parseFfi(ffiSource.replace(from, to)), wasmBytes()),
      message,
    );
  }
});
