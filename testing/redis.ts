// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * A throwaway `redis-server` for tests, benchmarks, the demo and the soak:
 * found on PATH, started on a free loopback port in a temporary directory
 * (removed when it stops), never mocked. Also the cluster's worker
 * processes (`cluster/main.ts`), started for real and stopped afterwards.
 *
 * @module
 */

import { join } from "node:path";

/** Where `redis-server` is, or `undefined` when it is not installed. */
export function findRedisServer(): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (dir === "") continue;
    const path = join(dir, "redis-server");
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The message tests print when they skip for want of Redis. */
export const NO_REDIS =
  "redis-server is not installed (apt-get install redis-server): skipping the cluster tests";

/** A free TCP port on 127.0.0.1 (closed again, so a server can bind it). */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Options of {@linkcode startRedis}. */
export interface RedisServerOptions {
  /** AOF with `appendfsync always`: the data survive a SIGKILL. */
  persistence?: boolean;
  /** Extra `redis-server` arguments (`--requirepass`, ACL users, TLS, …). */
  args?: string[];
  /** TLS only: serve TLS on the port and no plain port. Needs `tls` files. */
  tls?: { cert: string; key: string; ca: string; authClients?: boolean };
}

/** A running throwaway server. */
export interface RedisServer {
  /** Its port on 127.0.0.1. */
  readonly port: number;
  /** `redis://127.0.0.1:port` (or `rediss://` with TLS). */
  readonly url: string;
  /** Its directory (data, log, TLS files). */
  readonly dir: string;
  /** Its process id. */
  readonly pid: number;
  /** SIGTERM, wait, and remove the directory. */
  stop(): Promise<void>;
  /** SIGKILL and wait (the directory stays, for {@linkcode RedisServer.restart}). */
  kill(): Promise<void>;
  /** Starts it again on the same port and directory. */
  restart(): Promise<void>;
  /** SIGSTOP: it keeps its socket but answers nothing. */
  pause(): void;
  /** SIGCONT. */
  resume(): void;
}

/** Whether the server answers on `port` (PING; NOAUTH counts as up). */
async function answers(port: number): Promise<boolean> {
  try {
    const c = await Deno.connect({ hostname: "127.0.0.1", port });
    try {
      await c.write(new TextEncoder().encode("PING\r\n"));
      const buf = new Uint8Array(64);
      const n = await c.read(buf);
      const s = new TextDecoder().decode(buf.subarray(0, n ?? 0));
      return s.startsWith("+PONG") || s.startsWith("-NOAUTH");
    } finally {
      c.close();
    }
  } catch {
    return false;
  }
}

/**
 * Starts `redis-server` on a free loopback port in a new temporary
 * directory, without persistence unless asked, and waits until it accepts
 * commands (10 s at most).
 *
 * @throws {Error} when redis-server is not installed or does not start.
 */
