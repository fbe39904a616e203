// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Redis connections of the cluster: the URL and TLS options, the
// pre-flight probe that runs before any BullMQ object exists, and the
// ioredis options of the caller's and the workers' connections. Internal.

import { Redis, type RedisOptions } from "ioredis";
import { isIP } from "node:net";
import { describe } from "../kernels/internal.ts";
import { RedisUnavailableError } from "./redis_unavailable_error.ts";

/** TLS settings for a `rediss://` URL (PEM strings). */
export interface RedisTlsOptions {
  /**
   * Certificates (PEM) of the authorities trusted for the server's
   * certificate, besides the system's.
   *
   * @default {undefined}
   */
  ca?: string;
  /**
   * Client certificate (PEM), for a server that authenticates clients
   * (`tls-auth-clients yes`); paired with `key`.
   *
   * @default {undefined}
   */
  cert?: string;
  /**
   * Private key (PEM) of `cert`.
   *
   * @default {undefined}
   */
  key?: string;
  /**
   * The name checked against the server's certificate (sent as SNI).
   *
   * @default {the URL's host, unless it is an IP address}
   */
  servername?: string;
}

/** How to reach Redis: what `connectCluster` and `startWorker` share. */
export interface RedisConnectionOptions {
  /**
   * The Redis server: `redis://[[user]:password@]host:port[/db]`, or
   * `rediss://…` for TLS. A user and password in the URL are used for
   * `AUTH` (an ACL user, or only a password for `requirepass`).
   */
  redis: string;
  /**
   * TLS settings for a `rediss://` URL (not allowed with `redis://`).
   *
   * @default {undefined}
   */
  tls?: RedisTlsOptions;
  /**
   * The queue's name: callers and workers with the same name share the
   * shards. Every key the cluster writes starts with
   * `midstreamer:<queue>:`, which is also the pattern an ACL user needs
   * (`~midstreamer:*`).
   *
   * @default {"shards"}
   */
  queue?: string;
  /**
   * Milliseconds the pre-flight check (connect, `INFO`, a script) may take
   * before it rejects with a `RedisUnavailableError`.
   *
   * @default {5000}
   */
  connectTimeout?: number;
}

/** The prefix of every key (BullMQ's `prefix` option). */
export const KEY_PREFIX = "midstreamer";

/** The oldest Redis the cluster accepts. */
export const MIN_REDIS_VERSION: readonly [number, number] = [6, 2];

/** A checked Redis address: ioredis options and a printable URL. */
export interface RedisTarget {
  /** ioredis options: host, port, db, credentials, TLS. */
  options: RedisOptions;
  /** The URL with the password replaced by `***`, for messages. */
  shown: string;
  /** The queue name. */
  queue: string;
  /** The pre-flight timeout in milliseconds. */
  connectTimeout: number;
}

const QUEUE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Checks the connection options of `fn` (`connectCluster` or
 * `startWorker`).
 *
 * @throws {TypeError} on a missing or malformed URL, a wrong scheme, or a wrong type.
 * @throws {RangeError} on an out-of-range port or timeout.
 */
