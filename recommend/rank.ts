/**
 * The hallway's order for one member: live rooms (and upcoming events) scored by the model plus
 * tunable boosts and penalties, re-ranked so one topic does not fill the page, each with the
 * reason its dominant term gives. Views turn reasons into words.
 *
 * A room has no history, so its vector is the blend of its durable items' vectors:
 * `topicShare · mean(topic vectors) + (1 − topicShare) · mean(stage vectors)`, over the items the
 * model knows. The model score is the member's vector · that blend, i.e. a weighted sum of
 * per-item dot products, which also says which item contributed most.
 *
 * @example
 * const vectors = itemVectors(interactions.items, model.itemFactors, model.factors);
 * const ranked = rankHallway(rooms, viewer, { vectors, now: Date.now() });
 * ranked[0].reason; // { kind: "follows", personId: 12 }
 */
import type { ItemRef } from "./signals.ts";
import { knobDefaults, rankKnobs, type RankWeights } from "../vocabulary/knobs.ts";

/** A live room, or an upcoming event, as the hallway sees it. */
export interface HallwayRoom {
  id: number;
  /** The first topic is the room's main topic (the one diversity counts). */
  topicIds: number[];
  /** Hosts and speakers (users.id). */
  stageIds: number[];
  /** Listeners now; for an upcoming event, members who said they will come. */
  listeners: number;
  /** When the room started, or when the event is scheduled (ms since the epoch). */
  startsAt: number;
  language?: string;
}

/** What the ranking knows about the member it ranks for. */
export interface Viewer {
  /** The member's factors; absent for a member the model does not know (yet). */
  vector?: Float64Array;
  /** People the member follows. */
  follows: ReadonlySet<number>;
  /** Rooms the member marked "not interested". */
  notInterested: ReadonlySet<number>;
  pickedTopics: ReadonlySet<number>;
  /** Languages the member understands; no language boost when absent. */
  languages?: ReadonlySet<string>;
}

/** Item vectors by kind and id: subarrays of the model's item factors. */
export interface ItemVectors {
  factors: number;
  topics: Map<number, Float64Array>;
  people: Map<number, Float64Array>;
}

// The weights' descriptors (default, limits, words) are vocabulary/knobs.ts's.
export type { RankWeights } from "../vocabulary/knobs.ts";

export const defaultRankWeights: RankWeights = knobDefaults(rankKnobs);

/** Why a room is where it is, from its dominant term. */
export type Reason =
  | { kind: "follows"; personId: number }
  | { kind: "listens"; item: ItemRef }
  | { kind: "picked"; topicId: number }
  | { kind: "popular" };

export interface RankedRoom {
  id: number;
  /** The room's score before the diversity re-rank. */
  score: number;
  reason: Reason;
  /** Each term of the score, for "why this room". */
  terms: ScoreTerms;
}

/** A room's score, term by term (penalties as positive numbers subtracted). */
export interface ScoreTerms {
  model: number;
  follows: number;
  picked: number;
  popular: number;
  language: number;
  penalties: number;
}

/** The model's item vectors by kind and id, for `rankHallway`. */
export function itemVectors(
  items: ItemRef[],
  itemFactors: Float64Array,
  factors: number,
): ItemVectors {
  const vectors: ItemVectors = { factors, topics: new Map(), people: new Map() };
  items.forEach((item, i) => {
    const vector = itemFactors.subarray(i * factors, (i + 1) * factors);
    (item.kind === "topic" ? vectors.topics : vectors.people).set(item.id, vector);
  });
  return vectors;
}

/**
 * Scores every room for the viewer, then orders them greedily: each place goes to the room
 * whose score, less `repeatedTopic` for every room above with the same main topic, is highest
 * (ties: the higher score, then the lower id).
 *
 * @example
 * rankHallway(rooms, { follows: new Set([12]), notInterested: new Set(), pickedTopics: new Set([3]) },
 *   { now: Date.now() });
 */
