// English in messages: counted nouns ("1 key", "2 keys", "1,000 rows", never "1 keys") and lists ("a, b and c").

/** `n` (with thousands separators) and the noun: `one` for exactly 1, else `many`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
}

/** Words as a sentence lists them: "a", "a and b", "a, b and c" (or with `conjunction` "or"). */
export function listed(words: readonly string[], conjunction = "and"): string {
  return words.length < 2 ? (words[0] ?? "") : `${words.slice(0, -1).join(", ")} ${conjunction} ${words.at(-1)}`;
}
