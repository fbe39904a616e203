// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * The measuring process of `deno task compare`: loads the bench files of one
 * or two source trees in this one process (capturing their `Deno.bench`
 * registrations), then times them in interleaved rounds and reports every
 * step as one JSON event per line on stdout, each line starting with the
 * record separator `\x1e` (anything else a bench file prints is not an
 * event). Started by `compare.ts` as
 * `deno run -A --v8-flags=--expose-gc runner.ts <plan as JSON>`.
 *
 * Two modes:
 * - `against`: trees A (the revision) and B (the working tree); a unit is one
 *   benchmark present in both, timed A against B;
 * - `baseline`: one tree; a unit is a bench group, its baseline first, so
 *   that every member's ratio to its baseline is measured in the same
 *   rounds.
 *
 * @module
 */

import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { captureBenches, type CapturedBench, runnable } from "./capture.ts";
import { measureUnit } from "./measure.ts";
import type { RunnerEvent, RunnerPlan, UnitInfo } from "./events.ts";

const RS = "\x1e";
const encoder = new TextEncoder();

function emit(event: RunnerEvent): void {
  Deno.stdout.writeSync(encoder.encode(`${RS}${JSON.stringify(event)}\n`));
}

interface Loaded {
  suite: string;
  file: string;
  benches: CapturedBench[];
}

/** Loads one tree's bench files; a file absent from the tree is skipped. */
async function loadTree(
  root: string,
  label: string,
  suites: RunnerPlan["suites"],
): Promise<Loaded[]> {
  const out: Loaded[] = [];
  for (const { name, file } of suites) {
    const path = join(root, file);
    try {
      await Deno.stat(path);
    } catch {
      continue;
    }
    let benches;
    try {
      benches = await captureBenches(pathToFileURL(path).href);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      throw new LoadError(
        `${file} throws in ${label} (${root}) while loading: ${
          message.split("\n")[0]
        }`,
      );
    }
    out.push({ suite: name, file, benches: runnable(benches) });
  }
  return out;
}

class LoadError extends Error {
  override name = "LoadError";
}

const keyOf = (suite: string, b: CapturedBench) =>
  `${suite}\u0000${b.group ?? ""}\u0000${b.name}`;

interface Unit {
  info: UnitInfo;
  sides: CapturedBench[];
}

function againstUnits(
  a: Loaded[],
  b: Loaded[],
  filter: RegExp | undefined,
): { units: Unit[]; added: string[]; removed: string[] } {
  const index = new Map<
    string,
    { suite: string; file: string; bench: CapturedBench }
  >();
  for (const l of a) {
    for (const bench of l.benches) {
      index.set(keyOf(l.suite, bench), { suite: l.suite, file: l.file, bench });
    }
  }
  const units: Unit[] = [];
  const added: string[] = [];
  const seen = new Set<string>();
  for (const l of b) {
    for (const bench of l.benches) {
      if (filter && !filter.test(bench.name)) continue;
      const key = keyOf(l.suite, bench);
      seen.add(key);
      const old = index.get(key);
      if (!old) {
        added.push(bench.name);
        continue;
      }
      units.push({
        info: {
          suite: l.suite,
          file: l.file,
          group: bench.group,
          names: [bench.name, bench.name],
          baseline: null,
        },
        sides: [old.bench, bench],
      });
    }
  }
  const removed = [...index.entries()]
    .filter(([k, v]) => !seen.has(k) && !(filter && !filter.test(v.bench.name)))
    .map(([, v]) => v.bench.name);
  return { units, added, removed };
}

function baselineUnits(
  tree: Loaded[],
  filter: RegExp | undefined,
): Unit[] {
  const units: Unit[] = [];
  for (const l of tree) {
    const groups = new Map<string, CapturedBench[]>();
    for (const b of l.benches) {
      // Benchmarks without a group are units of their own.
      const key = b.group ?? `\u0000${b.name}`;
      groups.set(key, [...(groups.get(key) ?? []), b]);
    }
    for (const members of groups.values()) {
      const base = members.find((b) => b.baseline);
      const wanted = members.filter((b) =>
        b !== base && (!filter || filter.test(b.name))
      );
      const baseWanted = base && (!filter || filter.test(base.name));
      if (wanted.length === 0 && !baseWanted) continue;
      const sides = base ? [base, ...wanted] : wanted;
      units.push({
        info: {
          suite: l.suite,
          file: l.file,
          group: members[0].group,
          names: sides.map((s) => s.name),
          baseline: base ? base.name : null,
        },
        sides,
      });
    }
  }
  return units;
}

async function main(plan: RunnerPlan): Promise<void> {
  const started = performance.now();
  const filter = plan.filter === undefined
    ? undefined
    : new RegExp(plan.filter);
  const trees: Loaded[][] = [];
  // Which tree loads first decides which one's code V8 meets first; the
  // sessions alternate it.
  const order = plan.loadInReverse ? [...plan.trees].reverse() : plan.trees;
  for (const t of order) {
    const loaded = await loadTree(t.root, t.label, plan.suites);
    if (loaded.length === 0) {
      throw new LoadError(
        `${t.label} has none of the bench files (${
          plan.suites.map((s) => s.file).join(", ")
        })`,
      );
    }
    trees.push(loaded);
  }
  if (plan.loadInReverse) trees.reverse();
  let units: Unit[];
  let added: string[] = [];
  let removed: string[] = [];
  if (plan.mode === "against") {
    ({ units, added, removed } = againstUnits(trees[0], trees[1], filter));
  } else {
    units = baselineUnits(trees[0], filter);
  }
  emit({
    type: "plan",
    units: units.map((u) => u.info),
    added,
    removed,
    loadMs: performance.now() - started,
  });
  const deadline = started + plan.budgetMs;
  let sidesLeft = units.reduce((s, u) => s + u.sides.length, 0);
  for (let i = 0; i < units.length; i++) {
    const u = units[i];
    // Each unit gets its share, by its number of sides, of what is left.
    const left = Math.max(0, deadline - performance.now());
    const budgetMs = (left * u.sides.length) / sidesLeft;
    sidesLeft -= u.sides.length;
    emit({ type: "start", index: i, budgetMs });
    const sides = await measureUnit(
      u.sides,
      { budgetMs, rounds: plan.rounds },
      (round) => emit({ type: "round", index: i, round }),
    );
    emit({ type: "unit", index: i, sides });
  }
  emit({ type: "end" });
}

if (import.meta.main) {
  try {
    await main(JSON.parse(Deno.args[0]) as RunnerPlan);
    Deno.exit(0);
  } catch (e) {
    emit({
      type: "error",
      message: e instanceof LoadError
        ? e.message
        : e instanceof Error
        ? `${e.name}: ${e.message}`
        : String(e),
    });
    Deno.exit(2);
  }
}
