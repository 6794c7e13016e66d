/**
 * Words from the catalogues: a translator per language that fills named placeholders
 * (`{name}`), picks plural forms with `Intl.PluralRules` on `count`, and writes numbers with
 * `Intl.NumberFormat`.
 *
 * @example
 * const words = wordsFor("fr");
 * words.t("hallway.listeners", { count: 2 }); // "2 auditeurs"
 * words.number(12345); // "12 345"
 */
import { en } from "./en.ts";
import { fr } from "./fr.ts";
import { defaultLanguage, type Language } from "./language.ts";

/** A message with forms per plural category (`Intl.PluralRules`); `other` is required. */
export type PluralMessage = { other: string } & Partial<Record<Intl.LDMLPluralRule, string>>;

export type Message = string | PluralMessage;

export type MessageKey = keyof typeof en;

export type Params = Record<string, string | number>;

export type Translate = (key: MessageKey, params?: Params) => string;

/** Everything a view needs to speak a language. */
export interface Words {
  language: Language;
  t: Translate;
  /** A number written the language's way (grouping, decimal sign). */
  number(value: number, options?: Intl.NumberFormatOptions): string;
}

export const catalogues: Record<Language, Record<MessageKey, Message>> = { en, fr };

const made = new Map<Language, Words>();

/**
 * The words of `language`, made once per language.
 *
 * @example
 * wordsFor("en").t("nav.hallway"); // "Hallway"
 */
export function wordsFor(language: Language): Words {
  const existing = made.get(language);
  if (existing) return existing;
  const catalogue = catalogues[language];
  const plurals = new Intl.PluralRules(language);
  const numbers = new Intl.NumberFormat(language);
  const formatNumber = (value: number, options?: Intl.NumberFormatOptions) =>
    options ? new Intl.NumberFormat(language, options).format(value) : numbers.format(value);
  const t: Translate = (key, params = {}) => {
    const message = catalogue[key] ?? en[key] ?? key;
    const text = typeof message === "string"
      ? message
      : message[plurals.select(Number(params.count ?? 0))] ?? message.other;
    return fill(text, params, formatNumber);
  };
  const words: Words = { language, t, number: formatNumber };
  made.set(language, words);
  return words;
}

/** English words: for logs, tests and anything rendered without a request. */
export const english: Words = wordsFor(defaultLanguage);

function fill(
  text: string,
  params: Params,
  formatNumber: (value: number) => string,
): string {
  return text.replace(/\{([a-zA-Z_]+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === "number" ? formatNumber(value) : value;
  });
}

/**
 * The placeholders a message uses, every plural form together: the catalogue parity test
 * compares them across languages.
 *
 * @example
 * placeholdersOf("Hello {name}"); // ["name"]
 */
export function placeholdersOf(message: Message): string[] {
  const texts = typeof message === "string" ? [message] : Object.values(message);
  const names = new Set<string>();
  for (const text of texts) {
    for (const match of (text ?? "").matchAll(/\{([a-zA-Z_]+)\}/g)) names.add(match[1]);
  }
  return [...names].sort();
}
