// A throwaway MariaDB server for one test file (mariadb-install-db, then
// mariadbd on a free port, in a temp dir): the machine's server takes no TLS,
// and its root needs no password. Its root connects from 127.0.0.1 without one.

import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function mariadbServer(
  opts: { tls?: { ca: string; cert: string; key: string } } = {},
): Promise<{ port: number; sql: (statement: string) => void; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), "stairway-mariadb-"));
  const asRoot = process.getuid?.() === 0 ? ["--user=root"] : [];
  const install = Bun.spawnSync(
    [
      "mariadb-install-db",
      "--no-defaults",
      `--datadir=${dir}/data`,
      ...asRoot,
      "--skip-test-db",
      "--auth-root-authentication-method=normal",
    ],
    { stdout: "pipe", stderr: "pipe" },
  );
  if (install.exitCode !== 0) throw new Error(`mariadb-install-db failed: ${install.stderr.toString()}`);
  const port = await freePort();
  const tls = opts.tls ? [`--ssl-ca=${opts.tls.ca}`, `--ssl-cert=${opts.tls.cert}`, `--ssl-key=${opts.tls.key}`] : [];
  const server = Bun.spawn(
    [
      "/usr/sbin/mariadbd",
      "--no-defaults",
      `--datadir=${dir}/data`,
      ...asRoot,
      `--port=${port}`,
      "--bind-address=127.0.0.1",
      `--socket=${dir}/mariadb.sock`,
      `--pid-file=${dir}/mariadb.pid`,
      "--skip-log-bin",
      "--innodb-buffer-pool-size=16M",
      ...tls,
    ],
    { stdout: "ignore", stderr: Bun.file(join(dir, "mariadbd.log")) },
  );
  const client = ["mariadb", "--protocol=TCP", "-h", "127.0.0.1", "-P", String(port), "-u", "root"];
  const sql = (statement: string) => {
    const r = Bun.spawnSync([...client, "-e", statement], { stdout: "pipe", stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`${statement}: ${r.stderr.toString()}`);
  };
  // Its files are removed once it has exited: it writes them until then.
  const stop = async () => {
    server.kill();
    await server.exited;
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; ; i++) {
    if (Bun.spawnSync([...client, "-e", "SELECT 1"], { stdout: "ignore", stderr: "ignore" }).exitCode === 0) break;
    if (i === 100) {
      const log = await Bun.file(join(dir, "mariadbd.log"))
        .text()
        .catch(() => "");
      await stop();
      throw new Error(
        `the throwaway MariaDB server did not answer within 10 s: ${log.trim().split("\n").slice(-3).join(" / ")}`,
      );
    }
    await Bun.sleep(100);
  }
  return { port, sql, stop };
}
