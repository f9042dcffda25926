// The runners whose bookkeeping stairway reads (`--from`), a contract: here
// alone, so the CLI knows them without loading a reader.

export const FOREIGN_RUNNERS = [
  "golang-migrate",
  "dbmate",
  "goose",
  "flyway",
  "sqlx",
  "diesel",
  "prisma",
  "popx",
] as const;

export type ForeignRunnerId = (typeof FOREIGN_RUNNERS)[number];
