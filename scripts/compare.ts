// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * `deno task compare`: runs the benchmark suites and says, per benchmark,
 * whether it got `slower`, `faster` or stayed the `same`, with a ratio and
 * its 95 % interval, in a way that the machine's drift cannot fool.
 *
 * ```sh
 * deno task compare                         # all suites; judged against bench/baseline.json
 * deno task compare --quick                 # small sizes; against bench/baseline_quick.json
 * deno task compare --against HEAD~1        # this tree against a revision, paired, in one process
 * deno task compare --quick --against main --suite dtw,lcs,e2e --threshold 2%
 * deno task compare --html report.html      # also write the HTML report (with bench/soak.json)
 * deno task compare --update-baseline       # record this run as the baseline file
 * ```
 *
 * **How it measures.** A separate process (`_compare/runner.ts`) imports the
 * bench files with `Deno.bench` captured instead of run, then times the
 * benchmarks itself in interleaved rounds: each round runs one batch of
 * each side, alternating which goes first (A B, B A, A B, …), after a
 * warm-up of every side. Drift that slows the machine for a minute slows
 * both sides of a round alike, so the per-round ratio cancels it.
 *
 * - `--against REF` checks REF out into a temporary `git worktree` (removed
 *   afterwards, also on Ctrl-C), and loads both trees' bench files in the
 *   one process: A = REF, B = the working tree. Each tree uses its own
 *   committed WebAssembly. The process's import map is the working tree's,
 *   so every specifier that REF's `deno.json` maps is rewritten in the
 *   worktree to its target first: otherwise `@midstreamer/kit` in REF's bench
 *   files would load the working tree's code. Verdicts come from the
 *   per-round ratios B/A: their median and the Wilcoxon signed-rank 95 %
 *   interval. Every suite, transport and load included, runs in that one
 *   process (their servers bind port 0, so both trees' servers coexist);
 *   the extra scripts (`transport_report.ts`, `load.ts`, `browser_bench.ts`)
 *   do not run.
 * - Without `--against`, each bench group is timed with its baseline (the
 *   original pure JS, the raw socket, …) in the same rounds, and every
 *   member is judged by the change of its ratio to that baseline since the
 *   saved file (`bench/baseline.json`, or `bench/baseline_quick.json` with
 *   `--quick`): absolute times from another moment are not comparable, but
 *   ratios measured in the same rounds are. A group without a baseline gets
 *   no verdict from a file (use `--against`). A file recorded on another
 *   machine (CPU, cores or Deno differ) gives no verdicts either: the ratios
 *   are shown for information. The extra scripts run too (their figures are
 *   information, in the report).
 *
 * Verdicts: `slower` when the whole interval is above `1 + threshold`,
 * `faster` when it is wholly below `1 - threshold`, `same` otherwise.
 *
 * Exit codes: 0 = nothing slower (or the baseline was written); 1 = at least
 * one benchmark `slower`; 2 = bad flags, an unknown revision, a suite that
 * failed to load or a benchmark that threw, or an interruption.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  analyseAgainst,
  analyseBaseline,
  type Analysis,
} from "./_compare/analyse.ts";
import type { RunnerPlan } from "./_compare/events.ts";
import {
  type Extras,
  type MeasuredUnit,
  parseResults,
  type Results,
  type SystemInfo,
} from "./_compare/results.ts";
import {
  measure,
  type Measured,
  MeasureError,
  type Progress,
  stderrProgress,
} from "./_compare/spawn.ts";
import { renderText } from "./_compare/text.ts";
import {
  borderline,
  formatRatio,
  pairedRatio,
  sessionsRatio,
  verdictOf,
} from "./_compare/verdict.ts";
import {
  addWorktree,
  checkoutRoot,
  resolveRevision,
  RevisionError,
  type Worktree,
} from "./_compare/worktree.ts";
import { renderHtml } from "./_report/html.ts";
import type { SoakReport } from "./soak.ts";
import type { ColdStartReport } from "./cold_start.ts";