export function rankHallway(
  rooms: HallwayRoom[],
  viewer: Viewer,
  options: { now: number; vectors?: ItemVectors; weights?: RankWeights },
): RankedRoom[] {
  const weights = options.weights ?? defaultRankWeights;
  const dots = new DotCache(viewer.vector, options.vectors);
  const scored = rooms.map((room) => scoreRoom(room, viewer, dots, weights, options.now));
  return diversify(rooms, scored, weights.repeatedTopic);
}

function scoreRoom(
  room: HallwayRoom,
  viewer: Viewer,
  dots: DotCache,
  weights: RankWeights,
  now: number,
): RankedRoom {
  const model = modelTerm(room, dots, weights);

  let followed = 0;
  let firstFollowed: number | undefined;
  for (const person of room.stageIds) {
    if (viewer.follows.has(person)) {
      followed++;
      firstFollowed ??= person;
    }
  }
  const follows = weights.followedOnStage * followed;
  const pickedTopic = room.topicIds.find((topic) => viewer.pickedTopics.has(topic));
  const picked = pickedTopic === undefined ? 0 : weights.pickedTopic;
  const age = Math.abs(now - room.startsAt);
  const popular = weights.size * Math.log1p(Math.max(0, room.listeners)) +
    weights.freshness * 2 ** (-age / weights.freshnessHalfLifeMs);
  const language = room.language !== undefined && viewer.languages?.has(room.language)
    ? weights.language
    : 0;
  const penalties = viewer.notInterested.has(room.id) ? weights.notInterested : 0;

  // The dominant term names the reason; on a tie the more personal one wins.
  let reason: Reason = { kind: "popular" };
  let dominant = popular;
  if (firstFollowed !== undefined && follows >= dominant) {
    reason = { kind: "follows", personId: firstFollowed };
    dominant = follows;
  }
  if (model.best !== undefined && model.score > dominant) {
    reason = { kind: "listens", item: model.best };
    dominant = model.score;
  }
  if (pickedTopic !== undefined && picked > dominant) {
    reason = { kind: "picked", topicId: pickedTopic };
  }
  return {
    id: room.id,
    score: model.score + follows + picked + popular + language - penalties,
    reason,
    terms: { model: model.score, follows, picked, popular, language, penalties },
  };
}

/** The member vector · the room's blended vector, and the item that contributed most to it. */
function modelTerm(
  room: HallwayRoom,
  dots: DotCache,
  weights: RankWeights,
): { score: number; best?: ItemRef } {
  if (!dots.ready) return { score: 0 };
  let topicSum = 0, topicCount = 0, bestTopic = 0, bestTopicId = -1;
  for (const id of room.topicIds) {
    const dot = dots.topic(id);
    if (dot === undefined) continue;
    topicSum += dot;
    topicCount++;
    if (bestTopicId < 0 || dot > bestTopic) [bestTopic, bestTopicId] = [dot, id];
  }
  let stageSum = 0, stageCount = 0, bestPerson = 0, bestPersonId = -1;
  for (const id of room.stageIds) {
    const dot = dots.person(id);
    if (dot === undefined) continue;
    stageSum += dot;
    stageCount++;
    if (bestPersonId < 0 || dot > bestPerson) [bestPerson, bestPersonId] = [dot, id];
  }
  if (topicCount === 0 && stageCount === 0) return { score: 0 };
  const topicShare = stageCount === 0 ? 1 : topicCount === 0 ? 0 : weights.topicShare;
  const topicWeight = topicCount > 0 ? topicShare / topicCount : 0;
  const stageWeight = stageCount > 0 ? (1 - topicShare) / stageCount : 0;
  const score = weights.model * (topicWeight * topicSum + stageWeight * stageSum);
  const best: ItemRef = topicCount > 0 &&
      (stageCount === 0 || topicWeight * bestTopic >= stageWeight * bestPerson)
    ? { kind: "topic", id: bestTopicId }
    : { kind: "person", id: bestPersonId };
  return { score, best };
}

