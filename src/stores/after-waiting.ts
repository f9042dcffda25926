// What a connection failure says once --wait has run out (PostgreSQL and Redis alike).

/** A connection failure's reason once --wait ran out: says how long it waited, instead of suggesting --wait. */
export function afterWaiting(reason: string, waitedMs: number): string {
  if (!waitedMs) return reason;
  const base = reason
    .replace(/ \(--wait waits for a server that is starting\)$/, "")
    .replace(/: try again, or pass --wait$/, "");
  return `${base} (waited ${Math.round(waitedMs / 1000)} s)`;
}
