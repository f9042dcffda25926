// Connecting under --wait, and what a connection failure says once it has run
// out (PostgreSQL, MariaDB/MySQL and Redis alike).

import { setTimeout as sleep } from "node:timers/promises";
import type { OpenOptions } from "./contract.ts";

/**
 * `attempt` (which cleans up after itself when it fails) again every half
 * second while it fails the way a starting server does (`retryable`) and
 * --wait has time left; `fail` makes the error of the last failure, told how
 * long it waited (0: it did not).
 */
export async function connectWaiting<T>(
  opts: Pick<OpenOptions, "waitMs" | "onWait">,
  attempt: () => Promise<T>,
  retryable: (e: unknown) => boolean,
  fail: (e: unknown, waitedMs: number) => Error,
): Promise<T> {
  const start = Date.now();
  const deadline = start + (opts.waitMs ?? 0);
  let waited = false;
  for (;;) {
    try {
      const made = await attempt();
      if (waited) opts.onWait?.(null);
      return made;
    } catch (e) {
      if (retryable(e) && Date.now() < deadline) {
        opts.onWait?.(Date.now() - start);
        waited = true;
        await sleep(500);
        continue;
      }
      if (waited) opts.onWait?.(null);
      throw fail(e, waited ? Date.now() - start : 0);
    }
  }
}

/** A connection failure's reason once --wait ran out: says how long it waited, instead of suggesting --wait. */
export function afterWaiting(reason: string, waitedMs: number): string {
  if (!waitedMs) return reason;
  const base = reason
    .replace(/ \(--wait waits for a server that is starting\)$/, "")
    .replace(/: try again, or pass --wait$/, "");
  return `${base} (waited ${Math.round(waitedMs / 1000)} s)`;
}
