// Copyright 2026 the @midstreamer/kit authors. MIT license.

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  type BenchEntry,
  type BenchStats,
  compareResults,
  groupBenches,
  parseResults,
  type Results,
  slower,
} from "../scripts/_compare_results.ts";
import { renderComparison, renderTable } from "../scripts/_compare_table.ts";
import { mergeBaseline } from "../scripts/compare.ts";
import { run, type RunResult } from "../testing/run.ts";

const COMPARE = fileURLToPath(
  new URL("../scripts/compare.ts", import.meta.url),
);

function stats(avg: number, min: number, p75: number, p99 = p75): BenchStats {
  return { n: 100, min, max: p99, avg, p75, p99, p995: p99, p999: p99 };
}

function entry(
  name: string,
  s: BenchStats | undefined,
  opts: { group?: string | null; file?: string; baseline?: boolean } = {},
): BenchEntry {
  return {
    origin: `file:///somewhere/bench/${opts.file ?? "a_bench.ts"}`,
    group: opts.group === undefined ? "g" : opts.group,
    name,
    baseline: opts.baseline ?? false,
    results: [s ? { ok: s } : { failed: { message: "boom" } }],
  };
}

function results(benches: BenchEntry[]): Results {
  return { version: 1, runtime: "Deno/test", cpu: "test", benches };
}

Deno.test("slower: a 50% slower benchmark with tight spreads regresses", () => {
  const old = stats(100, 98, 101);
  const now = stats(150, 147, 152);
  assert.equal(slower(old, now, 0.1), true);
  assert.equal(slower(now, old, 0.1), false);
});

Deno.test("slower: overlapping noisy ranges are not a regression", () => {
  // Mean 50% higher, but the new run's fastest iteration is inside the old
  // run's typical range [min, p75].
  assert.equal(slower(stats(100, 60, 140), stats(150, 90, 200), 0.1), false);
});

Deno.test("slower: outliers lifting only the mean are not a regression", () => {
  assert.equal(
    slower(stats(100, 98, 101), stats(130, 99, 102, 900), 0.1),
    false,
  );
});

Deno.test("slower: a slowdown below the threshold is not a regression", () => {
  assert.equal(slower(stats(100, 98, 101), stats(108, 106, 109), 0.1), false);
  assert.equal(slower(stats(100, 98, 101), stats(108, 106, 109), 0.05), true);
});

Deno.test("compareResults: regression, improvement, unchanged, added, removed", () => {
  const old = results([
    entry("slow", stats(100, 98, 101)),
    entry("fast", stats(100, 98, 101)),
    entry("same", stats(100, 98, 101)),
    entry("noisy", stats(100, 60, 140)),
    entry("gone", stats(100, 98, 101)),
    entry("was failing", undefined),
  ]);
  const now = results([
    entry("slow", stats(150, 147, 152)),
    entry("fast", stats(50, 49, 51)),
    entry("same", stats(103, 99, 104)),
    entry("noisy", stats(150, 90, 200)),
    entry("new", stats(100, 98, 101)),
    entry("was failing", stats(10, 9, 11)),
  ]);
  const { changes, threshold } = compareResults(old, now, 0.1);
  assert.equal(threshold, 0.1);
  assert.deepEqual(
    changes.map((c) => [c.label, c.verdict]),
    [
      ["g › slow", "regression"],
      ["g › fast", "improvement"],
      ["g › same", "unchanged"],
      ["g › noisy", "unchanged"],
      ["g › new", "added"],
      ["g › was failing", "added"],
      ["g › gone", "removed"],
    ],
  );
});

Deno.test("compareResults: matches by file, group and name, not by origin path", () => {
  const a = entry("x", stats(100, 98, 101));
  const moved = { ...a, origin: "file:///ci/checkout/bench/a_bench.ts" };
  const otherFile = entry("x", stats(100, 98, 101), { file: "b_bench.ts" });
  const otherGroup = entry("x", stats(100, 98, 101), { group: "h" });
  const { changes } = compareResults(
    results([a]),
    results([moved, otherFile, otherGroup]),
    0.1,
  );
  assert.deepEqual(changes.map((c) => c.verdict), [
    "unchanged",
    "added",
    "added",
  ]);
});

