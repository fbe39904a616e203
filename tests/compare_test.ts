// Copyright 2026 the @midstreamer/kit authors. MIT license.
// `deno task compare`: the harness that captures Deno.bench, the rounds, the
// worktree of a revision, paired runs end to end on a throwaway repository,
// the comparison with a saved file, and bad input.

import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { captureBenches, runnable } from "../scripts/internal.ts";
import { measureUnit } from "../scripts/internal.ts";
import { mapSpecifier, rewriteSpecifiers } from "../scripts/internal.ts";
import { analyseAgainst, analyseBaseline } from "../scripts/internal.ts";
import { pairedRatio, sessionsRatio, verdictOf } from "../scripts/internal.ts";
import type { MeasuredUnit, Results } from "../scripts/internal.ts";
import { parseResults } from "../scripts/internal.ts";
import { main, mergeSessions, parseThreshold } from "../scripts/compare.ts";
import { rng } from "../testing/rng.ts";
import { testResults } from "../testing/results.ts";
import { run } from "../testing/run.ts";

const deno = Deno.execPath();
const COMPARE = new URL("../scripts/compare.ts", import.meta.url);
const CONFIG = new URL("../deno.json", import.meta.url);

async function git(cwd: string, ...args: string[]): Promise<string> {
  const r = await run("git", [
    "-c",
    "user.name=test",
    "-c",
    "user.email=test@example.com",
    "-c",
    "commit.gpgsign=false",
    ...args,
  ], { cwd });
  assert.equal(r.code, 0, `git ${args.join(" ")}: ${r.stderr}`);
  return r.stdout.trim();
}

/** A repository with one commit per entry of `commits` (files by path). */
async function repository(
  commits: Record<string, string>[],
): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "kit-compare-test-" });
  await git(dir, "init", "-q", "-b", "main");
  for (const [i, files] of commits.entries()) {
    for (const [path, text] of Object.entries(files)) {
      await Deno.mkdir(join(dir, path, ".."), { recursive: true });
      if (text === "") await Deno.remove(join(dir, path));
      else await Deno.writeTextFile(join(dir, path), text);
    }
    await git(dir, "add", "-A");
    await git(dir, "commit", "-q", "-m", `commit ${i}`);
  }
  return dir;
}

const CONFIG_TEXT = JSON.stringify({ imports: { "@t/lib": "./lib.ts" } });

/** A library whose `changed` does `factor` times the work of `steady`. */
const lib = (factor: number) => `
export let sink = 0;
function work(n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.sqrt(i + (s % 7));
  return s;
}
export function steady(): void { sink += work(20_000); }
export function changed(): void { sink += work(${20_000 * factor}); }
`;

/** A bench file reaching the library through the bare specifier `@t/lib`. */
const bench = (extra: string) => `
import { changed, steady } from "@t/lib";
Deno.bench("steady", { group: "g", baseline: true }, () => steady());
Deno.bench("changed", { group: "g" }, () => changed());
${extra}
`;

const deps = (root: string) => ({
  root,
  suites: { x: "bench/x_bench.ts" },
  extras: [],
  progress: () => ({
    loading() {},
    update() {},
    done() {},
    close() {},
  }),
});

/** Runs `main` capturing what it prints. */
async function compare(
  args: string[],
  root: string,
): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [], err: string[] = [];
  const log = console.log, error = console.error;
  console.log = (...a: unknown[]) => void out.push(a.join(" "));
  console.error = (...a: unknown[]) => void err.push(a.join(" "));
  try {
    const code = await main(args, deps(root));
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}

async function worktrees(root: string): Promise<number> {
  return (await git(root, "worktree", "list")).split("\n").length;
}

