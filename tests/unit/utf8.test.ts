import { describe, expect, test } from "bun:test";
import { decodeUtf8 } from "../../src/plan/utf8.ts";

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : Buffer.from(p))));

describe("decodeUtf8", () => {
  test("valid UTF-8 decodes as it is, a BOM kept", () => {
    expect(decodeUtf8(bytes("SELECT 'é 日本 🚀';\n"))).toEqual({ text: "SELECT 'é 日本 🚀';\n" });
    expect(decodeUtf8(bytes([0xef, 0xbb, 0xbf], "SELECT 1")).text).toBe("\uFEFFSELECT 1");
    // U+FFFD written as UTF-8 is a character like any other.
    expect(decodeUtf8(bytes("SELECT '\uFFFD'")).invalid).toBeUndefined();
  });

  test("the first bad byte: its line, its column in UTF-16 units, the byte", () => {
    // Latin-1 é on line 2, after a 4-byte emoji (2 UTF-16 units) and a 2-byte é.
    expect(decodeUtf8(bytes("SELECT 1;\n-- 🚀é caf", [0xe9], "\nSELECT 2;\n")).invalid).toEqual({
      line: 2,
      col: 11,
      byte: 0xe9,
    });
    expect(decodeUtf8(bytes([0xff])).invalid).toEqual({ line: 1, col: 1, byte: 0xff });
  });

  test("overlong forms, surrogates, code points above U+10FFFF and cut sequences are invalid", () => {
    for (const bad of [
      [0xc0, 0xaf],
      [0xe0, 0x80, 0xaf],
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
      [0xf5, 0x80, 0x80, 0x80],
      [0xe2, 0x82],
      [0x80],
    ]) {
      const r = decodeUtf8(bytes("ab", bad, "cd"));
      expect(r.invalid).toEqual({ line: 1, col: 3, byte: bad[0]! });
      expect(r.text).toContain("\uFFFD");
    }
  });
});
