/**
 * The languages Palabre speaks, and how one is picked from what a request says. Imports
 * nothing, so db/, views and static code alike can name a language.
 *
 * @example
 * languageFromHeader("fr-CA,fr;q=0.9,en;q=0.5"); // "fr"
 * isLanguage("de"); // false
 */

export const languages = ["en", "fr"] as const;

export type Language = typeof languages[number];

export const defaultLanguage: Language = "en";

/** True for a language Palabre has a catalogue for. */
export function isLanguage(value: unknown): value is Language {
  return typeof value === "string" && (languages as readonly string[]).includes(value);
}

/**
 * The first language of an `Accept-Language` header we speak, by quality then order, or null.
 *
 * @example
 * languageFromHeader("de, fr;q=0.8"); // "fr"
 */
export function languageFromHeader(header: string | undefined): Language | null {
  if (!header) return null;
  const wanted = header.split(",").slice(0, 20).map((part, index) => {
    const [tag, ...rest] = part.trim().split(";");
    const q = rest.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const quality = q ? Number(q.slice(2)) : 1;
    return {
      tag: tag.trim().toLowerCase(),
      quality: Number.isFinite(quality) ? quality : 0,
      index,
    };
  }).filter((w) => w.quality > 0)
    .sort((a, b) => b.quality - a.quality || a.index - b.index);
  for (const { tag } of wanted) {
    const primary = tag.split("-")[0];
    if (isLanguage(primary)) return primary;
  }
  return null;
}
