// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * Private option validation for `listen` and `connect`.
 *
 * @module
 */

import { DEFAULT_MAX_MESSAGE_BYTES } from "./_frame.ts";
import type { ConnectOptions } from "./connect_options.ts";
import type { Handler } from "./handler.ts";
import type { ListenOptions } from "./listen_options.ts";
import type { Transport } from "./transport.ts";
import type { WebSocketClient } from "./web_socket_client.ts";
import { DEFAULT_SERVER_LIMITS, type ServerLimits } from "./server_limits.ts";
import { MAX_TOKEN_BYTES } from "./_frame.ts";

/** The names of the server limits. */
const SERVER_LIMIT_NAMES = Object.keys(
  DEFAULT_SERVER_LIMITS,
) as (keyof ServerLimits)[];

/** Largest payload the 32-bit length field can carry. */
const MAX_FRAME_PAYLOAD = 0xffff_ffff;

/** `listen` options with defaults applied. */
export interface ResolvedListenOptions {
  transport: Transport;
  hostname: string;
  port: number;
  cert: string | undefined;
  key: string | undefined;
  handler: Handler;
  maxMessageBytes: number;
  zeroRtt: boolean;
  token: string | undefined;
  limits: Required<ServerLimits>;
}

/** `connect` options with defaults applied. */
export interface ResolvedConnectOptions {
  transport: Transport;
  hostname: string;
  port: number;
  caCerts: string[] | undefined;
  serverName: string | undefined;
  secure: boolean;
  client: WebSocketClient;
  timeout: number;
  maxMessageBytes: number;
  endpoint: Deno.QuicEndpoint | undefined;
  zeroRtt: boolean;
  token: string | undefined;
  peerTimeout: number;
}

const LISTEN_KEYS = new Set([
  "transport",
  "hostname",
  "port",
  "cert",
  "key",
  "handler",
  "maxMessageBytes",
  "zeroRtt",
  "token",
  "insecure",
  ...SERVER_LIMIT_NAMES,
]);
const CONNECT_KEYS = new Set([
  "transport",
  "hostname",
  "port",
  "caCerts",
  "serverName",
  "secure",
  "client",
  "timeout",
  "maxMessageBytes",
  "endpoint",
  "zeroRtt",
  "token",
  "peerTimeout",
]);

function checkShape(
  fn: string,
  options: unknown,
  keys: Set<string>,
): Record<string, unknown> {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `Cannot ${fn}: "options" must be an object, got ${
        options === null ? "null" : typeof options
      }`,
    );
  }
  for (const key of Object.keys(options)) {
    if (!keys.has(key)) {
      throw new TypeError(
        `Cannot ${fn}: unknown option "${key}" (allowed: ${
          [...keys].join(", ")
        })`,
      );
    }
  }
  return options as Record<string, unknown>;
}

function transportOf(fn: string, value: unknown): Transport {
  if (value !== "quic" && value !== "websocket") {
    throw new TypeError(
      `Cannot ${fn}: "transport" must be "quic" or "websocket", got ${
        JSON.stringify(value)
      }`,
    );
  }
  return value;
}

function optionalString(
  fn: string,
  name: string,
  value: unknown,
): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string") {
    throw new TypeError(
      `Cannot ${fn}: "${name}" must be a string, got ${typeof value}`,
    );
  }
  if (value.length === 0) {
    throw new RangeError(`Cannot ${fn}: "${name}" must not be empty`);
  }
  return value;
}

function optionalBoolean(
  fn: string,
  name: string,
  value: unknown,
  fallback: boolean,
): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") {
    throw new TypeError(
      `Cannot ${fn}: "${name}" must be a boolean, got ${typeof value}`,
    );
  }
  return value;
}

function port(fn: string, value: unknown, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "number") {
    throw new TypeError(
      `Cannot ${fn}: "port" must be a number, got ${typeof value}`,
    );
  }
  const min = fallback === undefined ? 1 : 0;
  if (!Number.isInteger(value) || value < min || value > 65535) {
    throw new RangeError(
      `Cannot ${fn}: "port" must be an integer from ${min} to 65535, got ${value}`,
    );
  }
  return value;
}

