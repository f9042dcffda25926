// A throwaway PostgreSQL server that asks for passwords (the machine's own
// server trusts everyone, so a wrong password could not fail there), and takes
// TLS when given a certificate. initdb refuses to run as root, so the cluster
// belongs to the postgres user.

import { chmodSync, chownSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BIN = (() => {
  const glob = new Bun.Glob("usr/lib/postgresql/*/bin/initdb");
  const found = [...glob.scanSync({ cwd: "/", absolute: true })].sort().at(-1);
  if (!found) throw new Error("initdb not found under /usr/lib/postgresql/*/bin (install postgresql)");
  return found.replace(/\/initdb$/, "");
})();

function asPostgres(cmd: string[]): string[] {
  return process.getuid?.() === 0 ? ["runuser", "-u", "postgres", "--", ...cmd] : cmd;
}

export async function passwordServer(
  opts: { tls?: { cert: string; key: string } } = {},
): Promise<{ port: number; stop: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), "stairway-pgpw-"));
  const data = join(dir, "data");
  const pwfile = join(dir, "pw");
  writeFileSync(pwfile, "right-password\n");
  chmodSync(dir, 0o755);
  if (process.getuid?.() === 0) {
    const { uid, gid } = userIds("postgres");
    chownSync(dir, uid, gid);
    chownSync(pwfile, uid, gid);
  }
  const run = (cmd: string[]) => {
    const r = Bun.spawnSync(asPostgres(cmd), { stdout: "pipe", stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`${cmd[0]} failed: ${r.stderr.toString()}`);
  };
  run([`${BIN}/initdb`, "-D", data, "-U", "postgres", "--pwfile", pwfile, "-A", "scram-sha-256", "--no-sync"]);
  let tls = "";
  if (opts.tls) {
    // The server reads its key only when the postgres user owns it, mode 0600.
    const cert = join(dir, "server.pem");
    const key = join(dir, "server.key");
    copyFileSync(opts.tls.cert, cert);
    copyFileSync(opts.tls.key, key);
    chmodSync(key, 0o600);
    if (process.getuid?.() === 0) {
      const { uid, gid } = userIds("postgres");
      chownSync(cert, uid, gid);
      chownSync(key, uid, gid);
    }
    tls = ` -c ssl=on -c ssl_cert_file=${cert} -c ssl_key_file=${key}`;
  }
  // A random port can be taken, by a server or by an outgoing connection's
  // local port (54000–54899 is in Linux's ephemeral range): another one is tried.
  let port = 0;
  for (let attempt = 1; !port; attempt++) {
    const candidate = 54000 + Math.floor(Math.random() * 900);
    const log = join(dir, `log.${attempt}`);
    const r = Bun.spawnSync(
      asPostgres([
        `${BIN}/pg_ctl`,
        "-D",
        data,
        "-w",
        "-l",
        log,
        "-o",
        `-p ${candidate} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off${tls}`,
        "start",
      ]),
      { stdout: "pipe", stderr: "pipe" },
    );
    if (r.exitCode === 0) port = candidate;
    else if (attempt === 5 || !/Address already in use/.test(readFileSync(log, "utf8")))
      throw new Error(`pg_ctl start failed: ${r.stderr.toString()} ${readFileSync(log, "utf8").slice(-500)}`);
  }
  return {
    port,
    stop: () => {
      Bun.spawnSync(asPostgres([`${BIN}/pg_ctl`, "-D", data, "-m", "immediate", "stop"]));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function userIds(name: string): { uid: number; gid: number } {
  const line = Bun.spawnSync(["getent", "passwd", name]).stdout.toString().trim();
  const [, , uid, gid] = line.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}