export function redisTarget(
  fn: string,
  o: RedisConnectionOptions,
): RedisTarget {
  if (typeof o.redis !== "string") {
    throw new TypeError(
      `${fn}: options.redis must be a URL string such as "redis://127.0.0.1:6379", got ${
        describe(o.redis)
      }`,
    );
  }
  let url: URL;
  try {
    url = new URL(o.redis);
  } catch {
    throw new TypeError(
      `${fn}: options.redis is not a URL: "${o.redis}"; expected redis://host:port or rediss://host:port`,
    );
  }
  const secure = url.protocol === "rediss:";
  if (url.protocol !== "redis:" && !secure) {
    throw new TypeError(
      `${fn}: options.redis must use redis:// or rediss:// (TLS), got ${url.protocol}//`,
    );
  }
  if (url.hostname === "") {
    throw new TypeError(`${fn}: options.redis has no host: "${o.redis}"`);
  }
  const port = url.port === "" ? 6379 : Number(url.port);
  if (!(port >= 1 && port <= 65535)) {
    throw new RangeError(`${fn}: options.redis has port ${url.port}`);
  }
  const path = url.pathname.replace(/^\//, "");
  if (path !== "" && !/^\d{1,2}$/.test(path)) {
    throw new TypeError(
      `${fn}: options.redis may end in a database number (/0 .. /15), got "/${path}"`,
    );
  }
  if (url.search !== "" || url.hash !== "") {
    throw new TypeError(
      `${fn}: options.redis takes no query or fragment; pass TLS settings as options.tls`,
    );
  }
  if (o.tls !== undefined) {
    if (!secure) {
      throw new TypeError(
        `${fn}: options.tls is given but options.redis is not a rediss:// URL`,
      );
    }
    if (o.tls === null || typeof o.tls !== "object") {
      throw new TypeError(
        `${fn}: options.tls must be an object, got ${describe(o.tls)}`,
      );
    }
    for (const k of ["ca", "cert", "key", "servername"] as const) {
      const v = o.tls[k];
      if (v !== undefined && typeof v !== "string") {
        throw new TypeError(
          `${fn}: options.tls.${k} must be a string, got ${describe(v)}`,
        );
      }
    }
    if ((o.tls.cert === undefined) !== (o.tls.key === undefined)) {
      throw new TypeError(
        `${fn}: options.tls.cert and options.tls.key go together`,
      );
    }
  }
  const queue = o.queue ?? "shards";
  if (typeof queue !== "string" || !QUEUE_NAME.test(queue)) {
    throw new TypeError(
      `${fn}: options.queue must be 1 to 64 letters, digits, '_', '.' or '-', got ${
        describe(queue)
      }`,
    );
  }
  const connectTimeout = o.connectTimeout ?? 5000;
  if (typeof connectTimeout !== "number") {
    throw new TypeError(
      `${fn}: options.connectTimeout must be a number, got ${
        describe(connectTimeout)
      }`,
    );
  }
  if (!(connectTimeout > 0 && connectTimeout <= 600_000)) {
    throw new RangeError(
      `${fn}: options.connectTimeout must be in (0, 600000] ms, got ${connectTimeout}`,
    );
  }
  const username = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const options: RedisOptions = {
    host,
    port,
    db: path === "" ? 0 : Number(path),
    ...(username !== "" ? { username } : {}),
    ...(password !== "" ? { password } : {}),
    ...(secure
      ? {
        tls: {
          ...(o.tls?.ca !== undefined ? { ca: o.tls.ca } : {}),
          ...(o.tls?.cert !== undefined
            ? { cert: o.tls.cert, key: o.tls.key }
            : {}),
          // SNI takes names only; an IP is checked against the IP SANs.
          ...(o.tls?.servername !== undefined
            ? { servername: o.tls.servername }
            : isIP(host) === 0
            ? { servername: host }
            : {}),
        },
      }
      : {}),
  };
  const shown = `${url.protocol}//${
    username !== "" || password !== ""
      ? `${url.username}${password !== "" ? ":***" : ""}@`
      : ""
  }${url.host}${path !== "" ? `/${path}` : ""}`;
  return { options, shown, queue, connectTimeout };
}

/** The fields of an `INFO` reply. */
export function parseInfo(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(":");
    if (i > 0 && !line.startsWith("#")) {
      fields[line.slice(0, i)] = line.slice(i + 1).trim();
    }
  }
  return fields;
}

/**
 * Checks `redis_version` of an `INFO server` reply against
 * {@linkcode MIN_REDIS_VERSION}: the version, or an `Error` saying why not.
 */
export function checkVersion(
  fn: string,
  shown: string,
  info: Record<string, string>,
): string {
  const version = info.redis_version ?? "";
  const [major, minor] = version.split(".").map(Number);
  const [wantMajor, wantMinor] = MIN_REDIS_VERSION;
  if (
    !(major > wantMajor || (major === wantMajor && minor >= wantMinor))
  ) {
    throw new Error(
      `${fn}: Redis at ${shown} is version ${
        version || "unknown"
      }; the cluster needs Redis ${wantMajor}.${wantMinor} or later (its queue, BullMQ, uses commands and script features of 6.2)`,
    );
  }
  return version;
}

/** What the pre-flight check learnt about the server. */
export interface ServerFacts {
  /** `redis_version`. */
  version: string;
  /** `run_id`: changes when the server restarts. */
  runId: string;
}

/** Whether an ioredis error means the server could not be reached. */
function unreachable(e: Error): boolean {
  return /ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN|ECONNRESET|EPIPE|timed out|Connection is closed|Stream isn't writeable|connect ETIMEDOUT|MaxRetriesPerRequest/i
    .test(e.message);
}

