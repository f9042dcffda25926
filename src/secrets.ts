// The passwords of this run. Every target URL that is parsed gives its
// password here (src/drivers/url.ts), and every output — stdout, stderr,
// --json, the report files — goes through redact(). Hiding URLs is not
// enough: a password also reaches output inside a database's error message
// (`invalid input syntax for type integer: "<password>"`), as written in the
// URL or decoded, and escaped by JSON, XML or HTML on its way.

/** Shorter passwords are not hidden in free text: "***" for every "abc" would garble the output and protect little. */
const MIN_LENGTH = 4;

const hidden = new Set<string>();
/** Longest first: a JSON-escaped form must go before the plain form it contains. */
let ordered: string[] = [];

/** Remembers a password (decoded) and the forms it was written in (percent-encoded as given, as a URL parser re-encodes it). */
export function rememberSecret(password: string, ...written: string[]): void {
  for (const form of new Set([password, encodeURIComponent(password), ...written])) {
    if (form.length < MIN_LENGTH) continue;
    hidden.add(form);
    hidden.add(JSON.stringify(form).slice(1, -1));
    const xml = form.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
    hidden.add(xml.replace(/'/g, "&apos;")); // JUnit XML
    hidden.add(xml.replace(/'/g, "&#39;")); // report.html
  }
  ordered = [...hidden].sort((a, b) => b.length - a.length);
}

/** The text with every remembered password replaced by ***. */
export function redact(text: string): string {
  for (const s of ordered) if (text.includes(s)) text = text.split(s).join("***");
  return text;
}
