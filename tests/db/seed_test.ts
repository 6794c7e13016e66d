import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import { roomViolations } from "./rooms_support.ts";
import { firstAdmin, password } from "./support.ts";
import type { Sql } from "../../db/client.ts";
import { Refusal } from "../../db/errors.ts";
import { hallwayFor } from "../../db/hallway.ts";
import { hashPassword } from "../../db/passwords.ts";
import { sweepAbsent } from "../../db/presence.ts";
import { catalogueTopics, seedCommunity, seedMark } from "../../db/seed.ts";
import { readSignals } from "../../db/signals.ts";
import {
  authenticate,
  handlePattern,
  seededHandlePrefix,
  validateNewMember,
} from "../../db/users.ts";
import { type Community, syntheticCatalogue } from "../../synthetic/community.ts";
import { communitySignals } from "../../synthetic/community_signals.ts";
import { generateCommunity } from "../../synthetic/generator.ts";
import type { Signal } from "../../recommend/signals.ts";

// An evening in the past, so that every run makes the same community.
const pastEvening = Date.UTC(2025, 4, 20, 19, 30);
let passwordHash: Promise<string> | undefined;

async function smallCommunity(sql: Sql, options: { seed?: number; now?: number } = {}) {
  return generateCommunity({
    topics: await catalogueTopics(sql),
    now: options.now ?? pastEvening,
    seed: options.seed ?? 3,
    members: 60,
    listens: 1_500,
    days: 5,
  });
}

async function seed(sql: Sql, community: Community, options: { replace?: boolean } = {}) {
  passwordHash ??= hashPassword(password);
  await seedCommunity(sql, community, { passwordHash: await passwordHash, ...options });
}

const refusedWith = (code: string) => (e: unknown) => e instanceof Refusal && e.code === code;

async function counts(sql: Sql) {
  const [row] = await sql`
    select (select count(*)::int from users) as members,
           (select count(*)::int from rooms) as rooms,
           (select count(*)::int from listens) as listens`;
  return row;
}

dbTest("a seeded community keeps every rule rooms keep", async (sql) => {
  const community = await smallCommunity(sql);
  await seed(sql, community);
  assert.deepEqual(await roomViolations(sql), []);
  assert.deepEqual(await counts(sql), {
    members: community.members.length,
    rooms: community.rooms.length,
    listens: community.sessions.count,
  });
  const states = await sql`
    select state, count(*)::int as rooms,
           count(*) filter (where exists (select 1 from participants p where p.room_id = r.id))::int
             as occupied,
           count(*) filter (where exists (select 1 from room_hosts h where h.room_id = r.id))::int
             as hosted
    from rooms r group by state order by state`;
  const rooms = (state: string) => community.rooms.filter((r) => r.state === state).length;
  // People are only in live rooms, and only events have hosts.
  assert.deepEqual(states.map((s) => ({ ...s })), [
    { state: "ended", rooms: rooms("ended"), occupied: 0, hosted: 0 },
    { state: "live", rooms: rooms("live"), occupied: rooms("live"), hosted: 0 },
    { state: "scheduled", rooms: rooms("scheduled"), occupied: 0, hosted: rooms("scheduled") },
  ]);
});

dbTest("a seeding that fails leaves nothing behind", async (sql) => {
  const community = await smallCommunity(sql);
  community.rooms.at(-1)!.topics = [999_999];
  await assert.rejects(seed(sql, community), /foreign key/);
  assert.deepEqual(await counts(sql), { members: 0, rooms: 0, listens: 0 });
  assert.equal(await seedMark(sql), null);
});

dbTest(
  "seeded members keep their ids and handles and sign in with the shared password",
  async (sql) => {
    const community = await smallCommunity(sql);
    await seed(sql, community);
    const members = await sql`select id, handle from users order by id`;
    assert.deepEqual(
      members.map((m) => [m.id, m.handle]),
      community.members.map((m) => [m.id, m.handle]),
    );
    const demo = community.members[community.demoMember - 1];
    const signedIn = await authenticate(sql, demo.handle, password);
    assert.equal(signedIn.isAdmin, true);
    assert.equal(signedIn.onboarded, true);
    const [{ admins }] = await sql`select count(*)::int as admins from users where is_admin`;
    assert.equal(admins, 1);
  },
);

