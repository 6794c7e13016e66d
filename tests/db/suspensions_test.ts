import assert from "node:assert/strict";
import { dbTest, type TestDatabase } from "../support/databases.ts";
import {
  cast,
  openRoom,
  refusedWith,
  roles,
  roomViolations,
  twoProcesses,
} from "./rooms_support.ts";
import { password } from "./support.ts";
import { joinRoom } from "../../db/rooms.ts";
import { startSession } from "../../db/sessions.ts";
import { lockMember } from "../../db/departures.ts";
import type { ChangeEvent } from "../../db/events.ts";
import type { Sql } from "../../db/client.ts";
import { Refusal } from "../../db/errors.ts";
import { liftSuspension, suspend, suspensionEnd, suspensionOf } from "../../db/suspensions.ts";
import { signInWithLimits } from "../../db/sign_in_limits.ts";
import type { SignInLimits } from "../../config.ts";

const day = 86_400_000;

const minuteMs = 60_000;
const limits: SignInLimits = {
  perPair: { freeFailures: 5, firstDelayMs: minuteMs, maxDelayMs: 60 * minuteMs },
  perAddress: { freeFailures: 5, firstDelayMs: minuteMs, maxDelayMs: 60 * minuteMs },
  perHandle: { freeFailures: 5, waitStepMs: 1, maxWaitMs: 1 },
  forgetAfterMs: 24 * 60 * minuteMs,
};

/** A sign-in as routes/auth.tsx makes it, from one address. */
async function signInTry(sql: Sql, handle: string, pass = password) {
  return await signInWithLimits(sql, {
    handle,
    password: pass,
    keys: { address: "a:192.0.2.1", handle: `h:${handle}`, pair: `p:${handle}:192.0.2.1` },
    limits,
    wait: () => Promise.resolve(),
  });
}

