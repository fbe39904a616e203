// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * A git revision checked out into a temporary worktree, made loadable in the
 * same process as the working tree.
 *
 * A process has one import map: the working tree's. A bare specifier such
 * as `@midstreamer/kit` in the revision's files would resolve to the working
 * tree's code, and a comparison would measure the working tree against
 * itself. So every module specifier in the revision's source files that its
 * own `deno.json` maps is rewritten to what it maps to: local targets as
 * relative paths inside the worktree, `npm:`/`jsr:`/URL targets as they are.
 *
 * @module
 */

import { dirname, join, relative, resolve } from "node:path";

/** Bad input about the revision: reported as one line, exit 2. */
export class RevisionError extends Error {
  override name = "RevisionError";
}

const decoder = new TextDecoder();

/** Runs `git args` in `cwd`; its trimmed output and whether it succeeded. */
export async function git(
  cwd: string,
  args: string[],
): Promise<{ ok: boolean; out: string; err: string }> {
  let out;
  try {
    out = await new Deno.Command("git", {
      args,
      cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new RevisionError("--against needs git, which is not installed");
    }
    throw e;
  }
  return {
    ok: out.success,
    out: decoder.decode(out.stdout).trim(),
    err: decoder.decode(out.stderr).trim(),
  };
}

/** The top of the git checkout containing `dir`; throws a {@linkcode RevisionError} outside one. */
export async function checkoutRoot(dir: string): Promise<string> {
  const r = await git(dir, ["rev-parse", "--show-toplevel"]);
  if (!r.ok) {
    throw new RevisionError(
      `--against needs a git checkout, and ${dir} is not inside one`,
    );
  }
  return r.out;
}

/** The commit that `ref` names, or a {@linkcode RevisionError}. */
export async function resolveRevision(
  root: string,
  ref: string,
): Promise<string> {
  if (ref === "" || ref.startsWith("-")) {
    throw new RevisionError(`--against: "${ref}" is not a revision`);
  }
  const r = await git(root, [
    "rev-parse",
    "--verify",
    "--quiet",
    `${ref}^{commit}`,
  ]);
  if (!r.ok || r.out === "") {
    throw new RevisionError(
      `--against: unknown revision "${ref}" (not a commit, branch or tag of ${root})`,
    );
  }
  return r.out;
}

/** A revision's temporary worktree; remove it with {@linkcode Worktree.remove}. */
export interface Worktree {
  /** The commit checked out. */
  commit: string;
  /** The worktree's directory. */
  dir: string;
  /** Removes the worktree and its directory (idempotent). */
  remove(): Promise<void>;
}

/**
 * Checks `commit` out into a new temporary worktree of the checkout at
 * `root`, links `root`'s `node_modules` into it (bench files read peers'
 * files from there) and rewrites its mapped specifiers.
 */
export async function addWorktree(
  root: string,
  commit: string,
): Promise<Worktree> {
  const dir = await Deno.makeTempDir({ prefix: "kit-compare-" });
  let removed = false;
  const remove = async () => {
    if (removed) return;
    removed = true;
    await git(root, ["worktree", "remove", "--force", dir]);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    await git(root, ["worktree", "prune"]);
  };
  const r = await git(root, [
    "worktree",
    "add",
    "--detach",
    "--force",
    dir,
    commit,
  ]);
  if (!r.ok) {
    await remove();
    throw new RevisionError(`git worktree add failed: ${r.err.split("\n")[0]}`);
  }
  try {
    const modules = join(root, "node_modules");
    if (await exists(modules) && !(await exists(join(dir, "node_modules")))) {
      await Deno.symlink(modules, join(dir, "node_modules"), { type: "dir" });
    }
    await rewriteSpecifiers(dir);
  } catch (e) {
    await remove();
    throw e;
  }
  return { commit, dir, remove };
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** The `imports` of the `deno.json` (or `deno.jsonc` without comments) in `dir`. */
async function importsOf(dir: string): Promise<Record<string, string>> {
  for (const name of ["deno.json", "deno.jsonc"]) {
    let text;
    try {
      text = await Deno.readTextFile(join(dir, name));
    } catch {
      continue;
    }
    try {
      const imports = JSON.parse(text).imports;
      return typeof imports === "object" && imports !== null ? imports : {};
    } catch {
      return {};
    }
  }
  return {};
}

/** Specifiers after `from`, `import`, `import(` and `export … from`. */
const SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(["'])([^"'\n]+)\2/g;
const SOURCE = /\.(ts|tsx|mts|js|mjs|jsx)$/;

/** What `specifier` maps to under `imports`, or `undefined`. */
export function mapSpecifier(
  specifier: string,
  imports: Record<string, string>,
): string | undefined {
  if (Object.hasOwn(imports, specifier)) return imports[specifier];
  let best = "";
  for (const key of Object.keys(imports)) {
    if (
      key.endsWith("/") && specifier.startsWith(key) && key.length > best.length
    ) {
      best = key;
    }
  }
  return best ? imports[best] + specifier.slice(best.length) : undefined;
}

/**
 * Rewrites the mapped specifiers of every source file below `dir` (not in
 * `node_modules` or `.git`) to targets that need no import map.
 */
export async function rewriteSpecifiers(dir: string): Promise<void> {
  const imports = await importsOf(dir);
  if (Object.keys(imports).length === 0) return;
  const walk = async (at: string): Promise<void> => {
    for await (const entry of Deno.readDir(at)) {
      if (entry.name === "node_modules" || entry.name === ".git") continue;
      const path = join(at, entry.name);
      if (entry.isDirectory) await walk(path);
      else if (entry.isFile && SOURCE.test(entry.name)) {
        const text = await Deno.readTextFile(path);
        const next = text.replace(SPECIFIER, (all, lead, q, spec) => {
          const target = mapSpecifier(spec, imports);
          if (target === undefined) return all;
          if (!target.startsWith("./") && !target.startsWith("../")) {
            return `${lead}${q}${target}${q}`;
          }
          let rel = relative(dirname(path), resolve(dir, target));
          if (!rel.startsWith(".")) rel = `./${rel}`;
          return `${lead}${q}${rel}${q}`;
        });
        if (next !== text) await Deno.writeTextFile(path, next);
      }
    }
  };
  await walk(dir);
}
