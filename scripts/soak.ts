// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * `deno task soak`: runs `deno task serve` (both transports, a token, a
 * self-signed certificate) in a child process and puts mixed load on it
 * for a while: clients over WebSocket and QUIC that each send a random
 * number of requests (every op, small sizes) and reconnect, with now and
 * then a wrong token, a malformed request and a request over the compute
 * budget. Every second it samples the server's resident memory and open
 * file descriptors (from /proc). The verdict comes from the slope of a
 * least-squares line (growth per hour with its 95 % interval), never from
 * one start/end pair: fitted after a warm-up (the first 20 % of the run,
 * at most 2 minutes), on means of about 50 consecutive blocks of samples.
 *
 * ```sh
 * deno task soak --minutes 10 [--json] [--out bench/soak.json] [--clients 4]
 * deno task soak --minutes 0.5 --gate errors   # CI: fail only on errors
 * ```
 *
 * Verdicts: RSS `pass` when the slope's whole interval is at most 1 MB
 * per hour, `fail` when it is all above, else `inconclusive`; fds `pass`
 * when flat (the fitted change over the run is under one descriptor, or
 * its interval includes 0). Exits 1 when one fails (or the load met an
 * error), 2 on bad flags.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { connectService, type ServiceClient } from "../service/mod.ts";
import { AuthenticationError } from "../transport/mod.ts";
import { QueueFullError } from "../pool/queue_full_error.ts";
import { normalQuantile } from "./_stats.ts";
import { randomWalk, rng } from "../testing/rng.ts";

/** A least-squares line `y = intercept + slope · t`, with a 95 % interval. */
export interface Fit {
  /** Units of y per hour. */
  slopePerHour: number;
  /** 95 % interval of the slope, per hour. */
  lo: number;
  hi: number;
  /** y at t = 0 (the run's start). */
  intercept: number;
}

/** The output of `deno task soak --json`, kept as `bench/soak.json`. */
export interface SoakReport {
  meta: {
    minutes: number;
    date: string;
    deno: string;
    clients: number;
    /** Seconds at the start left out of the fits. */
    warmUpS: number;
    note: string;
  };
  /** One sample per second: seconds since start, RSS in MB, open fds. */
  samples: { t: number; rssMB: number; fds: number }[];
  /** What the load did. */
  load: {
    requests: number;
    refused: number;
    errors: number;
    connections: number;
    unauthorized: number;
  };
  /** Fits over the block means of the samples after the warm-up. */
  fit: { rss: Fit; fds: Fit };
  /**
   * RSS: `pass` when the whole interval is at most 1 MB per hour, `fail`
   * when it is all above, else `inconclusive` (the run is too short to
   * tell). fds: `pass` when flat (the fitted change over the run is under
   * one descriptor, or the interval includes 0). `pass`: neither failed
   * and the load met no error.
   */
  verdict: {
    rss: "pass" | "inconclusive" | "fail";
    fds: "pass" | "fail";
    pass: boolean;
  };
}

/** Student's t quantile (Cornish–Fisher expansion of the normal one). */
function tQuantile(p: number, dof: number): number {
  const z = normalQuantile(p);
  return z + (z ** 3 + z) / (4 * dof) +
    (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * dof ** 2);
}

/** Least squares of `ys` on `ts` (seconds); slope in units per hour. */
export function fitLine(ts: number[], ys: number[]): Fit {
  const n = ts.length;
  if (n < 3) return { slopePerHour: NaN, lo: NaN, hi: NaN, intercept: NaN };
  const mt = ts.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (ts[i]! - mt) ** 2;
    sxy += (ts[i]! - mt) * (ys[i]! - my);
  }
  const slope = sxy / sxx;
  const intercept = my - slope * mt;
  let sse = 0;
  for (let i = 0; i < n; i++) {
    sse += (ys[i]! - intercept - slope * ts[i]!) ** 2;
  }
  const se = Math.sqrt(sse / (n - 2) / sxx);
  const half = tQuantile(0.975, n - 2) * se;
  return {
    slopePerHour: slope * 3600,
    lo: (slope - half) * 3600,
    hi: (slope + half) * 3600,
    intercept,
  };
}

/**
 * The warm-up left out of the fits: the first 20 % of the run, at most
 * this long. Under load, V8's heap grows to its working size in about two
 * minutes (measured: 83 MB at the start, a plateau near 190 MB from 2 min
 * on), and a line through that climb says nothing about a leak.
 */
const WARM_UP_MAX_S = 120;

/** The RSS growth target, in MB per hour. */
const RSS_TARGET_MB_PER_HOUR = 1;

