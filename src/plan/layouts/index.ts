// The layout presets, and which one a tree is written in when nobody says.
//
// Detection reads the names of the tree once and asks every preset to read
// them: the preset that accounts for the most files wins — files it reads, and
// files of its format it leaves out on purpose (popx's MySQL files), less one
// for each file that contends for a place another already holds (two ups of
// one version; for stairway's layout, one version under two names). dbmate
// and goose name files like sqlx's up-only ones: a few of those files are
// opened (their first 4 KB) for the marker line each format needs. Presets
// that read the files the same way tie; the first of PRECEDENCE is named, and
// the others are said to read the tree alike — unless a file starts with
// sqlx's `-- no-transaction` (the first 64 bytes of each up are read then),
// which only sqlx honours, or a name holds a dialect or `.autocommit`, or
// files are numbered pieces of one migration, which only popx reads. When no preset reads anything, the tree is read as
// stairway's own.

import { closeSync, openSync, readSync } from "node:fs";
import { versionKey } from "../migration.ts";
import { dbmate } from "./dbmate.ts";
import { diesel } from "./diesel.ts";
import { flyway } from "./flyway.ts";
import { golangMigrate } from "./golang-migrate.ts";
import { goose } from "./goose.ts";
import type { Layout, LayoutEntry, LayoutId, LayoutScan, Listing } from "./layout.ts";
import { popx } from "./popx.ts";
import { prisma } from "./prisma.ts";
import { sqlx } from "./sqlx.ts";
import { stairway } from "./stairway.ts";

export const LAYOUTS: Layout[] = [stairway, golangMigrate, sqlx, dbmate, goose, flyway, diesel, prisma, popx];

/**
 * Who wins a tie: a format confirmed by its marker lines; then golang-migrate,
 * the best known name for flat `<v>_<name>.up.sql` trees (stairway, sqlx and
 * popx read those alike); then the rest.
 */
const PRECEDENCE: LayoutId[] = [
  "dbmate",
  "goose",
  "golang-migrate",
  "stairway",
  "sqlx",
  "popx",
  "flyway",
  "diesel",
  "prisma",
];

/** Files opened for marker lines, and how much of each. */
const SAMPLE_FILES = 5;
const SAMPLE_BYTES = 4096;

export function layoutById(id: string): Layout | undefined {
  return LAYOUTS.find((l) => l.id === id);
}

export interface Reading {
  layout: Layout;
  scan: LayoutScan;
  /** Files it accounts for, less contenders; 0 for a marker format none of whose sampled files has its marker. */
  score: number;
}

export interface Detection {
  best: Reading;
  /** Other presets that read the tree as well as the best one (a tie). */
  alike: LayoutId[];
  readings: Reading[];
}

/** Every preset's reading of the tree, best first. */
export function detectLayout(tree: Listing): Detection {
  const scans = LAYOUTS.map((layout) => ({ layout, scan: layout.scan(tree) }));
  const markers = markerShare(scans);
  const readings = scans
    .map(({ layout, scan }) => ({ layout, scan, score: scoreOf(layout, scan, markers.get(layout.id) ?? 0) }))
    .sort((a, b) => b.score - a.score || PRECEDENCE.indexOf(a.layout.id) - PRECEDENCE.indexOf(b.layout.id));
  if (readings[0]!.score === 0) return { best: readings.find((r) => r.layout.id === "stairway")!, alike: [], readings };
  const top = readings.filter((r) => r.score === readings[0]!.score);
  // A tie goes to the preset whose own no-transaction marker a file starts with
  // (sqlx's `-- no-transaction`), then to one that reads a dialect or a
  // no-transaction flag in a name (popx's `.postgres.autocommit.up.sql`): the
  // others would run that file in a transaction, or on every dialect.
  const marked = top.find((r) => {
    const marker = r.layout.noTransactionMarker;
    return (
      marker && r.scan.entries.some((e) => e.direction === "up" && readHead(e.path, marker.length).startsWith(marker))
    );
  });
  const named = top.filter(readsNames);
  const best = marked ?? named[0] ?? top[0]!;
  // A format confirmed by its marker lines does not read its files as the marker-less ones would.
  const alike = marked
    ? []
    : (named.length ? named : top)
        .filter((r) => r !== best && !!r.layout.marker === !!best.layout.marker)
        .map((r) => r.layout.id);
  return { best, alike, readings };
}

/**
 * The reading takes a dialect or a no-transaction flag from a file's name
 * (popx `.postgres.autocommit.up.sql`), or joins the numbered pieces of one
 * migration (popx `20240101000000000001_users.up.sql`).
 */
function readsNames(r: Reading): boolean {
  return r.scan.entries.some((e) => e.dialect !== undefined || e.noTransaction === true || e.pieces !== undefined);
}

/** A given preset's reading, scored as detection scores it (for "the files look like …"). */
export function readingOf(tree: Listing, layout: Layout): Reading {
  const scan = layout.scan(tree);
  return { layout, scan, score: scoreOf(layout, scan, markerShare([{ layout, scan }]).get(layout.id) ?? 0) };
}

function scoreOf(layout: Layout, scan: LayoutScan, markerShare: number): number {
  if (layout.marker && markerShare === 0) return 0;
  const files = scan.entries.reduce((n, e) => n + (e.pieces?.length ?? 1), 0);
  const accounted = files + scan.ignored.filter((i) => i.own).length - contenders(scan.entries, layout.pairByVersion);
  return Math.max(0, Math.round(accounted * (layout.marker ? markerShare : 1)));
}

/**
 * Entries beyond the first in one place (the up of one version and dialect),
 * and, for a layout that pairs by version and name, names beyond the first of
 * one version.
 */
function contenders(entries: LayoutEntry[], pairByVersion: boolean): number {
  const slots = new Map<string, number>();
  const names = new Map<string, Set<string>>();
  for (const e of entries) {
    const key = versionKey(e.version);
    const slot = `${key} ${e.direction} ${e.dialect ?? ""}`;
    slots.set(slot, (slots.get(slot) ?? 0) + 1);
    names.set(key, (names.get(key) ?? new Set()).add(e.name));
  }
  let n = 0;
  for (const count of slots.values()) n += count - 1;
  if (!pairByVersion) for (const set of names.values()) n += set.size - 1;
  return n;
}

/** For each marker format: the share of a few of its files (first, last, between) that hold its marker line. */
function markerShare(scans: { layout: Layout; scan: LayoutScan }[]): Map<LayoutId, number> {
  const out = new Map<LayoutId, number>();
  const heads = new Map<string, string>();
  for (const { layout, scan } of scans) {
    if (!layout.marker || scan.entries.length === 0) continue;
    const sample = spread(
      scan.entries.map((e) => e.path),
      SAMPLE_FILES,
    );
    let hits = 0;
    for (const path of sample) {
      let head = heads.get(path);
      if (head === undefined) heads.set(path, (head = readHead(path, SAMPLE_BYTES)));
      if (layout.marker.pattern.test(head)) hits++;
    }
    out.set(layout.id, hits / sample.length);
  }
  return out;
}

function spread<T>(list: T[], n: number): T[] {
  if (list.length <= n) return list;
  return Array.from({ length: n }, (_, i) => list[Math.round((i * (list.length - 1)) / (n - 1))]!);
}

function readHead(path: string, bytes: number): string {
  const buf = Buffer.alloc(bytes);
  const fd = openSync(path, "r");
  try {
    return buf.subarray(0, readSync(fd, buf, 0, bytes, 0)).toString("utf8");
  } finally {
    closeSync(fd);
  }
}
