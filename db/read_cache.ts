/**
 * The reads a signed-in page makes on every request (who the session belongs to, the
 * member's hallway and picked topics, a profile), kept in this process's memory so that
 * reading a page usually costs no query at all.
 *
 * Correctness comes from change events, not from time: every write that could change a
 * cached read notifies (db/events.ts) which members it touched, or that rooms changed, and
 * every process drops the affected entries when it hears that. The process that wrote also
 * drops them at once (`forget`), without waiting for its own notification. A read that was
 * in flight while anything was dropped is returned but not kept, so a slow read can never
 * put back what a change just removed. The expiry is only a safety net for a notification
 * lost with a broken connection.
 *
 * @example
 * const reads = new ReadCache(db.sql, (id) => ranker.hallwayFor(id), db.events);
 * const member = await reads.sessionMember(token); // a query the first time, then none
 * reads.forget({ members: [member.id] });          // after this process changed that member
 */
import type { Sql } from "./client.ts";
import type { ChangeEvent, EventHub } from "./events.ts";
import type { Member } from "./users.ts";
// Types only: the hallway's order comes from the recommender, handed in as `HallwayLoader`.
import type { RankedHallway } from "../recommend/hallway.ts";
import { pickedTopics, type Topic } from "./topics.ts";
import { type Profile, profile } from "./profiles.ts";
import { sessionLookup } from "./sessions.ts";
import { siteLanguage } from "./site_settings.ts";
import { pendingWarnings, type Warning } from "./warnings.ts";
import type { Language } from "../i18n/language.ts";

/** The reads pages make, cached or not: routes use this and do not know which. */
export interface Reads {
  sessionMember(token: string | undefined): Promise<Member | null>;
  hallwayFor(memberId: number): Promise<RankedHallway>;
  pickedTopics(memberId: number): Promise<Topic[]>;
  profile(viewerId: number, handle: string): Promise<Profile | null>;
  /** The site's language, which pages speak to people who chose none (db/site_settings.ts). */
  siteLanguage(): Promise<Language>;
  /** The member's warnings not dismissed, which every page of theirs shows (db/warnings.ts). */
  pendingWarnings(memberId: number): Promise<Warning[]>;
}

/** A member's hallway in their order (recommend/hallway.ts). */
export type HallwayLoader = (memberId: number) => Promise<RankedHallway>;

/** Straight to the database: for requests that write, and for anything that must be exact. */
export function directReads(sql: Sql, hallway: HallwayLoader): Reads {
  return {
    sessionMember: async (token) => (await sessionLookup(sql, token))?.member ?? null,
    hallwayFor: hallway,
    pickedTopics: (memberId) => pickedTopics(sql, memberId),
    profile: (viewerId, handle) => profile(sql, viewerId, handle),
    siteLanguage: () => siteLanguage(sql),
    pendingWarnings: (memberId) => pendingWarnings(sql, memberId),
  };
}

export interface ReadCacheOptions {
  /** Safety net: an entry is read again after this long even if no change was heard. */
  maxAgeMs?: number;
  /** Entries kept at most; the oldest go first. */
  maxEntries?: number;
}

type Loaded<T> = Omit<Entry, "storedAt" | "value"> & { value: T };

interface Entry {
  value: unknown;
  storedAt: number;
  /** Members whose changes make this entry wrong. */
  members: number[];
  /** Whether any room change makes it wrong (hallways). */
  rooms: boolean;
  /** When the thing itself stops being true (a session's expiry), in ms since the epoch. */
  validUntil: number;
}

export class ReadCache implements Reads {
  #sql: Sql;
  #hallway: HallwayLoader;
  #entries = new Map<string, Entry>();
  /** Keys by the member they depend on, to drop them without scanning everything. */
  #byMember = new Map<number, Set<string>>();
  /** Bumped whenever anything is dropped; an in-flight read seeing it move is not kept. */
  #generation = 0;
  #maxAgeMs: number;
  #maxEntries: number;
  #unsubscribe: () => void;

  constructor(
    sql: Sql,
    hallway: HallwayLoader,
    events: EventHub,
    options: ReadCacheOptions = {},
  ) {
    this.#sql = sql;
    this.#hallway = hallway;
    this.#maxAgeMs = options.maxAgeMs ?? 30_000;
    this.#maxEntries = options.maxEntries ?? 20_000;
    this.#unsubscribe = events.subscribe((event) => this.forget(event));
  }

