/**
 * The exported page rendered from the member in every column's document: every section, list
 * and field has its words in both languages (a column added to the export without them shows
 * its catalogue key here), and values read as the language writes them: dates, yes and no,
 * languages, and the states, kinds, roles and actions the export holds.
 */
import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import { buildExport, claimExport, exportDocument } from "../../db/data_exports.ts";
import { memberInEveryColumn } from "../db/member_fixture.ts";
import { ExportDocumentView } from "../../views/data_export.tsx";
import { WordsContext } from "../../i18n/words_context.ts";
import { type MessageKey, wordsFor } from "../../i18n/translate.ts";
import { languages } from "../../i18n/language.ts";

dbTest(
  "the exported page has words for every section, list and field, in each language",
  async (sql) => {
    const { mallory } = await memberInEveryColumn(sql);
    const claim = (await claimExport(sql, { staleMs: 60_000 }))!;
    await buildExport(sql, claim, { batchRows: 100, keepMs: 86_400_000 });
    const document = (await exportDocument(sql, mallory.id, claim.id))!;
    for (const language of languages) {
      const html = String(
        <WordsContext.Provider value={wordsFor(language)}>
          <ExportDocumentView document={document} />
        </WordsContext.Provider>,
      );
      assert.match(html, new RegExp(`^<html lang="${language}">`));
      const untranslated = [...html.matchAll(/export\.(field|section|part)\.[a-z_.]+/g)]
        .map((m) => m[0]);
      assert.deepEqual([...new Set(untranslated)], [], `${language} lacks words`);
    }
    // The words for the states, kinds, roles, actions and resolutions the export holds.
    const coded = new Set(["state", "kind", "role", "action", "resolution"]);
    const unnamed = new Set<string>();
    for (const parts of Object.values(document.sections)) {
      for (const rows of Object.values(parts)) {
        for (const row of rows) {
          for (const [field, value] of Object.entries(row)) {
            const key = `export.value.${field}.${value}`;
            if (!coded.has(field) || typeof value !== "string") continue;
            if (wordsFor("fr").t(key as MessageKey) === key) unnamed.add(key);
          }
        }
      }
    }
    assert.deepEqual([...unnamed], []);
    const french = String(
      <WordsContext.Provider value={wordsFor("fr")}>
        <ExportDocumentView document={document} />
      </WordsContext.Provider>,
    );
    assert.match(french, /<dt>Administrateur<\/dt><dd>oui<\/dd>/);
    assert.match(french, /<dt>Rôle<\/dt><dd>modérateur<\/dd>/);
    assert.match(french, /<dt>Langue<\/dt><dd>(anglais|français|—)<\/dd>/);
    assert.match(french, /<time datetime="[^"]+">\d{1,2} \S+ \d{4} (à )?\d{2}:\d{2} UTC<\/time>/);
  },
);