/** The suites by name: bench files relative to the repository root. */
export const SUITES: Readonly<Record<string, string>> = {
  dtw: "bench/dtw_bench.ts",
  lcs: "bench/lcs_bench.ts",
  transport: "bench/transport_bench.ts",
  e2e: "bench/e2e_bench.ts",
  load: "bench/load_bench.ts",
};

/** A measurement script run along with a suite (baseline mode only). */
export interface ExtraSpec {
  /** Key under `extras` in the results. */
  name: keyof Extras;
  /** The suite it belongs to (it runs when that suite runs). */
  suite: string;
  /** Script relative to the root, run as `deno run -A <script> --json [--quick]`. */
  script: string;
  /**
   * Whether it runs with `--quick` too.
   *
   * @default {true}
   */
  quick?: boolean;
}

/** The extras: run when present, skipped (with a note) when absent. */
export const EXTRAS: readonly ExtraSpec[] = [
  {
    name: "transport",
    suite: "transport",
    script: "scripts/transport_report.ts",
  },
  { name: "load", suite: "load", script: "scripts/load.ts" },
  // DTW 1,000 × 1,000 and the 100 × 200 LCS matrix inside headless Chromium.
  { name: "browser", suite: "dtw", script: "scripts/browser_bench.ts" },
  // Calls 1..30 of dtw and searchSubsequence in fresh Deno, Node and
  // Chromium processes: two minutes, so not with --quick (the HTML report
  // then shows bench/cold_start.json).
  {
    name: "coldStart",
    suite: "dtw",
    script: "scripts/cold_start.ts",
    quick: false,
  },
];

/**
 * A measurement that is recorded rather than run by compare (it takes
 * minutes and its own processes): a committed JSON file attached to the
 * results as `extras[name]` whenever it exists (baseline mode).
 */
export interface RecordedExtra {
  /** Key under `extras` in the results. */
  name: keyof Extras;
  /** The JSON file, relative to the root. */
  file: string;
}

/** The recorded extras: the cluster (`scripts/cluster_measure.ts`). */
export const RECORDED: readonly RecordedExtra[] = [
  { name: "cluster", file: "bench/cluster.json" },
];

/** What {@linkcode main} runs; tests substitute small suites. */
export interface CompareDeps {
  /** Directory that suites, extras and default paths resolve against. */
  root: string;
  /** Suite name → bench file. */
  suites: Readonly<Record<string, string>>;
  /** Extra measurement scripts. */
  extras: readonly ExtraSpec[];
  /** Recorded measurements attached as they are (default: none). */
  recorded?: readonly RecordedExtra[];
  /** Progress output (default: stderr). */
  progress?: (deadline: () => number) => Progress;
}

const USAGE = `Usage: deno task compare [options]

  --against REF        compare the working tree (B) with a git revision (A),
                       paired, in one process (REF: commit, branch, tag, HEAD~1)
  --threshold X        slowdown that counts: 5% or 0.05 (default 5%)
  --filter REGEX       only the benchmarks whose name matches
  --suite NAME         only this suite (repeatable or comma-separated):
                       dtw, lcs, transport, e2e, load
  --quick              small sizes (BENCH_QUICK=1)
  --rounds N           exactly N rounds per benchmark (default: as many as
                       the time budget allows, at least 6)
  --sessions N         measuring processes, run one after the other
                       (default 2): a verdict holds only if all agree
                       (from 3 sessions on, one undecided session may
                       be left out)
  --confirm N          with --against: benchmarks judged slower or faster,
                       or whose median ratio is beyond the threshold, are
                       measured again in N more processes; then all but
                       one undecided session must agree (default 2;
                       0: off)
  --budget SECONDS     time budget of the measurements (default 150 with
                       --quick, 420 without)
  --baseline FILE      saved results to judge against, without --against
                       (default bench/baseline.json; bench/baseline_quick.json
                       with --quick)
  --update-baseline    write this run as the baseline file and exit 0
  --save FILE          write the results (default bench/results/<time>.json
                       without --against)
  --html FILE          write the self-contained HTML report
  -h, --help           this text

Exit codes: 0 nothing slower, 1 something slower, 2 bad input, a failed
suite or an interruption.`;

/** Bad input or a failed suite: one line, no stack trace, exit 2. */
class CompareError extends Error {
  override name = "CompareError";
}

