// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Runs a script in a page of headless Chromium and returns what it reports.
// Used by tests and scripts/browser_bench.ts; Deno-only.

/** The Chromium binary: `$KIT_CHROMIUM`, else `/usr/bin/chromium`. */
export const CHROMIUM: string = Deno.env.get("KIT_CHROMIUM") ??
  "/usr/bin/chromium";

/** Whether {@linkcode CHROMIUM} exists and is executable. */
export function chromiumAvailable(): boolean {
  try {
    const info = Deno.statSync(CHROMIUM);
    return info.isFile && ((info.mode ?? 0o111) & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** `chromium --version`, e.g. `"Chromium 156.0.8078.108 ..."`. */
export async function chromiumVersion(): Promise<string> {
  const out = await new Deno.Command(CHROMIUM, {
    args: ["--version"],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).output();
  return new TextDecoder().decode(out.stdout).trim();
}

/** A file the page server serves. */
export interface PageFile {
  /** The body. */
  body: string | Uint8Array;
  /** Its `content-type`, e.g. `"text/javascript"`. */
  type: string;
}

/** Options of {@linkcode runInChromium}. */
export interface RunInChromiumOptions {
  /**
   * Files served from `http://127.0.0.1:<port>`, by absolute path. The one at
   * `/main.js` must be an ES module whose default export is a function
   * returning (or resolving to) a JSON-serialisable value.
   */
  files: Record<string, PageFile>;
  /**
   * Upper bound on the whole run, from launch to result, in milliseconds.
   *
   * @default {60000}
   */
  timeoutMs?: number;
  /** Extra Chromium flags, e.g. `["--js-flags=--no-liftoff"]`. */
  args?: string[];
}

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>@midstreamer/kit</title>
<script type="module">
const post = (path, value) =>
  fetch(path, { method: "POST", body: JSON.stringify(value) });
try {
  const main = await import("/main.js");
  await post("/result", await main.default());
} catch (e) {
  await post("/error", { name: e?.name, message: e?.message ?? String(e), stack: e?.stack });
}
</script>
`;

/** Process ids whose command line mentions `marker`. */
async function processesWith(marker: string): Promise<number[]> {
  const pids: number[] = [];
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const cmd = await Deno.readTextFile(`/proc/${entry.name}/cmdline`);
      if (cmd.includes(marker)) pids.push(Number(entry.name));
    } catch {
      // The process has exited meanwhile.
    }
  }
  return pids;
}

async function collect(
  stream: ReadableStream<Uint8Array>,
  keep: number,
): Promise<string> {
  let tail = "";
  const decoder = new TextDecoder();
  for await (const chunk of stream) {
    tail = (tail + decoder.decode(chunk, { stream: true })).slice(-keep);
  }
  return tail;
}

/**
 * Serves `files` on 127.0.0.1 (a free port), opens the page in headless
 * Chromium with a fresh profile, and returns the value the page's
 * `/main.js` default export produced. The browser (and every process it
 * started), the server and the profile directory are gone when this returns
 * or throws.
 *
 * @throws {Error} with the page's error, or on timeout (with the tail of
 * Chromium's stderr).
 */
export async function runInChromium(
  options: RunInChromiumOptions,
): Promise<unknown> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const files: Record<string, PageFile> = {
    "/": { body: PAGE, type: "text/html; charset=utf-8" },
    ...options.files,
  };
  const { promise: outcome, resolve, reject } = Promise.withResolvers<
    unknown
  >();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: () => {},
  }, async (req) => {
    const { pathname } = new URL(req.url);
    if (req.method === "POST" && pathname === "/result") {
      resolve(JSON.parse(await req.text()));
      return new Response("ok");
    }
    if (req.method === "POST" && pathname === "/error") {
      const e = JSON.parse(await req.text());
      reject(new Error(`page error: ${e.name}: ${e.message}\n${e.stack}`));
      return new Response("ok");
    }
    const file = files[pathname];
    if (req.method !== "GET" || file === undefined) {
      await req.body?.cancel();
      return new Response("not found", { status: 404 });
    }
    return new Response(file.body as BodyInit, {
      headers: { "content-type": file.type, "cache-control": "no-store" },
    });
  });
  const profile = await Deno.makeTempDir({ prefix: "kit-chromium-" });
  let child: Deno.ChildProcess | undefined;
  let stderr: Promise<string> = Promise.resolve("");
  let stdout: Promise<string> = Promise.resolve("");
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    child = new Deno.Command(CHROMIUM, {
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        `--user-data-dir=${profile}`,
        ...(options.args ?? []),
        `http://127.0.0.1:${server.addr.port}/`,
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    stdout = collect(child.stdout, 4096);
    stderr = collect(child.stderr, 8192);
    const exited = child.status.then((s) => {
      throw new Error(`chromium exited early with code ${s.code}`);
    });
    const timeout = new Promise<never>((_, rej) => {
      timer = setTimeout(
        () => rej(new Error(`no result from the page in ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([outcome, exited, timeout]);
    } catch (e) {
      if (child !== undefined) stopBrowser(child);
      const tail = await within(stderr, 5_000, "");
      throw new Error(
        `${(e as Error).message}\n--- chromium stderr (tail) ---\n${tail}`,
      );
    }
  } finally {
    clearTimeout(timer);
    if (child !== undefined) {
      stopBrowser(child);
      await within(child.status, 10_000, undefined);
      // Every process of this browser has the profile on its command line.
      for (let i = 0; i < 50; i++) {
        const left = await processesWith(`--user-data-dir=${profile}`);
        if (left.length === 0) break;
        for (const pid of left) {
          try {
            Deno.kill(pid, "SIGKILL");
          } catch {
            // Already gone.
          }
        }
        await new Promise((res) => setTimeout(res, 100));
      }
      await child.status;
      await Promise.all([stdout, stderr]);
    }
    await server.shutdown();
    await Deno.remove(profile, { recursive: true });
  }
}

function stopBrowser(child: Deno.ChildProcess): void {
  try {
    child.kill("SIGTERM");
  } catch {
    // Already exited.
  }
}

/** `promise`, or `fallback` when it has not settled within `ms`. */
async function within<T, U>(
  promise: Promise<T>,
  ms: number,
  fallback: U,
): Promise<T | U> {
  let id: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<U>((res) => {
    id = setTimeout(() => res(fallback), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(id);
  }
}
