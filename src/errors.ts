// Every error a user can cause is made here, with a stable code and the exit
// code of the contract (docs/ARCHITECTURE.md "Output"). Only src/cli.ts prints
// them and exits.

export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export type ErrorCode =
  | "E_USAGE" // a flag or argument the CLI cannot use
  | "E_CONFIG" // the config file is wrong
  | "E_TREE" // the migration tree is wrong (names, duplicates, missing files)
  | "E_URL" // a database URL that cannot be understood
  | "E_UNREACHABLE" // a target that does not answer or refuses us
  | "E_LOCKED" // another run holds the migration lock
  | "E_DIRTY" // a version is dirty and needs a person
  | "E_DRIFT" // an applied file was edited since
  | "E_SQL" // a migration failed
  | "E_REFUSED"; // the command would touch data it did not create

const exitOf: Record<ErrorCode, ExitCode> = {
  E_USAGE: EXIT.usage,
  E_CONFIG: EXIT.usage,
  E_TREE: EXIT.usage,
  E_URL: EXIT.usage,
  E_UNREACHABLE: EXIT.unreachable,
  E_LOCKED: EXIT.failed,
  E_DIRTY: EXIT.failed,
  E_DRIFT: EXIT.failed,
  E_SQL: EXIT.failed,
  E_REFUSED: EXIT.usage,
};

export class StairwayError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: ExitCode;
  /** Further sentences, one per problem, when several were found together. */
  readonly more: string[];
  override readonly cause?: unknown;

  constructor(code: ErrorCode, message: string, opts: { more?: string[]; cause?: unknown } = {}) {
    super(message);
    this.name = "StairwayError";
    this.code = code;
    this.exitCode = exitOf[code];
    this.more = opts.more ?? [];
    this.cause = opts.cause;
  }
}

export const usageError = (message: string) => new StairwayError("E_USAGE", message);
export const configError = (message: string, more: string[] = []) => new StairwayError("E_CONFIG", message, { more });

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
