/**
 * A person's initials, the letters on their avatar: one rule for every view that shows one
 * (profile, room tiles), so the same person reads the same everywhere.
 *
 * @example
 * initials("Ada Lovelace", "ada"); // "AL"
 */

// Graphemes, not code units: "Émile" starts with one letter whether its É is one code point or two.
const graphemes = new Intl.Segmenter("und", { granularity: "grapheme" });

/** A word counts when it starts with a letter or a digit: not an emoji, not a dash. */
const wordStart = /^[\p{L}\p{N}]/u;

/**
 * The first letter of the first and of the last word of `displayName` that start with a letter
 * or digit, upper-cased; "Ada" gives "A". A name with no such word (emoji only) falls back to
 * the first letter of `handle`.
 *
 * @example
 * initials("Ludwig van Beethoven", "ludwig"); // "LB"
 * initials("🎷", "sax"); // "S"
 */
export function initials(displayName: string, handle: string): string {
  const starts = displayName.split(/\s+/u)
    .map((word) => graphemes.segment(word)[Symbol.iterator]().next().value?.segment ?? "")
    .filter((start) => wordStart.test(start));
  const chosen = starts.length > 1 ? [starts[0], starts.at(-1)!] : starts;
  const letters = chosen.length > 0
    ? chosen.join("")
    : graphemes.segment(handle)[Symbol.iterator]().next().value?.segment ?? "";
  return letters.toLocaleUpperCase();
}
