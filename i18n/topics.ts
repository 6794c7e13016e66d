/**
 * Topic and category names in the viewer's language. The database keeps the English names
 * (db/migrations/002_topics.sql); the catalogues hold each under `topic.<slug>` and
 * `topic.category.<english name in lower case>`. A topic the catalogue lacks keeps its name.
 *
 * @example
 * topicName(wordsFor("fr").t, { slug: "running", name: "Running" }); // "Course à pied"
 * byTopicName(wordsFor("fr"), topics); // Allemand, Arabe, Échange linguistique, Espagnol…
 */
import type { MessageKey, Translate, Words } from "./translate.ts";
import type { Language } from "./language.ts";
import { en } from "./en.ts";

/** A topic's name in the words of `t`. */
export function topicName(t: Translate, topic: { slug: string; name: string }): string {
  const key = `topic.${topic.slug}`;
  return key in en ? t(key as MessageKey) : topic.name;
}

/** A category's name in the words of `t`. */
export function categoryName(t: Translate, category: { name: string }): string {
  const key = `topic.category.${category.name.toLowerCase()}`;
  return key in en ? t(key as MessageKey) : category.name;
}

const collators = new Map<Language, Intl.Collator>();

/**
 * Topics in the order of their names in `words`' language, as its readers sort (the database
 * orders by the English names; « Échecs » goes with the E's in French, not after the Z's).
 *
 * @example
 * byTopicName(wordsFor("fr"), category.topics).map((topic) => topic.slug);
 */
export function byTopicName<T extends { slug: string; name: string }>(
  words: Words,
  topics: readonly T[],
): T[] {
  let collator = collators.get(words.language);
  if (!collator) {
    collator = new Intl.Collator(words.language);
    collators.set(words.language, collator);
  }
  const named = topics.map((topic) => ({ topic, name: topicName(words.t, topic) }));
  return named.sort((a, b) => collator.compare(a.name, b.name)).map(({ topic }) => topic);
}

/**
 * Every catalogued topic's name in the words of `t`, by slug: what search matches topics by in
 * the viewer's language (db/search.ts).
 *
 * @example
 * topicNamesIn(wordsFor("fr").t).running; // "Course à pied"
 */
export function topicNamesIn(t: Translate): Record<string, string> {
  const names: Record<string, string> = {};
  for (const key of Object.keys(en)) {
    const slug = key.match(/^topic\.([a-z0-9-]+)$/)?.[1];
    if (slug) names[slug] = t(key as MessageKey);
  }
  return names;
}
