import assert from "node:assert/strict";
import { RoomPage, voiceWords } from "../../views/room.tsx";
import { clientWords } from "../../views/layout.tsx";
import { english, wordsFor } from "../../i18n/translate.ts";
import { WordsContext } from "../../i18n/words_context.ts";
import type { RoomSnapshot } from "../../db/rooms.ts";

const data: RoomSnapshot = {
  room: {
    id: 1,
    publicId: "AAAAAAAAAAAAAAAAAAAAAA",
    creatorId: 1,
    linkKey: "key",
    startedAt: new Date(0),
    endedAt: null,
    title: "Jazz",
    description: "",
    kind: "open" as const,
    state: "live" as const,
    handsEnabled: true,
    scheduledFor: null,
  },
  topics: [{ slug: "jazz", name: "Jazz" }],
  participants: [],
};

function unescape(html: string): string {
  return html.replaceAll("&quot;", '"').replaceAll("&#39;", "'").replaceAll("&amp;", "&");
}

Deno.test("the voice panel hands voice.js its words in the page's language", () => {
  const html = String(
    <WordsContext.Provider value={wordsFor("fr")}>
      <RoomPage data={data} viewerId={1} shareLink={null} voice={{ iceServers: [] }} />
    </WordsContext.Provider>,
  );
  const words = JSON.parse(unescape(html.match(/data-words="([^"]*)"/)![1]));
  assert.equal(words.off, "Audio coupé");
  assert.equal(words.micBlocked, "Micro bloqué");
  assert.match(
    html,
    /<button type="button" class="voice-join" hidden="">Touchez pour écouter<\/button>/,
  );
});

Deno.test("every word voice.js and app.js write is one the page hands them", async () => {
  const given = {
    "static/voice.js": Object.keys(voiceWords(english.t)),
    "static/app.js": Object.keys(clientWords(english.t)),
  };
  for (const [file, keys] of Object.entries(given)) {
    const source = await Deno.readTextFile(file);
    const used = new Set([...source.matchAll(/\bwords\.([a-zA-Z]+)/g)].map((m) => m[1]));
    for (const key of used) assert.ok(keys.includes(key), `${file} uses words.${key}`);
  }
});
