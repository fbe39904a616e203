// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * Starts the measuring process (`runner.ts`), follows its events, shows the
 * progress, and returns what it measured.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import type { RunnerEvent, RunnerPlan, UnitInfo } from "./events.ts";
import type { MeasuredUnit } from "./results.ts";
import type { SideTimes } from "./measure.ts";

/** A failure of the measuring process: reported as one line, exit 2. */
export class MeasureError extends Error {
  override name = "MeasureError";
}

/** What the measuring process returned. */
export interface Measured {
  /** Every unit with its times. */
  units: MeasuredUnit[];
  /** Benchmarks only in tree B (against mode). */
  added: string[];
  /** Benchmarks only in tree A (against mode). */
  removed: string[];
}

/** Progress output: a live line on a terminal, plain lines otherwise. */
export interface Progress {
  /** The run is loading. */
  loading(): void;
  /** Unit `index` of `total` of a session (`"1/2"`) started or advanced. */
  update(
    session: string,
    index: number,
    total: number,
    unit: UnitInfo,
    round: number,
  ): void;
  /** Unit `index` finished; `summary` says how it went. */
  done(
    session: string,
    index: number,
    total: number,
    unit: UnitInfo,
    summary: string,
  ): void;
  /** Clears the live line. */
  close(): void;
}

function clock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 60
    ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`
    : `${s}s`;
}

/**
 * A {@linkcode Progress} writing to stderr that ends at `deadline`
 * (a `performance.now()` time), for the ETA.
 */
export function stderrProgress(deadline: () => number): Progress {
  const tty = Deno.stderr.isTerminal();
  const encoder = new TextEncoder();
  const write = (s: string) => Deno.stderr.writeSync(encoder.encode(s));
  const eta = () => {
    const left = deadline() - performance.now();
    return left > 0 ? `~${clock(left)} left` : "finishing";
  };
  const label = (u: UnitInfo) =>
    `${u.group ? `${u.group} › ` : ""}${u.names.at(-1)}`;
  const counter = (session: string, i: number, total: number) =>
    `[session ${session}, ${
      String(i + 1).padStart(String(total).length)
    }/${total}]`;
  let live = false;
  return {
    loading() {
      if (tty) {
        write("\r\x1b[Kloading the bench files…");
        live = true;
      } else write("loading the bench files\n");
    },
    update(session, i, total, unit, round) {
      if (!tty) return;
      const columns = (() => {
        try {
          return Deno.consoleSize().columns;
        } catch {
          return 100;
        }
      })();
      const text = `${counter(session, i, total)} ${
        label(unit)
      } · round ${round} · ${eta()}`;
      write(`\r\x1b[K${text.slice(0, columns - 1)}`);
      live = true;
    },
    done(session, i, total, unit, summary) {
      const text = `${counter(session, i, total)} ${label(unit)}: ${summary}`;
      if (tty) {
        write(`\r\x1b[K${text}\n`);
        live = false;
      } else {
        write(`${text} · ${eta()}\n`);
      }
    },
    close() {
      if (tty && live) write("\r\x1b[K");
      live = false;
    },
  };
}

/** Progress that shows nothing. */
export const quietProgress: Progress = {
  loading() {},
  update() {},
  done() {},
  close() {},
};

const RUNNER = fileURLToPath(new URL("./runner.ts", import.meta.url));

/** Options of {@linkcode measure}. */
export interface MeasureOptions {
  /** Working directory of the measuring process (its `deno.json` is the import map). */
  cwd: string;
  /** `BENCH_QUICK=1`. */
  quick: boolean;
  /** Where to show progress. */
  progress: Progress;
  /** Summarises a finished unit for the progress line. */
  summarise: (unit: MeasuredUnit) => string;
  /** This session, as progress shows it: `"1/2"`. */
  session: string;
  /** Aborts the run (the process is killed). */
  signal?: AbortSignal;
}

/** Runs the measuring process on `plan`. */
export async function measure(
  plan: RunnerPlan,
  options: MeasureOptions,
): Promise<Measured> {
  const config = options.cwd + "/deno.json";
  const hasConfig = await Deno.stat(config).then(() => true, () => false);
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--v8-flags=--expose-gc",
      ...(hasConfig ? ["--config", config] : []),
      RUNNER,
      JSON.stringify(plan),
    ],
    cwd: options.cwd,
    env: { BENCH_QUICK: options.quick ? "1" : "0", NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const abort = () => {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  };
  options.signal?.addEventListener("abort", abort, { once: true });
  const stderr = new Response(child.stderr).text();
  const { progress } = options;
  progress.loading();
  let units: UnitInfo[] = [];
  const sides: (SideTimes[] | undefined)[] = [];
  let added: string[] = [];
  let removed: string[] = [];
  let error: string | undefined;
  let ended = false;
  const lines = child.stdout.pipeThrough(new TextDecoderStream());
  let buffer = "";
  const onEvent = (e: RunnerEvent) => {
    switch (e.type) {
      case "plan":
        ({ units, added, removed } = e);
        if (units.length > 0) {
          progress.update(options.session, 0, units.length, units[0], 0);
        }
        break;
      case "start":
      case "round":
        progress.update(
          options.session,
          e.index,
          units.length,
          units[e.index],
          e.type === "round" ? e.round : 0,
        );
        break;
      case "unit": {
        sides[e.index] = e.sides;
        const unit = {
          ...units[e.index],
          sides: e.sides,
          sessions: [Math.max(0, ...e.sides.map((s) => s.times.length))],
        };
        progress.done(
          options.session,
          e.index,
          units.length,
          unit,
          options.summarise(unit),
        );
        break;
      }
      case "error":
        error = e.message;
        break;
      case "end":
        ended = true;
    }
  };
  for await (const chunk of lines) {
    buffer += chunk;
    let nl;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const text = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      const at = text.indexOf("\x1e");
      if (at >= 0) onEvent(JSON.parse(text.slice(at + 1)) as RunnerEvent);
    }
  }
  const status = await child.status;
  options.signal?.removeEventListener("abort", abort);
  progress.close();
  const log = await stderr;
  if (options.signal?.aborted) throw new MeasureError("interrupted");
  if (error !== undefined) throw new MeasureError(error);
  if (!status.success || !ended) {
    const tail = log.trim().split("\n").filter((l) => !l.startsWith("Check "))
      .slice(-12).join("\n");
    throw new MeasureError(
      `the measuring process failed (exit code ${status.code})${
        tail ? `:\n${tail}` : ""
      }`,
    );
  }
  return {
    units: units.map((u, i) => ({
      ...u,
      sides: sides[i] ?? [],
      sessions: [Math.max(0, ...(sides[i] ?? []).map((s) => s.times.length))],
    })),
    added,
    removed,
  };
}
