// Copyright 2026 the @midstreamer/kit authors. MIT license.

/**
 * `deno task serve`: runs the matching service on WebSocket and, given TLS
 * material, on QUIC.
 *
 * ```sh
 * deno run -A service/main.ts [--ws-port 8080] [--quic-port 4433]
 *   [--hostname 127.0.0.1] [--cert cert.pem --key key.pem | --self-signed]
 *   [--token-file FILE | --insecure] [--workers 0] [limits]
 * ```
 *
 * - `--token-file FILE`: clients must send the token held in FILE (its
 *   first line; `connectService({ token })`). Without it, binding an
 *   address other than loopback refuses to start (protected mode) unless
 *   `--insecure` is given.
 * - Limits, each a positive integer (see `--help` for the defaults): the
 *   service's (`--max-series-length`, `--max-batch-length`,
 *   `--max-request-bytes`, `--max-cells`) and the transport's
 *   (`--max-connections`, `--max-streams-per-connection`,
 *   `--max-requests-per-connection`, `--max-buffered-bytes-per-connection`,
 *   `--max-buffered-bytes`, `--idle-timeout`, `--handshake-timeout`,
 *   `--request-timeout`, in milliseconds for the timeouts).
 * - A misconfiguration (an unreadable or empty token file, a limit that is
 *   not a positive integer, an unknown flag) prints one line and exits
 *   with code 2.
 *
 * - Without `--cert`/`--key` (or `--self-signed`) only WebSocket is served,
 *   and it says so: QUIC always needs a certificate.
 * - `--self-signed` generates a throwaway CA and server certificate with
 *   `openssl` into a temporary directory, prints the CA's path (clients pass
 *   it as `caCerts`), and removes the directory on shutdown.
 * - `--cert`/`--key` with WebSocket serve wss://.
 * - A port of `0` picks a free port. Once listening, one line per transport
 *   is printed: `listening websocket ws://127.0.0.1:8080` and
 *   `listening quic 127.0.0.1:4433`.
 * - SIGINT or SIGTERM shut down gracefully: new requests get an error
 *   reply, requests in flight finish and are answered, then the process
 *   exits with code 0. A second signal exits at once with code 1.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { WorkerPool } from "../pool/worker_pool.ts";
import {
  DEFAULT_SERVER_LIMITS,
  type ServerLimits,
} from "../transport/server_limits.ts";
import { DEFAULT_SERVICE_LIMITS, type ServiceLimits } from "./protocol.ts";
import { serveService, type ServiceServer } from "./serve_service.ts";
import { type SelfSigned, selfSigned } from "./_self_signed.ts";

/** Every limit, by flag name (`maxCells` is `--max-cells`). */
const LIMITS: Record<string, number> = {
  ...DEFAULT_SERVICE_LIMITS,
  ...DEFAULT_SERVER_LIMITS,
};
type LimitName = keyof ServiceLimits | keyof ServerLimits;
const flagOf = (name: string): string =>
  name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

const USAGE = `Usage: deno task serve [options]
  --ws-port N            WebSocket port (default 8080; 0 = any free port)
  --quic-port N          QUIC port (default 4433; needs --cert/--key or --self-signed)
  --hostname HOST        address to bind (default 127.0.0.1)
  --cert FILE --key FILE TLS certificate chain and key (PEM)
  --self-signed          generate a throwaway CA + certificate with openssl
  --token-file FILE      clients must send the token in FILE (its first line)
  --insecure             serve a non-loopback address without a token
  --workers N            worker threads computing requests (default 0: in-thread)
Limits (positive integers; timeouts in milliseconds):
${
  Object.entries(LIMITS).map(([name, value]) =>
    `  --${flagOf(name).padEnd(34)} default ${value}`
  ).join("\n")
}
  --help                 this message`;

