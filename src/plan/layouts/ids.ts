// The presets' ids, a contract (`--layout`, `layout.preset`): here alone, so the
// CLI and the config know them without loading a reader.

export const LAYOUT_IDS = [
  "stairway",
  "golang-migrate",
  "sqlx",
  "dbmate",
  "goose",
  "flyway",
  "diesel",
  "prisma",
  "popx",
] as const;

export type LayoutId = (typeof LAYOUT_IDS)[number];
