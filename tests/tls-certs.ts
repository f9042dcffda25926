// A certificate authority made for one test, and a server certificate it signs
// (openssl), for the servers the TLS tests start.

import { writeFileSync } from "node:fs";
import { join } from "node:path";

export interface Certificates {
  /** The CA's certificate: what NODE_EXTRA_CA_CERTS points at. */
  ca: string;
  /** The server's certificate and key. */
  cert: string;
  key: string;
}

/** Writes ca.pem, server.pem and server.key into `dir`; the server certificate names `names` (subjectAltName entries, e.g. "DNS:localhost"). */
export function makeCertificates(dir: string, names: string[]): Certificates {
  if (!Bun.which("openssl")) throw new Error("openssl is needed for the TLS tests (apt-get install openssl)");
  const openssl = (args: string[]) => {
    const r = Bun.spawnSync(["openssl", ...args], { cwd: dir, stdout: "pipe", stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr.toString()}`);
  };
  openssl([
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "2",
    "-subj",
    "/CN=stairway test CA",
  ]);
  openssl([
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "server.key",
    "-out",
    "server.csr",
    "-subj",
    "/CN=stairway test server",
  ]);
  writeFileSync(join(dir, "san.cnf"), `subjectAltName=${names.join(",")}\n`);
  openssl([
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "server.pem",
    "-days",
    "2",
    "-extfile",
    "san.cnf",
  ]);
  return { ca: join(dir, "ca.pem"), cert: join(dir, "server.pem"), key: join(dir, "server.key") };
}
