// Migration files are UTF-8. A file that is not (Latin-1 saved by an old
// editor, say) must be refused where it is wrong, not run with U+FFFD in
// place of its bytes: psql -f refuses it too.

export interface InvalidUtf8 {
  /** 1-based line and column (UTF-16, as everywhere else) of the first bad byte. */
  line: number;
  col: number;
  /** The byte itself. */
  byte: number;
}

const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const lenient = new TextDecoder("utf-8", { ignoreBOM: true });

/** The file's text; when it is not valid UTF-8, also where the first bad byte is (the text then holds U+FFFD there). */
export function decodeUtf8(bytes: Uint8Array): { text: string; invalid?: InvalidUtf8 } {
  try {
    return { text: strict.decode(bytes) };
  } catch {
    const at = firstInvalid(bytes);
    const lineStart = bytes.lastIndexOf(10, at - 1) + 1;
    let line = 1;
    for (let i = bytes.indexOf(10); i >= 0 && i < at; i = bytes.indexOf(10, i + 1)) line++;
    const col = lenient.decode(bytes.subarray(lineStart, at)).length + 1;
    return { text: lenient.decode(bytes), invalid: { line, col, byte: bytes[at]! } };
  }
}

/** One sentence for a file that is not UTF-8. */
export function invalidUtf8Message(path: string, bad: InvalidUtf8): string {
  const hex = bad.byte.toString(16).toUpperCase().padStart(2, "0");
  return `${path}:${bad.line}:${bad.col}: not valid UTF-8 (byte 0x${hex}): save the file as UTF-8`;
}

/**
 * Offset of the first byte that does not belong to a well-formed UTF-8
 * sequence (The Unicode Standard, table 3-7: no overlong forms, no
 * surrogates, nothing above U+10FFFF); bytes.length when all are.
 */
function firstInvalid(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      // The second byte has the narrower range; the others any continuation byte. A sequence cut short points at its lead byte.
      if (c === undefined) return i;
      if (k === 1 ? c < lo || c > hi : c < 0x80 || c > 0xbf) return i;
    }
    i += need + 1;
  }
  return n;
}
