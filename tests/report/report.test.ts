// stairway report, from report files written by real runs of the CLI on
// SQLite: the Markdown summary, the self-contained HTML page (and what a real
// browser draws of it), and one JUnit file for every command.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { digest } from "../../src/report/digest.ts";
import { renderHtml } from "../../src/report/html.ts";
import { code, MARKDOWN_LIMIT, renderMarkdown, text } from "../../src/report/markdown.ts";
import type { Report } from "../../src/results.ts";
import { cleanup, runCli, tempDir, writeTree, type CliRun } from "../helpers.ts";

const PLANT = "<script>alert(1)</script>";

const GOOD = {
  "sql/001_create_users/up.sql":
    "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT);\n",
  "sql/001_create_users/down.sql": "DROP TABLE users;\n",
  "sql/002_create_posts/up.sql":
    "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id), body TEXT);\n",
  "sql/002_create_posts/down.sql": "DROP TABLE posts;\n",
  "sql/003_index_posts/up.sql": "CREATE INDEX idx_posts_user ON posts (user_id);\n",
  "sql/003_index_posts/down.sql": "DROP INDEX idx_posts_user;\n",
};

// 002's down forgets its index (a schema diff); 003's name and its error carry markup.
const BAD = {
  "sql/001_create_items/up.sql": "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, note TEXT);\n",
  "sql/001_create_items/down.sql": "DROP TABLE items;\n",
  "sql/002_add_note_index/up.sql": "CREATE INDEX IF NOT EXISTS idx_items_note ON items (note);\n",
  "sql/002_add_note_index/down.sql": "SELECT 1; -- forgot DROP INDEX\n",
  "sql/003_<script>alert(1)/up.sql": `CREATE TABLE evil (v TEXT CHECK (v <> '${PLANT}'));\nINSERT INTO evil VALUES ('${PLANT}');\n`,
  "sql/003_<script>alert(1)/down.sql": "DROP TABLE evil;\n",
};

let root: string;
let good: string;
let bad: string;

function report(args: string[], cwd: string): Promise<CliRun> {
  return runCli(["report", ...args], { cwd });
}

/** Runs the test commands on a tree, against a scratch SQLite file, writing reports to <dir>/reports. */
async function runAll(dir: string, extra: string[][] = []): Promise<void> {
  const common = [
    "--db",
    `sqlite:${join(dir, "app.db")}`,
    "--sql",
    join(dir, "sql"),
    "--report-dir",
    join(dir, "reports"),
  ];
  const runs = await Promise.all(
    [["test"], ["perf"], ["validate"], ...extra].map((cmd) => runCli([...cmd, ...common], { cwd: dir })),
  );
  for (const r of runs) expect(r.stderr).not.toContain("unexpected error");
}

beforeAll(async () => {
  root = tempDir("stairway-report-");
  good = writeTree(join(root, "good"), GOOD);
  bad = writeTree(join(root, "bad"), BAD);
  await Promise.all([runAll(good), runAll(bad, [["safety", "--dialect", "postgres"]])]);
  expect((await report(["--report-dir", join(good, "reports")], root)).code).toBe(0);
  expect((await report(["--report-dir", join(bad, "reports")], root)).code).toBe(0);
}, 60_000);

afterAll(() => (process.env.KEEP_REPORT_TEST ? console.log(root) : cleanup(root)));

const read = (dir: string, name: string) => readFileSync(join(dir, "reports", name), "utf8");
const reportsOf = (dir: string): Report[] =>
  ["test", "perf", "validate", "safety"]
    .filter((c) => existsSync(join(dir, "reports", `${c}.json`)))
    .map((c) => JSON.parse(read(dir, `${c}.json`)));

