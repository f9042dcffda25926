// A failed MariaDB/MySQL statement as a SqlExecError. The server gives no
// error position, only "… near '<the rest of the statement, cut at 80
// characters>' at line N" (N counted in the statement): the position is found
// from that text.

import { SqlExecError } from "../contract.ts";
import { connectionGone } from "./connect.ts";

/** 1-based character position in `statement` of the token a syntax error names, when it can be found. */
export function errorPosition(statement: string, message: string): number | undefined {
  const m = /near '([\s\S]*)' at line (\d+)$/.exec(message);
  if (!m) return undefined;
  const near = m[1]!;
  const text = statement.replace(/[\s;]+$/, "");
  if (near === "") return text.length + 1; // the statement ended too soon
  // Under the server's 80-character cut, the near text is the statement's tail.
  const tail = near.replace(/[\s;]+$/, "");
  if ([...near].length < 80 && text.endsWith(tail)) return text.length - tail.length + 1;
  let from = 0;
  for (let line = 1; line < Number(m[2]); line++) from = statement.indexOf("\n", from) + 1;
  const at = statement.indexOf(near, from);
  return at >= 0 ? at + 1 : undefined;
}

/** The error of `statement`: the server's words (sqlMessage), its SQLSTATE, the position when it names one. */
export function execError(e: unknown, statement?: string): SqlExecError {
  const err = e as { sqlMessage?: string; message?: string; sqlState?: string; code?: string; errno?: number };
  if (connectionGone(e))
    return new SqlExecError(`the connection to the server was lost (${String(err.message ?? e)})`, {
      sqlState: err.sqlState ?? err.code,
      connectionLost: true,
    });
  const message = String(err.sqlMessage ?? err.message ?? e);
  return new SqlExecError(message, {
    sqlState: err.sqlState,
    position: statement === undefined ? undefined : errorPosition(statement, message),
  });
}
