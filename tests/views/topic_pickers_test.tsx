import assert from "node:assert/strict";
import { NewEventView, NewRoomView } from "../../views/room_forms.tsx";
import { type CatalogueCategory, TopicsView } from "../../views/topics.tsx";

const catalogue: CatalogueCategory[] = [
  { name: "Music", topics: [{ slug: "jazz", name: "Jazz" }, { slug: "opera", name: "Opera" }] },
  { name: "Arts", topics: [{ slug: "theatre", name: "Theatre" }] },
];

const pickers = {
  "the topics page": String(
    <TopicsView
      catalogue={catalogue}
      picked={new Set(["jazz"])}
      onboarding
      minPicks={3}
      errors={{}}
    />,
  ),
  "the room form": String(<NewRoomView catalogue={catalogue} form={{ topics: [] }} errors={{}} />),
  "the event form": String(
    <NewEventView catalogue={catalogue} form={{}} errors={{}} timeZones={["Europe/Paris"]} />,
  ),
};

Deno.test("every topic picker shows every topic, with no category folded", () => {
  for (const [where, html] of Object.entries(pickers)) {
    for (const name of ["Jazz", "Opera", "Theatre"]) {
      assert.match(html, new RegExp(`<span>${name}</span>`), `${name} on ${where}`);
    }
    const folded = [...html.matchAll(/<details class="topic-category"[^>]*>/g)]
      .filter(([tag]) => !/\sopen/.test(tag));
    assert.deepEqual(folded, [], `categories folded on ${where}`);
    assert.doesNotMatch(html, /data-topic-chip[^>]*hidden/, `a chip hidden on ${where}`);
  }
});

Deno.test("a topic picker's filter stays hidden until its script shows it", () => {
  for (const [where, html] of Object.entries(pickers)) {
    // Without JavaScript the field could not filter anything: it is not offered.
    assert.match(html, /<div class="topic-filter" data-topic-filter="true" hidden="">/, where);
    assert.match(html, /<label for="topic-filter">Find a topic<\/label>/, where);
  }
});

Deno.test("a topic picker counts the topics already picked", () => {
  assert.match(
    pickers["the topics page"],
    /Topics picked: <strong data-topic-count="true">1<\/strong>/,
  );
  assert.match(
    pickers["the room form"],
    /Topics picked: <strong data-topic-count="true">0<\/strong>/,
  );
});
