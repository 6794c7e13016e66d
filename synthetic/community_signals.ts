/**
 * What the recommender learns from a synthetic community: its picks, follows and listening as
 * `Signal`s in time order, the same as `db/signals.ts` reads from a seeded database.
 *
 * @example
 * const signals = communitySignals(generateCommunity({ topics: syntheticCatalogue(), now }));
 * signals[0].at <= signals[1].at; // true
 */
import type { ItemRef, Signal } from "../vocabulary/signals.ts";
import type { Community } from "./community.ts";
import { stageByRoom, timeOrder } from "./listening_sessions.ts";

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