/** The member's dot product with each item vector, computed once per ranking. */
class DotCache {
  #vector?: Float64Array;
  #vectors?: ItemVectors;
  #topics = new Map<number, number | undefined>();
  #people = new Map<number, number | undefined>();

  constructor(vector?: Float64Array, vectors?: ItemVectors) {
    this.#vector = vector;
    this.#vectors = vectors;
  }

  get ready(): boolean {
    return this.#vector !== undefined && this.#vectors !== undefined;
  }

  topic(id: number): number | undefined {
    return this.#dot(this.#topics, this.#vectors!.topics, id);
  }

  person(id: number): number | undefined {
    return this.#dot(this.#people, this.#vectors!.people, id);
  }

  #dot(cache: Map<number, number | undefined>, vectors: Map<number, Float64Array>, id: number) {
    if (cache.has(id)) return cache.get(id);
    const y = vectors.get(id);
    let dot: number | undefined;
    if (y !== undefined) {
      const x = this.#vector!;
      dot = 0;
      for (let d = 0; d < x.length; d++) dot += x[d] * y[d];
    }
    cache.set(id, dot);
    return dot;
  }
}

function diversify(rooms: HallwayRoom[], scored: RankedRoom[], repeatedTopic: number) {
  // Rooms queue by main topic, best first. A queue's head only loses when its own topic places a
  // room, so a heap of heads by adjusted score gives each place to the best room after penalties.
  const order = scored.map((_, n) => n).sort((a, b) => isBetter(scored[a], scored[b]) ? -1 : 1);
  const queues: RankedRoom[][] = [];
  const queueOfTopic = new Map<number, RankedRoom[]>();
  for (const n of order) {
    const topic = rooms[n].topicIds[0];
    let queue = topic === undefined ? undefined : queueOfTopic.get(topic);
    if (queue === undefined) {
      queues.push(queue = []);
      if (topic !== undefined) queueOfTopic.set(topic, queue);
    }
    queue.push(scored[n]);
  }
  const heap = new HeadHeap();
  for (const queue of queues) heap.push({ queue, placed: 0, adjusted: queue[0].score });
  const ranked: RankedRoom[] = [];
  while (heap.size > 0) {
    const head = heap.pop();
    ranked.push(head.queue[head.placed++]);
    if (head.placed < head.queue.length) {
      head.adjusted = head.queue[head.placed].score - repeatedTopic * head.placed;
      heap.push(head);
    }
  }
  return ranked;
}

/** The higher score first, then the lower id. */
function isBetter(a: RankedRoom, b: RankedRoom): boolean {
  return a.score !== b.score ? a.score > b.score : a.id < b.id;
}

interface Head {
  queue: RankedRoom[];
  placed: number;
  adjusted: number;
}

/** A max-heap of queue heads: the higher adjusted score, then the better room. */
class HeadHeap {
  #items: Head[] = [];

  get size(): number {
    return this.#items.length;
  }

  push(head: Head): void {
    const items = this.#items;
    items.push(head);
    let at = items.length - 1;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!this.#above(items[at], items[parent])) break;
      [items[at], items[parent]] = [items[parent], items[at]];
      at = parent;
    }
  }

  pop(): Head {
    const items = this.#items;
    const top = items[0];
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      let at = 0;
      for (;;) {
        const left = 2 * at + 1, right = left + 1;
        let best = at;
        if (left < items.length && this.#above(items[left], items[best])) best = left;
        if (right < items.length && this.#above(items[right], items[best])) best = right;
        if (best === at) break;
        [items[at], items[best]] = [items[best], items[at]];
        at = best;
      }
    }
    return top;
  }

  #above(a: Head, b: Head): boolean {
    if (a.adjusted !== b.adjusted) return a.adjusted > b.adjusted;
    return isBetter(a.queue[a.placed], b.queue[b.placed]);
  }
}
