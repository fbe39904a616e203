/**
 * Builds the Rust kernels in `rust/` to WebAssembly with SIMD128 (our own
 * small equivalent of `@deno/wasmbuild`, which cannot be reached from here)
 * and writes three files:
 *
 * - `kernels/_kit.wasm`: the module, which Deno loads with a source-phase
 *   import (`kernels/_wasm_module.js`): Deno compiles it while it loads the
 *   modules, so a fresh process's first kernel call does not pay for it;
 * - `kernels/_wasm_packed.generated.ts`: the same bytes deflated and
 *   base64-encoded, which the npm bundle inlines (`kernels/_wasm_inline.ts`;
 *   `scripts/bundle.ts` puts it in place of `_wasm_module.js`), and the
 *   unpacker;
 * - `kernels/_wasm.generated.ts`: the header (hashes of the inputs and of
 *   the module) and the TypeScript type of the exports, `KitExports`.
 *
 * ```sh
 * deno task build:wasm            # build and write the generated module
 * deno task build:wasm --check    # rebuild; exit 1 if the committed module is stale
 * ```
 *
 * It also builds the unpacker, `rust/unpack/lib.rs` (a separate crate: a
 * base64 and raw DEFLATE decoder of a few KB, optimised for size, with
 * bulk memory (native copies) and no SIMD), which `kernels/_inflate.ts` runs to unpack the kernels' module at
 * load time, and inlines it (base64, not deflated) as `UNPACK_BASE64`.
 *
 * The build is reproducible: a fixed environment, `--remap-path-prefix`, no
 * incremental state, and the Debian `rustc` 1.63 with its wasm32 standard
 * library (`apt-get install -y rustc libstd-rust-dev-wasm32 lld`). The
 * generated module's header records a hash of every input (sources, flags,
 * compiler version), and `--check` compares both that hash and the bytes.
 *
 * The type is generated from the signatures and documentation of
 * `rust/src/ffi.rs`, where every export lives, and checked against the
 * built module's export section: the names are the same, and each
 * parameter's and result's WebAssembly type is the one its Rust type
 * lowers to. (The binary alone has no parameter names or documentation,
 * and a name map kept by hand would be the second copy this replaces; the
 * source alone could drift from what the compiler exported.) A
 * `#[no_mangle]` or `extern "C"` in `rust/src` outside `ffi.rs` fails the build, and so
 * does an `unsafe` block without a `// SAFETY:` comment or an `unsafe fn`
 * without a `# Safety` section in its documentation.
 *
 * When `wasm2wat` (Debian's `wabt`) is installed, the build also refuses a
 * module in which `f64x2_pmin`/`f64x2_pmax` were lowered to `f64x2.gt` +
 * `v128.bitselect`, or to the IEEE `f64x2.min`/`f64x2.max` (which V8 expands
 * to a long sequence for NaN and signed zeros): rustc 1.63 does either for
 * some operand orders, and it halves the speed of the kernels in V8.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { deflateRawSync } from "node:zlib";

const ROOT = new URL("../", import.meta.url);
const OUT = new URL("kernels/_wasm.generated.ts", ROOT);
const PACKED = new URL("kernels/_wasm_packed.generated.ts", ROOT);
const WASM = new URL("kernels/_kit.wasm", ROOT);
/** The one source file that declares the module's exports. */
const FFI = "rust/src/ffi.rs";
const RUSTC = Deno.env.get("KIT_RUSTC") ?? "/usr/bin/rustc";
const FLAGS = [
  "--edition=2021",
  "--crate-type=cdylib",
  "--crate-name=midstreamer_kit",
  "--target=wasm32-unknown-unknown",
  "-Copt-level=3",
  "-Ctarget-feature=+simd128",
  "-Cpanic=abort",
  "-Clto=fat",
  "-Ccodegen-units=1",
  "-Cstrip=symbols",
  "-Cdebuginfo=0",
];
/** The unpacker's crate root, and its flags. */
const UNPACK = "rust/unpack/lib.rs";
const UNPACK_FLAGS = [
  "--edition=2021",
  "--crate-type=cdylib",
  "--crate-name=kit_unpack",
  "--target=wasm32-unknown-unknown",
  "-Copt-level=s",
  "-Ctarget-feature=+bulk-memory",
  "-Cpanic=abort",
  "-Clto=fat",
  "-Ccodegen-units=1",
  "-Cstrip=symbols",
  "-Cdebuginfo=0",
  "-Clink-arg=-zstack-size=16384",
];

