/**
 * A hallway card's reason names a topic as people read it, in their language, like the card's
 * own topics: "#Course à pied", never the slug "#running".
 */
import assert from "node:assert/strict";
import { HallwayLists } from "../../views/hallway.tsx";
import { wordsFor } from "../../i18n/translate.ts";
import type { Language } from "../../i18n/language.ts";
import { WordsContext } from "../../i18n/words_context.ts";
import type { RankedHallway } from "../../recommend/hallway.ts";
import type { Reason } from "../../recommend/rank.ts";

const running = { id: 7, slug: "running", name: "Running" };
const newYork = { id: 8, slug: "new-york", name: "New York" };

function hallwayWith(reason: Reason): RankedHallway {
  const rank = {
    id: 1,
    score: 1,
    reason,
    terms: { model: 1, follows: 0, picked: 0, popular: 0, language: 0, penalties: 0 },
  };
  return {
    live: [{
      id: 1,
      publicId: "AAAAAAAAAAAAAAAAAAAAAA",
      title: "Night runs",
      kind: "open",
      topics: [running, newYork],
      stage: [{ id: 2, handle: "linus", displayName: "Linus" }],
      listenerCount: 0,
      followedOnStage: 0,
      startedAt: new Date(0),
      notInterested: false,
      language: "en",
      rank,
    }],
    upcoming: [],
    viewer: { follows: [], pickedTopics: [], language: "en" },
  };
}

function reasonIn(language: Language, reason: Reason): string {
  const html = String(
    <WordsContext.Provider value={wordsFor(language)}>
      <HallwayLists hallway={hallwayWith(reason)} />
    </WordsContext.Provider>,
  );
  return html.match(/data-testid="reason">([^<]*)</)![1].replaceAll("&#39;", "'");
}

Deno.test("a picked topic's reason names the topic in the viewer's language", () => {
  const picked: Reason = { kind: "picked", topicId: running.id };
  assert.equal(reasonIn("en", picked), "Because you picked #Running");
  assert.equal(reasonIn("fr", picked), "Parce que vous avez choisi #Course à pied");
});

Deno.test("a listened topic's reason names the topic in the viewer's language", () => {
  const listens: Reason = { kind: "listens", item: { kind: "topic", id: newYork.id } };
  assert.equal(reasonIn("en", listens), "Because you listen to #New York");
  assert.equal(reasonIn("fr", listens), "Parce que vous écoutez #New York");
  const listensRunning: Reason = { kind: "listens", item: { kind: "topic", id: running.id } };
  assert.equal(reasonIn("fr", listensRunning), "Parce que vous écoutez #Course à pied");
});

Deno.test("a listened person's reason still names them by handle", () => {
  const listens: Reason = { kind: "listens", item: { kind: "person", id: 2 } };
  assert.equal(reasonIn("fr", listens), "Parce que vous écoutez @linus");
});
