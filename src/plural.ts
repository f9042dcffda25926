// Counted nouns in messages: "1 key", "2 keys", "1,000 rows", never "1 keys".

/** `n` (with thousands separators) and the noun: `one` for exactly 1, else `many`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
}