Deno.test("groupBenches: speedup against the group's baseline with its range", () => {
  const groups = groupBenches([
    entry("orig", stats(1000, 900, 1100), { baseline: true }),
    entry("kit", stats(100, 90, 110)),
    entry("lonely", stats(5, 4, 6), { group: "other" }),
    entry("broken", undefined),
  ]);
  assert.equal(groups.length, 2);
  const [g, other] = groups;
  assert.deepEqual(g.rows[0].speedup, {
    value: 1,
    low: 900 / 1100,
    high: 1100 / 900,
  });
  assert.deepEqual(g.rows[1].speedup, {
    value: 10,
    low: 900 / 110,
    high: 1100 / 90,
  });
  assert.equal(g.rows[2].speedup, undefined);
  assert.equal(other.rows[0].speedup, undefined);
  // Outliers lift the baseline's mean above its p75: the range still holds
  // the speedup of the means.
  const [skewed] = groupBenches([
    entry("orig", stats(2000, 900, 1100), { baseline: true }),
    entry("kit", stats(100, 90, 110)),
  ]);
  const s = skewed.rows[1].speedup!;
  assert.deepEqual(s, { value: 20, low: 900 / 110, high: 2000 / 90 });
  assert.ok(s.low <= s.value && s.value <= s.high);
});

Deno.test("renderTable and renderComparison: speedups, spreads, old against new", () => {
  const old = results([
    entry("orig", stats(1000, 900, 1100), { baseline: true }),
    entry("kit", stats(100, 98, 101)),
    entry("gone", stats(1, 1, 1)),
  ]);
  const now = results([
    entry("orig", stats(1000, 900, 1100, 1500), { baseline: true }),
    entry("kit", stats(200, 196, 202, 300)),
    entry("broken", undefined),
  ]);
  const comparison = compareResults(old, now, 0.1);
  const table = renderTable(now.benches, comparison);
  assert.match(table, /^g {2}\[a_bench\.ts\]$/m);
  assert.match(table, /orig \(baseline\) +1\.00 µs +900 ns … 1\.50 µs +×1\.00/);
  assert.match(
    table,
    /kit +200 ns +196 ns … 300 ns +×5\.00 \(×4\.46–5\.61\) +\+100% regression/,
  );
  assert.match(table, /broken +failed +boom/);
  const summary = renderComparison(comparison, "base.json");
  assert.match(
    summary,
    /^Compared with base\.json \(threshold 10%\): 1 regression, 0 improvements, 0 added, 1 removed, 1 unchanged$/m,
  );
  assert.match(
    summary,
    /regression: g › kit: avg 100 ns → 200 ns \(\+100%\), min 98\.0 ns → 196 ns/,
  );
  assert.match(
    summary,
    /removed \(only in the baseline\): a_bench\.ts › g › gone/,
  );
});

Deno.test("parseResults accepts deno bench output and names malformed fields", () => {
  const good = results([entry("a", stats(1, 1, 1)), entry("b", undefined)]);
  assert.deepEqual(parseResults(JSON.stringify(good), "f.json"), good);
  const cases: [unknown, RegExp][] = [
    [[], /f\.json: the top level must be an object/],
    [{ ...good, version: "1" }, /f\.json: version must be a number/],
    [{ ...good, benches: {} }, /f\.json: benches must be an array/],
    [
      { ...good, benches: [{ ...good.benches[0], group: 3 }] },
      /benches\[0\]\.group must be a string or null/,
    ],
    [
      { ...good, benches: [{ ...good.benches[0], results: [] }] },
      /benches\[0\]\.results must be a non-empty array/,
    ],
    [
      { ...good, benches: [entry("a", { ...stats(1, 1, 1), avg: NaN })] },
      /benches\[0\]\.results\[0\]\.ok\.avg must be a finite number/,
    ],
    [
      { ...good, benches: [{ ...good.benches[0], results: [{}] }] },
      /benches\[0\]\.results\[0\] must be an object with "ok" or "failed"/,
    ],
    [{ ...good, extras: [] }, /f\.json: extras must be an object/],
  ];
  for (const [data, message] of cases) {
    assert.throws(() => parseResults(JSON.stringify(data), "f.json"), message);
  }
  assert.throws(() => parseResults("{", "f.json"), /f\.json: not JSON/);
});

Deno.test("mergeBaseline keeps the benchmarks and extras of suites that did not run", () => {
  const deps = {
    suites: { a: "bench/a_bench.ts", b: "bench/b_bench.ts" },
    extras: [{ name: "ax", suite: "a", script: "x.ts" }],
  };
  const old: Results = {
    ...results([
      entry("old a", stats(1, 1, 1)),
      entry("old b", stats(1, 1, 1), { file: "b_bench.ts" }),
    ]),
    extras: { ax: "old", browser: "kept" },
  };
  const now: Results = {
    ...results([entry("new a", stats(2, 2, 2))]),
    run: { quick: false, suites: ["a"], durationMs: 1 },
    extras: { ax: "new" },
  };
  const merged = mergeBaseline(old, now, deps);
  assert.deepEqual(merged.benches.map((b) => b.name), ["old b", "new a"]);
  assert.deepEqual(merged.extras, { browser: "kept", ax: "new" });
  assert.equal(mergeBaseline(undefined, now, deps), now);
});

// --- The command, as a subprocess ------------------------------------------