describe("the command", () => {
  test("writes the three files and says so; --json prints the contract object", async () => {
    const r = await report(["--report-dir", join(good, "reports"), "--json"], root);
    expect(r.code).toBe(0);
    const out = r.json();
    expect(out).toMatchObject({ tool: "stairway", command: "report", ok: true });
    expect(out.results.map((x: any) => [x.check, x.status])).toEqual([
      ["report", "pass"],
      ["report", "pass"],
      ["report", "pass"],
    ]);
    for (const name of ["migration-summary.md", "report.html", "junit.xml"]) {
      expect(out.results.some((x: any) => x.message.startsWith(`wrote ${join(good, "reports", name)}`))).toBe(true);
      expect(statSync(join(good, "reports", name)).size).toBeGreaterThan(500);
    }
    // It does not write a report.json of its own into the directory it reads.
    expect(existsSync(join(good, "reports", "report.json"))).toBe(false);
    const human = await report(["--report-dir", join(good, "reports")], root);
    expect(human.stdout).toContain(`wrote ${join(good, "reports", "report.html")}`);
  });

  test("a file that is not JSON, or not a stairway report, stops it with exit 2 naming the file; missing reports are fine", async () => {
    const dir = join(root, "broken");
    mkdirSync(dir);
    copyFileSync(join(good, "reports", "validate.json"), join(dir, "validate.json"));
    writeFileSync(
      join(dir, "perf-baseline.json"),
      JSON.stringify({ tool: "stairway", kind: "perf-baseline", savedAt: "x", timings: {} }),
    );
    const alone = await report(["--report-dir", dir], root);
    expect(alone.code).toBe(0);
    expect(readFileSync(join(dir, "migration-summary.md"), "utf8")).toContain("Not run: safety, test, rollback, perf");

    writeFileSync(join(dir, "test.json"), '{"tool": "stairway", "command": "test", ');
    let r = await report(["--report-dir", dir], root);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain(`${join(dir, "test.json")} is not valid JSON`);

    writeFileSync(join(dir, "test.json"), JSON.stringify({ name: "something else" }));
    r = await report(["--report-dir", dir], root);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(dir, "test.json")} is not a stairway report`);

    r = await report(["--report-dir", join(root, "nowhere")], root);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("nowhere does not exist");
  });
});

describe("reports of earlier runs", () => {
  test("each file's age is shown; a file written over --max-age (60 min) before the newest is left out with a note", async () => {
    const dir = join(root, "stale");
    mkdirSync(dir);
    copyFileSync(join(good, "reports", "test.json"), join(dir, "test.json"));
    // cross-db.json of a run three days ago, which failed: not this run's verdict.
    const old: Report = {
      tool: "stairway",
      version: "0.0.0",
      command: "cross-db",
      ok: false,
      targets: [],
      results: [{ check: "cross-db.schema", target: "sqlite", status: "fail", message: "an old difference" }],
    };
    writeFileSync(join(dir, "cross-db.json"), JSON.stringify(old));
    const threeDays = (Date.now() - 3 * 86_400_000) / 1000;
    utimesSync(join(dir, "cross-db.json"), threeDays, threeDays);

    const r = await report(["--report-dir", dir], root);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("from test.json (just now)");
    expect(r.stdout).toContain(
      "left out as from an earlier run (written over 60 min before the newest report): cross-db.json, 3 d ago",
    );
    const md = readFileSync(join(dir, "migration-summary.md"), "utf8");
    expect(md.split("\n")[0]).toMatch(/^## ✓ /);
    expect(md).toContain("`test` (just now) on **sqlite**");
    expect(md).toContain(
      "> Left out as from an earlier run (written over 60 min before the newest report): cross-db.json, 3 d ago.",
    );
    expect(md).not.toContain("an old difference");
    const html = readFileSync(join(dir, "report.html"), "utf8");
    expect(html).toContain('✓ test <span class="age">· just now</span>');
    expect(html).toContain(
      '<p class="small stale">Left out as from an earlier run (written over 60 min before the newest report): cross-db.json, 3 d ago.</p>',
    );
    expect(html).not.toContain("an old difference");
    expect(r.stdout).not.toContain("cross-db.json (");

    // A longer --max-age takes it in, with its age.
    const all = await report(["--report-dir", dir, "--max-age", "10000", "--json"], root);
    expect(all.json().results[0].details).toMatchObject({
      verdict: "fail",
      read: ["cross-db.json", "test.json"],
      leftOut: [],
    });
    expect(readFileSync(join(dir, "migration-summary.md"), "utf8")).toContain("`cross-db` (3 d ago)");
    expect((await report(["--report-dir", dir, "--max-age", "soon"], root)).stderr).toBe(
      "stairway: --max-age soon: expected a number of minutes\n",
    );
  });

  test("a failed schema diff overwrites schema-diff.json, the file a successful one writes (not schema.json)", async () => {
    const dir = join(root, "schema-diff");
    mkdirSync(dir);
    const reports = join(dir, "reports");
    const dbs = ["--db", `sqlite:${join(dir, "a.db")}`, "--db", `sqlite:${join(dir, "b.db")}`];
    const ok = await runCli(["schema", "diff", ...dbs, "--report-dir", reports], { cwd: dir });
    expect(ok.code).toBe(0);
    expect(JSON.parse(readFileSync(join(reports, "schema-diff.json"), "utf8"))).toMatchObject({
      command: "schema-diff",
      ok: true,
    });
    const failed = await runCli(["schema", "diff", "--db", `sqlite:${join(dir, "a.db")}`, "--report-dir", reports], {
      cwd: dir,
    });
    expect(failed.code).toBe(2);
    expect(JSON.parse(readFileSync(join(reports, "schema-diff.json"), "utf8"))).toMatchObject({
      ok: false,
      error: { code: "E_USAGE" },
    });
    expect(existsSync(join(reports, "schema.json"))).toBe(false);
  });
});

describe("migration-summary.md", () => {
  test("a passing run: the verdict first, a table per check and target", () => {
    const md = read(good, "migration-summary.md");
    expect(md.split("\n")[0]).toMatch(/^## ✓ Migration tests: /);
    expect(md).toMatch(/\| `step\.down-restores-schema` \| ✓ 3 \|/);
    expect(md).toContain("### Slowest migrations");
    expect(md).not.toContain("### ✗ Failures");
  });

  test("a failing run: the verdict, each failure's message and its diff, markup made inert", () => {
    const md = read(bad, "migration-summary.md");
    const fails = reportsOf(bad)
      .flatMap((r) => r.results)
      .filter((r) => r.status === "fail").length;
    expect(md.split("\n")[0]).toMatch(new RegExp(`^## ✗ Migration tests: ${fails} of \\d+ checks failed$`));
    expect(md).toContain("**✗ `step.down-restores-schema`** · test · sqlite · `002_add_note_index`");
    expect(md).toMatch(
      /```diff\n--- table items \(before up\)\n\+\+\+ table items \(after down\)\n[\s\S]*\+CREATE INDEX idx_items_note ON items \(note\);\n```/,
    );
    // The planted markup shows as text: escaped in prose, literal only inside code spans.
    expect(md).toContain("CHECK constraint failed: v &lt;&gt; '&lt;script&gt;alert(1)&lt;/script&gt;'");
    expect(md.replace(/`[^`\n]*`/g, "")).not.toMatch(/<script|<\/script/);
  });

  test("coverage under the verdict: all checked on the good tree; on the bad one, what stayed untested and why", () => {
    expect(read(good, "migration-summary.md")).toContain(
      "- ✓ coverage · test · sqlite: 3 of 3 migrations fully checked",
    );
    const md = read(bad, "migration-summary.md");
    const untested = reportsOf(bad).find((r) => r.command === "test")?.coverage?.sqlite?.untested ?? [];
    expect(untested.length).toBeGreaterThan(0);
    expect(md).toContain(`- ⚠ coverage · test · sqlite: ${3 - untested.length} of 3 migrations fully checked`);
    expect(md).toContain("  - 003\\_&lt;script&gt;alert(1): not run: ");
  });

  test("stays under GitHub's comment limit, cut between blocks with a note", () => {
    const diff = Array.from({ length: 400 }, (_, i) => `+line ${i} ${"x".repeat(60)}`).join("\n");
    const big: Report = {
      tool: "stairway",
      version: "0.0.0",
      command: "test",
      ok: false,
      targets: [{ name: "sqlite", dialect: "sqlite", url: "sqlite:x.db" }],
      results: Array.from({ length: 400 }, (_, i) => ({
        check: "step.down-restores-schema",
        target: "sqlite",
        migration: `${i}_m`,
        status: "fail" as const,
        message: "differs",
        details: { diff },
      })),
    };
    const md = renderMarkdown(digest([big]));
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(MARKDOWN_LIMIT);
    expect(md).toContain("Summary cut short");
    expect(md.split("```").length % 2).toBe(1); // every fence closed
    expect(md.split("<details>").length).toBe(md.split("</details>").length);
  });

  test("escaping: text and code spans", () => {
    expect(text("a|b *c* <b>x</b> @someone [l](u)")).toBe(
      "a\\|b \\*c\\* &lt;b&gt;x&lt;/b&gt; @\u200bsomeone \\[l\\](u)",
    );
    expect(code("a`b")).toBe("``a`b``");
    expect(code("x|y", true)).toBe("`x\\|y`");
  });
});

