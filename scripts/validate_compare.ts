// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * Validates `deno task compare --against` on this machine: A/A runs on
 * unchanged code, and planted slowdowns of `dtw`.
 *
 * ```sh
 * deno run -A scripts/validate_compare.ts --runs 5                          # A/A
 * deno run -A scripts/validate_compare.ts --runs 10 --plant 0.32            # ≈ 10 % more work
 * deno run -A scripts/validate_compare.ts --runs 10 --plant 0.22 --threshold 2%   # ≈ 5 %
 * ```
 *
 * It checks the current commit out into a temporary worktree and, with
 * `--plant F`, commits there a change that makes `dtw` also compute, and
 * discard, the DTW of the first `F` of both inputs (`F²` more cells: 0.32 →
 * 10.2 %, 0.22 → 4.8 %). Then it runs `deno task compare --quick --against
 * HEAD~1` (or `--against HEAD` without a plant) on the kernel suites `--runs`
 * times in that worktree and tallies the verdicts: how many runs flagged
 * each benchmark `slower` or `faster`, and for `kit dtw (1000)` whether each
 * interval contains the plant's true cost. That cost is more than the work
 * ratio `1 + F²` (a short DTW has more overhead per cell), so it is measured
 * before every run, in this process: batches of `dtw` on the bench's
 * 1,000-point walks alternate with batches on their first `F`, and the cost
 * is 1 + the median ratio of the two per-call times. The worktree is removed
 * at the end.
 *
 * Flags: `--runs N` (default 5), `--plant F`, `--threshold X` (default 5%),
 * `--suite LIST` (default dtw,lcs,e2e), `--budget SECONDS` (passed on to
 * compare; its default otherwise), `--json` (print the tally as JSON).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { analyseAgainst } from "./_compare/analyse.ts";
import { parseResults } from "./_compare/results.ts";
import { formatRatio } from "./_compare/verdict.ts";
import { addWorktree, checkoutRoot, git } from "./_compare/worktree.ts";
import { parseThreshold } from "./compare.ts";
import { median } from "./_stats.ts";
import { dtw } from "../kernels/mod.ts";
import { randomWalk, rng } from "../testing/rng.ts";

/** Runs git in `dir`, throwing with its message when it fails. */
async function mustGit(dir: string, ...args: string[]): Promise<string> {
  const r = await git(dir, args);
  if (!r.ok) throw new Error(`git ${args.join(" ")} failed: ${r.err}`);
  return r.out;
}

/** Commits everything in `dir` as `message`. */
async function commitAll(dir: string, message: string): Promise<void> {
  await mustGit(dir, "add", "-A"); // node_modules (a link) is ignored
  await mustGit(
    dir,
    "-c",
    "user.name=validate",
    "-c",
    "user.email=v@example.com",
    "commit",
    "-q",
    "--allow-empty",
    "-m",
    message,
  );
}

/**
 * Source of `kernels/dtw.ts` with the plant: `dtw` first computes, once per
 * call and not recursively, the DTW of the first `fraction` of both inputs.
 */
export function plantSource(source: string, fraction: number): string {
  const head = source.indexOf("export function dtw(");
  const body = source.indexOf("{", source.indexOf("):", head));
  if (head < 0 || body < 0) {
    throw new Error("kernels/dtw.ts has no `export function dtw(`");
  }
  const cut = `((x: ArrayLike<number>) => (x as Float64Array).subarray
      ? (x as Float64Array).subarray(0, Math.floor(x.length * ${fraction}))
      : Array.prototype.slice.call(x, 0, Math.floor(x.length * ${fraction})))`;
  const plant = `
  // PLANTED SLOWDOWN (scripts/validate_compare.ts): discarded extra work.
  if (!plantBusy) {
    plantBusy = true;
    try {
      const cut = ${cut};
      dtw(cut(a), cut(b), options);
    } finally {
      plantBusy = false;
    }
  }`;
  return source.slice(0, head) + "let plantBusy = false;\n" +
    source.slice(head, body + 1) + plant + source.slice(body + 1);
}

/**
 * The true cost of the plant on `kit dtw (1000)` (the bench's walks): 1 +
 * the median, over `rounds` alternating rounds, of the per-call time of
 * `dtw` on the first `fraction` of both walks over that on the whole.
 */
export function plantCost(fraction: number, rounds = 31): number {
  const random = rng(1000);
  const a = randomWalk(1000, random);
  const b = randomWalk(1000, random);
  const m = Math.floor(1000 * fraction);
  const [ca, cb] = [a.subarray(0, m), b.subarray(0, m)];
  const perCall = (x: Float64Array, y: Float64Array, calls: number) => {
    const t = performance.now();
    for (let i = 0; i < calls; i++) dtw(x, y);
    return (performance.now() - t) / calls;
  };
  // Enough calls on the cut walks for a batch as long as the whole's.
  const cutCalls = Math.max(10, Math.round(10 / (fraction * fraction)));
  for (let w = 0; w < 20; w++) perCall(a, b, 10), perCall(ca, cb, cutCalls);
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let whole = 0, cut = 0;
    if (r % 2 === 0) {
      whole = perCall(a, b, 10);
      cut = perCall(ca, cb, cutCalls);
    } else {
      cut = perCall(ca, cb, cutCalls);
      whole = perCall(a, b, 10);
    }
    ratios.push(cut / whole);
  }
  return 1 + median(ratios);
}