interface Options {
  against?: string;
  threshold: number;
  filter?: string;
  suites: string[];
  quick: boolean;
  rounds?: number;
  sessions: number;
  confirm: number;
  budgetMs: number;
  baseline: string;
  updateBaseline: boolean;
  save?: string;
  html?: string;
  help: boolean;
}

/** Parses `5%`, `0.05` or `2 %` into a fraction in [0, 1). */
export function parseThreshold(text: string): number {
  const t = text.trim();
  const percent = t.endsWith("%");
  const v = Number(percent ? t.slice(0, -1).trim() : t);
  const value = percent ? v / 100 : v;
  if (t === "" || t === "%" || !Number.isFinite(value) || value < 0) {
    throw new CompareError(
      `--threshold must be a percentage such as 5% or a fraction such as 0.05, got "${text}"`,
    );
  }
  if (value >= 1) {
    throw new CompareError(
      `--threshold must be below 100 % (write 5% or 0.05 for five percent), got "${text}"`,
    );
  }
  return value;
}

function positive(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (text.trim() === "" || !Number.isInteger(v) || v < 1) {
    throw new CompareError(`${flag} must be a positive integer, got "${text}"`);
  }
  return v;
}

function count(flag: string, text: string | undefined): number | undefined {
  return text?.trim() === "0" ? 0 : positive(flag, text);
}

function parseOptions(args: string[], deps: CompareDeps): Options {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        against: { type: "string" },
        threshold: { type: "string", default: "5%" },
        filter: { type: "string" },
        suite: { type: "string", multiple: true },
        quick: { type: "boolean", default: false },
        rounds: { type: "string" },
        sessions: { type: "string" },
        confirm: { type: "string" },
        budget: { type: "string" },
        baseline: { type: "string" },
        "update-baseline": { type: "boolean", default: false },
        save: { type: "string" },
        html: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (e) {
    throw new CompareError(
      `${(e as Error).message.split("\n")[0]} (see --help)`,
    );
  }
  const suites =
    values.suite?.flatMap((s) => s.split(",")).map((s) => s.trim()).filter(
      Boolean,
    ) ?? Object.keys(deps.suites);
  if (suites.length === 0) throw new CompareError("--suite needs a name");
  const unknown = suites.filter((s) => !Object.hasOwn(deps.suites, s));
  if (unknown.length > 0) {
    throw new CompareError(
      `unknown suite ${unknown.map((s) => `"${s}"`).join(", ")}; known: ${
        Object.keys(deps.suites).join(", ")
      }`,
    );
  }
  if (values.filter !== undefined) {
    try {
      new RegExp(values.filter);
    } catch (e) {
      throw new CompareError(
        `--filter is not a regular expression: ${(e as Error).message}`,
      );
    }
  }
  if (values.against !== undefined) {
    if (values["update-baseline"]) {
      throw new CompareError("--update-baseline does not go with --against");
    }
    if (values.baseline !== undefined) {
      throw new CompareError("--baseline does not go with --against");
    }
  }
  const budget = positive("--budget", values.budget);
  return {
    against: values.against,
    threshold: parseThreshold(values.threshold),
    filter: values.filter,
    suites: [...new Set(suites)],
    quick: values.quick,
    rounds: positive("--rounds", values.rounds),
    sessions: positive("--sessions", values.sessions) ?? 2,
    confirm: count("--confirm", values.confirm) ?? 2,
    budgetMs: 1000 * (budget ?? (values.quick ? 150 : 420)),
    // Paths on the command line are relative to the working directory;
    // the defaults live in the repository (deps.root).
    baseline: values.baseline !== undefined
      ? resolve(values.baseline)
      : resolve(
        deps.root,
        values.quick ? "bench/baseline_quick.json" : "bench/baseline.json",
      ),
    updateBaseline: values["update-baseline"],
    save: values.save === undefined ? undefined : resolve(values.save),
    html: values.html === undefined ? undefined : resolve(values.html),
    help: values.help,
  };
}

const decoder = new TextDecoder();

