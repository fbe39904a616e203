// Copyright 2026 the @midstreamer/kit authors. MIT license.
// A server process for tests/chaos_test.ts: serves both transports on
// 127.0.0.1 port 0 and prints one JSON line {"ws":port,"quic":port}, then
// serves until killed. Its handler echoes, after `delay` ms when the first
// byte is 1, and never answers when it is 2.
//
//   deno run -A tests/_chaos_server.ts '{"limits":{...},"cert":"...","key":"..."}'

import { listen, type ServerLimits } from "../transport/mod.ts";

const config = JSON.parse(Deno.args[0] ?? "{}") as {
  limits?: ServerLimits;
  cert: string;
  key: string;
  delay?: number;
};
const handler = async (request: Uint8Array): Promise<Uint8Array> => {
  if (request[0] === 1) {
    await new Promise((resolve) => setTimeout(resolve, config.delay ?? 100));
  } else if (request[0] === 2) {
    await new Promise(() => {});
  }
  return request.length > 64 ? request.subarray(0, 64) : request;
};
const ws = await listen({ transport: "websocket", handler, ...config.limits });
const quic = await listen({
  transport: "quic",
  handler,
  cert: config.cert,
  key: config.key,
  ...config.limits,
});
console.log(JSON.stringify({ ws: ws.addr.port, quic: quic.addr.port }));