/** What one build produced. */
export interface BuildResult {
  /** The WebAssembly bytes. */
  wasm: Uint8Array;
  /** The unpacker's WebAssembly bytes. */
  unpack: Uint8Array;
  /** SHA-256 over the sources, flags and compiler version. */
  sourceHash: string;
  /** SHA-256 of the WebAssembly bytes. */
  wasmHash: string;
  /** `rustc --version` output. */
  rustc: string;
  /** Every export of the module, in the module's order. */
  exports: TypedExport[];
}

async function sha256(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === "string"
    ? new TextEncoder().encode(data)
    : data;
  const digest = await crypto.subtle.digest("SHA-256", bytes as BufferSource);
  return Array.from(
    new Uint8Array(digest),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}

async function run(cmd: string, args: string[], cwd?: string): Promise<string> {
  const out = await new Deno.Command(cmd, {
    args,
    cwd,
    clearEnv: true,
    env: { PATH: "/usr/bin:/bin", LC_ALL: "C", SOURCE_DATE_EPOCH: "0" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(
      `${cmd} ${args.join(" ")} failed:\n${
        new TextDecoder().decode(out.stderr)
      }`,
    );
  }
  return text;
}

async function sourceFiles(): Promise<string[]> {
  const files: string[] = ["rust/Cargo.toml"];
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(new URL(dir, ROOT))) {
      const path = `${dir}/${e.name}`;
      if (e.isDirectory) await walk(path);
      else if (e.name.endsWith(".rs")) files.push(path);
    }
  };
  await walk("rust/src");
  files.push(UNPACK);
  return files.sort();
}

/** Builds the crate and returns the module with its hashes. */
export async function build(): Promise<BuildResult> {
  let rustc: string;
  try {
    rustc = (await run(RUSTC, ["--version"])).trim();
  } catch (e) {
    throw new Error(
      `cannot run ${RUSTC}; install it with ` +
        "`apt-get install -y rustc libstd-rust-dev-wasm32 lld`\n" + String(e),
    );
  }
  let inputs = `${rustc}\n${FLAGS.join(" ")}\n${UNPACK_FLAGS.join(" ")}\n`;
  const sources = new Map<string, string>();
  for (const file of await sourceFiles()) {
    const text = await Deno.readTextFile(new URL(file, ROOT));
    sources.set(file, text);
    inputs += `--- ${file}\n${text}\n`;
  }
  checkSources(sources);
  const root = decodeURIComponent(ROOT.pathname).replace(/\/$/, "");
  const tmp = await Deno.makeTempDir({ prefix: "kit-wasm-" });
  try {
    const out = `${tmp}/kit.wasm`;
    await run(RUSTC, [
      ...FLAGS,
      `--remap-path-prefix=${root}=/kit`,
      `--remap-path-prefix=${tmp}=/tmp`,
      "-o",
      out,
      `${root}/rust/src/lib.rs`,
    ], root);
    const wasm = await Deno.readFile(out);
    await checkLowering(out);
    await run(RUSTC, [
      ...UNPACK_FLAGS,
      `--remap-path-prefix=${root}=/kit`,
      `--remap-path-prefix=${tmp}=/tmp`,
      "-o",
      `${tmp}/unpack.wasm`,
      `${root}/${UNPACK}`,
    ], root);
    return {
      wasm,
      unpack: await Deno.readFile(`${tmp}/unpack.wasm`),
      sourceHash: await sha256(inputs),
      wasmHash: await sha256(wasm),
      rustc,
      exports: typeExports(parseFfi(sources.get(FFI) ?? ""), wasm),
    };
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

/**
 * Fails when `f64x2_pmin`/`pmax` in the module at `file` were lowered to
 * slow instructions.
 */
async function checkLowering(file: string): Promise<void> {
  let wat: string;
  try {
    wat = await run("wasm2wat", [file]);
  } catch {
    console.warn(
      "build:wasm: wasm2wat not found; skipped the pmin lowering check",
    );
    return;
  }
  for (const op of ["v128.bitselect", "f64x2.min", "f64x2.max"]) {
    const count = wat.split(op).length - 1;
    if (count > 0) {
      throw new Error(
        `build:wasm: ${count} ${op} in the module: rustc lowered an ` +
          "f64x2_pmin or f64x2_pmax to it; swap the operands in the kernel",
      );
    }
  }
}

/**
 * Fails when an export is declared outside {@linkcode FFI}, an `unsafe`
 * block has no `// SAFETY:` comment (on its line, or ending just above
 * the line), or an `unsafe fn` has no `# Safety` section in its
 * documentation. `sources` maps paths to contents.
 */
export function checkSources(sources: Map<string, string>): void {
  const problems: string[] = [];
  for (const [file, text] of sources) {
    if (!file.endsWith(".rs")) continue;
    const lines = text.split("\n");
    lines.forEach((line, i) => {
      const code = line.replace(/\/\/.*$/, "");
      const at = `${file}:${i + 1}`;
      if (
        file !== FFI && file.startsWith("rust/src/") &&
        /#\[no_mangle\]|extern\s+"C"/.test(code)
      ) {
        problems.push(`${at}: exports belong in ${FFI}`);
      }
      if (/\bunsafe\s*\{/.test(code) && !/\/\/ SAFETY:/.test(line)) {
        // The comment block ending on the nearest non-blank line above.
        let j = i - 1;
        while (j >= 0 && lines[j].trim() === "") j--;
        let documented = false;
        while (j >= 0 && lines[j].trim().startsWith("//")) {
          if (lines[j].trim().startsWith("// SAFETY:")) documented = true;
          j--;
        }
        if (!documented) {
          problems.push(`${at}: unsafe block without a // SAFETY: comment`);
        }
      }
      if (/\bunsafe\s+(extern\s+"C"\s+)?fn\b/.test(code)) {
        // The attributes and documentation just above.
        let j = i - 1;
        let documented = false;
        while (j >= 0 && /^\s*(#\[|\/\/\/)/.test(lines[j])) {
          if (/^\s*\/\/\/ # Safety\s*$/.test(lines[j])) documented = true;
          j--;
        }
        if (!documented) {
          problems.push(`${at}: unsafe fn without a # Safety section`);
        }
      }
    });
  }
  if (problems.length > 0) {
    throw new Error(`build:wasm: rust/src:\n  ${problems.join("\n  ")}`);
  }
}

/** A WebAssembly value type: `i32`, `i64`, `f32`, `f64` or `v128`. */
type ValType = "i32" | "i64" | "f32" | "f64" | "v128";

/** One `#[no_mangle] extern "C" fn` of {@linkcode FFI}. */
export interface FfiFunction {
  /** The exported name. */
  name: string;
  /** Its `///` documentation, one entry per line, without the `///`. */
  doc: string[];
  /** Parameter names and Rust types, in order. */
  params: Array<{ name: string; type: string }>;
  /** The Rust return type, `undefined` for none. */
  result?: string;
}

/**
 * Parses the exported functions of {@linkcode FFI}: each is a
 * `#[no_mangle]` `pub extern "C" fn` (or `pub unsafe extern "C" fn`).
 */
export function parseFfi(source: string): FfiFunction[] {
  const found: FfiFunction[] = [];
  const fn =
    /((?:^[ \t]*(?:\/\/\/.*|#\[.*\])\n)*)^pub (?:unsafe )?extern "C" fn (\w+)\(([^)]*)\)(?:\s*->\s*([^{]+?))?\s*\{/gm;
  for (const m of source.matchAll(fn)) {
    const head = m[1].split("\n").map((l) => l.trim());
    if (!head.includes("#[no_mangle]")) {
      throw new Error(`build:wasm: ${FFI}: ${m[2]} is not #[no_mangle]`);
    }
    found.push({
      name: m[2],
      doc: head.filter((l) => l.startsWith("///")).map((l) =>
        l.replace(/^\/\/\/ ?/, "")
      ),
      params: m[3].split(",").map((p) => p.trim()).filter((p) => p !== "")
        .map((p) => {
          const [name, type] = p.split(/:\s*/);
          return { name, type };
        }),
      result: m[4]?.trim(),
    });
  }
  const declared = source.split("#[no_mangle]").length - 1;
  if (found.length !== declared) {
    throw new Error(
      `build:wasm: ${FFI} has ${declared} #[no_mangle] but ${found.length} ` +
        'functions of the form `pub [unsafe] extern "C" fn name(...)`',
    );
  }
  return found;
}

/** The WebAssembly type a Rust FFI type lowers to on wasm32. */
function lowered(type: string): ValType {
  if (/^\*(const|mut) /.test(type)) return "i32";
  if (/^(usize|isize|u32|i32|u16|i16|u8|i8|bool)$/.test(type)) return "i32";
  if (/^(u64|i64)$/.test(type)) return "i64";
  if (type === "f32" || type === "f64") return type;
  throw new Error(`build:wasm: ${FFI}: no WebAssembly type for \`${type}\``);
}

/** An export of the built module. */
export interface ModuleExport {
  name: string;
  kind: "function" | "table" | "memory" | "global";
  /** For a function: its parameter and result types. */
  params?: ValType[];
  results?: ValType[];
}

/** Reads an unsigned LEB128 at `at`; returns [value, next offset]. */
export function leb(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[at++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (b < 0x80) return [value, at];
  }
}

const VALTYPES: Record<number, ValType> = {
  0x7f: "i32",
  0x7e: "i64",
  0x7d: "f32",
  0x7c: "f64",
  0x7b: "v128",
};

/**
 * The exports of a WebAssembly module, with the signatures of its
 * functions, read from its type, import, function and export sections.
 */
export function moduleExports(bytes: Uint8Array): ModuleExport[] {
  const types: Array<{ params: ValType[]; results: ValType[] }> = [];
  const funcTypes: number[] = []; // type of each function index
  const out: ModuleExport[] = [];
  const name = (at: number): [string, number] => {
    const [len, start] = leb(bytes, at);
    return [
      new TextDecoder().decode(bytes.subarray(start, start + len)),
      start + len,
    ];
  };
  const vals = (at: number): [ValType[], number] => {
    let [count, p] = leb(bytes, at);
    const v: ValType[] = [];
    for (; count > 0; count--) v.push(VALTYPES[bytes[p++]]);
    return [v, p];
  };
  const limits = (at: number) => {
    const flags = bytes[at];
    let [, p] = leb(bytes, at + 1);
    if (flags & 1) [, p] = leb(bytes, p);
    return p;
  };
  let at = 8; // magic and version
  while (at < bytes.length) {
    const id = bytes[at];
    const [size, body] = leb(bytes, at + 1);
    let [count, p] = id >= 1 && id <= 7 ? leb(bytes, body) : [0, body];
    for (; count > 0; count--) {
      if (id === 1) { // type: 0x60 params results
        const [params, q] = vals(p + 1);
        const [results, r] = vals(q);
        types.push({ params, results });
        p = r;
      } else if (id === 2) { // import
        [, p] = name(p);
        [, p] = name(p);
        const kind = bytes[p++];
        if (kind === 0) {
          let t;
          [t, p] = leb(bytes, p);
          funcTypes.push(t);
        } else if (kind === 1) p = limits(p + 1);
        else if (kind === 2) p = limits(p);
        else p += 2;
      } else if (id === 3) { // function
        let t;
        [t, p] = leb(bytes, p);
        funcTypes.push(t);
      } else if (id === 7) { // export
        let n, index;
        [n, p] = name(p);
        const kind = bytes[p++];
        [index, p] = leb(bytes, p);
        const kinds = ["function", "table", "memory", "global"] as const;
        const e: ModuleExport = { name: n, kind: kinds[kind] };
        if (kind === 0) Object.assign(e, types[funcTypes[index]]);
        out.push(e);
      } else break;
    }
    at = body + size;
  }
  return out;
}

/** An export with its TypeScript type. */
export interface TypedExport {
  name: string;
  /** `"memory"`, `"global"`, `"table"`, or a function's WebAssembly signature. */
  signature: string;
  /** The member of `KitExports`, with its documentation. */
  member: string;
}

/**
 * The exports of the module `wasm` typed from `ffi`: fails unless both
 * have the same functions with the same WebAssembly signatures.
 */
export function typeExports(
  ffi: FfiFunction[],
  wasm: Uint8Array,
): TypedExport[] {
  const byName = new Map(ffi.map((f) => [f.name, f]));
  const problems: string[] = [];
  const typed: TypedExport[] = [];
  const module = moduleExports(wasm);
  for (const e of module) {
    if (e.kind !== "function") {
      const type = { memory: "Memory", global: "Global", table: "Table" }[
        e.kind
      ];
      const doc = e.kind === "memory"
        ? "The module's memory: every address is a byte offset in it."
        : `A ${e.kind} the linker exports.`;
      typed.push({
        name: e.name,
        signature: e.kind,
        member: `  /** ${doc} */\n  ${e.name}: WebAssembly.${type};`,
      });
      continue;
    }
    const f = byName.get(e.name);
    if (f === undefined) {
      problems.push(`the module exports ${e.name}, which ${FFI} lacks`);
      continue;
    }
    const params = f.params.map((p) => lowered(p.type));
    const results = f.result === undefined || f.result === "()"
      ? []
      : [lowered(f.result)];
    const signature = `(${params.join(", ")}) -> ${results[0] ?? "()"}`;
    const actual = `(${e.params!.join(", ")}) -> ${e.results![0] ?? "()"}`;
    if (signature !== actual || e.results!.length > 1) {
      problems.push(
        `${e.name}: ${FFI} says ${signature}, the module ${actual}`,
      );
    }
    const ts = (v: ValType) => v === "i64" ? "bigint" : "number";
    // Rustdoc links [`name`] read as `name`; parameters keep the Rust
    // names that the documentation uses.
    const doc = f.doc.map((l) => `   *${l === "" ? "" : " "}${l}`)
      .join("\n").replace(/\[(`\w+`)\]/g, "$1").replaceAll("*/", "*\\/");
    const args = f.params.map((p, i) => `${p.name}: ${ts(params[i])}`);
    const ret = results.length === 0 ? "void" : ts(results[0]);
    let sig = `  ${e.name}(${args.join(", ")}): ${ret};`;
    if (sig.length > 80) {
      sig = `  ${e.name}(\n${
        args.map((a) => `    ${a},\n`).join("")
      }  ): ${ret};`;
    }
    typed.push({
      name: e.name,
      signature,
      member: `  /**\n${doc}\n   */\n${sig}`,
    });
    byName.delete(e.name);
  }
  for (const name of byName.keys()) {
    problems.push(`${FFI} declares ${name}, which the module does not export`);
  }
  if (problems.length > 0) {
    throw new Error(`build:wasm: exports:\n  ${problems.join("\n  ")}`);
  }
  return typed;
}

function base64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

/** The generated files' texts (see the module documentation). */
export interface Rendered {
  /** `kernels/_wasm.generated.ts`: the header and the exports' type. */
  meta: string;
  /** `kernels/_wasm_packed.generated.ts`: the inlined, deflated bytes. */
  packed: string;
}

/** The header of both generated files. */
function header(result: BuildResult, packed: Uint8Array): string {
  return `// @generated by scripts/build_wasm.ts. DO NOT EDIT.
// source-hash: ${result.sourceHash}
// wasm-sha256: ${result.wasmHash}
// wasm-bytes: ${result.wasm.length}
// deflated-bytes: ${packed.length}
// unpack-bytes: ${result.unpack.length}
// rustc: ${result.rustc}
`;
}

/** Base64 of `bytes` as a TypeScript string expression, 100 per line. */
function b64Lines(bytes: Uint8Array): string {
  return (base64(bytes).match(/.{1,100}/g) ?? []).map((l) => `  "${l}"`)
    .join(" +\n");
}

/**
 * Renders the generated TypeScript modules. The inlined bytes are stored
 * deflated (raw DEFLATE, level 9: a third of the size) and
 * base64-encoded; `kernels/_inflate.ts` unpacks them synchronously.
 */
export function render(result: BuildResult): Rendered {
  const packed = deflateRawSync(result.wasm, { level: 9 });
  const head = header(result, packed);
  const meta = `${head}/**
 * The type of the kernels' WebAssembly module's exports (the module is
 * \`_kit.wasm\`). Rebuild with \`deno task build:wasm\`.
 *
 * @module
 */

/**
 * The exports of the kernels' module. Functions are typed from the
 * signatures and documentation in \`rust/src/ffi.rs\`, and the build checks
 * them against the module's export section. Addresses and lengths are byte
 * offsets and counts as \`number\`s (wasm32).
 */
export interface KitExports {
${result.exports.map((e) => e.member).join("\n")}
}

/**
 * Every export of the module, in the module's order, with its kind, or for
 * a function its WebAssembly signature.
 */
export const KIT_EXPORTS: { readonly [K in keyof KitExports]: string } = {
${result.exports.map((e) => `  ${e.name}: "${e.signature}",`).join("\n")}
};

/** SHA-256 of the module's bytes. */
export const WASM_SHA256: string = "${result.wasmHash}";

/** Size of the WebAssembly module, in bytes. */
export const WASM_BYTES: number = ${result.wasm.length};
`;
  const packedText = `${head}/**
 * The kernels' WebAssembly module inlined, for the npm bundle, and the
 * unpacker. Rebuild with \`deno task build:wasm\`.
 *
 * @module
 */

/** The WebAssembly bytes of \`_kit.wasm\`, raw DEFLATE (RFC 1951), base64. */
export const WASM_DEFLATE_BASE64: string =
${b64Lines(packed)};

/**
 * The unpacker's WebAssembly bytes (\`rust/unpack/lib.rs\`), base64: the
 * decoder of {@linkcode WASM_DEFLATE_BASE64}.
 */
export const UNPACK_BASE64: string =
${b64Lines(result.unpack)};
`;
  return { meta, packed: packedText };
}

/** Reads the header fields of a generated module. */
export function parseHeader(
  text: string,
): { sourceHash?: string; wasmHash?: string } {
  return {
    sourceHash: text.match(/^\/\/ source-hash: ([0-9a-f]{64})$/m)?.[1],
    wasmHash: text.match(/^\/\/ wasm-sha256: ([0-9a-f]{64})$/m)?.[1],
  };
}

/** The text of `url`, or `fallback` when it cannot be read. */
async function readOr(url: URL, fallback: string): Promise<string> {
  try {
    return await Deno.readTextFile(url);
  } catch {
    return fallback;
  }
}

/** Whether `a` and `b` hold the same bytes. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: { check: { type: "boolean", default: false } },
    strict: true,
  });
  const result = await build();
  const { meta, packed } = render(result);
  const kb = (result.wasm.length / 1024).toFixed(1);
  if (values.check) {
    const committed = await readOr(OUT, "");
    const header = parseHeader(committed);
    const problems: string[] = [];
    if (header.sourceHash !== result.sourceHash) {
      problems.push(
        `source hash differs (committed ${
          header.sourceHash ?? "none"
        }, sources ${result.sourceHash})`,
      );
    }
    const wasm = await Deno.readFile(WASM).catch(() => new Uint8Array());
    if (
      header.wasmHash !== result.wasmHash || committed !== meta ||
      await readOr(PACKED, "") !== packed || !sameBytes(wasm, result.wasm)
    ) {
      problems.push(
        `module bytes differ (committed ${
          header.wasmHash ?? "none"
        }, rebuilt ${result.wasmHash})`,
      );
    }
    if (problems.length > 0) {
      console.error(
        `kernels/_kit.wasm and its generated modules are stale:\n  ${
          problems.join("\n  ")
        }\nrun \`deno task build:wasm\` and commit the result`,
      );
      return 1;
    }
    console.log(
      `kernels/_kit.wasm and its generated modules are fresh (${kb} KiB, ${result.rustc})`,
    );
    return 0;
  }
  await Deno.writeFile(WASM, result.wasm);
  await Deno.writeTextFile(OUT, meta);
  await Deno.writeTextFile(PACKED, packed);
  console.log(
    `wrote kernels/_kit.wasm (${result.wasm.length} bytes, ${kb} KiB), ` +
      `_wasm.generated.ts and _wasm_packed.generated.ts (${packed.length} characters)`,
  );
  console.log(`source-hash ${result.sourceHash}`);
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main());
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    Deno.exit(2);
  }
}
