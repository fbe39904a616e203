/**
 * A fresh Deno process's import of the kit and first `dtw` (1,000 × 1,000
 * random walks, full matrix), for this tree and a git revision in turn
 * (A B B A: `--rounds` rounds of 4 processes), as the README's "Cold start"
 * compares two loaders of the kernels' module. Prints each tree's medians
 * (import, call 1, the two together, call 2) with their min–max, and the
 * medians and ranges of the per-pair ratios, this tree ÷ the revision.
 *
 * ```sh
 * deno run -A scripts/first_call.ts --against fd0dbb6 --rounds 12
 * ```
 *
 * Exit code 2 on bad flags or an unknown revision. Run it alone: it is a
 * timing job.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { median } from "./_stats.ts";
import {
  addWorktree,
  checkoutRoot,
  resolveRevision,
  type Worktree,
} from "./_compare/worktree.ts";

const ROOT = decodeURIComponent(new URL("../", import.meta.url).pathname);

/** One process's times, ms. */
interface Sample {
  import: number;
  call1: number;
  call2: number;
}

/** The program a child runs: import the root module, time two calls. */
function program(root: string): string {
  return `const { dtw } = await import(${
    JSON.stringify(`file://${root}mod.ts`)
  });
const t1 = performance.now();
const walk = (seed) => {
  let x = 0, s = seed;
  return Float64Array.from({ length: 1000 }, () => {
    s = (s * 16807) % 2147483647;
    return (x += s / 2147483647 - 0.5);
  });
};
const a = walk(1), b = walk(2);
const t2 = performance.now();
dtw(a, b);
const t3 = performance.now();
dtw(a, b);
const t4 = performance.now();
console.log(JSON.stringify({ import: t1, call1: t3 - t2, call2: t4 - t3 }));
`;
}

/** Runs `file` in a fresh Deno process. */
async function sample(file: string): Promise<Sample> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", file],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  if (!out.success) {
    throw new Error(
      `child failed (exit ${out.code}): ${
        new TextDecoder().decode(out.stderr)
      }`,
    );
  }
  return JSON.parse(text.split("\n").at(-1) ?? "");
}

/** `median (min–max)` of `xs`, with `digits` decimals. */
function spread(xs: number[], digits: number): string {
  const f = (x: number) => x.toFixed(digits);
  return `${f(median(xs))} (${f(Math.min(...xs))}–${f(Math.max(...xs))})`;
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: Deno.args,
      options: {
        against: { type: "string" },
        rounds: { type: "string", default: "12" },
      },
      strict: true,
    }));
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    return 2;
  }
  const rounds = Number(values.rounds);
  if (
    values.against === undefined || !(Number.isInteger(rounds) && rounds > 0)
  ) {
    console.error("usage: first_call.ts --against REV [--rounds N (12)]");
    return 2;
  }
  let worktree: Worktree | undefined;
  const files: string[] = [];
  try {
    const root = await checkoutRoot(ROOT);
    worktree = await addWorktree(
      root,
      await resolveRevision(root, values.against),
    );
    const trees = [`${worktree.dir}/${ROOT.slice(root.length + 1)}`, ROOT];
    for (const tree of trees) {
      const file = await Deno.makeTempFile({ suffix: ".ts" });
      await Deno.writeTextFile(file, program(tree.replace(/\/*$/, "/")));
      files.push(file);
    }
    // Once each first: Deno's transpile cache, as a user's second run.
    for (const file of files) await sample(file);
    const a: Sample[] = [], b: Sample[] = [];
    for (let r = 0; r < rounds; r++) {
      a.push(await sample(files[0]));
      b.push(await sample(files[1]));
      b.push(await sample(files[1]));
      a.push(await sample(files[0]));
    }
    const first = (s: Sample) => s.import + s.call1;
    for (
      const [label, s] of [[`A ${values.against}`, a], [
        "B this tree",
        b,
      ]] as const
    ) {
      console.log(
        `${label}: import ${spread(s.map((x) => x.import), 1)} ms, call 1 ${
          spread(s.map((x) => x.call1), 1)
        } ms, import + call 1 ${spread(s.map(first), 1)} ms, call 2 ${
          spread(s.map((x) => x.call2), 2)
        } ms`,
      );
    }
    const ratio = (f: (s: Sample) => number) => a.map((x, i) => f(b[i]) / f(x));
    console.log(
      `B ÷ A per pair of processes (${a.length} pairs): call 1 ${
        spread(ratio((s) => s.call1), 2)
      }, import + call 1 ${spread(ratio(first), 2)}`,
    );
    return 0;
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    return 2;
  } finally {
    for (const file of files) await Deno.remove(file).catch(() => {});
    await worktree?.remove();
  }
}

if (import.meta.main) Deno.exit(await main());