describe("report.html", () => {
  test("is one self-contained file: no URL to fetch, no external script or stylesheet", () => {
    for (const dir of [good, bad]) {
      const html = read(dir, "report.html");
      expect(html).not.toMatch(/\b(?:src|href|xlink:href|action)\s*=\s*["']?\s*(?:https?:)?\/\//i);
      expect(html).not.toMatch(/<script[^>]*\bsrc\s*=/i);
      expect(html).not.toMatch(/<link\b[^>]*stylesheet/i);
      expect(html).not.toMatch(/@import|url\(\s*["']?(?:https?:)?\/\//i);
      expect(html.match(/<script\b/g)).toHaveLength(1); // ours, allowed by its hash in the CSP
      expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none';`);
    }
  });

  test("a Coverage card: each command and target, and the untested migrations with why", () => {
    const html = read(bad, "report.html");
    expect(html).toMatch(/<h3 class="first">Coverage<\/h3>[\s\S]*test · sqlite: \d of 3 migrations fully checked/);
    expect(html).toContain('<li class="muted">003_&lt;script&gt;alert(1): ');
  });

  test("escapes the planted markup in a migration name and a SQL message", () => {
    const html = read(bad, "report.html");
    expect(html).not.toContain("<script>alert(1)");
    expect(html).toContain("003_&lt;script&gt;alert(1)");
    expect(html).toContain("v &lt;&gt; &#39;&lt;script&gt;alert(1)&lt;/script&gt;&#39;");
  });

  test("has the verdict, timing charts, the failures' diffs and every result", () => {
    const html = read(bad, "report.html");
    expect(html).toMatch(/<div class="verdict fail"[^>]*>.*✗.*\d+ of \d+ checks failed/s);
    expect(html).toContain('<svg class="chart"');
    expect(html.match(/class="bar-up"/g)!.length).toBeGreaterThanOrEqual(2);
    expect(html).toContain('<span class="d-add">+CREATE INDEX idx_items_note ON items (note);</span>');
    const results = reportsOf(bad).flatMap((r) => r.results);
    expect(html.match(/<tr data-status=/g)).toHaveLength(results.length);

    // Lint findings (the linter flags CREATE INDEX without CONCURRENTLY on PostgreSQL), by rule.
    const safety = reportsOf(bad).find((x) => x.command === "safety")!;
    expect(safety.results.length).toBeGreaterThan(0);
    for (const r of safety.results) expect(html).toContain(`<code>${r.check.slice("safety.".length)}</code>`);
  });

  test("timing charts: migrations in version order, each with only the targets it runs on; a step after a failure says why it has no time", () => {
    // As `stairway test` on SQLite, PostgreSQL and Redis reports them: SQL targets run 009 and 010 before Redis runs 007 and 008.
    const step = (
      target: string,
      migration: string,
      check = "step.up",
      durationMs: number | null = 5,
      status: "pass" | "skip" = "pass",
      message = "ok",
    ) => ({ check, target, migration, status, message, ...(durationMs === null ? {} : { durationMs }) });
    const sql = ["001_a", "002_b", "003_c", "009_i", "010_j"];
    const results = [
      ...sql.flatMap((m) => [step("sqlite", m), step("sqlite", m, "step.down")]),
      ...sql.slice(0, 2).flatMap((m) => [step("postgres", m), step("postgres", m, "step.down")]),
      { ...step("postgres", "003_c"), status: "fail" as const, message: "syntax error" },
      ...sql.slice(3).map((m) => step("postgres", m, "step.up", null, "skip", "not run: 003_c failed to apply")),
      ...["007_g", "008_h"].flatMap((m) => [step("redis", m, "step.up"), step("redis", m, "step.down")]),
    ];
    const test: Report = {
      tool: "stairway",
      version: "0.0.0",
      command: "test",
      ok: false,
      results,
      targets: ["sqlite", "postgres", "redis"].map((name) => ({ name, dialect: name, url: `${name}:x` })),
    };
    const html = renderHtml(digest([test]));
    const chart = html.slice(html.indexOf('<svg class="chart"'), html.indexOf("</svg>"));
    const labels = [...chart.matchAll(/<text class="mig[^"]*"[^>]*>([^<]*)</g)].map((m) => m[1]);
    expect(labels).toEqual(["001_a", "002_b", "003_c", "007_g", "008_h", "009_i", "010_j"]);
    expect(chart).not.toContain("not run on this target");
    // Per migration group, the targets shown: Redis only for its transforms, PostgreSQL after its failure with the reason.
    const groups = chart
      .split(/<text class="mig/)
      .slice(1)
      .map((g) => [...g.matchAll(/<text class="tgt[^"]*"[^>]*>(?:[✗⚠] )?([a-z]+)</g)].map((m) => m[1]).join(","));
    expect(groups).toEqual([
      "sqlite,postgres",
      "sqlite,postgres",
      "sqlite,postgres",
      "redis",
      "redis",
      "sqlite,postgres",
      "sqlite,postgres",
    ]);
    expect(chart.match(/not run: 003_c failed to apply/g)).toHaveLength(2);
  });

  test("a clean safety run (no finding) shows as passed, not as skipped", () => {
    const clean: Report = { tool: "stairway", version: "0.0.0", command: "safety", ok: true, targets: [], results: [] };
    const html = renderHtml(digest([clean]));
    expect(html).toMatch(/<span class="chip s-pass" title="nothing to report">✓ safety<\/span>/);
    expect(html).not.toContain("chip s-skip");
  });

  test("without perf.json, the charts come from the stairway test's step timings", async () => {
    const dir = join(root, "test-only");
    mkdirSync(dir);
    copyFileSync(join(good, "reports", "test.json"), join(dir, "test.json"));
    expect((await report(["--report-dir", dir], root)).code).toBe(0);
    const html = readFileSync(join(dir, "report.html"), "utf8");
    expect(html).toContain("<h3>stairway test");
    expect(html.match(/class="bar-down"/g)!.length).toBeGreaterThanOrEqual(3);
  });

  test("a real browser draws it: the charts' bars are on the screenshot", async () => {
    const chromium = await ensureChromium();
    const png = join(root, "report.png");
    const profile = join(root, "chromium-profile");
    mkdirSync(profile);
    const args = [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--user-data-dir=${profile}`,
      `--screenshot=${png}`,
      "--window-size=1280,2000",
      `file://${join(good, "reports", "report.html")}`,
    ];
    const proc = Bun.spawn([chromium, ...args], { stdout: "pipe", stderr: "pipe" });
    const timer = setTimeout(() => proc.kill(), 40_000);
    const [, stderr] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
      proc.exited,
    ]);
    clearTimeout(timer);
    expect(existsSync(png), `chromium wrote no screenshot: ${stderr.slice(-500)}`).toBe(true);
    expect(statSync(png).size).toBeGreaterThan(40_000); // a blank 1280×2000 page is a few kB
    const img = decodePng(readFileSync(png));
    expect([img.width, img.height]).toEqual([1280, 2000]);
    // The chart colours (Okabe–Ito blue and orange, light theme) cover a visible area.
    expect(countNear(img, [0x00, 0x72, 0xb2])).toBeGreaterThan(1_000);
    expect(countNear(img, [0xe6, 0x9f, 0x00])).toBeGreaterThan(1_000);
    // Ink: pixels that are neither the page's background nor a card's white (a blank render has none).
    const bg = pixel(img, 0, 0);
    let ink = 0;
    for (let y = 0; y < img.height; y += 2)
      for (let x = 0; x < img.width; x += 2)
        if (dist(pixel(img, x, y), bg) > 40 && dist(pixel(img, x, y), [255, 255, 255]) > 40) ink++;
    expect(ink / ((img.width / 2) * (img.height / 2))).toBeGreaterThan(0.02);
  }, 300_000);
});

describe("junit.xml", () => {
  test("is well-formed XML with one test case per result of every command", async () => {
    expect(wellFormed("<a><b></a>")).not.toBe("");
    expect(wellFormed('<a x="1 & 2"/>')).not.toBe("");
    for (const dir of [good, bad]) {
      const xml = read(dir, "junit.xml");
      expect(wellFormed(xml)).toBe("");
      // xmllint comes with make test's set-up (scripts/services.sh): missing, it fails here.
      expect(
        Bun.which("xmllint"),
        "xmllint is not installed: run make services (or apt-get install libxml2-utils)",
      ).not.toBeNull();
      const lint = Bun.spawnSync(["xmllint", "--noout", join(dir, "reports", "junit.xml")]);
      expect(lint.stderr.toString()).toBe("");
      expect(lint.exitCode).toBe(0);
      const results = reportsOf(dir).flatMap((r) => r.results);
      const n = (s: string) => results.filter((r) => r.status === s).length;
      expect(xml).toContain(
        `<testsuites name="stairway" tests="${results.length}" failures="${n("fail")}" skipped="${n("skip")}">`,
      );
      expect(xml.match(/<testcase /g)).toHaveLength(results.length);
      expect(xml.match(/<failure /g) ?? []).toHaveLength(n("fail"));
      for (const r of reportsOf(dir)) expect(xml).toContain(`classname="stairway.${r.command}.`);
    }
  });
});

/** Installs Debian's chromium when it is missing and we are root; a browser still missing is a failure, not a skip. */
async function ensureChromium(): Promise<string> {
  const find = () => Bun.which("chromium") ?? Bun.which("chromium-browser");
  let found = find();
  if (found) return found;
  const root = process.getuid?.() === 0;
  let log = "";
  if (root && Bun.which("apt-get")) {
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    for (const cmd of [
      ["apt-get", "install", "-y", "--no-install-recommends", "chromium"],
      ["apt-get", "update"],
      ["apt-get", "install", "-y", "--no-install-recommends", "chromium"],
    ]) {
      const p = Bun.spawnSync(cmd, { env });
      log += p.stderr.toString().slice(-400);
      if (cmd[1] === "install" && p.exitCode === 0 && find()) break;
    }
    found = find();
  }
  if (!found)
    throw new Error(
      root
        ? `chromium is not installed and "apt-get install -y chromium" did not install it: ${log.trim() || "no apt-get"}`
        : "chromium is not installed (the screenshot test needs it): run apt-get install -y chromium as root",
    );
  return found;
}

/** A small check of XML well-formedness: balanced tags, quoted attributes, escaped text. */
function wellFormed(xml: string): string {
  const stack: string[] = [];
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, "");
  const token = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.:-]*="[^"<]*")*)\s*(\/?)>|<!--[\s\S]*?-->|([^<]+)|(<)/g;
  for (const m of body.matchAll(token)) {
    if (m[6]) return `a bare < at ${m.index}`;
    if (m[5] !== undefined) {
      if (/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);)/i.test(m[5])) return `a bare & at ${m.index}`;
      if (!stack.length && m[5].trim()) return `text outside the root at ${m.index}`;
      continue;
    }
    if (!m[2]) continue;
    if (/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);)/i.test(m[3] ?? ""))
      return `a bare & in an attribute at ${m.index}`;
    if (m[1]) {
      if (stack.pop() !== m[2]) return `</${m[2]}> closes nothing open at ${m.index}`;
    } else if (!m[4]) stack.push(m[2]);
  }
  return stack.length ? `unclosed <${stack.join("><")}>` : "";
}

