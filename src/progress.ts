// The progress line: on a terminal only (stderr), each line replacing the last.

/** A writer of progress lines; "" clears the line. Silent when stderr is no terminal or output is JSON. */
export function progressLine(json: boolean): (line: string) => void {
  if (!process.stderr.isTTY || json) return () => {};
  return (line: string) => {
    const cols = process.stderr.columns || 80; // 0 when the terminal does not say (a serial console, some CI pseudo-terminals)
    process.stderr.write(`\r\x1b[2K${line.slice(0, cols - 1)}`);
    if (line === "") process.stderr.write("\r\x1b[2K");
  };
}
