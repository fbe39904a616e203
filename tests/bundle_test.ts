// Copyright 2026 the @midstreamer/kit authors. MIT license.
// The npm package (scripts/bundle.ts): builds it into a temporary directory,
// checks its size, contents (`npm pack --dry-run`), declarations and the
// absence of Deno APIs, then runs fixed kernel calls through the bundle in
// Deno, Node (`node --test tests/node/`) and headless Chromium and requires
// results exactly equal to those of the sources in Deno.
//
//   deno test -A tests/bundle_test.ts

import assert from "node:assert/strict";
import ts from "typescript";
import * as kernels from "../kernels/mod.ts";
import { buildNpm, SIZE_BUDGET_BYTES } from "../scripts/bundle.ts";
import {
  CHROMIUM,
  chromiumAvailable,
  runInChromium,
} from "../testing/chromium.ts";
import { type Case, encode, runCases } from "./fixtures/kernel_cases.mjs";
import { randInt, randomWalk, randomWalks, rng } from "../testing/rng.ts";
import { run } from "../testing/run.ts";

const ROOT = new URL("../", import.meta.url);
const root = decodeURIComponent(ROOT.pathname);

type Args = unknown[];

/** Fixed calls per kernel, by exported name. */
const CASES: Record<string, () => [string, Args][]> = {
  dtw: () => {
    const r = rng(0x9e11);
    const a = randomWalk(57, r);
    const b = randomWalk(83, r);
    const long1 = randomWalk(400, r);
    const long2 = randomWalk(373, r);
    const ints = Int32Array.from({ length: 40 }, () => randInt(r, -9, 9));
    return [
      ["empty, empty", [[], []]],
      ["empty, one", [[], [1]]],
      ["length 1", [[0.1], [0.30000000000000004]]],
      ["negative zeros", [[-0, -0], [-0]]],
      ["unequal lengths", [a, b]],
      ["window 0", [a, b, { window: 0 }]],
      ["window narrower than the length difference", [a, b, { window: 3 }]],
      ["window 10, squared", [a, b, { window: 10, cost: "squared" }]],
      ["cutoff below", [a, b, { cutoff: 1 }]],
      ["cutoff above", [a, b, { cutoff: 1e9 }]],
      ["Float32Array", [Float32Array.from(a), Float32Array.from(b)]],
      ["Int32Array, number[]", [ints, Array.from(b)]],
      ["400 x 373", [long1, long2]],
      ["400 x 373, window 20, squared", [long1, long2, {
        window: 20,
        cost: "squared",
      }]],
      ["NaN element", [[1, NaN], [1]]],
      ["not an array", ["abc", [1]]],
      ["unknown option", [[1], [1], { band: 2 }]],
      ["negative window", [[1], [1], { window: -1 }]],
    ];
  },
  dtwBatch: () => {
    const r = rng(0xba7c);
    const ref = randomWalk(120, r);
    const patterns = Array.from(
      { length: 9 },
      (_, i) => randomWalk(i === 0 ? 0 : randInt(r, 1, 160), r),
    );
    return [
      ["no patterns", [ref, []]],
      ["9 patterns, one empty", [ref, patterns]],
      ["window 4, squared", [ref, patterns, { window: 4, cost: "squared" }]],
      ["cutoff", [ref, patterns, { cutoff: 90 }]],
      ["mixed array kinds", [Array.from(ref), [
        Float32Array.from(patterns[1]),
        Array.from(patterns[2]),
        Int16Array.of(1, -2, 3),
      ]]],
      ["bad element", [ref, [[1], [2, Infinity]]]],
      ["patterns not an array", [ref, 5]],
    ];
  },
  topK: () => {
    const r = rng(0x70b);
    const ref = randomWalk(150, r);
    const patterns = randomWalks(40, r, 100, 200);
    patterns[17] = ref.slice();
    const stats = () => ({
      prunedByKim: -1,
      prunedByKeogh: -1,
      abandoned: -1,
      computed: -1,
    });
    return [
      ["default k 1", [ref, patterns]],
      ["k 5 with stats", [ref, patterns, { k: 5, stats: stats() }]],
      ["k above the count, window 10", [ref, patterns.slice(0, 3), {
        k: 7,
        window: 10,
        stats: stats(),
      }]],
      ["squared, cutoff", [ref, patterns, {
        k: 3,
        cost: "squared",
        cutoff: 50,
      }]],
      ["k 0", [ref, patterns, { k: 0 }]],
      ["unknown option", [ref, patterns, { top: 1 }]],
      ["deprecated positional k", [ref, patterns, 3, { window: 10 }]],
    ];
  },
  searchSubsequence: () => {
    const r = rng(0x5ea);
    const series = randomWalk(3000, r);
    const query = Array.from(series.subarray(1100, 1228), (v) => 2 * v - 5);
    const stats = () => ({
      windows: -1,
      prunedByKim: -1,
      prunedByKeoghEQ: -1,
      prunedByKeoghEC: -1,
      abandoned: -1,
      computed: -1,
    });
    return [
      ["planted query, k 3, stats", [series, query, {
        window: 12,
        k: 3,
        stats: stats(),
      }]],
      ["squared, no band", [series.subarray(0, 800), query.slice(0, 50), {
        window: Infinity,
        cost: "squared",
      }]],
      ["not normalized, absolute, window 5", [series, query.slice(0, 40), {
        normalize: false,
        cost: "absolute",
        window: 5,
        k: 2,
      }]],
      ["exclusion zone 0", [series.subarray(0, 500), query.slice(0, 30), {
        window: 3,
        k: 4,
        exclusionZone: 0,
      }]],
      ["query as long as the series", [query, query.slice(), { window: 4 }]],
      ["query of one point", [series.subarray(0, 20), [1], { window: 0 }]],
      ["no window", [series, query, { k: 2 }]],
      ["empty query", [series, [], { window: 1 }]],
      ["query longer than the series", [[1, 2], [1, 2, 3], { window: 1 }]],
      ["bad normalize", [series, query, { window: 1, normalize: 1 }]],
    ];
  },
  dtwPath: () => {
    const r = rng(0xd7a);
    const a = randomWalk(64, r);
    const b = randomWalk(91, r);
    return [
      ["empty, empty", [[], []]],
      ["empty, one", [[], [1]]],
      ["length 1", [[2], [3]]],
      ["short", [[0, 1, 2, 3], [0, 1, 1, 2, 3]]],
      ["unequal lengths", [a, b]],
      ["window narrower than the length difference", [a, b, { window: 2 }]],
      ["squared, window 8", [a, b, { window: 8, cost: "squared" }]],
      ["cutoff below", [a, b, { cutoff: 0.5 }]],
      ["NaN element", [[1, 2], [NaN]]],
    ];
  },
  alignTimeframes: () => {
    const r = rng(0xa11);
    const m1 = randomWalk(120, r);
    const m2 = randomWalk(60, r);
    const m4 = randomWalk(30, r);
    return [
      ["no series", [[]]],
      ["one series", [[m1]]],
      ["three timeframes", [[m1, m2, m4]]],
      ["with an empty series", [[m2, [], m4]]],
      ["window 3, squared", [[m1, m2, m4], { window: 3, cost: "squared" }]],
      ["bad element", [[[1, 2], [3, NaN]]]],
    ];
  },
  lcs: () => {
    const r = rng(0x1c5);
    const signals = ["BUY", "SELL", "HOLD"];
    const pick = (n: number) =>
      Array.from({ length: n }, () => signals[randInt(r, 0, 2)]);
    const long1 = pick(300);
    const long2 = pick(257);
    const bytes = Uint8Array.from({ length: 90 }, () => randInt(r, 0, 3));
    return [
      ["empty, empty", [[], []]],
      ["empty string, string", ["", "abc"]],
      ["length 1", [["BUY"], ["BUY"]]],
      ["strings", ["AGGTAB", "GXTXAYB"]],
      ["code points", ["😀a😀", "a😀"]],
      ["=== semantics", [[1, "1", NaN, -0], ["1", 1, NaN, 0]]],
      ["signals 300 x 257", [long1, long2]],
      ["typed arrays", [bytes, Float64Array.from(bytes.subarray(7))]],
      ["over 64 symbols", [long1.slice(0, 130), long2.slice(0, 70)]],
      ["not a sequence", [42, "abc"]],
      ["bad element", [["BUY", {}], ["BUY"]]],
    ];
  },
  lcsAlignment: () => {
    const r = rng(0xa119);
    const signals = ["BUY", "SELL", "HOLD"];
    const pick = (n: number) =>
      Array.from({ length: n }, () => signals[randInt(r, 0, 2)]);
    return [
      ["empty, empty", [[], []]],
      ["strings", ["ABCBDAB", "BDCABA"]],
      ["code points", ["😀a😀b", "ab😀"]],
      ["signals 200 x 170", [pick(200), pick(170)]],
      ["typed arrays", [Int32Array.of(3, 1, 2, 1), Uint8Array.of(1, 2, 3)]],
      ["bad element", [[null], ["BUY"]]],
    ];
  },
  StreamMonitor: () => {
    const r = rng(0x5e7);
    const query = randomWalk(24, r);
    const stream = Float64Array.from(randomWalk(600, r));
    stream.set(query.map((v) => v + 0.01), 200);
    stream.set(query, 451);
    return [
      ["two planted copies", [query, { cutoff: 0.5 }, stream]],
      ["band 3, squared", [
        query,
        { cutoff: 2, window: 3, cost: "squared" },
        stream,
      ]],
      ["length 1 query", [[0], { cutoff: 0.05 }, stream.subarray(0, 50)]],
      ["deprecated threshold", [query, { threshold: 0.5 }, stream]],
      ["missing cutoff", [query, {}, stream]],
      ["empty query", [[], { cutoff: 1 }, stream]],
      ["NaN in the stream", [query, { cutoff: 1 }, [1, NaN]]],
    ];
  },
  correlationMatrix: () => {
    const r = rng(0xc0de);
    const signals = ["BUY", "SELL", "HOLD"];
    const many = Array.from(
      { length: 37 },
      () =>
        Array.from(
          { length: randInt(r, 0, 150) },
          () => signals[randInt(r, 0, 2)],
        ),
    );
    return [
      ["no sequences", [[]]],
      ["one sequence", [[["BUY", "SELL"]]]],
      ["empty sequences", [[[], "", ["HOLD"]]]],
      ["mixed kinds", [["abcdef", ["a", "b", "x"], Int32Array.of(1, 2, 3)]]],
      ["37 random lengths", [many]],
      ["unknown option", [[["BUY"]], { normalize: true }]],
      ["not an array", ["BUY"]],
    ];
  },
};

