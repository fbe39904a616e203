// Copyright 2026 the @midstreamer/kit authors. MIT license.
// CPU time of processes from /proc (Linux), for the cluster's measurements.

/**
 * CPU time used so far by process `pid` (all its threads), in
 * milliseconds, from `/proc/<pid>/task/<tid>/schedstat`; 0 when it is gone
 * or /proc is not there.
 */
export function cpuMs(pid: number): number {
  let ns = 0;
  try {
    for (const t of Deno.readDirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(
          Deno.readTextFileSync(`/proc/${pid}/task/${t.name}/schedstat`)
            .split(" ")[0],
        );
      } catch {
        // the thread ended
      }
    }
  } catch {
    // the process ended
  }
  return ns / 1e6;
}

/** The 1-minute load average, or NaN without /proc. */
export function loadAverage(): number {
  try {
    return Number(Deno.readTextFileSync("/proc/loadavg").split(" ")[0]);
  } catch {
    return NaN;
  }
}

/**
 * How many of `threads` busy threads' worth of CPU this process gets for
 * `ms` milliseconds: `threads` Web Workers spin, and their CPU time over
 * the wall time is the answer (2 on an idle 2-core machine; less when
 * other processes run).
 */
export async function coresAvailable(threads = 2, ms = 1000): Promise<number> {
  const code = `self.onmessage = (e) => {
    const end = performance.now() + e.data;
    let x = 0;
    while (performance.now() < end) x += Math.sqrt(x + 1);
    self.postMessage(x);
  };`;
  const url = URL.createObjectURL(
    new Blob([code], { type: "text/javascript" }),
  );
  const workers = Array.from(
    { length: threads },
    () => new Worker(url, { type: "module" }),
  );
  try {
    // Let them start before the clock does.
    await new Promise((r) => setTimeout(r, 200));
    const cpu0 = cpuMs(Deno.pid);
    const t0 = performance.now();
    await Promise.all(workers.map((w) =>
      new Promise((resolve) => {
        w.onmessage = resolve;
        w.postMessage(ms);
      })
    ));
    return (cpuMs(Deno.pid) - cpu0) / (performance.now() - t0);
  } finally {
    for (const w of workers) w.terminate();
    URL.revokeObjectURL(url);
  }
}