dbTest("signals read from a seeded database are the community's own", async (sql) => {
  const community = await smallCommunity(sql);
  await seed(sql, community);
  const expected = communitySignals(community);
  const read = await readSignals(sql, { now: community.now });
  assert.ok(expected.some((s) => s.kind === "listen" && s.item.kind === "person"));
  assert.ok(expected.some((s) => s.kind === "unfollow"));
  assert.deepEqual(read.map(describe).sort(), expected.map(describe).sort());
  assert.deepEqual(read.map((s) => s.at), [...read.map((s) => s.at)].sort((a, b) => a - b));
});

dbTest("listens still going count up to the database's clock by default", async (sql) => {
  const community = await smallCommunity(sql);
  await seed(sql, community);
  const listened = (signals: Signal[]) =>
    signals.reduce((sum, s) => sum + (s.kind === "listen" ? s.seconds : 0), 0);
  const thenSeconds = listened(await readSignals(sql, { now: community.now }));
  const [{ ongoing }] = await sql`
    select count(*)::int as ongoing from listens where ended_at is null`;
  assert.ok(ongoing > 0);
  // The community's evening is in the past: every open listen has run on since.
  assert.ok(listened(await readSignals(sql)) > thenSeconds + ongoing * 86_400);
});

dbTest("a seeded database is not seeded again unless it is replaced", async (sql) => {
  const first = await smallCommunity(sql, { seed: 3 });
  await seed(sql, first);
  const second = await smallCommunity(sql, { seed: 4 });
  await assert.rejects(seed(sql, second), refusedWith("conflict"));
  assert.equal((await seedMark(sql))?.seed, 3);
  const [{ handle }] = await sql`select handle from users order by id limit 1`;
  assert.equal(handle, first.members[0].handle);

  await seed(sql, second, { replace: true });
  assert.equal((await seedMark(sql))?.seed, 4);
  assert.deepEqual(await counts(sql), {
    members: second.members.length,
    rooms: second.rooms.length,
    listens: second.sessions.count,
  });
  assert.deepEqual(await roomViolations(sql), []);
});

dbTest("a database with real members is never seeded, even to replace", async (sql) => {
  const ada = await firstAdmin(sql);
  const community = await smallCommunity(sql);
  await assert.rejects(seed(sql, community), refusedWith("conflict"));
  await assert.rejects(seed(sql, community, { replace: true }), refusedWith("conflict"));
  assert.deepEqual((await sql`select id from users`).map((r) => r.id), [ada.id]);
  assert.equal(await seedMark(sql), null);
});

dbTest("seeded members still in live rooms stay until they mean to leave", async (sql) => {
  const community = await smallCommunity(sql, { now: Date.now() });
  await seed(sql, community);
  const seats = async () =>
    (await sql`select room_id, user_id from participants order by 1, 2`).map((r) => ({ ...r }));
  const before = await seats();
  assert.ok(before.length > 0);
  assert.deepEqual(await sweepAbsent(sql, { timeoutMs: 30_000 }), []);
  assert.deepEqual(await seats(), before);
  const live = community.rooms.filter((r) => r.state === "live").map((r) => r.id);
  const listed = (await hallwayFor(sql, community.demoMember)).live.map((r) => r.id);
  assert.deepEqual(listed.sort((a, b) => a - b), live);
});

Deno.test("nobody signs up with a seeded handle", async () => {
  const community = generateCommunity({ topics: syntheticCatalogue(), now: pastEvening });
  for (const member of community.members) {
    assert.match(member.handle, handlePattern);
    assert.ok(member.handle.startsWith(seededHandlePrefix), member.handle);
  }
  const handle = community.members[0].handle;
  await assert.rejects(
    validateNewMember({ handle, displayName: "Someone", password }),
    (e) => e instanceof Refusal && e.field === "handle",
  );
});

function describe(signal: Signal): string {
  const seconds = signal.kind === "listen" ? `:${signal.seconds}` : "";
  return `${signal.kind}:${signal.user}:${signal.item.kind}${signal.item.id}@${signal.at}${seconds}`;
}