export async function startRedis(
  options: RedisServerOptions = {},
): Promise<RedisServer> {
  const bin = findRedisServer();
  if (bin === undefined) {
    throw new Error(
      "redis-server not found on PATH: apt-get install redis-server",
    );
  }
  const port = freePort();
  const dir = await Deno.makeTempDir({ prefix: "midstreamer-redis-" });
  const args = [
    "--bind",
    "127.0.0.1",
    "--dir",
    dir,
    "--daemonize",
    "no",
    "--logfile",
    join(dir, "redis.log"),
    ...(options.persistence
      ? ["--appendonly", "yes", "--appendfsync", "always", "--save", ""]
      : ["--appendonly", "no", "--save", ""]),
  ];
  if (options.tls) {
    const files = {
      cert: join(dir, "server.crt"),
      key: join(dir, "server.key"),
      ca: join(dir, "ca.crt"),
    };
    await Deno.writeTextFile(files.cert, options.tls.cert);
    await Deno.writeTextFile(files.key, options.tls.key);
    await Deno.writeTextFile(files.ca, options.tls.ca);
    args.push(
      "--port",
      "0",
      "--tls-port",
      String(port),
      "--tls-cert-file",
      files.cert,
      "--tls-key-file",
      files.key,
      "--tls-ca-cert-file",
      files.ca,
      "--tls-auth-clients",
      options.tls.authClients ? "yes" : "no",
    );
  } else {
    args.push("--port", String(port));
  }
  args.push(...(options.args ?? []));
  let child: Deno.ChildProcess;
  let exited: Promise<Deno.CommandStatus>;
  let alive = false;
  const spawn = async () => {
    child = new Deno.Command(bin, {
      args,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    alive = true;
    exited = child.status.finally(() => alive = false);
    const deadline = Date.now() + 10_000;
    const log = join(dir, "redis.log");
    for (;;) {
      const up = options.tls
        ? (await Deno.readTextFile(log).catch(() => "")).includes(
          "Ready to accept connections",
        )
        : await answers(port);
      if (up) return;
      if (!alive || Date.now() > deadline) {
        if (alive) child.kill("SIGKILL");
        await exited;
        const text = await Deno.readTextFile(log).catch(() => "");
        throw new Error(
          `redis-server did not start on port ${port}: ${
            text.split("\n").slice(-5).join("\n")
          }`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  await spawn();
  const signal = (s: Deno.Signal) => {
    if (alive) child.kill(s);
  };
  return {
    port,
    url: `${options.tls ? "rediss" : "redis"}://127.0.0.1:${port}`,
    dir,
    get pid() {
      return child.pid;
    },
    async stop() {
      signal("SIGCONT");
      signal("SIGTERM");
      await exited;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
    async kill() {
      signal("SIGKILL");
      await exited;
    },
    async restart() {
      signal("SIGKILL");
      await exited;
      // The port may linger a moment after the kill.
      for (let i = 0; i < 50; i++) {
        try {
          await spawn();
          return;
        } catch (e) {
          if (i === 49) throw e;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
    pause() {
      signal("SIGSTOP");
    },
    resume() {
      signal("SIGCONT");
    },
  };
}

/** A worker process of the cluster (`cluster/main.ts`). */
export interface WorkerProcess {
  /** Its process id. */
  readonly pid: number;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with its exit code. */
  readonly exited: Promise<number>;
  /** Whether it is still running. */
  readonly alive: boolean;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number>;
  /** SIGKILL and wait. */
  kill(): Promise<void>;
}

/**
 * Starts `deno run -A <script> --redis <url> ...args` (by default the
 * worker, `cluster/main.ts`) and waits for its `ready` line (60 s at most).
 *
 * @throws {Error} when it exits or prints no `ready` line in time.
 */
export async function startWorkerProcess(
  redis: string,
  args: string[] = [],
  script: URL = new URL("../cluster/main.ts", import.meta.url),
  env: Record<string, string> = {},
): Promise<WorkerProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script.pathname, "--redis", redis, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...env },
  }).spawn();
  let text = "";
  const ready = Promise.withResolvers<void>();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      text += decoder.decode(chunk, { stream: true });
      if (/^ready /m.test(text)) ready.resolve();
    }
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  let alive = true;
  const exited = child.status.then(async (s) => {
    alive = false;
    await pumps.catch(() => {});
    ready.reject(new Error(`worker exited (${s.code}) before ready:\n${text}`));
    return s.code;
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      ready.promise,
      new Promise((_, reject) =>
        timer = setTimeout(
          () => reject(new Error(`worker not ready within 60 s:\n${text}`)),
          60_000,
        )
      ),
    ]);
  } catch (e) {
    try {
      child.kill("SIGKILL");
    } catch {
      // gone
    }
    await exited;
    throw e;
  } finally {
    clearTimeout(timer);
  }
  const send = (s: Deno.Signal) => {
    try {
      child.kill(s);
    } catch {
      // already gone
    }
  };
  return {
    pid: child.pid,
    output: () => text,
    exited,
    get alive() {
      return alive;
    },
    async stop() {
      send("SIGTERM");
      return await exited;
    },
    async kill() {
      send("SIGKILL");
      await exited;
    },
  };
}

/** A Redis server and worker processes, for tests and scripts. */
export interface ClusterFixture {
  /** The server. */
  readonly redis: RedisServer;
  /** The workers (more may be pushed). */
  readonly workers: WorkerProcess[];
  /** Stops the workers (SIGTERM) and the server. */
  stop(): Promise<void>;
  /**
   * Kills everything at once (SIGKILL), synchronously: for an `unload`
   * handler, so that nothing outlives the test process.
   */
  killSync(): void;
}

/**
 * Starts a Redis server and `workers` worker processes on it, each with
 * `args` (e.g. `--threads 1`). An `unload` handler kills whatever is left
 * when the process ends.
 */
export async function startCluster(
  workers: number,
  args: string[] = ["--threads", "1"],
  redisOptions: RedisServerOptions = {},
): Promise<ClusterFixture> {
  const redis = await startRedis(redisOptions);
  const procs: WorkerProcess[] = [];
  const killSync = () => {
    for (const w of procs) {
      try {
        Deno.kill(w.pid, "SIGKILL");
      } catch {
        // gone
      }
    }
    try {
      Deno.kill(redis.pid, "SIGKILL");
    } catch {
      // gone
    }
    try {
      Deno.removeSync(redis.dir, { recursive: true });
    } catch {
      // gone
    }
  };
  globalThis.addEventListener("unload", killSync);
  try {
    procs.push(
      ...await Promise.all(
        Array.from(
          { length: workers },
          () => startWorkerProcess(redis.url, args),
        ),
      ),
    );
  } catch (e) {
    killSync();
    throw e;
  }
  return {
    redis,
    workers: procs,
    async stop() {
      await Promise.all(procs.map((w) => w.stop()));
      await redis.stop();
      globalThis.removeEventListener("unload", killSync);
    },
    killSync,
  };
}
