/**
 * Topic and category names in the viewer's language. The database keeps the English names
 * (db/migrations/002_topics.sql); the catalogues hold each under `topic.<slug>` and
 * `topic.category.<english name in lower case>`. A topic the catalogue lacks keeps its name.
 *
 * @example
 * topicName(wordsFor("fr").t, { slug: "running", name: "Running" }); // "Course à pied"
 */
import type { MessageKey, Translate } from "./translate.ts";
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