Deno.test("captureBenches records every Deno.bench form and option", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "some_bench.ts");
    await Deno.writeTextFile(
      file,
      `
Deno.bench("plain", () => {});
Deno.bench("with options", { group: "g", baseline: true, n: 3, warmup: 2 }, () => {});
Deno.bench({ name: "object form", group: "g", ignore: true, fn() {} });
Deno.bench(function named() {});
Deno.bench({ name: "only one", only: true }, () => {});
`,
    );
    const benches = await captureBenches(pathToFileURL(file).href);
    assert.deepEqual(
      benches.map(({ fn: _, ...b }) => b),
      [
        {
          name: "plain",
          group: null,
          baseline: false,
          n: undefined,
          warmup: undefined,
          ignore: false,
          only: false,
        },
        {
          name: "with options",
          group: "g",
          baseline: true,
          n: 3,
          warmup: 2,
          ignore: false,
          only: false,
        },
        {
          name: "object form",
          group: "g",
          baseline: false,
          n: undefined,
          warmup: undefined,
          ignore: true,
          only: false,
        },
        {
          name: "named",
          group: null,
          baseline: false,
          n: undefined,
          warmup: undefined,
          ignore: false,
          only: false,
        },
        {
          name: "only one",
          group: null,
          baseline: false,
          n: undefined,
          warmup: undefined,
          ignore: false,
          only: true,
        },
      ],
    );
    assert.ok(benches.every((b) => typeof b.fn === "function"));
    assert.deepEqual(runnable(benches).map((b) => b.name), ["only one"]);
    assert.deepEqual(
      runnable(benches.filter((b) => !b.only)).map((b) => b.name),
      ["plain", "with options", "named"],
      "ignored benchmarks do not run",
    );
    assert.equal(typeof Deno.bench, "function", "Deno.bench is restored");
    await assert.rejects(
      captureBenches(pathToFileURL(join(dir, "missing.ts")).href),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("measureUnit alternates the sides, counts the rounds and reports a throwing side", async () => {
  const order: string[] = [];
  let calls = 0;
  const side = (name: string, fn: () => void) => ({
    name,
    group: null,
    baseline: false,
    ignore: false,
    only: false,
    fn,
  });
  const sides = [
    side("a", () => void order.push("a")),
    side("b", () => void order.push("b")),
    side("boom", () => {
      if (++calls > 3) throw new Error("it broke");
    }),
  ];
  const out = await measureUnit(sides, { budgetMs: 30, rounds: 4 });
  assert.equal(out[0].times.length, 4);
  assert.equal(out[1].times.length, 4);
  assert.equal(out[0].error, undefined);
  assert.equal(out[2].error, "it broke");
  assert.ok(out[0].times.every((t) => t >= 0 && Number.isFinite(t)));
  // After the warm-up, rounds alternate which side goes first: each batch
  // is a run of one name; the sequence of batch names is a b, b a, a b, …
  const batches: string[] = [];
  const measured = order.slice(
    order.length - 4 * (out[0].iterations + out[1].iterations),
  );
  for (const x of measured) if (batches.at(-1) !== x) batches.push(x);
  assert.deepEqual(batches, ["a", "b", "a", "b", "a"]); // ab ba ab ba
  // The explicit warm-up count is honoured.
  let warm = 0;
  await measureUnit(
    [{ ...side("w", () => void warm++), warmup: 7, n: 1 }],
    { budgetMs: 1, rounds: 2 },
  );
  assert.equal(warm, 7 + 2, "7 warm-up calls, then 2 rounds of n = 1");
});

Deno.test("mapSpecifier and rewriteSpecifiers resolve a revision's own import map", async () => {
  const imports = {
    "@m/kit": "./mod.ts",
    "@m/kit/": "./sub/",
    "ws": "npm:ws@8.18.3",
  };
  assert.equal(mapSpecifier("@m/kit", imports), "./mod.ts");
  assert.equal(mapSpecifier("@m/kit/x.ts", imports), "./sub/x.ts");
  assert.equal(mapSpecifier("ws", imports), "npm:ws@8.18.3");
  assert.equal(mapSpecifier("./local.ts", imports), undefined);
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      join(dir, "deno.json"),
      JSON.stringify({ imports }),
    );
    await Deno.mkdir(join(dir, "bench"));
    await Deno.writeTextFile(
      join(dir, "bench", "b.ts"),
      `import { a } from "@m/kit";\nimport type { T } from '@m/kit/x.ts';\nexport * from "ws";\nconst m = await import("@m/kit");\nimport "./local.ts";\n`,
    );
    await rewriteSpecifiers(dir);
    assert.equal(
      await Deno.readTextFile(join(dir, "bench", "b.ts")),
      `import { a } from "../mod.ts";\nimport type { T } from '../sub/x.ts';\nexport * from "npm:ws@8.18.3";\nconst m = await import("../mod.ts");\nimport "./local.ts";\n`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseThreshold takes percentages and fractions", () => {
  assert.equal(parseThreshold("5%"), 0.05);
  assert.equal(parseThreshold("2 %"), 0.02);
  assert.equal(parseThreshold("0.1"), 0.1);
  for (const bad of ["", "%", "abc", "-1%", "2", "150%"]) {
    assert.throws(() => parseThreshold(bad), /--threshold/, bad);
  }
});

Deno.test({
  name:
    "--against: two commits, one benchmark 2x slower through a bare specifier: exactly one slower",
  sanitizeResources: false,
  async fn() {
    const root = await repository([
      {
        "deno.json": CONFIG_TEXT,
        "lib.ts": lib(1),
        "bench/x_bench.ts": bench(`Deno.bench("old one", () => steady());`),
      },
      {
        "lib.ts": lib(2),
        "bench/x_bench.ts": bench(`Deno.bench("new one", () => steady());`),
      },
    ]);
    try {
      const saved = join(root, "out.json");
      const r = await compare(
        [
          "--against",
          "HEAD~1",
          "--rounds",
          "24",
          "--budget",
          "6",
          "--save",
          saved,
        ],
        root,
      );
      assert.equal(r.code, 1, r.err + r.out);
      const results = parseResults(await Deno.readTextFile(saved), saved);
      const a = analyseAgainst(results, 0.05);
      const verdicts = Object.fromEntries(
        a.rows.map((row) => [row.name, row.verdict]),
      );
      assert.deepEqual(verdicts, { steady: "same", changed: "slower" });
      const changed = a.rows.find((row) => row.name === "changed")!.change!;
      assert.ok(
        changed.lo <= 2 && 2 <= changed.hi * 1.1,
        JSON.stringify(changed),
      );
      const sessions = Object.fromEntries(
        results.units.map((u) => [u.names[1], u.sessions]),
      );
      // Two sessions of 24 rounds, two more confirming the slower one (and
      // `steady` too if noise put its median beyond 5 %).
      assert.deepEqual(
        sessions.changed,
        [24, 24, 24, 24],
        JSON.stringify(sessions),
      );
      const near = sessions.steady.length === 4 ? 1 : 0;
      assert.deepEqual(sessions.steady, near ? [24, 24, 24, 24] : [24, 24]);
      assert.match(r.out, /changed\s+slower\s+×/);
      assert.match(
        r.out,
        new RegExp(
          `${
            1 + near
          } benchmarks? (was|were) judged slower or faster \\(1\\), or near it \\(${near}\\), after 2 sessions and measured in 2 more; 1 of ${
            1 + near
          } is now judged slower or faster`,
        ),
      );
      assert.match(r.out, /added: new one/);
      assert.match(r.out, /removed: old one/);
      assert.match(r.out, /1 slower, 0 faster, 1 same/);
      assert.equal(await worktrees(root), 1, "the worktree is removed");
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "--against: bad input is one line and exit 2, and the worktree is removed",
  sanitizeResources: false,
  async fn(t) {
    const root = await repository([
      { "README.md": "no benches yet" },
      {
        "deno.json": CONFIG_TEXT,
        "lib.ts": lib(1),
        "bench/x_bench.ts": `throw new Error("broken in this revision");`,
      },
      { "bench/x_bench.ts": bench("") },
    ]);
    const outside = await Deno.makeTempDir();
    try {
      const cases: [string, string[], string, RegExp][] = [
        [
          "an unknown revision",
          ["--against", "no-such-ref"],
          root,
          /unknown revision "no-such-ref"/,
        ],
        [
          "a revision that is an option",
          ["--against=-x"],
          root,
          /not a revision/,
        ],
        [
          "a revision without bench files",
          ["--against", "HEAD~2"],
          root,
          /A \(HEAD~2\) has none of the bench files/,
        ],
        [
          "a bench file that throws in one tree",
          ["--against", "HEAD~1"],
          root,
          /bench\/x_bench\.ts throws in A \(HEAD~1\).*broken in this revision/,
        ],
        [
          "outside a git checkout",
          ["--against", "HEAD"],
          outside,
          /needs a git checkout/,
        ],
        [
          "an unknown flag",
          ["--nope"],
          root,
          /Unknown option '--nope'.*see --help/,
        ],
        [
          "a bad threshold",
          ["--threshold", "2"],
          root,
          /--threshold must be below 100 %/,
        ],
        [
          "a bad round count",
          ["--rounds", "0"],
          root,
          /--rounds must be a positive integer/,
        ],
        ["an unknown suite", ["--suite", "nope"], root, /unknown suite "nope"/],
        [
          "a bad filter",
          ["--filter", "("],
          root,
          /--filter is not a regular expression/,
        ],
        [
          "--update-baseline with --against",
          ["--against", "HEAD", "--update-baseline"],
          root,
          /does not go with --against/,
        ],
        [
          "a missing baseline file",
          ["--baseline", join(outside, "none.json")],
          root,
          /does not exist/,
        ],
      ];
      for (const [name, args, dir, message] of cases) {
        await t.step(name, async () => {
          const r = await compare(args, dir);
          assert.equal(r.code, 2, r.err);
          assert.match(r.err, message);
          assert.equal(
            r.err.trim().split("\n").length,
            1,
            `one line: ${r.err}`,
          );
          assert.doesNotMatch(r.err, /\n\s+at /, "no stack trace");
          if (dir === root) assert.equal(await worktrees(root), 1);
        });
      }
    } finally {
      await Deno.remove(root, { recursive: true });
      await Deno.remove(outside, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "--against: a benchmark slower only in the first two processes is measured again and judged same",
  sanitizeResources: false,
  async fn() {
    // The first two processes do twice the work, as a process that settled
    // in a bad state would.
    const root = await slowInSomeProcesses("n <= 2");
    try {
      const saved = join(root, "out.json");
      const args = ["--against", "HEAD~1", "--rounds", "16", "--save", saved];
      const r = await compare(args, root);
      assert.equal(r.code, 0, r.err + r.out);
      assert.equal(await Deno.readTextFile(join(root, "count.txt")), "4");
      const results = parseResults(await Deno.readTextFile(saved), saved);
      const changed = results.units.find((u) => u.names[1] === "changed")!;
      assert.deepEqual(changed.sessions, [16, 16, 16, 16]);
      const ratios = sessionRatios(changed);
      assert.ok(ratios[0] > 1.5 && ratios[1] > 1.5, `${ratios}`);
      assert.ok(ratios[2] < 1.2 && ratios[3] < 1.2, `${ratios}`);
      assert.match(r.out, /changed\s+same\s+×/);
      assert.match(
        r.out,
        /1 benchmark was judged slower or faster \(1\), or near it \(0\), after 2 sessions and measured in 2 more; 0 of 1 are now judged slower or faster/,
      );
      assert.match(r.out, /0 slower, 0 faster, 2 same/);

      await Deno.writeTextFile(join(root, "count.txt"), "0");
      const off = await compare([...args, "--confirm", "0"], root);
      assert.equal(off.code, 1, "without confirmation the first two decide");
      assert.match(off.out, /changed\s+slower\s+×/);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "--against: a median beyond the threshold whose sessions disagree is measured again, then judged by all sessions but an undecided one",
  sanitizeResources: false,
  async fn() {
    // Tree B is twice as slow in every process but the first.
    const root = await slowInSomeProcesses("n >= 2");
    try {
      const saved = join(root, "out.json");
      const args = ["--against", "HEAD~1", "--rounds", "16", "--save", saved];
      const r = await compare(args, root);
      assert.equal(await Deno.readTextFile(join(root, "count.txt")), "4");
      const results = parseResults(await Deno.readTextFile(saved), saved);
      const changed = results.units.find((u) => u.names[1] === "changed")!;
      assert.deepEqual(changed.sessions, [16, 16, 16, 16]);
      const ratios = sessionRatios(changed);
      assert.ok(ratios.slice(1).every((x) => x > 1.5), `${ratios}`);
      assert.match(
        r.out,
        /1 benchmark was judged slower or faster \(0\), or near it \(1\), after 2 sessions and measured in 2 more/,
      );
      // The first process found no change: with a narrow interval it keeps
      // the verdict same; if its interval straddles 0.95 or 1.05 (a loaded
      // machine) and the other three agree on the change, it is left out
      // and they say slower (the rule itself is tested in
      // compare_stats_test.ts; here, that the printed verdict and the exit
      // code are the rule's on the rounds the run saved).
      const first = pairedRatio(
        changed.sides[0].times.slice(0, 16),
        changed.sides[1].times.slice(0, 16),
      );
      const narrowSame = first.lo > 0.95 && first.hi < 1.05;
      const expected = verdictOf(
        sessionsRatio(
          changed.sides[0].times,
          changed.sides[1].times,
          changed.sessions,
          0.05,
        ),
        0.05,
      );
      if (narrowSame) assert.equal(expected, "same");
      // Computed here: the first session undecided and the other three
      // agreeing on ×2 within 4 % must give slower.
      const rest = ratios.slice(1);
      const undecided = (first.lo <= 1.05 && first.hi >= 1.05) ||
        (first.lo <= 0.95 && first.hi >= 0.95);
      if (undecided && Math.max(...rest) <= 1.04 * Math.min(...rest)) {
        assert.equal(expected, "slower");
      }
      assert.notEqual(expected, "faster");
      assert.match(r.out, new RegExp(`changed\\s+${expected}\\s+×`));
      assert.equal(r.code, expected === "slower" ? 1 : 0, r.err + r.out);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

/**
 * A test repository whose second commit makes the benchmark `changed` do
 * twice the work in the processes whose number `n` (1, 2, … in the order
 * they load tree B, counted in `count.txt`) satisfies `slowWhen`.
 */
function slowInSomeProcesses(slowWhen: string): Promise<string> {
  return repository([
    {
      "deno.json": CONFIG_TEXT,
      "lib.ts": lib(1),
      "bench/x_bench.ts": bench(""),
    },
    {
      "bench/x_bench.ts": `
import { changed, steady } from "@t/lib";
const file = new URL("../count.txt", import.meta.url);
const n = Number(await Deno.readTextFile(file).catch(() => "0")) + 1;
await Deno.writeTextFile(file, String(n));
const slow = ${slowWhen};
Deno.bench("steady", { group: "g", baseline: true }, () => steady());
Deno.bench("changed", { group: "g" }, () => {
  changed();
  if (slow) changed();
});
`,
    },
  ]);
}

/** The median B/A ratio of each session of a two-sided unit. */
function sessionRatios(u: MeasuredUnit): number[] {
  let at = 0;
  return u.sessions.map((n) => {
    const r = u.sides[1].times.slice(at, at + n).map((b, i) =>
      b / u.sides[0].times[at + i]
    ).sort((x, y) => x - y);
    at += n;
    return r[Math.floor(n / 2)];
  });
}

Deno.test({
  name: "--against: Ctrl-C in the middle exits 2 and removes the worktree",
  sanitizeResources: false,
  async fn() {
    const root = await repository([
      {
        "deno.json": CONFIG_TEXT,
        "lib.ts": lib(1),
        "bench/x_bench.ts": bench(""),
      },
      { "lib.ts": lib(2) },
    ]);
    try {
      const driver = join(root, "driver.ts");
      await Deno.writeTextFile(
        driver,
        `import { main } from ${JSON.stringify(COMPARE.href)};
Deno.exit(await main(Deno.args, { root: ${
          JSON.stringify(root)
        }, suites: { x: "bench/x_bench.ts" }, extras: [] }));`,
      );
      const child = new Deno.Command(deno, {
        args: [
          "run",
          "-A",
          "--config",
          CONFIG.pathname,
          driver,
          "--against",
          "HEAD~1",
          "--rounds",
          "500",
        ],
        cwd: root,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const stderr = new Response(child.stderr).text();
      const stdout = new Response(child.stdout).text();
      // Wait (bounded) for the worktree and the first rounds, then interrupt.
      let seen = false;
      for (let i = 0; i < 300 && !seen; i++) {
        await new Promise((r) => setTimeout(r, 100));
        seen = (await worktrees(root)) === 2;
      }
      assert.ok(seen, "the worktree appeared");
      await new Promise((r) => setTimeout(r, 1500));
      child.kill("SIGINT");
      const status = await child.status;
      await stdout;
      const err = await stderr;
      assert.equal(status.code, 2, err);
      assert.match(err, /compare: interrupted/);
      assert.equal(await worktrees(root), 1, "the worktree is removed");
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

/** A baseline-mode unit: a baseline and two kit members, two sessions. */
function syntheticUnit(
  random: () => number,
  scale: { base: number; kit: number },
): MeasuredUnit {
  const rounds = 12;
  const side = (ns: number) => ({
    times: Array.from({ length: 2 * rounds }, () => ns),
    iterations: 10,
  });
  const base = side(1000 * scale.base);
  const a = side(100 * scale.kit);
  const b = side(10 * scale.kit);
  // Drift shared by the round, plus a little noise of each side's own.
  for (let r = 0; r < 2 * rounds; r++) {
    const drift = 1 + 0.3 * random();
    for (const s of [base, a, b]) {
      s.times[r] *= drift * (1 + 0.02 * (random() - 0.5));
    }
  }
  return {
    suite: "dtw",
    file: "bench/dtw_bench.ts",
    group: "dtw 1000",
    names: ["original", "kit a", "kit b"],
    baseline: "original",
    sides: [base, a, b],
    sessions: [rounds, rounds],
  };
}

function syntheticResults(unit: MeasuredUnit, date: string): Results {
  return testResults([unit], ["dtw"], date);
}

Deno.test("a saved file: judged by ratios to the in-run baseline, not by times", () => {
  const random = rng(18);
  /** A run whose baseline and kit times are scaled by `base` and `kit`. */
  const recorded = (base: number, kit: number, date: string) =>
    syntheticResults(syntheticUnit(random, { base, kit }), date);
  const now = recorded(1, 1, "2026-12-05");
  // A file from a moment when the machine was 30 % faster: every time,
  // baselines included, 30 % lower. Ratios are unchanged: nothing slower.
  const drift = analyseBaseline(now, recorded(0.7, 0.7, "2026-12-01"), 0.05);
  assert.deepEqual(drift.rows.map((r) => r.verdict), [
    undefined,
    "same",
    "same",
  ]);
  assert.ok(
    drift.rows[1].timeChange! > 1.3,
    "the time change is shown, as information",
  );
  // A file where only the kit was 30 % faster: the kit got slower.
  const kitFaster = recorded(1, 0.7, "2026-12-01");
  const slower = analyseBaseline(now, kitFaster, 0.05);
  assert.deepEqual(slower.rows.map((r) => r.verdict), [
    undefined,
    "slower",
    "slower",
  ]);
  const c = slower.rows[1].change!;
  assert.ok(c.lo < 1 / 0.7 && 1 / 0.7 < c.hi, JSON.stringify(c));
  // Recorded on another machine: ratios shown, no verdicts, and it says so.
  const elsewhere = {
    ...kitFaster,
    system: { ...kitFaster.system, cpu: "Intel Xeon" },
  };
  const info = analyseBaseline(now, elsewhere, 0.05, "bench/baseline.json");
  assert.ok(info.rows.every((r) => r.verdict === undefined));
  assert.ok(info.rows[1].change !== undefined);
  assert.match(
    info.notes.join("\n"),
    /bench\/baseline\.json was recorded on another machine \(CPU: Intel Xeon there, AMD EPYC here\)/,
  );
  // A group without a baseline gets no verdict from a file.
  const lone: MeasuredUnit = {
    ...now.units[0],
    names: ["kit a"],
    baseline: null,
    sides: [now.units[0].sides[1]],
  };
  const noBase = analyseBaseline({ ...now, units: [lone] }, {
    ...kitFaster,
    units: [lone],
  }, 0.05);
  assert.equal(noBase.rows[0].verdict, undefined);
  assert.match(
    noBase.notes.join("\n"),
    /needs? --against|compare revisions with --against/,
  );
});

Deno.test("mergeSessions appends rounds and refuses different benchmarks", () => {
  const unit = syntheticUnit(rng(19), { base: 1, kit: 1 });
  const one = { units: [{ ...unit, sessions: [24] }], added: [], removed: [] };
  const merged = mergeSessions(one, one);
  assert.deepEqual(merged.units[0].sessions, [24, 24]);
  assert.equal(merged.units[0].sides[0].times.length, 48);
  assert.throws(
    () =>
      mergeSessions(one, {
        ...one,
        units: [{ ...unit, names: ["x", "y", "z"] }],
      }),
    /different benchmarks/,
  );
  const other = { ...unit, group: "h", sessions: [24] };
  const two = { ...one, units: [one.units[0], other] };
  const partial = mergeSessions(two, one, true);
  assert.deepEqual(partial.units.map((u) => u.sessions), [[24, 24], [24]]);
  assert.throws(() => mergeSessions(two, one), /different benchmarks/);
  assert.throws(() => mergeSessions(one, two, true), /different benchmarks/);
});

Deno.test("parseResults names the malformed field", () => {
  const good = syntheticResults(
    syntheticUnit(rng(20), { base: 1, kit: 1 }),
    "2026-12-05",
  );
  assert.deepEqual(parseResults(JSON.stringify(good), "f.json"), good);
  assert.throws(() => parseResults("{", "f.json"), /f\.json: not JSON/);
  assert.throws(
    () => parseResults(`{"version":1,"benches":[]}`, "f.json"),
    /not a version 2 results file/,
  );
  const badTimes = structuredClone(good);
  badTimes.units[0].sides[1].times[3] = -1;
  assert.throws(
    () => parseResults(JSON.stringify(badTimes), "f.json"),
    /units\[0\]\.sides\[1\]\.times/,
  );
  const badSessions = {
    ...good,
    units: [{ ...good.units[0], sessions: [1.5] }],
  };
  assert.throws(
    () => parseResults(JSON.stringify(badSessions), "f.json"),
    /units\[0\]\.sessions/,
  );
});
