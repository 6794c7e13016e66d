import assert from "node:assert/strict";
import { catalogues, placeholdersOf, wordsFor } from "../../i18n/translate.ts";
import { en } from "../../i18n/en.ts";
import { fr } from "../../i18n/fr.ts";
import { languageFromHeader } from "../../i18n/language.ts";

Deno.test("both catalogues have the same keys", () => {
  assert.deepEqual(Object.keys(fr).sort(), Object.keys(en).sort());
});

Deno.test("each message has the same placeholders in both catalogues", () => {
  for (const key of Object.keys(en) as (keyof typeof en)[]) {
    assert.deepEqual(placeholdersOf(fr[key]), placeholdersOf(en[key]), key);
  }
});

Deno.test("a message with plural forms has them in both catalogues, `other` among them", () => {
  for (const key of Object.keys(en) as (keyof typeof en)[]) {
    for (const catalogue of Object.values(catalogues)) {
      const message = catalogue[key];
      assert.equal(typeof message, typeof en[key], key);
      if (typeof message !== "string") assert.ok(message.other, key);
    }
  }
});

Deno.test("French messages use French typography", () => {
  for (const [key, message] of Object.entries(fr)) {
    const texts = typeof message === "string" ? [message] : Object.values(message);
    for (const text of texts) {
      // A plain or missing space before the high punctuation is wrong; a no-break one is right.
      assert.doesNotMatch(text, /(^|[^\u00a0\u202f])[;!?]/, `${key}: ${text}`);
      assert.doesNotMatch(text, /(^|[^\u00a0\u202f{])(?<![0-9]):(?![/])/, `${key}: ${text}`);
      assert.doesNotMatch(text, /«(?!\u00a0)|(?<!\u00a0)»/, `${key}: ${text}`);
      assert.doesNotMatch(text, /[“”"']/, `${key} uses English quotes or a straight apostrophe`);
    }
  }
});

Deno.test("plurals follow each language's rules", () => {
  assert.equal(wordsFor("en").t("hallway.card.listening", { count: 1 }), "1 listening");
  assert.equal(wordsFor("fr").t("hallway.card.listening", { count: 0 }), "0 auditeur");
  assert.equal(wordsFor("fr").t("hallway.card.listening", { count: 2 }), "2 auditeurs");
  assert.equal(wordsFor("en").t("settings.history.rooms", { count: 0 }), "0 rooms");
});

Deno.test("numbers in messages are written the language's way", () => {
  assert.equal(wordsFor("en").t("hallway.card.listening", { count: 1234 }), "1,234 listening");
  assert.equal(
    wordsFor("fr").t("hallway.card.listening", { count: 1234 }),
    "1\u202f234 auditeurs",
  );
});

Deno.test("Accept-Language picks the best language we speak", () => {
  assert.equal(languageFromHeader("fr-CA,fr;q=0.9,en;q=0.5"), "fr");
  assert.equal(languageFromHeader("de, en;q=0.3, fr;q=0.8"), "fr");
  assert.equal(languageFromHeader("de, es"), null);
  assert.equal(languageFromHeader("fr;q=0, en"), "en");
  assert.equal(languageFromHeader(undefined), null);
});