async function command(cmd: string, args: string[], cwd: string) {
  try {
    const out = await new Deno.Command(cmd, {
      args,
      cwd,
      stdout: "piped",
      stderr: "null",
    }).output();
    return out.success ? decoder.decode(out.stdout).trim() : undefined;
  } catch {
    return undefined;
  }
}

async function cpuModel(): Promise<string> {
  try {
    const info = await Deno.readTextFile("/proc/cpuinfo");
    const model = info.match(/^model name\s*:\s*(.+)$/m)?.[1].trim();
    if (model) return model;
  } catch {
    // not Linux
  }
  if (Deno.build.os === "darwin") {
    const model = await command(
      "sysctl",
      ["-n", "machdep.cpu.brand_string"],
      ".",
    );
    if (model) return model;
  }
  return "unknown";
}

/** Describes the machine and the commit of `root`. */
export async function systemInfo(
  root: string,
  date: Date,
): Promise<SystemInfo> {
  const commit = await command("git", ["rev-parse", "HEAD"], root);
  const status = commit === undefined ? "" : await command(
    "git",
    ["status", "--porcelain", "--untracked-files=no"],
    root,
  );
  return {
    cpu: await cpuModel(),
    cores: navigator.hardwareConcurrency,
    memoryBytes: Deno.systemMemoryInfo().total,
    os: Deno.build.os,
    osRelease: Deno.osRelease(),
    arch: Deno.build.arch,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    typescript: Deno.version.typescript,
    commit: commit || "unknown",
    dirty: Boolean(status),
    date: date.toISOString(),
  };
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

async function readResults(path: string, name: string): Promise<Results> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new CompareError(
      e instanceof Deno.errors.NotFound
        ? `baseline file ${name} does not exist; record one with --update-baseline, or pass --baseline FILE or --against REF`
        : `cannot read ${name}: ${(e as Error).message}`,
    );
  }
  try {
    return parseResults(text, name);
  } catch (e) {
    throw new CompareError(`malformed baseline: ${(e as Error).message}`);
  }
}

/** Runs an extra measurement script and returns its JSON output. */
async function runExtra(
  spec: ExtraSpec,
  quick: boolean,
  root: string,
): Promise<unknown> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", spec.script, "--json", ...(quick ? ["--quick"] : [])],
    cwd: root,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    const tail = decoder.decode(out.stderr).trim().split("\n").slice(-8);
    throw new CompareError(
      `extras.${spec.name}: ${spec.script} failed (exit code ${out.code}):\n${
        tail.join("\n")
      }`,
    );
  }
  try {
    return JSON.parse(decoder.decode(out.stdout));
  } catch (e) {
    throw new CompareError(
      `extras.${spec.name}: ${spec.script} --json did not print JSON (${
        (e as Error).message
      })`,
    );
  }
}

/**
 * A new baseline file from this run: the units and extras of suites that
 * did not run are kept from the old one.
 */
export function mergeBaseline(
  old: Results | undefined,
  now: Results,
  deps: Pick<CompareDeps, "extras">,
): Results {
  if (!old) return now;
  const ran = new Set(now.run.suites);
  const kept = old.units.filter((u) => !ran.has(u.suite));
  const ranExtras = new Set<string>(
    deps.extras.filter((x) =>
      ran.has(x.suite) && !(now.run.quick && x.quick === false)
    ).map((x) => x.name),
  );
  const extras: Extras = { ...now.extras };
  for (const [k, v] of Object.entries(old.extras ?? {})) {
    if (!ranExtras.has(k) && !(k in extras)) {
      Object.assign(extras, { [k]: v });
    }
  }
  return {
    ...now,
    run: { ...now.run, suites: [...new Set([...old.run.suites, ...ran])] },
    units: [...kept, ...now.units],
    ...(Object.keys(extras).length > 0 ? { extras } : {}),
  };
}

/**
 * Appends a session's rounds to the units measured so far. With `partial`,
 * the session may have measured only some of them (a confirmation).
 */
