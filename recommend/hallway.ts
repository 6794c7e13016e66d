/**
 * The hallway in the member's order: the rooms and events db/hallway.ts lists, ranked by
 * recommend/rank.ts with the applied model (when there is one) and the admin's weights, each
 * with its reason. Without a model the boosts alone order it (people you follow, your topics,
 * size, freshness), so a new community's hallway still makes sense.
 *
 * @example
 * const ranker = new HallwayRanker(sql, { setup: () => appliedModel.current() });
 * const hallway = await ranker.hallwayFor(grace.id);
 * hallway.live[0].rank.reason; // { kind: "follows", personId: 1 }
 */
import type { Sql } from "../db/client.ts";
import { listenedSeconds } from "../db/listening.ts";
import type { RankingSetup } from "./applied_model.ts";
import { type Hallway, type HallwayEvent, hallwayFor, type HallwayRoom } from "../db/hallway.ts";
import {
  defaultRankWeights,
  type HallwayRoom as RankInput,
  type ItemVectors,
  rankHallway,
  type RankWeights,
  type Reason,
  type ScoreTerms,
  type Viewer,
} from "./rank.ts";

export interface Ranking {
  reason: Reason;
  terms: ScoreTerms;
}

export interface RankedHallway extends Hallway {
  live: (HallwayRoom & { rank: Ranking })[];
  upcoming: (HallwayEvent & { rank: Ranking })[];
}

export interface HallwayRankerOptions {
  /** The applied model and the weights in use (recommend/applied_model.ts). */
  setup?: () => Promise<RankingSetup>;
  now?: () => number;
}

export class HallwayRanker {
  #sql: Sql;
  #options: HallwayRankerOptions;

  constructor(sql: Sql, options: HallwayRankerOptions = {}) {
    this.#sql = sql;
    this.#options = options;
  }

  async hallwayFor(memberId: number): Promise<RankedHallway> {
    const [hallway, setup] = await Promise.all([
      hallwayFor(this.#sql, memberId),
      this.#options.setup?.() ?? { model: null, weights: defaultRankWeights },
    ]);
    // The member's vector is folded in from their evidence as it is now, even when the model
    // was trained on them: what they paused, cleared, picked or followed since counts at once.
    const vector = setup.model?.foldIn({
      pickedTopics: hallway.viewer.pickedTopics,
      follows: hallway.viewer.follows,
      listened: await listenedSeconds(this.#sql, memberId),
    });
    return orderHallway(hallway, {
      weights: setup.weights,
      vectors: setup.model?.vectors,
      vector,
      now: this.#options.now?.() ?? Date.now(),
    });
  }
}

/** Ranks the live rooms and, separately, the upcoming events of one member's hallway. */
export function orderHallway(
  hallway: Hallway,
  options: { weights: RankWeights; vectors?: ItemVectors; vector?: Float64Array; now: number },
): RankedHallway {
  const viewer: Viewer = {
    vector: options.vector,
    follows: new Set(hallway.viewer.follows),
    notInterested: new Set(hallway.live.filter((r) => r.notInterested).map((r) => r.id)),
    pickedTopics: new Set(hallway.viewer.pickedTopics),
    languages: new Set([hallway.viewer.language]),
  };
  const rank = { now: options.now, vectors: options.vectors, weights: options.weights };
  const ranked = <T extends { id: number }>(items: T[], input: (item: T) => RankInput) =>
    inOrder(items, rankHallway(items.map(input), viewer, rank));
  const live = ranked(hallway.live, (r) => ({
    id: r.id,
    topicIds: r.topics.map((t) => t.id),
    stageIds: r.stage.map((p) => p.id),
    listeners: r.listenerCount,
    startsAt: r.startedAt.getTime(),
    language: r.language,
  }));
  // An event's hosts stand for its stage, and those who said they will come for its audience.
  const upcoming = ranked(hallway.upcoming, (e) => ({
    id: e.id,
    topicIds: e.topics.map((t) => t.id),
    stageIds: e.hosts.map((p) => p.id),
    listeners: e.interested,
    startsAt: e.startsAt.getTime(),
  }));
  return { ...hallway, live, upcoming };
}

function inOrder<T extends { id: number }>(
  listed: T[],
  ranked: { id: number; reason: Reason; terms: ScoreTerms }[],
): (T & { rank: Ranking })[] {
  const byId = new Map(listed.map((item) => [item.id, item]));
  return ranked.map((r) => ({ ...byId.get(r.id)!, rank: { reason: r.reason, terms: r.terms } }));
}