function maxMessageBytes(fn: string, value: unknown): number {
  if (value === undefined) return DEFAULT_MAX_MESSAGE_BYTES;
  if (typeof value !== "number") {
    throw new TypeError(
      `Cannot ${fn}: "maxMessageBytes" must be a number, got ${typeof value}`,
    );
  }
  if (!Number.isInteger(value) || value < 0 || value > MAX_FRAME_PAYLOAD) {
    throw new RangeError(
      `Cannot ${fn}: "maxMessageBytes" must be an integer from 0 to ${MAX_FRAME_PAYLOAD}, got ${value}`,
    );
  }
  return value;
}

/** A token: a non-empty string of at most `MAX_TOKEN_BYTES` UTF-8 bytes. */
function token(fn: string, value: unknown): string | undefined {
  const t = optionalString(fn, "token", value);
  if (t !== undefined && new TextEncoder().encode(t).length > MAX_TOKEN_BYTES) {
    throw new RangeError(
      `Cannot ${fn}: "token" must be at most ${MAX_TOKEN_BYTES} UTF-8 bytes`,
    );
  }
  return t;
}

/** Whether `hostname` names a loopback address only. */
export function isLoopback(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, "");
  return h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h);
}

/** Validates the server limits of `listen` and applies their defaults. */
export function resolveServerLimits(
  fn: string,
  o: Record<string, unknown>,
): Required<ServerLimits> {
  const limits = { ...DEFAULT_SERVER_LIMITS };
  for (const name of SERVER_LIMIT_NAMES) {
    const value = o[name];
    if (value === undefined) continue;
    if (typeof value !== "number") {
      throw new TypeError(
        `Cannot ${fn}: "${name}" must be a number, got ${typeof value}`,
      );
    }
    const max = name.endsWith("Timeout")
      ? 2 ** 31 - 1
      : Number.MAX_SAFE_INTEGER;
    if (!Number.isSafeInteger(value) || value < 1 || value > max) {
      throw new RangeError(
        `Cannot ${fn}: "${name}" must be a positive integer up to ${max}, got ${value}`,
      );
    }
    limits[name] = value;
  }
  return limits;
}

function quicOnly(
  fn: string,
  options: Record<string, unknown>,
  transport: Transport,
  names: string[],
): void {
  if (transport === "quic") return;
  for (const name of names) {
    if (options[name] !== undefined) {
      throw new TypeError(
        `Cannot ${fn}: "${name}" only applies to transport "quic"`,
      );
    }
  }
}

/** Validates `listen` options and applies defaults. */
export function resolveListenOptions(
  options: ListenOptions,
): ResolvedListenOptions {
  const fn = "listen";
  const o = checkShape(fn, options, LISTEN_KEYS);
  const transport = transportOf(fn, o.transport);
  quicOnly(fn, o, transport, ["zeroRtt"]);
  const cert = optionalString(fn, "cert", o.cert);
  const key = optionalString(fn, "key", o.key);
  if ((cert === undefined) !== (key === undefined)) {
    throw new TypeError(
      `Cannot ${fn}: "cert" and "key" must be given together`,
    );
  }
  if (transport === "quic" && cert === undefined) {
    throw new TypeError(
      `Cannot ${fn}: "cert" and "key" are required for transport "quic"`,
    );
  }
  if (typeof o.handler !== "function") {
    throw new TypeError(
      `Cannot ${fn}: "handler" must be a function, got ${typeof o.handler}`,
    );
  }
  const hostname = optionalString(fn, "hostname", o.hostname) ?? "127.0.0.1";
  const secret = token(fn, o.token);
  const insecure = optionalBoolean(fn, "insecure", o.insecure, false);
  const limits = resolveServerLimits(fn, o);
  if (secret === undefined && !insecure && !isLoopback(hostname)) {
    throw new TypeError(
      `Cannot ${fn}: refusing to serve ${hostname} without a "token" (protected mode): ` +
        `it is not a loopback address, so anyone who can reach it could use the server. ` +
        `Give a token (deno task serve --token-file FILE), bind 127.0.0.1, or pass ` +
        `insecure: true (--insecure) to serve every client anyway`,
    );
  }
  return {
    transport,
    hostname,
    port: port(fn, o.port, 0),
    cert,
    key,
    handler: o.handler as Handler,
    maxMessageBytes: maxMessageBytes(fn, o.maxMessageBytes),
    zeroRtt: optionalBoolean(fn, "zeroRtt", o.zeroRtt, false),
    token: secret,
    limits,
  };
}

