/**
 * Deleting one's own account: every column of db/member_columns.ts is checked against its
 * policy, so a column added to the list is checked here with no new test code.
 */
import assert from "node:assert/strict";
import type { Sql } from "../../db/client.ts";
import { type AccountDeletion, deleteAccount } from "../../db/account_deletion.ts";
import { Refusal } from "../../db/errors.ts";
import { createInvite, signUpWithInvite } from "../../db/invites.ts";
import { memberColumns } from "../../db/member_columns.ts";
import { follow } from "../../db/profiles.ts";
import { scheduleEvent } from "../../db/rooms.ts";
import { startSession } from "../../db/sessions.ts";
import { search } from "../../db/search.ts";
import type { Member } from "../../db/users.ts";
import { dbTest, type TestDatabase } from "../support/databases.ts";
import { rateLimits } from "../support/rate_limits.ts";
import { memberInEveryColumn, rowsNaming } from "./member_fixture.ts";
import { cast, refusedWith, roles } from "./rooms_support.ts";
import { dayMs, password } from "./support.ts";

const handleReservedMs = 30 * dayMs;

/** A deletion as the settings page asks for it, from one address. */
function deletion(member: Member, typed = password): AccountDeletion {
  return {
    memberId: member.id,
    handle: member.handle,
    password: typed,
    keys: { address: "a:1", handle: `h:${member.handle}`, pair: `p:${member.handle}:1` },
    limits: rateLimits.signIn,
    handleReservedMs,
  };
}

async function signUp(sql: Sql, inviterId: number, handle: string): Promise<Member> {
  const invite = await createInvite(sql, inviterId, { ttlMs: dayMs });
  return await signUpWithInvite(sql, invite.token, { handle, displayName: handle, password });
}

dbTest("deleting an account does what db/member_columns.ts says to every column", async (sql) => {
  const { mallory } = await memberInEveryColumn(sql);
  const before = await rowsNaming(sql, mallory.id);
  await deleteAccount(sql, deletion(mallory));
  const after = await rowsNaming(sql, mallory.id);
  for (const { table, column, deletion: policy } of memberColumns) {
    const name = `${table}.${column}`;
    if (policy === "delete" || policy === "leave") {
      assert.equal(after.get(name), 0, `${name} (${policy}) still names the deleted member`);
    } else if (policy === "keep") {
      // The fixture's event has no co-host (one that has passes to them: tested below).
      assert.equal(after.get(name), before.get(name), `${name} (keep) lost rows`);
    } else {
      const [row] = await sql.unsafe(`select * from ${table} where ${column} = $1`, [mallory.id]);
      assert.ok(row.deleted_at instanceof Date, `${name} (empty) has no deleted_at`);
      assert.deepEqual(
        [row.handle, row.display_name, row.bio, row.password_hash, row.invited_by],
        [null, null, "", null, null],
      );
      assert.deepEqual([row.is_admin, row.language, row.listening_paused], [false, null, false]);
    }
  }
});

dbTest("the live room she hosted passes to Grace, who moderates it", async (sql) => {
  const { mallory, malloryRoom } = await memberInEveryColumn(sql);
  await deleteAccount(sql, deletion(mallory));
  const [room] = await sql`select state from rooms where id = ${malloryRoom}`;
  assert.equal(room.state, "live");
  assert.deepEqual(await roles(sql, malloryRoom), { grace: "moderator" });
});

dbTest("her unused invites are revoked and Ivan's used one stays", async (sql) => {
  const { mallory, ivan } = await memberInEveryColumn(sql);
  await deleteAccount(sql, deletion(mallory));
  const invites = await sql`select used_by, revoked_at from invites
                            where creator_id = ${mallory.id} order by id`;
  assert.deepEqual(invites.map((i) => [i.used_by, i.revoked_at !== null]), [
    [ivan.id, false],
    [null, true],
  ]);
  const [row] = await sql`select invited_by from users where id = ${ivan.id}`;
  assert.equal(row.invited_by, mallory.id);
});

dbTest("her sessions are gone and her event with nobody else to host is cancelled", async (sql) => {
  const { mallory, malloryEvent } = await memberInEveryColumn(sql);
  await startSession(sql, mallory.id, { ttlMs: dayMs });
  await deleteAccount(sql, deletion(mallory));
  const [{ count }] = await sql`select count(*)::int as count from sessions
                                where user_id = ${mallory.id}`;
  assert.equal(count, 0);
  const [event] = await sql`select state from rooms where id = ${malloryEvent}`;
  assert.equal(event.state, "ended");
});

dbTest("an event with a co-host passes to them and stays to come", async (sql) => {
  const { grace, olga } = await cast(sql, "ada", "grace", "olga");
  const eventId = await scheduleEvent(sql, grace.id, {
    title: "Duo",
    description: "",
    topics: ["jazz"],
    kind: "open",
    startsAt: new Date(Date.now() + dayMs),
    cohosts: ["olga"],
  });
  await deleteAccount(sql, deletion(grace));
  const [event] = await sql`select state, creator_id from rooms where id = ${eventId}`;
  assert.deepEqual([event.state, event.creator_id], ["scheduled", olga.id]);
  const hosts = await sql`select user_id from room_hosts where room_id = ${eventId}`;
  assert.deepEqual(hosts.map((h) => h.user_id), [olga.id]);
});

dbTest("a wrong password deletes nothing", async (sql) => {
  const { mallory } = await memberInEveryColumn(sql);
  const before = await rowsNaming(sql, mallory.id);
  await assert.rejects(
    deleteAccount(sql, deletion(mallory, "not her password at all")),
    (e) =>
      e instanceof Refusal && e.code === "invalid" && e.field === "delete_password" &&
      e.message === "Password is wrong: your account was not deleted",
  );
  await assert.rejects(deleteAccount(sql, deletion(mallory, "")), refusedWith("invalid"));
  assert.deepEqual(await rowsNaming(sql, mallory.id), before);
  const [row] = await sql`select handle, deleted_at from users where id = ${mallory.id}`;
  assert.deepEqual([row.handle, row.deleted_at], ["mallory", null]);
});

