// Copyright 2026 the @midstreamer/kit authors. MIT license.
// A shard: what the caller enqueues (the data of one BullMQ job) and a
// worker checks before it fetches anything. Internal.
//
// A shard names its job, its op, its place in the job, the SHA-256 of
// each input blob (`_blob_format.ts`), in the op's order, and the op's
// numeric arguments:
//
// | op | inputs | args |
// | --- | --- | --- |
// | dtw, dtwPath | f64 a, f64 b | window, squared, cutoff, dims, independent, f32 |
// | lcs | i32 a, i32 b | |
// | dtwBatch | f64 reference, patterns | window, squared, cutoff, dims, independent, f32, keep |
// | topK | f64 reference, patterns | window, squared, cutoff, dims, independent, f32, keep, k, base |
// | searchSubsequence | f64 query, f64 chunks of the series… | window, squared, normalize, k, exclusionZone, dims, independent, base, offset, length |
// | correlationMatrix | sequences rows[, sequences columns] | alphabet, rowFrom, rowTo |
//
// The DTW ops' and the search's series have `dims` values per point
// (point-major; a search's `offset` and `length` count points); with `f32` (1) their
// inputs are `f32` and `patterns32` blobs instead of `f64` and `patterns`,
// and `independent` (1) is `multivariate: "independent"`. `keep` (1) says
// that the patterns are a stored set's, which workers keep in their cache
// (a call's own patterns are used once, and not cached).
// `window` is -1 for no band; an infinite `cutoff` is the string
// "Infinity" or "-Infinity" (JSON has no Infinity). A topK shard's patterns are patterns `base ..` of the call; a
// search shard covers the window starts `base .. base + length - m + 1`,
// whose points are `offset .. offset + length` of its chunks put end to
// end; a correlation shard is the tile of rows `rowFrom .. rowTo` of its
// first block against the rest of that block (one input) or against every
// sequence of its second block (two inputs).

import type { ServiceOp } from "../service/protocol.ts";
import type { BlobKind } from "./_blob_format.ts";

/** Version of the shard format; a worker refuses any other. */
export const SHARD_VERSION = 4;

/** The data of one BullMQ job: a shard. */
export interface Shard {
  /** {@linkcode SHARD_VERSION}. */
  v: number;
  /** The job (one call on the caller) it belongs to. */
  job: string;
  /** The kernel. */
  op: ServiceOp;
  /** Its index in the job, from 0. */
  shard: number;
  /** The job's number of shards. */
  shards: number;
  /** SHA-256 (hex) of each input blob. */
  inputs: string[];
  /** The op's arguments, by name (see the table above). */
  args: Record<string, number | string>;
}

/** How an argument is checked. */
type ArgKind = "window" | "bit" | "cutoff" | "count" | "natural" | "zone";

const DTW: Record<string, ArgKind> = {
  window: "window",
  squared: "bit",
  cutoff: "cutoff",
  dims: "count",
  independent: "bit",
  f32: "bit",
};

/** Per op: the kinds of its inputs (`rest`: more of the last) and its arguments. */
const SCHEMA: Readonly<
  Record<
    ServiceOp,
    { inputs: BlobKind[]; rest?: boolean; args: Record<string, ArgKind> }
  >
> = {
  dtw: { inputs: ["f64", "f64"], args: DTW },
  dtwPath: { inputs: ["f64", "f64"], args: DTW },
  lcs: { inputs: ["i32", "i32"], args: {} },
  dtwBatch: { inputs: ["f64", "patterns"], args: { ...DTW, keep: "bit" } },
  topK: {
    inputs: ["f64", "patterns"],
    args: { ...DTW, keep: "bit", k: "count", base: "natural" },
  },
  searchSubsequence: {
    inputs: ["f64", "f64"],
    rest: true,
    args: {
      window: "window",
      squared: "bit",
      normalize: "bit",
      k: "count",
      exclusionZone: "zone",
      dims: "count",
      independent: "bit",
      base: "natural",
      offset: "natural",
      length: "count",
    },
  },
  correlationMatrix: {
    inputs: ["sequences"],
    rest: true,
    args: { alphabet: "natural", rowFrom: "natural", rowTo: "natural" },
  },
};

