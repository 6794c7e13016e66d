import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import { firstAdmin, invitedMember } from "./support.ts";
import { openDatabase, type Sql } from "../../db/client.ts";
import { HallwayRanker } from "../../recommend/hallway.ts";
import type { ChangeEvent, EventHub } from "../../db/events.ts";
import { ReadCache } from "../../db/read_cache.ts";
import { endAllSessions, endSession, startSession } from "../../db/sessions.ts";
import { follow } from "../../db/profiles.ts";
import { updateProfile } from "../../db/users.ts";
import { setPicks } from "../../db/topics.ts";
import { block } from "../../db/safety.ts";
import { setSiteLanguage } from "../../db/site_settings.ts";

const ttl = { ttlMs: 60_000 };

function rankedHallway(sql: Sql) {
  const ranker = new HallwayRanker(sql);
  return (memberId: number) => ranker.hallwayFor(memberId);
}

/** Resolves when `events` delivers an event naming `memberId` (subscribe before the write). */
function heard(events: EventHub, test: (event: ChangeEvent) => boolean): Promise<void> {
  return new Promise((resolve) => {
    const stop = events.subscribe((event) => {
      if (test(event)) {
        stop();
        resolve();
      }
    });
  });
}

const names = (id: number) => (event: ChangeEvent) => event.members?.includes(id) ?? false;

dbTest("a cached read costs no query: a change made behind the cache's back is not seen", async (
  sql,
  db,
) => {
  const ada = await firstAdmin(sql);
  const cache = new ReadCache(sql, rankedHallway(sql), db.events);
  try {
    const token = await startSession(sql, ada.id, ttl);
    assert.equal((await cache.sessionMember(token))?.displayName, "Ada Lovelace");
    // No notification: only a cache would still answer with the old name.
    await sql`update users set display_name = 'Changed Quietly' where id = ${ada.id}`;
    assert.equal((await cache.sessionMember(token))?.displayName, "Ada Lovelace");
    cache.forget({ members: [ada.id] });
    assert.equal((await cache.sessionMember(token))?.displayName, "Changed Quietly");
  } finally {
    cache.close();
  }
});

dbTest("unknown and expired sessions are not kept", async (sql, db) => {
  const ada = await firstAdmin(sql);
  const cache = new ReadCache(sql, rankedHallway(sql), db.events);
  try {
    assert.equal(await cache.sessionMember("made-up"), null);
    assert.equal(await cache.sessionMember(undefined), null);
    assert.equal(cache.size, 0);
    const expired = await startSession(sql, ada.id, { ttlMs: -1 });
    assert.equal(await cache.sessionMember(expired), null);
    assert.equal(cache.size, 0);
  } finally {
    cache.close();
  }
});

dbTest("a session read again after it expired is refused, even from the cache", async (
  sql,
  db,
) => {
  const ada = await firstAdmin(sql);
  const cache = new ReadCache(sql, rankedHallway(sql), db.events);
  try {
    const token = await startSession(sql, ada.id, { ttlMs: 300 });
    assert.equal((await cache.sessionMember(token))?.id, ada.id);
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(await cache.sessionMember(token), null);
  } finally {
    cache.close();
  }
});

dbTest("signing out, everywhere or here, is heard by another process's cache", async (sql, db) => {
  const ada = await firstAdmin(sql);
  // On PostgreSQL a second pool with its own LISTEN connection stands for a second process.
  const other = db.url ? await openDatabase({ url: db.url, max: 2 }) : undefined;
  const theirs = new ReadCache(
    other?.sql ?? sql,
    rankedHallway(other?.sql ?? sql),
    other?.events ?? db.events,
  );
  const theirEvents = other?.events ?? db.events;
  try {
    const phone = await startSession(sql, ada.id, ttl);
    const laptop = await startSession(sql, ada.id, ttl);
    assert.equal((await theirs.sessionMember(phone))?.id, ada.id);
    assert.equal((await theirs.sessionMember(laptop))?.id, ada.id);

    let told = heard(theirEvents, names(ada.id));
    await endSession(sql, phone);
    await told;
    assert.equal(await theirs.sessionMember(phone), null);
    assert.equal((await theirs.sessionMember(laptop))?.id, ada.id);

    told = heard(theirEvents, names(ada.id));
    await endAllSessions(sql, ada.id);
    await told;
    assert.equal(await theirs.sessionMember(laptop), null);
  } finally {
    theirs.close();
    await other?.close();
  }
});

