import assert from "node:assert/strict";
import {
  defaultRankWeights,
  type HallwayRoom,
  itemVectors,
  rankHallway,
  type Viewer,
} from "../../recommend/rank.ts";
import type { ItemRef } from "../../recommend/signals.ts";

const now = Date.UTC(2026, 10, 28, 20);
const minute = 60_000;
const nobody: Viewer = {
  follows: new Set(),
  notInterested: new Set(),
  pickedTopics: new Set(),
};

function room(id: number, changes: Partial<HallwayRoom> = {}): HallwayRoom {
  return {
    id,
    topicIds: [100 + id],
    stageIds: [200 + id],
    listeners: 10,
    startsAt: now - 10 * minute,
    ...changes,
  };
}

function order(rooms: HallwayRoom[], viewer: Viewer, options = {}): number[] {
  return rankHallway(rooms, viewer, { now, ...options }).map((r) => r.id);
}

// Two-dimensional tastes: jazz (topic 1) and its host (person 11) point one way, chess (topic 2)
// and its host (person 12) the other.
const items: ItemRef[] = [
  { kind: "topic", id: 1 },
  { kind: "topic", id: 2 },
  { kind: "person", id: 11 },
  { kind: "person", id: 12 },
];
const vectors = itemVectors(items, Float64Array.of(1, 0, 0, 1, 0.8, 0, 0, 0.8), 2);
const jazzFan = Float64Array.of(0.9, 0.1);

Deno.test("with nothing personal, rooms order by size and each is popular", () => {
  const ranked = rankHallway([room(1, { listeners: 5 }), room(2, { listeners: 500 })], nobody, {
    now,
  });
  assert.deepEqual(ranked.map((r) => r.id), [2, 1]);
  assert.deepEqual(ranked.map((r) => r.reason), [{ kind: "popular" }, { kind: "popular" }]);
});

Deno.test("fresher rooms come first when all else is equal", () => {
  const rooms = [room(1, { startsAt: now - 90 * minute }), room(2, { startsAt: now - minute })];
  assert.deepEqual(order(rooms, nobody), [2, 1]);
});

Deno.test("someone you follow on stage lifts a room and is its reason", () => {
  const rooms = [room(1, { listeners: 300 }), room(2, { stageIds: [7, 8] })];
  const viewer = { ...nobody, follows: new Set([8]) };
  const ranked = rankHallway(rooms, viewer, { now });
  assert.deepEqual(ranked.map((r) => r.id), [2, 1]);
  assert.deepEqual(ranked[0].reason, { kind: "follows", personId: 8 });
});

Deno.test("a picked topic lifts a room and is its reason", () => {
  const rooms = [room(1, { listeners: 30 }), room(2, { topicIds: [5, 6] })];
  const ranked = rankHallway(rooms, { ...nobody, pickedTopics: new Set([6]) }, { now });
  assert.deepEqual(ranked.map((r) => r.id), [2, 1]);
  assert.deepEqual(ranked[0].reason, { kind: "picked", topicId: 6 });
});

Deno.test("a room in your language comes before one that is not", () => {
  const rooms = [room(1, { language: "en", listeners: 12 }), room(2, { language: "fr" })];
  assert.deepEqual(order(rooms, nobody), [1, 2]);
  assert.deepEqual(order(rooms, { ...nobody, languages: new Set(["fr"]) }), [2, 1]);
});

Deno.test("the model puts your kind of room first, naming the item that counts most", () => {
  const rooms = [
    room(1, { topicIds: [2], stageIds: [12], listeners: 40 }),
    room(2, { topicIds: [2, 1], stageIds: [12] }),
  ];
  const ranked = rankHallway(rooms, { ...nobody, vector: jazzFan }, { now, vectors });
  assert.deepEqual(ranked.map((r) => r.id), [2, 1]);
  assert.deepEqual(ranked[0].reason, { kind: "listens", item: { kind: "topic", id: 1 } });
});

Deno.test("a host you listen to is the reason when they count most", () => {
  const rooms = [room(1, { topicIds: [2], stageIds: [11, 12] })];
  const ranked = rankHallway(rooms, { ...nobody, vector: jazzFan }, { now, vectors });
  assert.deepEqual(ranked[0].reason, { kind: "listens", item: { kind: "person", id: 11 } });
});

Deno.test("a member the model does not know is ranked without it", () => {
  const rooms = [room(1, { topicIds: [1], listeners: 50 }), room(2, { topicIds: [2] })];
  assert.deepEqual(order(rooms, nobody, { vectors }), [1, 2]);
});

Deno.test("a room marked not interested sinks below every other", () => {
  const rooms = [room(1, { listeners: 1000 }), room(2), room(3)];
  assert.deepEqual(order(rooms, { ...nobody, notInterested: new Set([1]) }), [2, 3, 1]);
});

Deno.test("one topic does not fill the page: the next topic moves up", () => {
  const rooms = [
    room(1, { topicIds: [9], listeners: 100 }),
    room(2, { topicIds: [9], listeners: 90 }),
    room(3, { topicIds: [9], listeners: 80 }),
    room(4, { topicIds: [8], listeners: 60 }),
  ];
  const noDiversity = { ...defaultRankWeights, repeatedTopic: 0 };
  assert.deepEqual(order(rooms, nobody, { weights: noDiversity }), [1, 2, 3, 4]);
  assert.deepEqual(order(rooms, nobody), [1, 4, 2, 3]);
});