/**
 * Means of consecutive blocks of samples, about 50 blocks in all: the fit
 * runs on them, because one-second samples are autocorrelated (an
 * allocation burst spans several), which would make its interval too
 * narrow.
 */
function blockMeans(
  samples: SoakReport["samples"],
): SoakReport["samples"] {
  const size = Math.max(1, Math.round(samples.length / 50));
  const out: SoakReport["samples"] = [];
  for (let i = 0; i + size <= samples.length; i += size) {
    const block = samples.slice(i, i + size);
    const mean = (f: (s: SoakReport["samples"][number]) => number) =>
      block.reduce((sum, s) => sum + f(s), 0) / block.length;
    out.push({
      t: mean((s) => s.t),
      rssMB: mean((s) => s.rssMB),
      fds: mean((s) => s.fds),
    });
  }
  return out;
}

/** The server's RSS (bytes) and open descriptors, from /proc. */
function sample(pid: number): { rss: number; fds: number } {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const rss = Number(/VmRSS:\s+(\d+)/.exec(status)![1]) * 1024;
  let fds = 0;
  for (const _ of Deno.readDirSync(`/proc/${pid}/fd`)) fds++;
  return { rss, fds };
}

/** Reads lines from the child's stdout until `done` says stop. */
async function readUntil(
  reader: ReadableStreamDefaultReader<string>,
  done: (text: string) => boolean,
): Promise<string> {
  let text = "";
  for (let i = 0; i < 1000 && !done(text); i++) {
    const { value, done: end } = await reader.read();
    if (end) break;
    text += value;
  }
  return text;
}

export async function soak(
  minutes: number,
  clients: number,
  log: (line: string) => void,
): Promise<SoakReport> {
  const root = new URL("..", import.meta.url).pathname;
  const dir = await Deno.makeTempDir({ prefix: "midstreamer-soak-" });
  const token = crypto.randomUUID();
  await Deno.writeTextFile(`${dir}/token`, `${token}\n`);
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      `${root}service/main.ts`,
      "--ws-port",
      "0",
      "--quic-port",
      "0",
      "--self-signed",
      "--token-file",
      `${dir}/token`,
      "--max-cells",
      "2000000",
    ],
    stdout: "piped",
    stderr: "inherit",
    cwd: root,
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const started = await readUntil(reader, (t) => /listening quic/.test(t));
  // Keep draining the child's output.
  (async () => {
    for (;;) if ((await reader.read()).done) break;
  })().catch(() => {});
  const caPath = /clients must trust (\S+)/.exec(started)?.[1];
  const wsPort = Number(
    /listening websocket wss?:\/\/[^:]+:(\d+)/.exec(started)?.[1],
  );
  const quicPort = Number(/listening quic [^:]+:(\d+)/.exec(started)?.[1]);
  if (!caPath || !wsPort || !quicPort) {
    child.kill("SIGKILL");
    throw new Error(`soak: the server did not start:\n${started}`);
  }
  const caCerts = [await Deno.readTextFile(caPath)];
  const load = {
    requests: 0,
    refused: 0,
    errors: 0,
    connections: 0,
    unauthorized: 0,
  };
  const t0 = performance.now();
  const deadline = t0 + minutes * 60_000;
  const samples: SoakReport["samples"] = [];
  const sampler = setInterval(() => {
    try {
      const s = sample(child.pid);
      samples.push({
        t: Math.round((performance.now() - t0) / 100) / 10,
        rssMB: +(s.rss / 1e6).toFixed(3),
        fds: s.fds,
      });
      if (samples.length % 60 === 0) {
        log(
          `soak: ${samples.length} s, RSS ${
            (s.rss / 1e6).toFixed(1)
          } MB, ${s.fds} fds, ${load.requests} requests, ${load.connections} connections`,
        );
      }
    } catch {
      // The server is gone: the run fails below.
    }
  }, 1000);

  const worker = async (id: number): Promise<void> => {
    const random = rng(1000 + id);
    const transport = id % 2 === 0 ? "websocket" as const : "quic" as const;
    const port = transport === "websocket" ? wsPort : quicPort;
    while (performance.now() < deadline) {
      const wrong = random() < 0.02;
      let client: ServiceClient;
      try {
        client = await connectService({
          transport,
          port,
          caCerts,
          serverName: "localhost",
          token: wrong ? "not the token" : token,
          timeout: 10_000,
        });
        load.connections++;
      } catch {
        load.errors++;
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      try {
        const count = 20 + Math.floor(random() * 200);
        for (let i = 0; i < count && performance.now() < deadline; i++) {
          const a = randomWalk(20 + Math.floor(random() * 200), random);
          const b = randomWalk(20 + Math.floor(random() * 200), random);
          const op = Math.floor(random() * 6);
          try {
            if (op === 0) await client.dtw(a, b, { window: 10 });
            else if (op === 1) await client.dtwBatch(a, [b, a, b]);
            else if (op === 2) await client.topK(a, [b, a], { k: 1 });
            else if (op === 3) await client.lcs("soak-abc", "bca-soak");
            else if (op === 4) {
              // Over the compute budget: refused with a RangeError.
              await client.dtw(new Float64Array(2000), new Float64Array(2000))
                .catch((e) => {
                  if (!(e instanceof RangeError)) throw e;
                  load.refused++;
                });
            } else await client.dtwPath(a, b, { window: 20 });
            load.requests++;
          } catch (error) {
            if (error instanceof AuthenticationError) {
              load.unauthorized++;
              break;
            }
            if (error instanceof QueueFullError) load.refused++;
            else load.errors++;
          }
        }
      } finally {
        await client.close();
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, i) => worker(i)));
  clearInterval(sampler);
  child.kill("SIGTERM");
  await child.status;
  await Deno.remove(dir, { recursive: true });

  const warmUpS = Math.min(WARM_UP_MAX_S, Math.round(minutes * 60 * 0.2));
  const blocks = blockMeans(samples.filter((s) => s.t >= warmUpS));
  const ts = blocks.map((s) => s.t);
  const rss = fitLine(ts, blocks.map((s) => s.rssMB));
  const fds = fitLine(ts, blocks.map((s) => s.fds));
  const hours = minutes / 60;
  const rssVerdict = rss.hi <= RSS_TARGET_MB_PER_HOUR
    ? "pass"
    : rss.lo > RSS_TARGET_MB_PER_HOUR
    ? "fail"
    : "inconclusive";
  const fdsVerdict = (fds.lo <= 0 && fds.hi >= 0) ||
      Math.abs(fds.slopePerHour * hours) < 1
    ? "pass"
    : "fail";
  const report: SoakReport = {
    meta: {
      minutes,
      date: new Date().toISOString(),
      deno: Deno.version.deno,
      clients,
      warmUpS,
      note:
        `deno task serve (both transports, token, self-signed) under ${clients} clients that reconnect after 20-220 requests; samples of the server's /proc every second`,
    },
    samples,
    load,
    fit: { rss, fds },
    verdict: {
      rss: rssVerdict,
      fds: fdsVerdict,
      pass: rssVerdict !== "fail" && fdsVerdict === "pass" &&
        load.errors === 0,
    },
  };
  return report;
}

