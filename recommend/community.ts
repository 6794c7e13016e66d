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
 * members and 2,000,000 sessions fit comfortably in memory.
 *
 * @example
 * const community = generateCommunity({ topics: syntheticCatalogue(), now: Date.now(), seed: 7 });
 * community.sessions.count; // 20000
 * const signals = communitySignals(community); // picks, follows and listens in time order
 */
import type { ItemRef, Signal } from "./signals.ts";
import { Draft } from "./community_draft.ts";
import { type ListeningSessions, stageByRoom, timeOrder } from "./listening_sessions.ts";

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

/** Makes up a community; see the module comment for what it looks like. */
export function generateCommunity(options: CommunityOptions): Community {
  checkCommunityOptions(options);
  return new Draft({
    seed: options.seed ?? communityDefaults.seed,
    members: options.members ?? communityDefaults.members,
    listens: options.listens ?? communityDefaults.listens,
    days: options.days ?? communityDefaults.days,
    topics: options.topics,
    nowSec: Math.floor(options.now / 1000),
    onProgress: options.onProgress ?? (() => {}),
  }).generate();
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

/**
 * What the recommender learns from the community, in time order: picks and unpicks, follows
 * and unfollows, and for each listening session one `listen` per room topic (the session's
 * seconds) and one per other person on stage during it (the seconds they overlapped), both
 * counted up to `now` for sessions still going. `db/signals.ts` reads the same from a
 * seeded database.
 */
export function communitySignals(community: Community): Signal[] {
  const { sessions, rooms, now } = community;
  const stage = stageByRoom(sessions, rooms.length);
  const log = new SignalLog(community.picks.length + community.follows.length + 4 * sessions.count);
  for (const p of community.picks) {
    log.add(p.kind === "pick" ? pick : unpick, p.member, topic, p.topic, p.at, 0);
  }
  for (const f of community.follows) {
    log.add(f.kind === "follow" ? follow : unfollow, f.member, person, f.person, f.at, 0);
  }
  for (let s = 0; s < sessions.count; s++) {
    const member = sessions.member[s];
    const from = sessions.startAt[s];
    const to = Math.min(sessions.endAt[s], now);
    if (to <= from) continue;
    const room = sessions.room[s];
    for (const t of rooms[room - 1].topics) {
      log.add(listen, member, topic, t, from, (to - from) / 1000);
    }
    for (let k = stage.start[room]; k < stage.start[room + 1]; k++) {
      const other = stage.sessions[k];
      if (sessions.member[other] === member) continue;
      const heardFrom = Math.max(from, sessions.startAt[other]);
      const heardTo = Math.min(to, sessions.endAt[other], now);
      if (heardTo > heardFrom) {
        log.add(
          listen,
          member,
          person,
          sessions.member[other],
          heardFrom,
          (heardTo - heardFrom) / 1000,
        );
      }
    }
  }
  return log.signals(community);
}

const pick = 0;
const unpick = 1;
const follow = 2;
const unfollow = 3;
const listen = 4;
const signalKinds = ["pick", "unpick", "follow", "unfollow", "listen"] as const;
const topic = 0;
const person = 1;

/** Signals as columns while they are collected, so that sorting millions costs little. */
class SignalLog {
  count = 0;
  kind: Uint8Array;
  user: Int32Array;
  itemKind: Uint8Array;
  itemId: Int32Array;
  at: Float64Array;
  seconds: Float64Array;

  constructor(capacity: number) {
    this.kind = new Uint8Array(capacity);
    this.user = new Int32Array(capacity);
    this.itemKind = new Uint8Array(capacity);
    this.itemId = new Int32Array(capacity);
    this.at = new Float64Array(capacity);
    this.seconds = new Float64Array(capacity);
  }

  add(kind: number, user: number, itemKind: number, itemId: number, at: number, seconds: number) {
    if (this.count === this.at.length) this.grow();
    const i = this.count++;
    this.kind[i] = kind;
    this.user[i] = user;
    this.itemKind[i] = itemKind;
    this.itemId[i] = itemId;
    this.at[i] = at;
    this.seconds[i] = seconds;
  }

  grow(): void {
    const size = 2 * this.at.length + 1024;
    const bigger = <T extends Uint8Array | Int32Array | Float64Array>(
      a: T,
      make: (n: number) => T,
    ) => {
      const b = make(size);
      b.set(a);
      return b;
    };
    this.kind = bigger(this.kind, (n) => new Uint8Array(n));
    this.user = bigger(this.user, (n) => new Int32Array(n));
    this.itemKind = bigger(this.itemKind, (n) => new Uint8Array(n));
    this.itemId = bigger(this.itemId, (n) => new Int32Array(n));
    this.at = bigger(this.at, (n) => new Float64Array(n));
    this.seconds = bigger(this.seconds, (n) => new Float64Array(n));
  }

  /** As `Signal` objects in time order; each item is one shared object. */
  signals(community: Community): Signal[] {
    const topics = new Map<number, ItemRef>(
      community.topics.map((t) => [t.id, { kind: "topic", id: t.id }]),
    );
    const people: ItemRef[] = [{ kind: "person", id: 0 }];
    for (const m of community.members) people.push({ kind: "person", id: m.id });
    const order = timeOrder(this.at, this.count, community.startAt);
    const signals: Signal[] = new Array(this.count);
    for (let k = 0; k < this.count; k++) {
      const i = order[k];
      const item = this.itemKind[i] === topic
        ? topics.get(this.itemId[i])!
        : people[this.itemId[i]];
      const kind = signalKinds[this.kind[i]];
      signals[k] = kind === "listen"
        ? { kind, user: this.user[i], item, at: this.at[i], seconds: this.seconds[i] }
        : { kind, user: this.user[i], item, at: this.at[i] };
    }
    return signals;
  }
}
