// Offsets ↔ line:col over one text, with the line starts computed once (a
// file of thousands of statements must not rescan itself per statement).

export interface LineIndex {
  /** 1-based line and column (UTF-16) of an offset. */
  lineCol(offset: number): { line: number; col: number };
  /** Offset of the first character of a 1-based line (the text's length past the end). */
  offsetOf(line: number): number;
  /** The text of a 1-based line, without its line break. */
  lineText(line: number): string;
}

export function lineIndex(text: string): LineIndex {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  const offsetOf = (line: number) => (line < 1 ? 0 : line > starts.length ? text.length : starts[line - 1]!);
  return {
    lineCol(offset) {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid]! <= offset) lo = mid;
        else hi = mid - 1;
      }
      return { line: lo + 1, col: offset - starts[lo]! + 1 };
    },
    offsetOf,
    lineText(line) {
      return text.slice(offsetOf(line), offsetOf(line + 1)).replace(/\r?\n$/, "");
    },
  };
}
