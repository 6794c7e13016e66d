import assert from "node:assert/strict";
import { byTopicName } from "../../i18n/topics.ts";
import { wordsFor } from "../../i18n/translate.ts";

const topics = [
  { slug: "chess", name: "Chess" },
  { slug: "running", name: "Running" },
  { slug: "cycling", name: "Cycling" },
  { slug: "unknown-here", name: "Zither" },
];

Deno.test("topics sort by their names in the language, accents where its readers expect", () => {
  assert.deepEqual(byTopicName(wordsFor("en"), topics).map((t) => t.slug), [
    "chess",
    "cycling",
    "running",
    "unknown-here",
  ]);
  // Course à pied, Échecs, Vélo, and a topic no catalogue names keeps its own name.
  assert.deepEqual(byTopicName(wordsFor("fr"), topics).map((t) => t.slug), [
    "running",
    "chess",
    "cycling",
    "unknown-here",
  ]);
});
