// Copyright 2026 the @midstreamer/kit authors. MIT license.
// The abusive clients of tests/chaos_test.ts, in their own process: IDLE
// idle WebSocket connections and SLOW slowloris connections that dribble
// an HTTP upgrade one byte a second, to 127.0.0.1:PORT. Prints "ready"
// once all are open, and runs until killed.
//
//   deno run -A tests/_chaos_abuse.ts PORT IDLE SLOW

import { connect } from "../transport/mod.ts";

const [port, idleCount, slowCount] = Deno.args.map(Number) as [
  number,
  number,
  number,
];
const idle = [];
for (let i = 0; i < idleCount; i += 50) {
  idle.push(
    ...await Promise.all(
      Array.from(
        { length: Math.min(50, idleCount - i) },
        () => connect({ transport: "websocket", port }),
      ),
    ),
  );
}
const upgrade = new TextEncoder().encode(
  "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n",
);
const slow: Deno.Conn[] = [];
for (let i = 0; i < slowCount; i++) {
  slow.push(await Deno.connect({ hostname: "127.0.0.1", port }));
}
let tick = 0;
const beat = () => {
  const at = tick++ % upgrade.length;
  for (const conn of slow) {
    conn.write(upgrade.subarray(at, at + 1)).catch(() => {});
  }
};
beat();
setInterval(beat, 1000);
console.log(`ready ${idle.length} ${slow.length}`);
