// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * What `compare.ts` tells its measuring process (`runner.ts`), and the
 * events the measuring process reports back.
 *
 * @module
 */

import type { SideTimes } from "./measure.ts";

/** What the measuring process loads and how long it measures. */
export interface RunnerPlan {
  /** `against`: trees A and B, unit = one benchmark; `baseline`: one tree, unit = one group. */
  mode: "against" | "baseline";
  /** The source trees: one (baseline) or two (A = the revision, B = the working tree). */
  trees: { label: string; root: string }[];
  /** Suites by name, with their bench files relative to each tree's root. */
  suites: { name: string; file: string }[];
  /** A regular expression over benchmark names. */
  filter?: string;
  /** The whole run's time budget, loading included, in milliseconds. */
  budgetMs: number;
  /** Exactly this many rounds per unit. */
  rounds?: number;
  /** Load the trees in reverse order (B before A). */
  loadInReverse?: boolean;
}

/** One unit of measurement: the sides timed together, in order. */
export interface UnitInfo {
  /** Its suite. */
  suite: string;
  /** Its bench file, relative to the tree's root. */
  file: string;
  /** The bench group, or `null`. */
  group: string | null;
  /** The sides' names (in `against` mode: the same name twice, A then B). */
  names: string[];
  /** In `baseline` mode, the name of the group's baseline (side 0), else `null`. */
  baseline: string | null;
}

/** One line of the measuring process's report. */
export type RunnerEvent =
  | {
    type: "plan";
    units: UnitInfo[];
    /** In `against` mode: benchmarks only in B. */
    added: string[];
    /** In `against` mode: benchmarks only in A. */
    removed: string[];
    loadMs: number;
  }
  | { type: "start"; index: number; budgetMs: number }
  | { type: "round"; index: number; round: number }
  | { type: "unit"; index: number; sides: SideTimes[] }
  | { type: "end" }
  | { type: "error"; message: string };