export function mergeSessions(
  before: Measured,
  next: Measured,
  partial = false,
): Measured {
  const key = (u: MeasuredUnit) => JSON.stringify([u.suite, u.group, u.names]);
  const byKey = new Map(next.units.map((u) => [key(u), u]));
  const differ = () =>
    new CompareError(
      "the bench files registered different benchmarks in two sessions",
    );
  if (!partial && next.units.length !== before.units.length) throw differ();
  const units = before.units.map((u) => {
    const n = byKey.get(key(u));
    byKey.delete(key(u));
    if (n === undefined) {
      if (partial) return u;
      throw differ();
    }
    return {
      ...u,
      sides: u.sides.map((side, k) => {
        const error = side.error ?? n.sides[k].error;
        return {
          times: [...side.times, ...n.sides[k].times],
          iterations: side.iterations,
          ...(error !== undefined ? { error } : {}),
        };
      }),
      sessions: [...u.sessions, ...n.sessions],
    };
  });
  if (byKey.size > 0) throw differ();
  return { ...before, units };
}

/** B/A of a two-sided unit over its sessions, for verdicts at `threshold`. */
const ratioOf = (u: MeasuredUnit, threshold: number) =>
  sessionsRatio(u.sides[0].times, u.sides[1].times, u.sessions, threshold);

const measuredBoth = (u: MeasuredUnit) =>
  u.sides.every((s) => s.error === undefined);

/** The units of an `against` run whose verdict is not `same`. */
function judgedDifferent(
  measured: Measured,
  threshold: number,
): MeasuredUnit[] {
  return measured.units.filter((u) =>
    measuredBoth(u) && verdictOf(ratioOf(u, threshold), threshold) !== "same"
  );
}

/** The units judged different, or whose median is beyond the threshold. */
function worthConfirming(
  measured: Measured,
  threshold: number,
): MeasuredUnit[] {
  return measured.units.filter((u) => {
    if (!measuredBoth(u)) return false;
    const r = ratioOf(u, threshold);
    return verdictOf(r, threshold) !== "same" || borderline(r, threshold);
  });
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

async function writeJson(path: string, data: unknown): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  await Deno.writeTextFile(path, JSON.stringify(data, null, 1) + "\n");
}

/** One progress line's summary of a finished unit. */
function summarise(
  mode: RunnerPlan["mode"],
  threshold: number,
): (u: MeasuredUnit) => string {
  return (u) => {
    const failed = u.sides.flatMap((s, k) =>
      s.error === undefined ? [] : [`${u.names[k]}: ${s.error}`]
    );
    if (failed.length > 0) return `FAILED (${failed.join("; ")})`;
    if (mode === "against") {
      const r = pairedRatio(u.sides[0].times, u.sides[1].times);
      return `${verdictOf(r, threshold)} ${formatRatio(r)}`;
    }
    const rounds = Math.min(...u.sides.map((s) => s.times.length));
    return `${u.sides.length} benchmark${
      u.sides.length === 1 ? "" : "s"
    }, ${rounds} rounds`;
  };
}

/**
 * The command: returns the exit code instead of exiting, so tests can run
 * it on small suites.
 */
export async function main(
  args: string[],
  deps: CompareDeps = {
    root: fileURLToPath(new URL("..", import.meta.url)),
    suites: SUITES,
    extras: EXTRAS,
    recorded: RECORDED,
  },
): Promise<number> {
  const controller = new AbortController();
  const interrupt = () => controller.abort();
  const signals: Deno.Signal[] = Deno.build.os === "windows"
    ? ["SIGINT"]
    : ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, interrupt);
  let worktree: Worktree | undefined;
  try {
    return await run(args, deps, controller.signal, (w) => worktree = w);
  } catch (e) {
    const known = e instanceof CompareError || e instanceof RevisionError ||
      e instanceof MeasureError;
    console.error(`compare: ${known ? (e as Error).message : e}`);
    return 2;
  } finally {
    await worktree?.remove();
    for (const s of signals) Deno.removeSignalListener(s, interrupt);
  }
}