if (import.meta.main) {
  let minutes: number;
  let clients: number;
  let values;
  try {
    ({ values } = parseArgs({
      args: Deno.args,
      options: {
        minutes: { type: "string", default: "10" },
        clients: { type: "string", default: "4" },
        json: { type: "boolean", default: false },
        out: { type: "string" },
        gate: { type: "string", default: "all" },
      },
    }));
    minutes = Number(values.minutes);
    clients = Number(values.clients);
    if (values.gate !== "all" && values.gate !== "errors") {
      throw new RangeError(
        `--gate must be "all" or "errors", got ${values.gate}`,
      );
    }
    if (!(minutes > 0) || !Number.isInteger(clients) || clients < 1) {
      throw new RangeError(
        "--minutes must be a positive number and --clients a positive integer",
      );
    }
  } catch (error) {
    console.error((error as Error).message);
    Deno.exit(2);
  }
  const report = await soak(minutes, clients, (line) => console.error(line));
  const json = JSON.stringify(report, null, 1);
  if (values.out) await Deno.writeTextFile(values.out, json + "\n");
  if (values.json) console.log(json);
  const f = (x: number) => x.toFixed(2);
  console.error(
    `soak ${minutes} min: ${report.load.requests} requests, ${report.load.connections} connections, ${report.load.refused} refused, ${report.load.errors} errors; ` +
      `RSS ${f(report.fit.rss.slopePerHour)} MB/h (95 % ${
        f(report.fit.rss.lo)
      } to ${f(report.fit.rss.hi)}), ` +
      `fds ${f(report.fit.fds.slopePerHour)}/h (95 % ${
        f(report.fit.fds.lo)
      } to ${
        f(report.fit.fds.hi)
      }): RSS ${report.verdict.rss}, fds ${report.verdict.fds}`,
  );
  // --gate errors (CI's 30 s, too short for a slope): fail only on errors.
  if (values.gate === "errors") {
    console.error("--gate errors: the verdicts above are not gated");
  }
  const failed = values.gate === "errors"
    ? report.load.errors > 0 || report.samples.length === 0
    : !report.verdict.pass;
  Deno.exit(failed ? 1 : 0);
}