  close(): void {
    this.#unsubscribe();
    this.#entries.clear();
    this.#byMember.clear();
  }

  get size(): number {
    return this.#entries.size;
  }

  sessionMember(token: string | undefined): Promise<Member | null> {
    // Unknown tokens are not kept: a guest or an attacker must not fill the cache.
    if (!token || token.length > 100) return Promise.resolve(null);
    return this.#read(`session:${token}`, async () => {
      const found = await sessionLookup(this.#sql, token);
      if (!found) return null;
      return {
        value: found.member,
        members: [found.member.id],
        rooms: false,
        validUntil: found.expiresAt.getTime(),
      };
    });
  }

  async hallwayFor(memberId: number): Promise<RankedHallway> {
    // Never null: the loader always has a hallway to keep.
    return (await this.#read(`hallway:${memberId}`, async () => ({
      value: await this.#hallway(memberId),
      members: [memberId],
      rooms: true,
      validUntil: Infinity,
    })))!;
  }

  async pickedTopics(memberId: number): Promise<Topic[]> {
    return (await this.#read(`topics:${memberId}`, async () => ({
      value: await pickedTopics(this.#sql, memberId),
      members: [memberId],
      rooms: false,
      validUntil: Infinity,
    })))!;
  }

  profile(viewerId: number, handle: string): Promise<Profile | null> {
    return this.#read(`profile:${viewerId}:${handle.toLowerCase()}`, async () => {
      const found = await profile(this.#sql, viewerId, handle);
      if (!found) return null;
      return { value: found, members: [viewerId, found.id], rooms: false, validUntil: Infinity };
    });
  }

  async siteLanguage(): Promise<Language> {
    // Changing it notifies the hallway (its order depends on it), which drops this entry too.
    return (await this.#read("site:language", async () => ({
      value: await siteLanguage(this.#sql),
      members: [],
      rooms: true,
      validUntil: Infinity,
    })))!;
  }

  async pendingWarnings(memberId: number): Promise<Warning[]> {
    // Warning and dismissing notify the member: every page read them, a query each.
    return (await this.#read(`warnings:${memberId}`, async () => ({
      value: await pendingWarnings(this.#sql, memberId),
      members: [memberId],
      rooms: false,
      validUntil: Infinity,
    })))!;
  }

  /** Drops what `event` may have made wrong. Called for every change heard, and by writers. */
  forget(event: ChangeEvent): void {
    this.#generation++;
    // A new model or new weights reorder every hallway, as any room change may.
    if (event.room !== undefined || event.hallway || event.model) {
      for (const [key, entry] of this.#entries) if (entry.rooms) this.#drop(key, entry);
    }
    for (const memberId of event.members ?? []) {
      for (const key of this.#byMember.get(memberId) ?? []) {
        const entry = this.#entries.get(key);
        if (entry) this.#drop(key, entry);
      }
    }
  }

  /**
   * The cached value for `key`, or `load`'s. `load` returning null means "nothing to keep";
   * the value is then null too.
   */
  async #read<T>(key: string, load: () => Promise<Loaded<T> | null>): Promise<T | null> {
    const now = Date.now();
    const cached = this.#entries.get(key);
    if (cached) {
      if (now - cached.storedAt < this.#maxAgeMs && now < cached.validUntil) {
        return cached.value as T;
      }
      this.#drop(key, cached);
    }
    const generation = this.#generation;
    const loaded = await load();
    if (!loaded) return null;
    if (generation === this.#generation && Date.now() < loaded.validUntil) {
      this.#store(key, { ...loaded, storedAt: now });
    }
    return loaded.value;
  }

  #store(key: string, entry: Entry): void {
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next().value!;
      this.#drop(oldest, this.#entries.get(oldest)!);
    }
    this.#entries.set(key, entry);
    for (const memberId of entry.members) {
      let keys = this.#byMember.get(memberId);
      if (!keys) this.#byMember.set(memberId, keys = new Set());
      keys.add(key);
    }
  }

  #drop(key: string, entry: Entry): void {
    this.#entries.delete(key);
    for (const memberId of entry.members) {
      const keys = this.#byMember.get(memberId);
      keys?.delete(key);
      if (keys?.size === 0) this.#byMember.delete(memberId);
    }
  }
}