async function run(
  args: string[],
  deps: CompareDeps,
  signal: AbortSignal,
  onWorktree: (w: Worktree) => void,
): Promise<number> {
  const opts = parseOptions(args, deps);
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  const shown = (p: string) => {
    const rel = relative(Deno.cwd(), p);
    return rel.startsWith("..") ? p : rel;
  };
  const suites = opts.suites.map((name) => ({ name, file: deps.suites[name] }));
  const started = new Date();
  const t0 = performance.now();

  let plan: RunnerPlan;
  let baseline: Results | undefined;
  let commit = "";
  if (opts.against !== undefined) {
    const root = await checkoutRoot(deps.root);
    commit = await resolveRevision(root, opts.against);
    const worktree = await addWorktree(root, commit);
    onWorktree(worktree);
    if (signal.aborted) throw new MeasureError("interrupted");
    plan = {
      mode: "against",
      trees: [
        {
          label: `A (${opts.against})`,
          root: resolve(worktree.dir, relative(root, deps.root)),
        },
        { label: "B (the working tree)", root: deps.root },
      ],
      suites,
      filter: opts.filter,
      budgetMs: opts.budgetMs,
      rounds: opts.rounds,
    };
  } else {
    const missing = suites.filter((s) =>
      !Deno.statSync(resolve(deps.root, s.file)).isFile
    );
    if (missing.length > 0) {
      throw new CompareError(`${missing[0].file} does not exist`);
    }
    if (!opts.updateBaseline) {
      baseline = await readResults(opts.baseline, shown(opts.baseline));
    } else if (await exists(opts.baseline)) {
      baseline = await readResults(opts.baseline, shown(opts.baseline))
        .catch(() => undefined);
    }
    plan = {
      mode: "baseline",
      trees: [{ label: "the working tree", root: deps.root }],
      suites,
      filter: opts.filter,
      budgetMs: opts.budgetMs,
      rounds: opts.rounds,
    };
  }

  let deadline = performance.now() + opts.budgetMs;
  const progress = (deps.progress ?? stderrProgress)(() => deadline);
  let measured: Measured | undefined;
  for (let s = 0; s < opts.sessions; s++) {
    const left = Math.max(0, deadline - performance.now());
    const session = await measure(
      {
        ...plan,
        budgetMs: left / (opts.sessions - s),
        loadInReverse: s % 2 === 1,
      },
      {
        cwd: deps.root,
        quick: opts.quick,
        progress,
        summarise: summarise(plan.mode, opts.threshold),
        session: `${s + 1}/${opts.sessions}`,
        signal,
      },
    );
    measured = measured ? mergeSessions(measured, session) : session;
  }
  measured = measured!;
  // A process can settle in a state that favours one side by more than the
  // threshold (a pool's threads, V8's tiers), or be disturbed for a while: a
  // benchmark judged slower or faster, or whose median is beyond the
  // threshold while one session's interval is not, is measured again in
  // fresh processes; then every session but one undecided one must agree
  // (sessionsRatio).
  const notes: string[] = [];
  const flagged = plan.mode === "against" && opts.confirm > 0
    ? worthConfirming(measured, opts.threshold)
    : [];
  const different = judgedDifferent(measured, opts.threshold).length;
  if (flagged.length > 0) {
    const names = [...new Set(flagged.map((u) => u.names[1]))];
    const perUnit = opts.budgetMs / opts.sessions /
      Math.max(1, measured.units.length);
    const budgetMs = Math.max(30_000, 15_000 + 2 * perUnit * flagged.length);
    deadline = performance.now() + opts.confirm * budgetMs;
    for (let c = 0; c < opts.confirm; c++) {
      const session = await measure(
        {
          ...plan,
          filter: `^(?:${names.map(escapeRegExp).join("|")})$`,
          budgetMs,
          loadInReverse: (opts.sessions + c) % 2 === 1,
        },
        {
          cwd: deps.root,
          quick: opts.quick,
          progress,
          summarise: summarise(plan.mode, opts.threshold),
          session: `confirming ${c + 1}/${opts.confirm}`,
          signal,
        },
      );
      measured = mergeSessions(measured, session, true);
    }
    const kept = judgedDifferent(measured, opts.threshold).length;
    notes.push(
      `${flagged.length} benchmark${
        flagged.length === 1 ? " was" : "s were"
      } judged slower or faster (${different}), or near it (${
        flagged.length - different
      }), after ${opts.sessions} session${
        opts.sessions === 1 ? "" : "s"
      } and measured in ${opts.confirm} more; ${kept} of ${flagged.length} ${
        kept === 1 ? "is" : "are"
      } now judged slower or faster`,
    );
  }
  const extras: Extras = {};
  if (plan.mode === "baseline") {
    for (
      const spec of deps.extras.filter((x) =>
        opts.suites.includes(x.suite) && (!opts.quick || x.quick !== false)
      )
    ) {
      if (!(await exists(resolve(deps.root, spec.script)))) continue;
      console.error(
        `extras.${spec.name}: ${spec.script} --json${
          opts.quick ? " --quick" : ""
        }`,
      );
      Object.assign(extras, {
        [spec.name]: await runExtra(spec, opts.quick, deps.root),
      });
      if (signal.aborted) throw new MeasureError("interrupted");
    }
    for (const r of deps.recorded ?? []) {
      const path = resolve(deps.root, r.file);
      if (!(await exists(path))) continue;
      console.error(`extras.${r.name}: ${r.file} (recorded)`);
      try {
        Object.assign(extras, {
          [r.name]: JSON.parse(await Deno.readTextFile(path)),
        });
      } catch (e) {
        throw new CompareError(
          `extras.${r.name}: ${r.file} is not JSON (${(e as Error).message})`,
        );
      }
    }
  }
  const results: Results = {
    format: "midstreamer-kit-compare",
    version: 2,
    system: await systemInfo(deps.root, started),
    run: {
      mode: plan.mode,
      quick: opts.quick,
      suites: opts.suites,
      durationMs: Math.round(performance.now() - t0),
      budgetMs: opts.budgetMs,
      ...(opts.rounds ? { rounds: opts.rounds } : {}),
      ...(opts.filter ? { filter: opts.filter } : {}),
      ...(opts.against
        ? {
          against: {
            ref: opts.against,
            commit,
            added: measured.added,
            removed: measured.removed,
          },
        }
        : {}),
    },
    units: measured.units,
    ...(Object.keys(extras).length > 0 ? { extras } : {}),
  };

  const analysis: Analysis = plan.mode === "against"
    ? {
      ...analyseAgainst(
        results,
        opts.threshold,
        measured.added,
        measured.removed,
      ),
      notes,
    }
    : analyseBaseline(
      results,
      opts.updateBaseline ? undefined : baseline,
      opts.threshold,
      baseline ? shown(opts.baseline) : undefined,
    );
  const savePath = opts.save ??
    (plan.mode === "baseline" && !opts.updateBaseline
      ? resolve(
        deps.root,
        `bench/results/${started.toISOString().replace(/[:.]/g, "-")}.json`,
      )
      : undefined);
  if (savePath) {
    await writeJson(savePath, results);
    console.error(`saved ${shown(savePath)}`);
  }
  console.log(
    renderText(
      analysis,
      opts.against &&
        `${opts.against} (${results.run.against!.commit.slice(0, 9)})`,
    ),
  );
  if (opts.html) {
    await Deno.mkdir(dirname(opts.html), { recursive: true });
    // The soak is too long for a compare run, and the cold start for a
    // quick one: their committed runs are shown.
    const recorded = async <T>(file: string) =>
      await Deno.readTextFile(resolve(deps.root, file)).then(
        (text) => JSON.parse(text) as T,
        () => undefined,
      );
    const soak = results.extras?.soak ??
      await recorded<SoakReport>("bench/soak.json");
    const coldStart = results.extras?.coldStart ??
      await recorded<ColdStartReport>("bench/cold_start.json");
    const shownResults = {
      ...results,
      extras: {
        ...results.extras,
        ...(soak ? { soak } : {}),
        ...(coldStart ? { coldStart } : {}),
      },
    };
    await Deno.writeTextFile(opts.html, renderHtml(shownResults, analysis));
    console.error(`wrote ${shown(opts.html)}`);
  }
  if (opts.updateBaseline) {
    await writeJson(opts.baseline, mergeBaseline(baseline, results, deps));
    console.log(`\nwrote the baseline ${shown(opts.baseline)}`);
    return 0;
  }
  if (analysis.rows.some((r) => r.error !== undefined)) return 2;
  return analysis.rows.some((r) => r.verdict === "slower") ? 1 : 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