/**
 * The pre-flight check, with its own plain client that never retries:
 * connect, `INFO server` (version ≥ 6.2 and `run_id`), and one script call
 * (BullMQ runs everything as scripts). Settles within the connect timeout
 * (plus a little), whatever the server does.
 *
 * @throws {RedisUnavailableError} when the server is unreachable or does not answer in time.
 * @throws {Error} on refused credentials, a TLS failure, an old version, or a missing command.
 */
export async function probe(fn: string, t: RedisTarget): Promise<ServerFacts> {
  const client = new Redis({
    ...t.options,
    lazyConnect: true,
    connectTimeout: t.connectTimeout,
    commandTimeout: t.connectTimeout,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
    enableReadyCheck: false,
  });
  let firstError: Error | undefined;
  client.on("error", (e: Error) => firstError ??= e);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${t.connectTimeout} ms`)),
      t.connectTimeout + 250,
    );
  });
  const step = async <T>(what: string, p: () => Promise<T>): Promise<T> => {
    try {
      return await Promise.race([p(), deadline]);
    } catch (err) {
      const e = firstError ?? (err as Error);
      const detail = e.message || String(e);
      if (/NOAUTH|WRONGPASS|invalid password|invalid username/i.test(detail)) {
        throw new Error(
          `${fn}: Redis at ${t.shown} refused the credentials (${detail}); give user and password in the URL: redis://user:password@host:port`,
          { cause: e },
        );
      }
      if (/NOPERM/i.test(detail)) {
        throw new Error(
          `${fn}: the Redis user at ${t.shown} may not run ${what} (${detail}); the cluster needs the key pattern ~${KEY_PREFIX}:* and the commands of @read @write @stream @list @sortedset @hash @string @keyspace @scripting @connection @transaction @blocking plus INFO`,
          { cause: e },
        );
      }
      if (/certificate|self.signed|SSL|TLS|alert/i.test(detail)) {
        throw new Error(
          `${fn}: TLS with Redis at ${t.shown} failed (${detail}); pass the server's CA as options.tls.ca (and options.tls.cert/key if it checks clients)`,
          { cause: e },
        );
      }
      if (/unknown command|ERR .*disabled/i.test(detail)) {
        throw new Error(
          `${fn}: Redis at ${t.shown} does not offer ${what} (${detail}); the cluster needs Redis ${
            MIN_REDIS_VERSION.join(".")
          } or later with scripting and streams`,
          { cause: e },
        );
      }
      if (unreachable(e) || e === err && /no answer within/.test(detail)) {
        throw new RedisUnavailableError(
          `${fn}: Redis at ${t.shown} is unreachable: ${detail}`,
          { cause: e },
        );
      }
      throw new Error(
        `${fn}: ${what} on Redis at ${t.shown} failed: ${detail}`,
        {
          cause: e,
        },
      );
    }
  };
  try {
    await step("connect", () => client.connect());
    await step("AUTH", () => client.ping());
    const info = parseInfo(await step("INFO", () => client.info("server")));
    const version = checkVersion(fn, t.shown, info);
    await step("EVAL", () => client.eval("return 1", 0));
    await step("XADD/XREAD", async () => {
      // Streams (the results) and the ≥ 6.2 form XADD … NOMKSTREAM.
      await client.xadd(`${KEY_PREFIX}:probe`, "NOMKSTREAM", "*", "x", "1");
    });
    return { version, runId: info.run_id ?? "" };
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}

/**
 * ioredis options of a long-lived connection: it reconnects for ever (a
 * delay rising to `maxDelay` ms); `commandsFailFast` makes commands issued
 * while disconnected fail after one retry instead of waiting (the caller,
 * whose waits are all bounded), else they wait for the reconnection (the
 * worker, and every BullMQ `Worker` connection).
 */
export function lastingOptions(
  t: RedisTarget,
  commandsFailFast: boolean,
  maxDelay = 1000,
): RedisOptions {
  return {
    ...t.options,
    connectTimeout: t.connectTimeout,
    maxRetriesPerRequest: commandsFailFast ? 1 : null,
    retryStrategy: (n: number) => Math.min(50 * n, maxDelay),
    enableReadyCheck: true,
  };
}
