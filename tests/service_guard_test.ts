// Copyright 2026 the @midstreamer/kit authors. MIT license.
// The service's token, its compute budget (requestCells, checkRequest)
// and `deno task serve`'s refusals of a misconfiguration.

import assert from "node:assert/strict";
import {
  checkRequest,
  connectService,
  type DecodedRequest,
  decodeRequest,
  encodeRequest,
  requestCells,
  serveService,
  type ServiceLimits,
} from "../service/mod.ts";
import { AuthenticationError } from "../transport/mod.ts";
import { randInt, randomWalk, rng } from "../testing/rng.ts";

const MAIN = new URL("../service/main.ts", import.meta.url).pathname;

Deno.test("service: the token is required and checked", async () => {
  await using server = await serveService({
    transport: "websocket",
    token: "k",
  });
  await using good = await connectService({
    transport: "websocket",
    port: server.addr.port,
    token: "k",
  });
  assert.equal(await good.dtw([1, 2], [1, 2]), 0);
  await using bad = await connectService({
    transport: "websocket",
    port: server.addr.port,
    token: "j",
  });
  await assert.rejects(bad.dtw([1, 2], [1, 2]), AuthenticationError);
  assert.equal(server.stats().unauthorized, 1);
});

Deno.test("service: a request over the compute budget is refused up front", async () => {
  let computed = 0;
  await using server = await serveService({
    transport: "websocket",
    maxCells: 1_000_000,
    workers: {
      // A pool that counts what reaches it: nothing over the budget may.
      dtw: (a: ArrayLike<number>) => (computed++, Promise.resolve(a.length)),
      dtwBatch: () => Promise.reject(new Error("unused")),
      topK: () => Promise.reject(new Error("unused")),
    } as never,
  });
  await using client = await connectService({
    transport: "websocket",
    port: server.addr.port,
  });
  const big = new Float64Array(2000);
  await assert.rejects(
    client.dtw(big, big),
    (e: Error) =>
      e instanceof RangeError &&
      /needs up to 4000000 cells.*budget is 1000000 \(maxCells\)/.test(
        e.message,
      ),
  );
  assert.equal(computed, 0);
  // A band brings it within the budget: 2000 × 201 cells.
  assert.equal(await client.dtw(big, big, { window: 100 }), 2000);
  assert.equal(computed, 1);
});

/** Cells inside the band, counted one by one (the budget's ground truth). */
function bandCells(n: number, m: number, window: number | undefined): number {
  const w = window === undefined ? Infinity : Math.max(window, Math.abs(n - m));
  let cells = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) if (Math.abs(i - j) <= w) cells++;
  }
  return cells;
}

Deno.test("requestCells bounds the cells computed, tightly, on random requests", () => {
  const random = rng(99);
  for (let t = 0; t < 300; t++) {
    const n = randInt(random, 0, 40);
    const lengths = Array.from(
      { length: randInt(random, 0, 4) },
      () => randInt(random, 0, 40),
    );
    const window = random() < 0.3 ? undefined : randInt(random, 0, 12);
    const reference = new Float64Array(n);
    const request: DecodedRequest = {
      op: "dtwBatch",
      reference,
      patterns: lengths.map((m) => new Float64Array(m)),
      options: { window },
    };
    const exact = lengths.reduce((sum, m) => sum + bandCells(n, m, window), 0);
    const cells = requestCells(request);
    assert.ok(cells >= exact, `${cells} < ${exact} cells`);
    assert.ok(
      cells <= 2 * exact + 2 * n * lengths.length,
      `${cells} ≫ ${exact}`,
    );
    // correlationMatrix: every pair once.
    const sequences = lengths.map((m) => new Int32Array(m));
    let pairs = 0;
    for (let i = 0; i < lengths.length; i++) {
      for (let j = i + 1; j < lengths.length; j++) {
        pairs += lengths[i]! * lengths[j]!;
      }
    }
    assert.equal(requestCells({ op: "correlationMatrix", sequences }), pairs);
  }
});

Deno.test("checkRequest refuses exactly what decodeRequest refuses, with the same message", () => {
  const random = rng(7);
  const limits: ServiceLimits = {
    maxSeriesLength: 30,
    maxBatchLength: 3,
    maxCells: 2000,
  };
  let refused = 0;
  for (let t = 0; t < 400; t++) {
    const walk = () => randomWalk(randInt(random, 1, 40), random);
    const window = random() < 0.5 ? undefined : randInt(random, 0, 5);
    const request = random() < 0.5
      ? { op: "dtw" as const, a: walk(), b: walk(), window }
      : {
        op: "topK" as const,
        reference: walk(),
        patterns: Array.from({ length: randInt(random, 1, 5) }, walk),
        window,
      };
    const bytes = encodeRequest(request);
    let decodeError: string | null = null;
    try {
      decodeRequest(bytes, limits);
    } catch (error) {
      assert.ok(error instanceof RangeError);
      decodeError = error.message;
    }
    let checkError: string | null = null;
    try {
      checkRequest(decodeRequest(bytes), limits);
    } catch (error) {
      assert.ok(error instanceof RangeError);
      checkError = error.message;
    }
    assert.equal(checkError, decodeError);
    if (checkError !== null) refused++;
  }
  assert.ok(refused > 50 && refused < 350, `${refused} refused`);
});

/** Runs `deno task serve` with `args`; returns its exit code and stderr. */
async function serve(
  args: string[],
): Promise<{ code: number; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "--ws-port", "0", ...args],
    stdout: "null",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test("deno task serve: a misconfiguration is one line and exit code 2", async () => {
  const empty = await Deno.makeTempFile();
  try {
    for (
      const [args, pattern] of [
        [
          ["--max-cells", "0"],
          /^--max-cells must be a positive integer, got "0"$/,
        ],
        [
          ["--idle-timeout", "1.5"],
          /^--idle-timeout must be a positive integer/,
        ],
        [
          ["--max-connections", "x"],
          /^--max-connections must be a positive integer/,
        ],
        [
          ["--token-file", "/nonexistent/token"],
          /^--token-file \/nonexistent\/token cannot be read: /,
        ],
        [["--token-file", empty], /is empty$/],
        [["--hostname", "0.0.0.0"], /protected mode.*--insecure/],
      ] as const
    ) {
      const { code, stderr } = await serve([...args]);
      assert.equal(code, 2, `${args}: ${stderr}`);
      const lines = stderr.trim().split("\n");
      assert.equal(lines.length, 1, stderr);
      assert.match(lines[0]!, pattern);
    }
  } finally {
    await Deno.remove(empty);
  }
});