interface Png {
  width: number;
  height: number;
  channels: number;
  data: Uint8Array;
}

/** Decodes an 8-bit, non-interlaced RGB or RGBA PNG (what chromium writes). */
function decodePng(buf: Buffer): Png {
  expect(buf.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
  let pos = 8;
  let width = 0,
    height = 0,
    channels = 0;
  const idat: Buffer[] = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString("ascii", pos + 4, pos + 8);
    const chunk = buf.subarray(pos + 8, pos + 8 + len);
    if (type === "IHDR") {
      width = chunk.readUInt32BE(0);
      height = chunk.readUInt32BE(4);
      expect(chunk[8]).toBe(8);
      expect(chunk[12]).toBe(0);
      channels = chunk[9] === 6 ? 4 : chunk[9] === 2 ? 3 : 0;
      expect(channels).toBeGreaterThan(0);
    } else if (type === "IDAT") idat.push(chunk);
    else if (type === "IEND") break;
    pos += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const data = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x]!;
      const a = x >= channels ? data[y * stride + x - channels]! : 0;
      const b = y > 0 ? data[(y - 1) * stride + x]! : 0;
      const c = x >= channels && y > 0 ? data[(y - 1) * stride + x - channels]! : 0;
      const p = a + b - c;
      const pa = Math.abs(p - a),
        pb = Math.abs(p - b),
        pc = Math.abs(p - c);
      const paeth = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      data[y * stride + x] = (v + [0, a, b, (a + b) >> 1, paeth][filter]!) & 0xff;
    }
  }
  return { width, height, channels, data };
}

function pixel(img: Png, x: number, y: number): [number, number, number] {
  const i = (y * img.width + x) * img.channels;
  return [img.data[i]!, img.data[i + 1]!, img.data[i + 2]!];
}

const dist = (a: number[], b: number[]) => Math.abs(a[0]! - b[0]!) + Math.abs(a[1]! - b[1]!) + Math.abs(a[2]! - b[2]!);

function countNear(img: Png, rgb: number[]): number {
  let n = 0;
  for (let y = 0; y < img.height; y++) for (let x = 0; x < img.width; x++) if (dist(pixel(img, x, y), rgb) < 40) n++;
  return n;
}