dbTest("the last administrator cannot delete their account", async (sql) => {
  const { ada, grace } = await cast(sql, "ada", "grace");
  await assert.rejects(
    deleteAccount(sql, deletion(ada)),
    (e) => e instanceof Refusal && e.code === "conflict" && /last administrator/.test(e.message),
  );
  const [row] = await sql`select handle, is_admin from users where id = ${ada.id}`;
  assert.deepEqual([row.handle, row.is_admin], ["ada", true]);
  // With another administrator, Ada may go.
  await sql`update users set is_admin = true where id = ${grace.id}`;
  await deleteAccount(sql, deletion(ada));
  const [gone] = await sql`select deleted_at from users where id = ${ada.id}`;
  assert.ok(gone.deleted_at);
});

/**
 * Runs `tasks` at once; on PostgreSQL, while the rows of `memberIds` are held, each task started
 * only once the one before waits on a lock, so that they queue in order and are let go together.
 * (PGlite is one session: its transactions run one after another whatever happens.)
 */
async function together<T>(
  db: TestDatabase,
  memberIds: number[],
  tasks: (() => Promise<T>)[],
): Promise<PromiseSettledResult<T>[]> {
  if (db.kind !== "postgres") return await Promise.allSettled(tasks.map((task) => task()));
  const { running } = await db.sql.begin(async (tx) => {
    await tx`select id from users where id in ${tx(memberIds)} for update`;
    const running: Promise<T>[] = [];
    for (const task of tasks) {
      const started = task();
      started.catch(() => {}); // settled below, with the others
      running.push(started);
      for (let waiting = 0; waiting < running.length;) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        [{ waiting }] = await db.sql`
          select count(*)::int as waiting from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock'`;
      }
    }
    return { running: Promise.allSettled(running) };
  });
  return await running;
}

dbTest("two administrators deleting themselves at once leave one of them", async (sql, db) => {
  const { ada, grace } = await cast(sql, "ada", "grace");
  await sql`update users set is_admin = true where id = ${grace.id}`;
  const outcomes = await together(db, [ada.id, grace.id], [
    () => deleteAccount(sql, deletion(ada)),
    () => deleteAccount(sql, deletion(grace)),
  ]);
  for (const outcome of outcomes) {
    if (outcome.status === "rejected") refusedWith("conflict")(outcome.reason);
  }
  const admins = await sql`select id from users where is_admin and deleted_at is null`;
  assert.equal(admins.length, 1);
});

dbTest("a deleted handle is refused at sign-up for 30 days, then free", async (sql) => {
  const { mallory, ada } = await memberInEveryColumn(sql);
  await deleteAccount(sql, deletion(mallory));
  const [reservation] = await sql`
    select handle, until > now() + interval '29 days' and until < now() + interval '31 days' as ok
    from handle_reservations`;
  assert.deepEqual([reservation.handle, reservation.ok], ["mallory", true]);
  await assert.rejects(
    signUp(sql, ada.id, "MALLORY"),
    (e) =>
      e instanceof Refusal && e.field === "handle" && e.message.startsWith(
        "This handle was recently used",
      ),
  );
  await sql`update handle_reservations set until = now() - interval '1 second'`;
  const newcomer = await signUp(sql, ada.id, "Mallory");
  assert.equal(newcomer.handle, "Mallory");
  const [{ count }] = await sql`select count(*)::int as count from handle_reservations`;
  assert.equal(count, 0, "the spent reservation is removed");
});

dbTest("a deleted member can no longer sign in or be found", async (sql) => {
  const { mallory, ada } = await memberInEveryColumn(sql);
  await deleteAccount(sql, deletion(mallory));
  await assert.rejects(deleteAccount(sql, deletion(mallory)), refusedWith("invalid"));
  const options = { topicNames: {}, allowances: {} };
  for (const query of ["mallory", "Mallor", "Mallory"]) {
    assert.deepEqual((await search(sql, ada.id, query, options)).people, [], query);
  }
});

dbTest("two deletions of one account at once end in one deletion and no error", async (sql, db) => {
  const { mallory } = await memberInEveryColumn(sql);
  const outcomes = await together(db, [mallory.id], [
    () => deleteAccount(sql, deletion(mallory)),
    () => deleteAccount(sql, deletion(mallory)),
  ]);
  for (const outcome of outcomes) {
    // The one that comes second either finds it done or finds the password gone.
    if (outcome.status === "rejected") refusedWith("invalid")(outcome.reason);
  }
  const [row] = await sql`select deleted_at from users where id = ${mallory.id}`;
  assert.ok(row.deleted_at);
  const reservations = await sql`select handle from handle_reservations`;
  assert.deepEqual(reservations.map((r) => r.handle), ["mallory"]);
});

dbTest("following a member whose account is being deleted follows nobody", async (sql, db) => {
  const { grace, olga } = await cast(sql, "ada", "grace", "olga");
  // Grace's deletion starts first; Olga's follow arrives while it is under way.
  const outcomes = await together(db, [grace.id], [
    () => deleteAccount(sql, deletion(grace)),
    () => follow(sql, olga.id, "grace"),
  ]);
  assert.equal(outcomes[0].status, "fulfilled");
  if (outcomes[1].status === "rejected") refusedWith("not_found")(outcomes[1].reason);
  const [{ count }] = await sql`select count(*)::int as count from follows
                                where followee_id = ${grace.id}`;
  assert.equal(count, 0);
});