dbTest(
  "suspending a listener ends their sessions, takes them out of the room and logs it",
  async (sql, db) => {
    const { ada, grace, mallory } = await cast(sql, "ada", "grace", "mallory");
    const roomId = await openRoom(sql, grace.id);
    await joinRoom(sql, mallory.id, roomId);
    await startSession(sql, mallory.id, { ttlMs: day });
    const heard: ChangeEvent[] = [];
    const stop = db.events.subscribe((event) => event.signedOut && heard.push(event));
    try {
      await suspend(sql, ada.id, "mallory", { reason: "Shouting over everyone", endsAt: null });
      // Up to 10 s: a loaded machine delivers NOTIFY late, never not at all.
      for (let i = 0; i < 500 && heard.length === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      stop();
    }
    assert.deepEqual(await roles(sql, roomId), { grace: "moderator" });
    const [{ sessions }] = await sql`select count(*)::int as sessions from sessions
                                   where user_id = ${mallory.id}`;
    assert.equal(sessions, 0);
    assert.deepEqual(heard.map((e) => e.signedOut), [{ members: [mallory.id], why: "suspended" }]);
    const log = await sql`select actor_id, action, member_id, note from admin_log`;
    assert.deepEqual(log.map((r) => [Number(r.actor_id), r.action, Number(r.member_id), r.note]), [
      [ada.id, "suspend", mallory.id, "Shouting over everyone"],
    ]);
    assert.deepEqual(await suspensionOf(sql, mallory.id), {
      reason: "Shouting over everyone",
      endsAt: null,
    });
    assert.deepEqual(await roomViolations(sql), []);
  },
);

dbTest("a suspended host alone on stage ends their room", async (sql) => {
  const { ada, mallory } = await cast(sql, "ada", "mallory");
  const roomId = await openRoom(sql, mallory.id);
  await suspend(sql, ada.id, "mallory", { reason: "Spam", endsAt: null });
  const [room] = await sql`select state from rooms where id = ${roomId}`;
  assert.equal(room.state, "ended");
});

dbTest("an administrator cannot suspend themselves", async (sql) => {
  const { ada } = await cast(sql, "ada", "grace");
  await assert.rejects(
    suspend(sql, ada.id, "ada", { reason: "Testing", endsAt: null }),
    (e) => refusedWith("conflict")(e) && (e as Refusal).key === "refusal.suspension.self",
  );
});

dbTest("a member who is not an administrator cannot suspend or lift", async (sql) => {
  const { ada, grace } = await cast(sql, "ada", "grace", "mallory");
  await assert.rejects(
    suspend(sql, grace.id, "mallory", { reason: "Mean", endsAt: null }),
    refusedWith("forbidden"),
  );
  await suspend(sql, ada.id, "mallory", { reason: "Mean", endsAt: null });
  await assert.rejects(liftSuspension(sql, grace.id, "mallory"), refusedWith("forbidden"));
  const [{ count }] = await sql`select count(*)::int as count from suspensions`;
  assert.equal(count, 1);
});

dbTest("a suspension's reason must be 3 to 500 characters", async (sql) => {
  const { ada } = await cast(sql, "ada", "mallory");
  for (const reason of ["no", " ".repeat(10), "x".repeat(501)]) {
    await assert.rejects(
      suspend(sql, ada.id, "mallory", { reason, endsAt: null }),
      (e) => refusedWith("invalid")(e) && (e as Refusal).field === "reason",
    );
  }
});

dbTest("suspending again replaces the suspension in force", async (sql) => {
  const { ada } = await cast(sql, "ada", "mallory");
  const [mallory] = await sql`select id from users where handle = 'mallory'`;
  await suspend(sql, ada.id, "mallory", { reason: "First", endsAt: new Date(Date.now() + day) });
  await suspend(sql, ada.id, "mallory", { reason: "Second", endsAt: null });
  const open = await sql`select reason from suspensions
                         where member_id = ${mallory.id} and lifted_at is null`;
  assert.deepEqual(open.map((r) => r.reason), ["Second"]);
  const [{ count }] = await sql`select count(*)::int as count from suspensions`;
  assert.equal(count, 2);
});

dbTest("lifting a suspension lets the member in again and is logged", async (sql) => {
  const { ada, mallory } = await cast(sql, "ada", "mallory");
  await suspend(sql, ada.id, "mallory", { reason: "Cooling off", endsAt: null });
  await liftSuspension(sql, ada.id, "mallory");
  assert.equal(await suspensionOf(sql, mallory.id), null);
  assert.equal((await signInTry(sql, "mallory")).id, mallory.id);
  const log = await sql`select action from admin_log order by id`;
  assert.deepEqual(log.map((r) => r.action), ["suspend", "lift_suspension"]);
  await assert.rejects(liftSuspension(sql, ada.id, "mallory"), refusedWith("conflict"));
});

dbTest("sign-in tells a suspended member the reason and until when", async (sql) => {
  const { ada } = await cast(sql, "ada", "mallory");
  const endsAt = new Date("2099-06-01T12:30:00Z");
  await suspend(sql, ada.id, "mallory", { reason: "Shouting over everyone", endsAt });
  await assert.rejects(signInTry(sql, "mallory"), (e) => {
    refusedWith("forbidden")(e);
    assert.equal(
      (e as Refusal).message,
      "Your account is suspended until 2099-06-01 12:30 UTC. Reason: Shouting over everyone",
    );
    return true;
  });
});

dbTest("sign-in says a suspension for good is for good", async (sql) => {
  const { ada } = await cast(sql, "ada", "mallory");
  await suspend(sql, ada.id, "mallory", { reason: "Spam", endsAt: null });
  await assert.rejects(signInTry(sql, "mallory"), (e) => {
    refusedWith("forbidden")(e);
    assert.equal((e as Refusal).message, "Your account is suspended for good. Reason: Spam");
    return true;
  });
});

dbTest("a wrong password never tells that a handle is suspended", async (sql) => {
  const { ada } = await cast(sql, "ada", "mallory");
  await suspend(sql, ada.id, "mallory", { reason: "Spam", endsAt: null });
  await assert.rejects(signInTry(sql, "mallory", "wrong password here"), (e) => {
    refusedWith("unauthenticated")(e);
    assert.doesNotMatch((e as Refusal).message, /suspend/i);
    return true;
  });
});

dbTest("an expired suspension lets the member sign in", async (sql) => {
  const { ada, mallory } = await cast(sql, "ada", "mallory");
  await suspend(sql, ada.id, "mallory", {
    reason: "A day off",
    endsAt: new Date(Date.now() + day),
  });
  await sql`update suspensions set starts_at = now() - interval '2 days',
            ends_at = now() - interval '1 day'`;
  assert.equal((await signInTry(sql, "mallory")).id, mallory.id);
});

dbTest(
  "two administrators suspending each other at once leave one who can act",
  async (sql, db) => {
    const { ada, grace } = await cast(sql, "ada", "grace");
    await sql`update users set is_admin = true where id = ${grace.id}`;
    const { first, second, close } = await twoProcesses(sql, db);
    try {
      for (let round = 0; round < 5; round++) {
        // The second to get the administrators' rows finds itself suspended, or the other the last.
        const results = await Promise.allSettled([
          suspend(first, ada.id, "grace", { reason: "Coup", endsAt: null }),
          suspend(second, grace.id, "ada", { reason: "Counter-coup", endsAt: null }),
        ]);
        const refused = results.filter((r) => r.status === "rejected");
        assert.equal(refused.length, 1, JSON.stringify(results));
        refusedWith("conflict", "forbidden")((refused[0] as PromiseRejectedResult).reason);
        const acting = await sql`select id from users where is_admin and not is_suspended(id)`;
        assert.equal(acting.length, 1);
        await sql`update suspensions set lifted_at = now() where lifted_at is null`;
      }
    } finally {
      await close();
    }
  },
);

Deno.test("a suspension's length becomes its end", () => {
  const now = new Date("2026-01-01T00:00:00Z");
  assert.equal(
    suspensionEnd({ length: "hours", amount: "12" }, now)?.toISOString(),
    "2026-01-01T12:00:00.000Z",
  );
  assert.equal(
    suspensionEnd({ length: "days", amount: " 3 " }, now)?.toISOString(),
    "2026-01-04T00:00:00.000Z",
  );
  assert.equal(
    suspensionEnd({ length: "until", until: "2026-02-01" }, now)?.toISOString(),
    "2026-02-01T23:59:59.000Z",
  );
  assert.equal(suspensionEnd({ length: "for_good" }, now), null);
});

Deno.test("a suspension's length refuses what is not a time to come", () => {
  const now = new Date("2026-01-01T00:00:00Z");
  const refusedOn = (field: string) => (e: unknown) =>
    e instanceof Refusal && e.code === "invalid" && e.field === field;
  assert.throws(() => suspensionEnd({ length: "days", amount: "0" }, now), refusedOn("amount"));
  assert.throws(() => suspensionEnd({ length: "days", amount: "1.5" }, now), refusedOn("amount"));
  assert.throws(() => suspensionEnd({ length: "days", amount: "" }, now), refusedOn("amount"));
  assert.throws(() => suspensionEnd({ length: "days", amount: "99999" }, now), refusedOn("amount"));
  assert.throws(
    () => suspensionEnd({ length: "until", until: "someday" }, now),
    refusedOn("until"),
  );
  assert.throws(
    () => suspensionEnd({ length: "until", until: "2025-12-31" }, now),
    refusedOn("until"),
  );
  assert.throws(
    () => suspensionEnd({ length: "weeks" } as unknown as Parameters<typeof suspensionEnd>[0], now),
    refusedOn("length"),
  );
});

/**
 * Runs `during` on a second connection while a suspension of `memberId` holds their row, and
 * commits the suspension once `during` waits on that row; returns what `during` came to.
 */
async function whileSuspending<T>(
  sql: Sql,
  db: TestDatabase,
  who: { memberId: number; byId: number },
  during: (second: Sql) => Promise<T>,
): Promise<PromiseSettledResult<T>> {
  const { first, second, close } = await twoProcesses(sql, db);
  try {
    let locked!: () => void;
    let release!: () => void;
    const holding = new Promise<void>((resolve) => locked = resolve);
    const gate = new Promise<void>((resolve) => release = resolve);
    const suspending = first.begin(async (tx) => {
      await lockMember(tx, who.memberId);
      await tx`insert into suspensions (member_id, by_id, reason)
               values (${who.memberId}, ${who.byId}, 'Spam')`;
      locked();
      await gate;
    });
    await holding;
    const racing = Promise.allSettled([during(second)]);
    for (let i = 0; i < 500; i++) {
      const [{ waiting }] = await sql`
        select count(*)::int as waiting from pg_stat_activity
        where wait_event_type = 'Lock' and query like '%for key share%'`;
      if (waiting > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    release();
    await suspending;
    return (await racing)[0];
  } finally {
    await close();
  }
}

dbTest(
  "a member joining a room while being suspended is refused once it commits",
  async (sql, db) => {
    // Two connections are needed to interleave; PGlite has one session.
    if (db.kind !== "postgres") return;
    const { ada, grace, mallory } = await cast(sql, "ada", "grace", "mallory");
    const roomId = await openRoom(sql, grace.id);
    const joined = await whileSuspending(
      sql,
      db,
      { memberId: mallory.id, byId: ada.id },
      (second) => joinRoom(second, mallory.id, roomId),
    );
    assert.equal(joined.status, "rejected");
    refusedWith("unauthenticated")((joined as PromiseRejectedResult).reason);
    assert.deepEqual(await roles(sql, roomId), { grace: "moderator" });
  },
);

dbTest("a session starting while the member is being suspended is refused", async (sql, db) => {
  if (db.kind !== "postgres") return;
  const { ada, mallory } = await cast(sql, "ada", "mallory");
  const started = await whileSuspending(
    sql,
    db,
    { memberId: mallory.id, byId: ada.id },
    (second) => startSession(second, mallory.id, { ttlMs: day }),
  );
  assert.equal(started.status, "rejected");
  refusedWith("unauthenticated")((started as PromiseRejectedResult).reason);
  const [{ sessions }] = await sql`select count(*)::int as sessions from sessions`;
  assert.equal(sessions, 0);
});