/** Validates `connect` options and applies defaults. */
export function resolveConnectOptions(
  options: ConnectOptions,
): ResolvedConnectOptions {
  const fn = "connect";
  const o = checkShape(fn, options, CONNECT_KEYS);
  const transport = transportOf(fn, o.transport);
  quicOnly(fn, o, transport, ["endpoint", "zeroRtt", "peerTimeout"]);
  const peerTimeout = o.peerTimeout ?? 30_000;
  if (typeof peerTimeout !== "number") {
    throw new TypeError(
      `Cannot ${fn}: "peerTimeout" must be a number, got ${typeof peerTimeout}`,
    );
  }
  if (
    !Number.isInteger(peerTimeout) || peerTimeout < 3 ||
    peerTimeout > 2 ** 31 - 1
  ) {
    throw new RangeError(
      `Cannot ${fn}: "peerTimeout" must be an integer from 3 to ${
        2 ** 31 - 1
      } milliseconds, got ${peerTimeout}`,
    );
  }
  if (transport === "quic") {
    for (const name of ["secure", "client"]) {
      if (o[name] !== undefined) {
        throw new TypeError(
          `Cannot ${fn}: "${name}" only applies to transport "websocket"`,
        );
      }
    }
  }
  let caCerts: string[] | undefined;
  if (o.caCerts !== undefined) {
    if (
      !Array.isArray(o.caCerts) ||
      !o.caCerts.every((cert) => typeof cert === "string")
    ) {
      throw new TypeError(
        `Cannot ${fn}: "caCerts" must be an array of PEM strings`,
      );
    }
    caCerts = [...o.caCerts];
  }
  const client = o.client ?? "ws";
  if (client !== "deno" && client !== "ws") {
    throw new TypeError(
      `Cannot ${fn}: "client" must be "deno" or "ws", got ${
        JSON.stringify(client)
      }`,
    );
  }
  let timeout = 30_000;
  if (o.timeout !== undefined) {
    if (typeof o.timeout !== "number") {
      throw new TypeError(
        `Cannot ${fn}: "timeout" must be a number, got ${typeof o.timeout}`,
      );
    }
    if (
      !(o.timeout > 0) ||
      (o.timeout !== Infinity && o.timeout > 2 ** 31 - 1)
    ) {
      throw new RangeError(
        `Cannot ${fn}: "timeout" must be a positive number of milliseconds up to ${
          2 ** 31 - 1
        } or Infinity, got ${o.timeout}`,
      );
    }
    timeout = o.timeout;
  }
  if (
    o.endpoint !== undefined && !(o.endpoint instanceof Deno.QuicEndpoint)
  ) {
    throw new TypeError(
      `Cannot ${fn}: "endpoint" must be a Deno.QuicEndpoint`,
    );
  }
  const hostname = optionalString(fn, "hostname", o.hostname) ?? "127.0.0.1";
  const serverName = optionalString(fn, "serverName", o.serverName);
  if (
    transport === "websocket" && client === "deno" &&
    serverName !== undefined && serverName !== hostname
  ) {
    throw new TypeError(
      `Cannot ${fn}: "serverName" must equal "hostname" with client "deno" (Deno's WebSocket cannot set the TLS server name); use client "ws" or connect by name`,
    );
  }
  return {
    transport,
    hostname,
    port: port(fn, o.port),
    caCerts,
    serverName,
    secure: optionalBoolean(fn, "secure", o.secure, caCerts !== undefined),
    client,
    timeout,
    maxMessageBytes: maxMessageBytes(fn, o.maxMessageBytes),
    endpoint: o.endpoint as Deno.QuicEndpoint | undefined,
    zeroRtt: optionalBoolean(fn, "zeroRtt", o.zeroRtt, false),
    token: token(fn, o.token),
    peerTimeout,
  };
}