/** The kinds of the inputs of a checked shard. */
export function inputKinds(shard: Shard): BlobKind[] {
  const s = SCHEMA[shard.op];
  const f32 = shard.args.f32 === 1;
  return shard.inputs.map((_, i) => {
    const kind = s.inputs[Math.min(i, s.inputs.length - 1)];
    return !f32 ? kind : kind === "f64" ? "f32" : "patterns32";
  });
}

const JOB_ID = /^[0-9a-f]{16,32}$/;
const SHA256 = /^[0-9a-f]{64}$/;
/** Most inputs of a shard (a search range over small chunks). */
const MAX_INPUTS = 64;

function malformed(why: string): TypeError {
  return new TypeError(`malformed shard: ${why}`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function checkArg(op: string, name: string, kind: ArgKind, v: unknown): void {
  const ok = kind === "cutoff"
    ? v === "Infinity" || v === "-Infinity" ||
      (typeof v === "number" && Number.isFinite(v))
    : typeof v === "number" && Number.isFinite(v) && (
      kind === "window"
        ? Number.isInteger(v) && v >= -1
        : kind === "bit"
        ? v === 0 || v === 1
        : kind === "count"
        ? Number.isInteger(v) && v >= 1
        : kind === "natural"
        ? Number.isInteger(v) && v >= 0
        : v >= 0
    );
  if (!ok) {
    throw malformed(`${op} argument ${name} is ${JSON.stringify(v)}`);
  }
}

/**
 * Checks the data of a BullMQ job as a shard: version, job id, op, place,
 * inputs and arguments (types and ranges; the inputs' contents are checked
 * when they are fetched).
 *
 * @throws {TypeError} naming what is malformed.
 */
export function parseShard(data: unknown): Shard {
  if (!isRecord(data)) throw malformed("not an object");
  if (data.v !== SHARD_VERSION) {
    throw malformed(
      `version ${JSON.stringify(data.v)} (this worker reads ${SHARD_VERSION})`,
    );
  }
  const { job, op, shard, shards, inputs, args } = data;
  if (typeof job !== "string" || !JOB_ID.test(job)) {
    throw malformed(`job id ${JSON.stringify(job)}`);
  }
  if (typeof op !== "string" || !Object.hasOwn(SCHEMA, op)) {
    throw malformed(`unknown op ${JSON.stringify(op)}`);
  }
  const schema = SCHEMA[op as ServiceOp];
  if (
    !Number.isInteger(shards) || (shards as number) < 1 ||
    !Number.isInteger(shard) || (shard as number) < 0 ||
    (shard as number) >= (shards as number)
  ) {
    throw malformed(`shard ${shard} of ${shards}`);
  }
  if (
    !Array.isArray(inputs) ||
    inputs.some((h) => typeof h !== "string" || !SHA256.test(h)) ||
    inputs.length < schema.inputs.length ||
    inputs.length > (schema.rest ? MAX_INPUTS : schema.inputs.length)
  ) {
    throw malformed(`inputs of ${op}: ${JSON.stringify(inputs)}`);
  }
  if (op === "correlationMatrix" && inputs.length > 2) {
    throw malformed("a correlationMatrix tile has one or two inputs");
  }
  if (!isRecord(args)) throw malformed("args is not an object");
  for (const key of Object.keys(args)) {
    if (!Object.hasOwn(schema.args, key)) {
      throw malformed(`unknown argument ${key} of ${op}`);
    }
  }
  for (const [name, kind] of Object.entries(schema.args)) {
    checkArg(op, name, kind, args[name]);
  }
  return data as unknown as Shard;
}

/** A cutoff as a shard argument (JSON has no `Infinity`). */
export function encodeCutoff(cutoff: number): number | string {
  return Number.isFinite(cutoff) ? cutoff : String(cutoff);
}

/** The number of a checked shard argument (`cutoff` may be a string). */
export function numberArg(args: Shard["args"], name: string): number {
  return Number(args[name]);
}
