/**
 * Builds the Rust kernels in `rust/` to WebAssembly with SIMD128 and inlines
 * the module into `kernels/_wasm.generated.ts` (our own small equivalent of
 * `@deno/wasmbuild`, which cannot be reached from here).
 *
 * ```sh
 * deno task build:wasm            # build and write the generated module
 * deno task build:wasm --check    # rebuild; exit 1 if the committed module is stale
 * ```
 *
 * The build is reproducible: a fixed environment, `--remap-path-prefix`, no
 * incremental state, and the Debian `rustc` 1.63 with its wasm32 standard
 * library (`apt-get install -y rustc libstd-rust-dev-wasm32 lld`). The
 * generated module's header records a hash of every input (sources, flags,
 * compiler version), and `--check` compares both that hash and the bytes.
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

/** What one build produced. */
export interface BuildResult {
  /** The WebAssembly bytes. */
  wasm: Uint8Array;
  /** SHA-256 over the sources, flags and compiler version. */
  sourceHash: string;
  /** SHA-256 of the WebAssembly bytes. */
  wasmHash: string;
  /** `rustc --version` output. */
  rustc: string;
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
  let inputs = `${rustc}\n${FLAGS.join(" ")}\n`;
  for (const file of await sourceFiles()) {
    inputs += `--- ${file}\n${await Deno.readTextFile(new URL(file, ROOT))}\n`;
  }
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
    return {
      wasm,
      sourceHash: await sha256(inputs),
      wasmHash: await sha256(wasm),
      rustc,
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

function base64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

/**
 * Renders the generated TypeScript module. The bytes are stored deflated
 * (raw DEFLATE, level 9: a third of the size) and base64-encoded;
 * `kernels/_inflate.ts` unpacks them synchronously at load time.
 */
export function render(result: BuildResult): string {
  const packed = deflateRawSync(result.wasm, { level: 9 });
  const b64 = base64(packed);
  const lines = b64.match(/.{1,100}/g) ?? [];
  return `// @generated by scripts/build_wasm.ts. DO NOT EDIT.
// source-hash: ${result.sourceHash}
// wasm-sha256: ${result.wasmHash}
// wasm-bytes: ${result.wasm.length}
// deflated-bytes: ${packed.length}
// rustc: ${result.rustc}
/**
 * The kernels' WebAssembly module, inlined. Rebuild with
 * \`deno task build:wasm\`.
 *
 * @module
 */

/** SHA-256 of the inlined WebAssembly bytes. */
export const WASM_SHA256: string = "${result.wasmHash}";

/** Size of the WebAssembly module, in bytes. */
export const WASM_BYTES: number = ${result.wasm.length};

/** The WebAssembly bytes, raw DEFLATE (RFC 1951), base64. */
export const WASM_DEFLATE_BASE64: string =
${lines.map((l) => `  "${l}"`).join(" +\n")};
`;
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

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: { check: { type: "boolean", default: false } },
    strict: true,
  });
  const result = await build();
  const text = render(result);
  const kb = (result.wasm.length / 1024).toFixed(1);
  if (values.check) {
    let committed = "";
    try {
      committed = await Deno.readTextFile(OUT);
    } catch {
      // missing: stale by definition
    }
    const header = parseHeader(committed);
    const problems: string[] = [];
    if (header.sourceHash !== result.sourceHash) {
      problems.push(
        `source hash differs (committed ${
          header.sourceHash ?? "none"
        }, sources ${result.sourceHash})`,
      );
    }
    if (header.wasmHash !== result.wasmHash || committed !== text) {
      problems.push(
        `module bytes differ (committed ${
          header.wasmHash ?? "none"
        }, rebuilt ${result.wasmHash})`,
      );
    }
    if (problems.length > 0) {
      console.error(
        `kernels/_wasm.generated.ts is stale:\n  ${problems.join("\n  ")}\n` +
          "run `deno task build:wasm` and commit the result",
      );
      return 1;
    }
    console.log(
      `kernels/_wasm.generated.ts is fresh (${kb} KiB, ${result.rustc})`,
    );
    return 0;
  }
  await Deno.writeTextFile(OUT, text);
  console.log(
    `wrote kernels/_wasm.generated.ts: ${result.wasm.length} bytes (${kb} KiB), ` +
      `${text.length} characters inlined`,
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
