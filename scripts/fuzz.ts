// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * `deno task fuzz`: fuzzes the frame decoder, the WebSocket message layer
 * and the service's request decoder (see `scripts/_fuzz.ts`) for a number
 * of cases or seconds, and prints what it ran as JSON.
 *
 * ```sh
 * deno task fuzz --cases 1000000 [--seed 1]
 * deno task fuzz --seconds 60
 * ```
 *
 * Exits 1 if any case broke a property (each is printed), 2 on bad flags.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { runFuzz } from "./_fuzz.ts";

function count(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) {
    throw new RangeError(`--${name} must be a positive number, got ${value}`);
  }
  return n;
}

if (import.meta.main) {
  let options;
  try {
    const { values } = parseArgs({
      args: Deno.args,
      options: {
        cases: { type: "string" },
        seconds: { type: "string" },
        seed: { type: "string", default: "1" },
      },
    });
    options = {
      cases: count("cases", values.cases),
      seconds: count("seconds", values.seconds),
      seed: count("seed", values.seed),
    };
    if (options.cases === undefined && options.seconds === undefined) {
      options.cases = 1_000_000;
    }
  } catch (error) {
    console.error((error as Error).message);
    Deno.exit(2);
  }
  const before = Deno.memoryUsage().rss;
  const result = runFuzz({ ...options, maxFailures: 20 });
  const after = Deno.memoryUsage().rss;
  console.log(JSON.stringify(
    {
      ...result,
      rssBeforeMiB: +(before / 2 ** 20).toFixed(1),
      rssAfterMiB: +(after / 2 ** 20).toFixed(1),
    },
    null,
    2,
  ));
  Deno.exit(result.failures.length === 0 ? 0 : 1);
}