/**
 * Exported functions that fixed cases cannot compare, and why; each is
 * tested in Node by `tests/node/kernels.test.mjs` instead.
 */
const NO_FIXED_CASES: Record<string, string> = {
  warmUp: "asynchronous, and what it resolves with is a timing",
};

/** Every case, with its arguments encoded. */
function fixedCases(): Case[] {
  const api = kernels as Record<string, unknown>;
  const out: Case[] = [];
  for (const [fn, make] of Object.entries(CASES)) {
    if (typeof api[fn] !== "function") continue;
    for (const [name, args] of make()) {
      out.push({ name: `${fn}: ${name}`, fn, args: encode(args) });
    }
  }
  return out;
}

/** Exported functions of kernels/mod.ts. */
function exportedFunctions(): string[] {
  return Object.entries(kernels).filter(([, v]) => typeof v === "function")
    .map(([k]) => k).sort();
}

async function hasCommand(name: string): Promise<boolean> {
  try {
    return (await run(name, ["--version"])).code === 0;
  } catch {
    return false;
  }
}

/** Identifiers named `Deno` in a source file (comments excluded). */
function denoReferences(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && node.text === "Deno") {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart());
      found.push(`${file}:${line + 1}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

Deno.test("npm bundle: build, contents, Node and Chromium", async (t) => {
  const tmp = await Deno.makeTempDir({ prefix: "kit-bundle-test-" });
  try {
    const pkg = `${tmp}/pkg`;
    const report = await buildNpm(pkg);
    const bundleText = await Deno.readTextFile(`${pkg}/index.js`);
    const bundleUrl = new URL(`file://${pkg}/index.js`).href;
    const cases = fixedCases();
    const expected = runCases(kernels, cases);
    const exports = Object.keys(kernels).sort();

    await t.step("size within the budget", () => {
      console.log(
        `index.js: ${report.rawBytes} bytes raw, ${report.gzipBytes} gzipped` +
          ` (budget ${SIZE_BUDGET_BYTES} raw)`,
      );
      assert.ok(report.rawBytes > 10_000, "suspiciously small bundle");
      assert.ok(
        report.rawBytes <= SIZE_BUDGET_BYTES,
        `index.js is ${report.rawBytes} bytes, over ${SIZE_BUDGET_BYTES}`,
      );
      assert.ok(report.gzipBytes < report.rawBytes);
    });

    await t.step("package.json", async () => {
      const json = JSON.parse(await Deno.readTextFile(`${pkg}/package.json`));
      const deno = JSON.parse(
        await Deno.readTextFile(new URL("deno.json", ROOT)),
      );
      assert.equal(json.name, "@midstreamer/kit");
      assert.equal(json.version, deno.version);
      assert.equal(json.type, "module");
      assert.deepEqual(json.exports["."], {
        types: "./index.d.ts",
        import: "./index.js",
        default: "./index.js",
      });
    });

    await t.step("no Deno APIs in the bundle or the kernel sources", () => {
      assert.ok(report.inputs.length > 0);
      for (const input of report.inputs) {
        assert.match(input, /^kernels\/[a-z_.]+\.ts$/, "bundled a non-kernel");
        const text = Deno.readTextFileSync(new URL(input, ROOT));
        assert.deepEqual(denoReferences(input, text), [], "Deno used");
      }
      assert.doesNotMatch(bundleText, /\bDeno\b/);
      // The check can fail:
      assert.equal(denoReferences("x.ts", "Deno.exit(1);").length, 1);
    });

    await t.step(
      "npm pack --dry-run lists only the package files",
      async () => {
        const pack = await run("npm", ["pack", "--dry-run", "--json"], {
          cwd: pkg,
          env: { npm_config_update_notifier: "false", NO_COLOR: "1" },
        });
        assert.equal(pack.code, 0, pack.stderr);
        const listed = (JSON.parse(pack.stdout)[0].files as { path: string }[])
          .map((f) => f.path).sort();
        const hasReadme = await Deno.stat(new URL("README.md", ROOT)).then(
          () => true,
          () => false,
        );
        const allowed = new Set([
          "package.json",
          "index.js",
          "index.d.ts",
          "LICENSE",
          ...(hasReadme ? ["README.md"] : []),
        ]);
        for (const f of listed) {
          assert.ok(
            allowed.has(f) || /^types\/[a-z_.]+\.d\.ts$/.test(f),
            `unexpected file in the package: ${f}`,
          );
        }
        for (const f of allowed) assert.ok(listed.includes(f), `missing ${f}`);
        assert.deepEqual(listed, report.files, "package differs from dist/");
      },
    );

    await t.step(
      "declarations type-check for a TypeScript consumer",
      async () => {
        const dir = `${tmp}/consumer`;
        await Deno.mkdir(`${dir}/node_modules/@midstreamer`, {
          recursive: true,
        });
        await Deno.symlink(pkg, `${dir}/node_modules/@midstreamer/kit`);
        const names = exportedFunctions();
        await Deno.writeTextFile(
          `${dir}/consumer.mts`,
          [
            `import * as kit from "@midstreamer/kit";`,
            `import { dtw, type DtwOptions } from "@midstreamer/kit";`,
            `const options: DtwOptions = { window: 3, cost: "squared" };`,
            `export const d: number = dtw([1, 2], new Float64Array(2), options);`,
            `// @ts-expect-error: a string is not a series`,
            `dtw("12", [1]);`,
            `export const exported: unknown[] = [`,
            ...names.map((n) => `  kit.${n},`),
            `];`,
            "",
          ].join("\n"),
        );
        const program = ts.createProgram([`${dir}/consumer.mts`], {
          strict: true,
          noEmit: true,
          target: ts.ScriptTarget.ES2022,
          module: ts.ModuleKind.NodeNext,
          moduleResolution: ts.ModuleResolutionKind.NodeNext,
          lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
          types: [],
          skipLibCheck: false,
        });
        const diagnostics = ts.getPreEmitDiagnostics(program);
        assert.equal(
          diagnostics.length,
          0,
          ts.formatDiagnostics(diagnostics, {
            getCanonicalFileName: (f) => f,
            getCurrentDirectory: () => dir,
            getNewLine: () => "\n",
          }),
        );
        assert.ok(
          program.getSourceFiles().some((f) =>
            f.fileName === `${pkg}/types/dtw.d.ts`
          ),
          "the consumer did not resolve the package's declarations",
        );
      },
    );

    await t.step("every exported function has fixed cases", () => {
      const missing = exportedFunctions().filter((f) =>
        !(f in CASES) && !(f in NO_FIXED_CASES)
      );
      assert.deepEqual(
        missing,
        [],
        `add fixed calls to CASES in tests/bundle_test.ts for: ${missing}`,
      );
    });

    await t.step("Deno: the bundle equals the sources", async () => {
      assert.ok(cases.length > 0);
      const bundled = await import(bundleUrl);
      assert.deepEqual(Object.keys(bundled).sort(), exports);
      assert.deepStrictEqual(runCases(bundled, cases), expected);
      // No case may be missing its function, and errors must be the
      // intended ones (so the comparison compares something).
      for (const { name, result } of expected) {
        assert.ok(!(result as { $missing?: string }).$missing, name);
      }
    });

    const fixture = `${tmp}/cases.json`;
    await Deno.writeTextFile(
      fixture,
      JSON.stringify({ cases, expected, exports }),
    );

    await t.step({
      name: "Node: node --test tests/node/",
      ignore: !await hasCommand("node"),
      fn: async () => {
        const node = await run("node", ["--test", "tests/node/"], {
          cwd: root,
          env: { KIT_DIST: pkg, KIT_CASES: fixture },
        });
        const summary = node.stdout.split("\n").filter((l) =>
          /^# (tests|pass|fail)/.test(l)
        ).join(", ");
        console.log(`node --test tests/node/: ${summary}`);
        assert.equal(node.code, 0, node.stdout + node.stderr);
        const passed = Number(/^# pass (\d+)$/m.exec(node.stdout)?.[1]);
        assert.ok(passed >= cases.length + 4, `only ${passed} passed`);
      },
    });

    if (!chromiumAvailable()) {
      console.log(
        `SKIPPED Chromium step: no Chromium at ${CHROMIUM} ` +
          "(apt-get install chromium, or set KIT_CHROMIUM)",
      );
    }
    await t.step({
      name: "Chromium: results equal Deno's",
      ignore: !chromiumAvailable(),
      fn: async () => {
        const js = "text/javascript; charset=utf-8";
        const page = await runInChromium({
          files: {
            "/index.js": { body: bundleText, type: js },
            "/kernel_cases.mjs": {
              body: await Deno.readTextFile(
                new URL("fixtures/kernel_cases.mjs", import.meta.url),
              ),
              type: js,
            },
            "/cases.json": {
              body: JSON.stringify(cases),
              type: "application/json",
            },
            "/main.js": {
              body: `import * as kit from "/index.js";
import { runCases } from "/kernel_cases.mjs";
export default async () => {
  const cases = await (await fetch("/cases.json")).json();
  return {
    userAgent: navigator.userAgent,
    exports: Object.keys(kit).sort(),
    results: runCases(kit, cases),
  };
};
`,
              type: js,
            },
          },
          timeoutMs: 60_000,
        }) as { userAgent: string; exports: string[]; results: unknown };
        console.log(`Chromium: ${page.userAgent}`);
        assert.deepEqual(page.exports, exports);
        assert.deepStrictEqual(page.results, expected);
      },
    });
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("kernel_cases: encoding keeps every bit and can fail", () => {
  const values = [-0, 0, NaN, Infinity, -Infinity, 0.1 + 0.2, 5e-324];
  const encoded = encode(values);
  assert.deepStrictEqual(
    JSON.parse(JSON.stringify(encoded)),
    encoded,
  );
  assert.notDeepStrictEqual(encode([0]), encode([-0]));
  assert.notDeepStrictEqual(encode(new Float64Array(1)), encode([0]));
  assert.notDeepStrictEqual(encode(0.1 + 0.2), encode(0.3));
});