function runDeno(args: string[], cwd?: string): Promise<RunResult> {
  return run(Deno.execPath(), args, { cwd, env: { NO_COLOR: "1" } });
}

Deno.test("compare.ts: bad input exits 2 with a clear message, before measuring", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "kit-compare-" });
  try {
    const malformed = `${dir}/malformed.json`;
    await Deno.writeTextFile(malformed, '{"version": 1, "benches": "no"}');
    const cases: [string[], RegExp][] = [
      [["--bogus"], /Unknown option '--bogus'/],
      [["stray"], /Unexpected argument 'stray'/],
      [
        ["--suite", "nope,toString"],
        /unknown suite "nope", "toString"; known: dtw, lcs/,
      ],
      [["--threshold", "abc"], /--threshold must be a number >= 0/],
      [["--threshold=-1"], /--threshold must be a number >= 0/],
      [
        ["--suite", "dtw", "--baseline", malformed],
        /malformed baseline: .*malformed\.json: runtime must be a string/,
      ],
      [
        ["--suite", "dtw", "--baseline", `${dir}/absent.json`],
        /baseline file .*absent\.json does not exist/,
      ],
    ];
    for (const [args, message] of cases) {
      await t.step(args.join(" "), async () => {
        const r = await runDeno(["run", "-A", COMPARE, ...args]);
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, message);
        assert.doesNotMatch(r.stderr, /deno bench -A/); // nothing was run
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("compare.ts --help exits 0", async () => {
  const r = await runDeno(["run", "-A", COMPARE, "--help"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /--update-baseline/);
});

/** A temporary project with small suites, run through `main` with injected suites. */
async function project(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "kit-compare-" });
  const files: Record<string, string> = {
    "tiny_bench.ts": `
const quick = Deno.env.get("BENCH_QUICK") === "1";
const data = Array.from({ length: 200 }, (_, i) => i);
Deno.bench("sum" + (quick ? " quick" : ""), { group: "tiny", baseline: true, n: 200, warmup: 20 }, () => {
  let s = 0;
  for (const x of data) s += x;
  if (s < 0) throw new Error("unreachable");
});
`,
    "broken_bench.ts": `
Deno.bench("fine", { n: 10, warmup: 1 }, () => {});
Deno.bench("explodes", { n: 10, warmup: 1 }, () => { throw new Error("boom in bench"); });
`,
    "toplevel_bench.ts": `throw new Error("top-level boom");\n`,
    "tiny_extra.ts": `
console.error("progress goes to stderr");
console.log(JSON.stringify({ args: Deno.args, rows: [{ transport: "quic", size: 64, p50: 0.1, p99: 0.2 }] }));
`,
    "run.ts": `
import { main } from ${
      JSON.stringify(new URL("../scripts/compare.ts", import.meta.url).href)
    };
Deno.exit(await main(Deno.args, {
  root: ${JSON.stringify(dir)},
  suites: { tiny: "tiny_bench.ts", broken: "broken_bench.ts", toplevel: "toplevel_bench.ts", absent: "absent_bench.ts" },
  extras: [
    { name: "tiny", suite: "tiny", script: "tiny_extra.ts" },
    { name: "missing", suite: "tiny", script: "missing_extra.ts" },
  ],
}));
`,
  };
  for (const [name, text] of Object.entries(files)) {
    await Deno.writeTextFile(`${dir}/${name}`, text);
  }
  return dir;
}

function baselineFile(name: string, s: BenchStats): string {
  return JSON.stringify(results([
    entry(name, s, { file: "tiny_bench.ts", group: "tiny", baseline: true }),
    entry("retired", s, { file: "tiny_bench.ts", group: "tiny" }),
    entry("other suite", s, { file: "other_bench.ts" }),
  ]));
}

Deno.test("compare.ts: exit codes, saved results, extras and the HTML report", async (t) => {
  const dir = await project();
  const compare = (...args: string[]) =>
    runDeno(["run", "-A", `${dir}/run.ts`, ...args], dir);
  try {
    await t.step("a real slowdown against the baseline exits 1", async () => {
      // The baseline claims 1 ps per iteration: any real run is far slower.
      await Deno.writeTextFile(
        `${dir}/fast.json`,
        baselineFile("sum", stats(0.001, 0.001, 0.001)),
      );
      const r = await compare(
        "--suite",
        "tiny",
        "--baseline",
        "fast.json",
        "--save",
        "out.json",
        "--html",
        "report.html",
      );
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stdout, /^ {2}regression: tiny › sum: avg 0\.0010 ns → /m);
      assert.match(
        r.stdout,
        /removed \(only in the baseline\): tiny_bench\.ts › tiny › retired/,
      );
      assert.match(
        r.stdout,
        /1 baseline benchmarks of suites that did not run were not compared/,
      );
      assert.doesNotMatch(r.stdout, /other suite/);
      assert.match(
        r.stderr,
        /extras\.missing: skipped, missing_extra\.ts does not exist/,
      );
      const saved = parseResults(
        await Deno.readTextFile(`${dir}/out.json`),
        "out.json",
      );
      assert.deepEqual(
        saved.benches.map((b) => [b.group, b.name, b.baseline]),
        [["tiny", "sum", true]],
      );
      assert.deepEqual(saved.run?.suites, ["tiny"]);
      assert.equal(saved.run?.quick, false);
      assert.equal(saved.system?.commit, "unknown"); // the temp dir is no repository
      assert.equal(saved.system?.deno, Deno.version.deno);
      assert.ok(saved.system!.cores > 0 && saved.system!.memoryBytes > 0);
      assert.deepEqual(saved.extras?.tiny, {
        args: ["--json"],
        rows: [{ transport: "quic", size: 64, p50: 0.1, p99: 0.2 }],
      });
      const html = await Deno.readTextFile(`${dir}/report.html`);
      assert.match(html, /<b>regression<\/b>: tiny › sum/);
      assert.match(html, /extras\.tiny/);
    });

    await t.step("a faster run exits 0 and names the improvement", async () => {
      await Deno.writeTextFile(
        `${dir}/slow.json`,
        baselineFile("sum", stats(1e12, 1e12, 1e12)),
      );
      const r = await compare(
        "--suite",
        "tiny",
        "--baseline",
        "slow.json",
        "--save",
        "out.json",
      );
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /improvement: tiny › sum: avg 1000 s → /);
      assert.doesNotMatch(r.stdout, /regression:/);
    });

    await t.step(
      "added and removed benchmarks are listed, not failures",
      async () => {
        await Deno.writeTextFile(
          `${dir}/renamed.json`,
          baselineFile("old sum", stats(0.001, 0.001, 0.001)),
        );
        const r = await compare(
          "--suite",
          "tiny",
          "--baseline",
          "renamed.json",
          "--save",
          "out.json",
        );
        assert.equal(r.code, 0, r.stderr);
        assert.match(
          r.stdout,
          /added \(not in the baseline\): tiny_bench\.ts › tiny › sum/,
        );
        assert.match(
          r.stdout,
          /removed \(only in the baseline\): tiny_bench\.ts › tiny › old sum/,
        );
      },
    );

    await t.step(
      "--quick --update-baseline writes the quick results as the baseline",
      async () => {
        const r = await compare(
          "--suite",
          "tiny",
          "--quick",
          "--update-baseline",
          "--baseline",
          "new.json",
        );
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /wrote the baseline new\.json/);
        const saved = parseResults(
          await Deno.readTextFile(`${dir}/new.json`),
          "new.json",
        );
        assert.deepEqual(saved.benches.map((b) => b.name), ["sum quick"]);
        assert.equal(saved.run?.quick, true);
        assert.deepEqual((saved.extras?.tiny as { args: string[] }).args, [
          "--json",
          "--quick",
        ]);
      },
    );

    await t.step(
      "default paths: bench/baseline_quick.json and bench/results/",
      async () => {
        await Deno.mkdir(`${dir}/bench`);
        await Deno.writeTextFile(
          `${dir}/bench/baseline_quick.json`,
          baselineFile("sum quick", stats(1e12, 1e12, 1e12)),
        );
        const r = await compare("--suite", "tiny", "--quick");
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /Compared with bench\/baseline_quick\.json/);
        const saved = [...Deno.readDirSync(`${dir}/bench/results`)].map((e) =>
          e.name
        );
        assert.equal(saved.length, 1);
        assert.match(saved[0], /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z\.json$/);
      },
    );

    await t.step("a failing benchmark exits 2 and is named", async () => {
      const r = await compare(
        "--suite",
        "broken",
        "--update-baseline",
        "--baseline",
        "x.json",
      );
      assert.equal(r.code, 2);
      assert.match(
        r.stderr,
        /suite broken \(broken_bench\.ts\): 1 benchmark failed:\n {2}explodes: .*boom in bench/,
      );
    });

    await t.step(
      "a suite that fails outside its benchmarks exits 2 with the error",
      async () => {
        const r = await compare(
          "--suite",
          "toplevel",
          "--update-baseline",
          "--baseline",
          "x.json",
        );
        assert.equal(r.code, 2);
        assert.match(
          r.stderr,
          /suite toplevel \(toplevel_bench\.ts\) failed[^]*top-level boom/,
        );
      },
    );

    await t.step("a default suite whose file is missing exits 2", async () => {
      const r = await compare("--update-baseline", "--baseline", "x.json");
      assert.equal(r.code, 2);
      assert.match(r.stderr, /suite absent: absent_bench\.ts does not exist/);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
