// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * Private: the connect timeout shared by the QUIC and WebSocket clients.
 *
 * @module
 */

import { TimeoutError } from "./timeout_error.ts";

/** A promise that rejects once a connect attempt has taken too long. */
export interface ConnectDeadline {
  /**
   * Rejects with a `TimeoutError` after the timeout; never settles when the
   * timeout is `Infinity`.
   */
  expired: Promise<never>;
  /** Stops the timer. */
  clear(): void;
}

/**
 * Starts the timer of a connect attempt over `what` (e.g. `"QUIC"`) that
 * may take at most `timeout` milliseconds (`Infinity`: no limit).
 */
export function connectDeadline(
  timeout: number,
  what: string,
): ConnectDeadline {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    if (timeout === Infinity) return;
    timer = setTimeout(() => {
      reject(
        new TimeoutError(
          `Cannot connect: no ${what} connection after ${timeout} ms`,
        ),
      );
    }, timeout);
  });
  return { expired, clear: () => clearTimeout(timer) };
}