/** A port or worker count: a non-negative integer. */
function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isInteger(n) || n < 0) {
    throw new RangeError(
      `--${name} must be a non-negative integer, got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

/** A limit: a positive integer. */
function positive(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isSafeInteger(n) || n < 1) {
    throw new RangeError(
      `--${flag} must be a positive integer, got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

/** The token of `--token-file`: its first line, which must not be empty. */
async function readToken(path: string): Promise<string> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new Error(
      `--token-file ${path} cannot be read: ${(error as Error).message}`,
    );
  }
  const token = text.split(/\r?\n/)[0]!.trim();
  if (token === "") throw new Error(`--token-file ${path} is empty`);
  return token;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      "ws-port": { type: "string", default: "8080" },
      "quic-port": { type: "string", default: "4433" },
      hostname: { type: "string", default: "127.0.0.1" },
      cert: { type: "string" },
      key: { type: "string" },
      "self-signed": { type: "boolean", default: false },
      workers: { type: "string", default: "0" },
      "token-file": { type: "string" },
      insecure: { type: "boolean", default: false },
      ...Object.fromEntries(
        Object.keys(LIMITS).map((name) => [flagOf(name), { type: "string" }]),
      ) as Record<string, { type: "string" }>,
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if ((values.cert === undefined) !== (values.key === undefined)) {
    throw new TypeError("--cert and --key must be given together");
  }
  if (values["self-signed"] && values.cert !== undefined) {
    throw new TypeError("--self-signed and --cert/--key exclude each other");
  }
  const hostname = values.hostname;
  const limits: Partial<Record<LimitName, number>> = {};
  for (const name of Object.keys(LIMITS) as LimitName[]) {
    const value = (values as Record<string, unknown>)[flagOf(name)];
    if (typeof value === "string") limits[name] = positive(flagOf(name), value);
  }
  const tokenFile = values["token-file"];
  const token = tokenFile === undefined
    ? undefined
    : await readToken(tokenFile);
  // One pool for both transports (serveService leaves a given pool open).
  const workers = integer("workers", values.workers) ?? 0;
  const pool = workers > 0 ? new WorkerPool({ workers }) : undefined;
  const common = {
    hostname,
    workers: pool ?? 0,
    ...limits,
    ...(token === undefined ? {} : { token }),
    insecure: values.insecure,
  };
  let tls: { cert: string; key: string } | undefined;
  let generated: SelfSigned | undefined;
  if (values.cert !== undefined) {
    tls = {
      cert: await Deno.readTextFile(values.cert),
      key: await Deno.readTextFile(values.key!),
    };
  } else if (values["self-signed"]) {
    generated = await selfSigned(hostname);
    tls = generated;
    console.log(`self-signed: clients must trust ${generated.caPath}`);
  }
  const servers: ServiceServer[] = [];
  const shutdown = async (): Promise<void> => {
    await Promise.all(servers.map((server) => server.close()));
    await pool?.close();
    await generated?.remove();
  };
  try {
    const ws = await serveService({
      ...common,
      transport: "websocket",
      port: integer("ws-port", values["ws-port"]),
      ...(tls === undefined ? {} : { cert: tls.cert, key: tls.key }),
    });
    servers.push(ws);
    const scheme = tls === undefined ? "ws" : "wss";
    console.log(
      `listening websocket ${scheme}://${ws.addr.hostname}:${ws.addr.port}`,
    );
    if (tls === undefined) {
      console.log(
        "quic disabled: QUIC needs a certificate (--cert/--key or --self-signed)",
      );
    } else {
      const quic = await serveService({
        ...common,
        transport: "quic",
        port: integer("quic-port", values["quic-port"]),
        cert: tls.cert,
        key: tls.key,
      });
      servers.push(quic);
      console.log(`listening quic ${quic.addr.hostname}:${quic.addr.port}`);
    }
  } catch (error) {
    await shutdown();
    throw error;
  }

  const { promise: stopped, resolve: stop } = Promise.withResolvers<string>();
  const signals: Deno.Signal[] = Deno.build.os === "windows"
    ? ["SIGINT"]
    : ["SIGINT", "SIGTERM"];
  let signalled = false;
  const onSignal = (signal: Deno.Signal) => () => {
    if (signalled) {
      console.error(`${signal} again: exiting without waiting`);
      Deno.exit(1);
    }
    signalled = true;
    stop(signal);
  };
  const listeners = signals.map((signal) => {
    const listener = onSignal(signal);
    Deno.addSignalListener(signal, listener);
    return [signal, listener] as const;
  });
  const signal = await stopped;
  const inFlight = servers.reduce((sum, server) => sum + server.inFlight, 0);
  console.log(`${signal}: shutting down (${inFlight} requests in flight)`);
  await shutdown();
  for (const [name, listener] of listeners) {
    Deno.removeSignalListener(name, listener);
  }
  console.log("stopped");
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main());
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    Deno.exit(2);
  }
}