dbTest("profile edits, picks, follows and blocks each drop the reads they change", async (
  sql,
  db,
) => {
  const ada = await firstAdmin(sql);
  const grace = await invitedMember(sql, ada.id, "grace");
  const cache = new ReadCache(sql, rankedHallway(sql), db.events);
  try {
    const adaSeenByGrace = async () => (await cache.profile(grace.id, "ada"))!;
    assert.equal((await adaSeenByGrace()).followers, 0);

    let told = heard(db.events, names(ada.id));
    await follow(sql, grace.id, "ada");
    await told;
    assert.equal((await adaSeenByGrace()).followers, 1);
    assert.equal((await adaSeenByGrace()).followedByViewer, true);

    told = heard(db.events, names(ada.id));
    await updateProfile(sql, ada.id, { displayName: "Ada L.", bio: "Engines" });
    await told;
    assert.equal((await adaSeenByGrace()).displayName, "Ada L.");

    assert.deepEqual(await cache.pickedTopics(grace.id), []);
    told = heard(db.events, names(grace.id));
    await setPicks(sql, grace.id, ["jazz", "chess", "astronomy"]);
    await told;
    assert.equal((await cache.pickedTopics(grace.id)).length, 3);

    told = heard(db.events, names(ada.id));
    await block(sql, grace.id, "ada");
    await told;
    assert.equal((await adaSeenByGrace()).blockedByViewer, true);
  } finally {
    cache.close();
  }
});

dbTest("a room change drops every hallway, and only hallways", async (sql, db) => {
  const ada = await firstAdmin(sql);
  const cache = new ReadCache(sql, rankedHallway(sql), db.events);
  try {
    const token = await startSession(sql, ada.id, ttl);
    await cache.sessionMember(token);
    await cache.hallwayFor(ada.id);
    assert.equal(cache.size, 2);
    cache.forget({ room: 7 });
    assert.equal(cache.size, 1, "the session stays");
    assert.equal((await cache.sessionMember(token))?.id, ada.id);
  } finally {
    cache.close();
  }
});

dbTest("a read in flight while a change is heard is returned but not kept", async (sql, db) => {
  const ada = await firstAdmin(sql);
  const cache = new ReadCache(sql, rankedHallway(sql), db.events);
  try {
    const token = await startSession(sql, ada.id, ttl);
    const reading = cache.sessionMember(token);
    cache.forget({ members: [ada.id] });
    assert.equal((await reading)?.id, ada.id);
    assert.equal(cache.size, 0);
    await cache.sessionMember(token);
    assert.equal(cache.size, 1);
  } finally {
    cache.close();
  }
});

dbTest("the cache keeps at most its number of entries, dropping the oldest", async (sql, db) => {
  const ada = await firstAdmin(sql);
  const cache = new ReadCache(sql, rankedHallway(sql), db.events, { maxEntries: 2 });
  try {
    const tokens = [];
    for (let i = 0; i < 3; i++) tokens.push(await startSession(sql, ada.id, ttl));
    for (const token of tokens) await cache.sessionMember(token);
    assert.equal(cache.size, 2);
    // The oldest was dropped: reading it again is a query that sees a change made meanwhile.
    await sql`update users set display_name = 'Ada Again' where id = ${ada.id}`;
    assert.equal((await cache.sessionMember(tokens[0]))?.displayName, "Ada Again");
    assert.equal((await cache.sessionMember(tokens[2]))?.displayName, "Ada Lovelace");
  } finally {
    cache.close();
  }
});

dbTest("the site language is read once, and again after an administrator changes it", async (
  sql,
  db,
) => {
  const ada = await firstAdmin(sql);
  const cache = new ReadCache(sql, rankedHallway(sql), db.events);
  try {
    assert.equal(await cache.siteLanguage(), "en");
    // Behind the cache's back: a page for someone who chose no language costs no query.
    await sql`insert into settings (key, value) values ('site_language', '"fr"')
              on conflict (key) do update set value = excluded.value`;
    assert.equal(await cache.siteLanguage(), "en");
    const changed = heard(db.events, (event) => event.hallway === true);
    await setSiteLanguage(sql, ada.id, "en");
    await setSiteLanguage(sql, ada.id, "fr");
    await changed;
    assert.equal(await cache.siteLanguage(), "fr");
  } finally {
    cache.close();
  }
});