interface Tally {
  runs: number;
  plant?: number;
  threshold: number;
  /** Benchmark → runs in which it was `slower`. */
  slower: Record<string, number>;
  /** Benchmark → runs in which it was `faster`. */
  faster: Record<string, number>;
  /** `kit dtw (1000)`'s interval in every run. */
  dtw1000: string[];
  /** The plant's cost measured before each run (`plantCost`). */
  cost: number[];
  /** Runs whose `kit dtw (1000)` interval contains the plant's cost. */
  contains: number;
  /**
   * Benchmark → runs in which its first two sessions judged it slower or
   * faster, so that `--confirm` measured it again (whatever it ended as).
   */
  confirmed: Record<string, number>;
  /** Wall time of each run in seconds. */
  seconds: number[];
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      runs: { type: "string", default: "5" },
      plant: { type: "string" },
      threshold: { type: "string", default: "5%" },
      suite: { type: "string", default: "dtw,lcs,e2e" },
      budget: { type: "string" },
      json: { type: "boolean", default: false },
    },
  });
  const runs = Number(values.runs);
  const plant = values.plant === undefined ? undefined : Number(values.plant);
  const threshold = parseThreshold(values.threshold);
  const root = await checkoutRoot(
    fileURLToPath(new URL("..", import.meta.url)),
  );
  const head = await mustGit(root, "rev-parse", "HEAD");
  const tree = await addWorktree(root, head);
  const stop = () => {
    tree.remove().finally(() => Deno.exit(2));
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  const tally: Tally = {
    runs,
    plant,
    threshold,
    slower: {},
    faster: {},
    dtw1000: [],
    cost: [],
    contains: 0,
    confirmed: {},
    seconds: [],
  };
  try {
    // The worktree's files had their import-map specifiers rewritten; make
    // that the base commit, so the plant is the only difference.
    await commitAll(tree.dir, "base");
    if (plant !== undefined) {
      const file = join(tree.dir, "kernels", "dtw.ts");
      await Deno.writeTextFile(
        file,
        plantSource(await Deno.readTextFile(file), plant),
      );
      await commitAll(tree.dir, `plant ${plant}`);
    }
    const against = plant === undefined ? "HEAD" : "HEAD~1";
    for (let r = 0; r < runs; r++) {
      const save = join(tree.dir, `validate-${r}.json`);
      const cost = plant === undefined ? 1 : plantCost(plant);
      tally.cost.push(cost);
      const t0 = performance.now();
      const out = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          join(tree.dir, "scripts", "compare.ts"),
          "--quick",
          "--against",
          against,
          "--threshold",
          values.threshold,
          "--suite",
          values.suite,
          ...(values.budget ? ["--budget", values.budget] : []),
          "--save",
          save,
        ],
        cwd: tree.dir,
        stdin: "null",
        stdout: "piped",
        stderr: "inherit",
      }).output();
      tally.seconds.push(Math.round((performance.now() - t0) / 1000));
      if (out.code === 2) throw new Error(`run ${r + 1} failed`);
      const results = parseResults(await Deno.readTextFile(save), save);
      for (const u of results.units) {
        if (u.sessions.length > 2) {
          const key = `${u.group} › ${u.names[1]}`;
          tally.confirmed[key] = (tally.confirmed[key] ?? 0) + 1;
        }
      }
      for (const row of analyseAgainst(results, threshold).rows) {
        const key = `${row.group} › ${row.name}`;
        if (row.verdict === "slower") {
          tally.slower[key] = (tally.slower[key] ?? 0) + 1;
        }
        if (row.verdict === "faster") {
          tally.faster[key] = (tally.faster[key] ?? 0) + 1;
        }
        if (row.name === "kit dtw (1000)" && row.change) {
          tally.dtw1000.push(formatRatio(row.change));
          if (row.change.lo <= cost && cost <= row.change.hi) {
            tally.contains++;
          }
        }
      }
      console.error(
        `run ${r + 1}/${runs}: ${tally.dtw1000.at(-1)}, plant's cost ×${
          cost.toFixed(4)
        } (${tally.seconds.at(-1)} s)`,
      );
    }
  } finally {
    await tree.remove();
  }
  if (values.json) console.log(JSON.stringify(tally, null, 2));
  else {
    console.log(
      `${runs} runs, plant ${plant ?? "none"}, threshold ${values.threshold}`,
    );
    console.log(`slower: ${JSON.stringify(tally.slower)}`);
    console.log(`faster: ${JSON.stringify(tally.faster)}`);
    console.log(`measured again: ${JSON.stringify(tally.confirmed)}`);
    console.log(`kit dtw (1000): ${tally.dtw1000.join(", ")}`);
    console.log(
      `plant's cost measured before each run (work ratio ${
        1 + (plant ?? 0) ** 2
      }): ${tally.cost.map((c) => c.toFixed(4)).join(", ")}`,
    );
    console.log(
      `intervals containing that run's cost: ${tally.contains} of ${runs}`,
    );
    console.log(`seconds per run: ${tally.seconds.join(", ")}`);
  }
  Deno.exit(0);
}
