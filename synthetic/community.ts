/**
 * A synthetic Palabre community for demos and for evaluating recommendations, made up from a
 * seed alone. Its behaviour has structure a recommender can learn and that neither popularity
 * nor a member's own picks reveal:
 *
 * - members belong to latent taste groups; each group likes a few topics across categories,
 *   and its members listen to its rooms, also on topics they never picked;
 * - a few hosts in each group draw most of its audience (Zipf popularity), and members keep
 *   going back to a handful of favourite hosts, whom they mostly follow;
 * - taste drifts: a member's second group gets a growing share of their listening;
 * - rooms start and members listen mostly in their local evening;
 * - some listening is noise, in any group's rooms.
 *
 * Everything is deterministic in `seed` and `now`. Sessions live in typed arrays, so 100,000
 * members and 2,000,000 sessions fit comfortably in memory. This module says what a community
 * is; `generator.ts` makes one up and `community_signals.ts` gives what a recommender learns
 * from it.
 *
 * @example
 * const community = generateCommunity({ topics: syntheticCatalogue(), now: Date.now(), seed: 7 });
 * community.sessions.count; // 20000
 * const signals = communitySignals(community); // picks, follows and listens in time order
 */
import type { ListeningSessions } from "./listening_sessions.ts";

export interface CatalogueTopic {
  /** topics.id */
  id: number;
  categoryId: number;
  /** Used in room titles when given. */
  name?: string;
}

export interface CommunityProgress {
  phase: "members" | "rooms" | "listening" | "follows";
  done: number;
  total: number;
}

export interface CommunityOptions {
  topics: CatalogueTopic[];
  /** Milliseconds since the epoch: history ends here, some rooms are live, events come later. */
  now: number;
  seed?: number;
  members?: number;
  /** Listening sessions (rows of `listens`), those of hosts and speakers included. */
  listens?: number;
  /** Days of history before `now`. */
  days?: number;
  onProgress?: (progress: CommunityProgress) => void;
}

export const communityDefaults = { seed: 1, members: 500, listens: 20_000, days: 30 };

export const communityLimits = {
  members: { min: 20, max: 100_000 },
  listens: { min: 200, max: 2_000_000 },
  days: { min: 2, max: 365 },
};

/** A latent taste: the topics a group likes, most liked first, with weights summing to 1. */
export interface TasteGroup {
  topics: number[];
  weights: number[];
}

export interface CommunityMember {
  /** 1..members; also users.id once seeded. */
  id: number;
  handle: string;
  displayName: string;
  /** Index into `groups`: the taste the member mostly listens to. */
  group: number;
  /** A second taste whose share of the member's listening grows over time. */
  secondGroup: number;
  /** Minutes east of UTC. */
  utcOffsetMinutes: number;
  joinedAt: number;
  /** When the member picked their first topics. */
  onboardedAt: number;
  /** 1 for the most popular host of a group, 1/r for the r-th; 0 for members who never host. */
  hostPopularity: number;
}

export interface CommunityRoom {
  /** 1..rooms, in order of start; also rooms.id once seeded. */
  id: number;
  title: string;
  /** Index into `groups`: whose taste the room is for. */
  group: number;
  /** Creator and first moderator. */
  host: number;
  /** Topic ids, one to three. */
  topics: number[];
  /** Members who were on stage as speakers. */
  speakers: number[];
  /** Hosts of a scheduled event besides its creator. */
  cohosts: number[];
  /** Members interested in a scheduled event. */
  interested: number[];
  state: "ended" | "live" | "scheduled";
  /** When it started, or for an event when it is scheduled for (ms). */
  startAt: number;
  /** When it ended, or is meant to end (after `now` for a live room). */
  endAt: number;
}

export interface TopicPick {
  kind: "pick" | "unpick";
  member: number;
  topic: number;
  at: number;
}

export interface FollowChange {
  kind: "follow" | "unfollow";
  member: number;
  person: number;
  at: number;
}

export interface Community {
  seed: number;
  /** Where history starts and ends (ms, whole seconds). */
  startAt: number;
  now: number;
  topics: CatalogueTopic[];
  groups: TasteGroup[];
  members: CommunityMember[];
  rooms: CommunityRoom[];
  sessions: ListeningSessions;
  /** In time order. */
  picks: TopicPick[];
  /** In time order. */
  follows: FollowChange[];
  /** A member with a long listening history, to sign in as in a demo. */
  demoMember: number;
}

/** The shape of Palabre's own catalogue (68 topics in 9 categories), for use without a database. */
export function syntheticCatalogue(): CatalogueTopic[] {
  const perCategory = [8, 8, 8, 8, 6, 6, 8, 8, 8];
  const topics: CatalogueTopic[] = [];
  perCategory.forEach((count, c) => {
    for (let i = 0; i < count; i++) {
      const id = topics.length + 1;
      topics.push({ id, categoryId: c + 1, name: `Topic ${id}` });
    }
  });
  return topics;
}

/** Throws a RangeError saying what is wrong with the options, if anything. */
export function checkCommunityOptions(options: CommunityOptions): void {
  const seed = options.seed ?? communityDefaults.seed;
  if (!Number.isInteger(seed)) throw new RangeError("The seed must be a whole number");
  const sizes = {
    members: options.members ?? communityDefaults.members,
    listens: options.listens ?? communityDefaults.listens,
    days: options.days ?? communityDefaults.days,
  };
  for (const [name, value] of Object.entries(sizes)) {
    const { min, max } = communityLimits[name as keyof typeof sizes];
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new RangeError(
        `${name[0].toUpperCase()}${name.slice(1)} must be a whole number from ${min} to ${max}`,
      );
    }
  }
  if (!Number.isFinite(options.now)) throw new RangeError("Give now in milliseconds");
  const ids = new Set(options.topics.map((t) => t.id));
  if (ids.size < 8 || ids.size !== options.topics.length) {
    throw new RangeError("The catalogue needs at least 8 topics with distinct ids");
  }
}
