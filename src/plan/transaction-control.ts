// Transaction control written in a file that stairway runs in its own
// transaction. A COMMIT there would commit part of the migration while its
// version stays pending (and SQLite refuses a nested BEGIN). One shape is
// accepted: a whole-file wrapper, BEGIN first and COMMIT last, as golang-migrate
// trees have them (that tool runs files without a transaction). stairway then
// runs what is between in its own transaction, so the bookkeeping row still
// commits with the migration. Anything else is refused before a statement runs,
// unless the tree's runner sends files unwrapped (golang-migrate, Prisma): such
// a file then runs as written, outside stairway's transaction.
// SAVEPOINT, RELEASE and ROLLBACK TO nest inside stairway's transaction: allowed.

import { splitStatements, type Statement } from "./statements.ts";

export type TxControl = "begin" | "commit" | "rollback";

/** Cheap test before splitting a file: it may hold transaction control. */
export const MAY_HOLD_TX_CONTROL = /\b(?:begin|start|commit|end|rollback|abort|prepare)\b/i;

/** What a statement does to the transaction, read from its first words; undefined for everything else. */
export function txControlOf(text: string): TxControl | undefined {
  const word = /^[A-Za-z]+/.exec(text)?.[0].toUpperCase();
  switch (word) {
    case "BEGIN":
      return "begin";
    case "START":
      return /^START\s+TRANSACTION\b/i.test(text) ? "begin" : undefined;
    case "COMMIT":
    case "END":
      return "commit";
    case "PREPARE":
      return /^PREPARE\s+TRANSACTION\b/i.test(text) ? "commit" : undefined;
    case "ROLLBACK":
      return /^ROLLBACK(\s+(WORK|TRANSACTION))?\s+TO\b/i.test(text) ? undefined : "rollback";
    case "ABORT":
      return "rollback";
    default:
      return undefined;
  }
}

export interface TxShape<S> {
  /** BEGIN as the first statement and COMMIT/END as the last, and no other control: the file without them runs as one. */
  wrapper?: { begin: S; commit: S };
  /** The first control statement that is not such a wrapper: the file cannot run in a transaction. */
  stray?: S;
}

/** The transaction control of a file's statements (the runner's, or the linter's: the same verdict). */
export function txShape<S extends { text: string }>(statements: S[]): TxShape<S> {
  const control = statements.filter((s) => txControlOf(s.text));
  if (control.length === 0) return {};
  const first = statements[0]!;
  const last = statements.at(-1)!;
  const opens = control[0] === first && txControlOf(first.text) === "begin";
  const closes = control.at(-1) === last && last !== first && /^(COMMIT|END)\b/i.test(last.text);
  if (opens && closes && control.length === 2) return { wrapper: { begin: first, commit: last } };
  return { stray: opens && closes ? control[1] : control[0] };
}

/**
 * The file holds transaction control other than a whole-file wrapper (its own
 * `BEGIN; … COMMIT;` blocks): valid for a runner that sends files unwrapped.
 */
export function holdsOwnTransactions(text: string): boolean {
  return MAY_HOLD_TX_CONTROL.test(text) && txShape(splitStatements(text)).stray !== undefined;
}

/**
 * The text with the wrapper's two statements (and their semicolons) replaced
 * by spaces: every other character keeps its offset, line and column, so the
 * database's error positions still point into the file.
 */
export function withoutWrapper(text: string, wrapper: { begin: Statement; commit: Statement }): string {
  const blank = (s: Statement) => {
    const end = s.offset + s.text.length;
    const semicolon = /^\s*;/.exec(text.slice(end, end + 256));
    return [s.offset, end + (semicolon ? semicolon[0].length : 0)] as const;
  };
  const [b0, b1] = blank(wrapper.begin);
  const [c0, c1] = blank(wrapper.commit);
  const spaces = (from: number, to: number) => text.slice(from, to).replace(/[^\n]/g, " ");
  return text.slice(0, b0) + spaces(b0, b1) + text.slice(b1, c0) + spaces(c0, c1) + text.slice(c1);
}

/** One sentence for a file with transaction control it cannot run in stairway's transaction; `where` is its path:line:col. */
export function strayTxMessage(where: string, s: Statement): string {
  const what = /^[A-Za-z]+(\s+TRANSACTION)?/i.exec(s.text)![0].toUpperCase();
  return (
    `${where}: ${what} in a file stairway runs in a transaction would end that transaction early: ` +
    `remove it (a whole-file BEGIN … COMMIT is fine), or put "-- stairway:no-transaction" in the file to run it as written`
  );
}
