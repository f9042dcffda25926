// A tokenizer for SQL text good enough to find words, names, strings and
// parentheses (the SQLite and MySQL classifiers): comments and whitespace are
// dropped; '…' strings, "…", `…` and […] names are read whole. With `mysql`,
// MySQL's rules: # comments, "…" strings, backslash escapes in strings, and
// /*! … */ read as the statement text it is.

export interface Token {
  type: "word" | "ident" | "string" | "number" | "punct";
  /** Words lower-cased, quoted identifiers unquoted, strings without quotes. */
  value: string;
  start: number;
  end: number;
}

export function tokenize(sql: string, mysql = false): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    if ((c === "-" && sql[i + 1] === "-") || (mysql && c === "#")) {
      const eol = sql.indexOf("\n", i);
      i = eol < 0 ? n : eol + 1;
      continue;
    }
    if (mysql && c === "/" && /^\/\*M?!\d*/.test(sql.slice(i, i + 10))) {
      i += /^\/\*M?!\d*/.exec(sql.slice(i, i + 10))![0].length; // its text is read; its "*/" is skipped below
      continue;
    }
    if (mysql && c === "*" && sql[i + 1] === "/") {
      i += 2;
      continue;
    }
    if (c === "/" && sql[i + 1] === "*") {
      const close = sql.indexOf("*/", i + 2);
      i = close < 0 ? n : close + 2;
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === "'" || c === '"' || c === "`" || (c === "[" && !mysql)) {
      const close = c === "[" ? "]" : c;
      let j = i + 1;
      let value = "";
      const escapes = mysql && (c === "'" || c === '"');
      while (j < n) {
        if (escapes && sql[j] === "\\" && j + 1 < n) {
          value += sql[j + 1];
          j += 2;
          continue;
        }
        if (sql[j] === close) {
          if (close !== "]" && sql[j + 1] === close) {
            value += close;
            j += 2;
            continue;
          }
          break;
        }
        value += sql[j];
        j++;
      }
      i = Math.min(j + 1, n);
      out.push({ type: c === "'" || (mysql && c === '"') ? "string" : "ident", value, start, end: i });
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_$]/.test(sql[j]!)) j++;
      out.push({ type: "word", value: sql.slice(i, j).toLowerCase(), start, end: j });
      i = j;
      continue;
    }
    if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(sql[i + 1] ?? ""))) {
      let j = i + 1;
      while (j < n && /[0-9A-Za-z_.]/.test(sql[j]!)) j++;
      out.push({ type: "number", value: sql.slice(i, j), start, end: j });
      i = j;
      continue;
    }
    out.push({ type: "punct", value: c, start, end: i + 1 });
    i++;
  }
  return out;
}
