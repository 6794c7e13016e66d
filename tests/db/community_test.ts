import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import { firstAdmin, invitedMember } from "./support.ts";
import { pickedTopics, setPicks } from "../../db/topics.ts";
import { follow, profile, unfollow } from "../../db/profiles.ts";
import { inviteFromWaitlist, joinWaitlist, waitlist } from "../../db/waitlist.ts";
import { members } from "../../db/admin.ts";
import { memberById } from "../../db/users.ts";
import { Refusal } from "../../db/errors.ts";

const refusedWith = (code: string) => (e: unknown) => e instanceof Refusal && e.code === code;

dbTest("picking topics onboards a member and appends signals", async (sql) => {
  const ada = await firstAdmin(sql);
  assert.equal((await memberById(sql, ada.id))?.onboarded, false);
  await setPicks(sql, ada.id, ["jazz", "chess", "astronomy"]);
  assert.equal((await memberById(sql, ada.id))?.onboarded, true);
  await setPicks(sql, ada.id, ["jazz", "chess", "film"]);
  assert.deepEqual((await pickedTopics(sql, ada.id)).map((t) => t.slug), ["chess", "film", "jazz"]);
  const signals = await sql`
    select s.kind, t.slug from signals s join topics t on t.id = s.topic_id order by s.id`;
  assert.deepEqual(signals.map((s) => `${s.kind}:${s.slug}`).sort(), [
    "topic_picked:astronomy",
    "topic_picked:chess",
    "topic_picked:film",
    "topic_picked:jazz",
    "topic_unpicked:astronomy",
  ]);
});

dbTest("fewer than three topics or unknown ones are refused and change nothing", async (sql) => {
  const ada = await firstAdmin(sql);
  await assert.rejects(setPicks(sql, ada.id, ["jazz", "chess"]), refusedWith("invalid"));
  await assert.rejects(setPicks(sql, ada.id, ["jazz", "chess", "no-such"]), refusedWith("invalid"));
  assert.deepEqual(await pickedTopics(sql, ada.id), []);
  assert.equal((await memberById(sql, ada.id))?.onboarded, false);
});

dbTest("following is counted once, cannot target oneself and records signals", async (sql) => {
  const ada = await firstAdmin(sql);
  const grace = await invitedMember(sql, ada.id, "grace");
  await follow(sql, grace.id, "ADA");
  await follow(sql, grace.id, "ada");
  const seen = await profile(sql, grace.id, "ada");
  assert.equal(seen?.followers, 1);
  assert.equal(seen?.followedByViewer, true);
  assert.equal((await profile(sql, ada.id, "grace"))?.following, 1);
  await assert.rejects(follow(sql, grace.id, "grace"), refusedWith("invalid"));
  await assert.rejects(follow(sql, grace.id, "nobody"), refusedWith("not_found"));
  await unfollow(sql, grace.id, "ada");
  assert.equal((await profile(sql, grace.id, "ada"))?.followers, 0);
  const kinds = await sql`select kind from signals where person_id is not null order by id`;
  assert.deepEqual(kinds.map((r) => r.kind), ["followed", "unfollowed"]);
});

dbTest("a waitlist entry becomes one invite, made by an administrator only", async (sql) => {
  const ada = await firstAdmin(sql);
  const grace = await invitedMember(sql, ada.id, "grace");
  await joinWaitlist(sql, { name: "Lin", contact: "lin@example.org", reason: "Jazz nights" });
  await assert.rejects(waitlist(sql, grace.id), refusedWith("forbidden"));
  const [entry] = await waitlist(sql, ada.id);
  assert.equal(entry.invite, null);
  await assert.rejects(
    inviteFromWaitlist(sql, grace.id, entry.id, { ttlMs: 1e6 }),
    refusedWith("forbidden"),
  );
  const invite = await inviteFromWaitlist(sql, ada.id, entry.id, { ttlMs: 1e6 });
  assert.equal((await waitlist(sql, ada.id))[0].invite?.token, invite.token);
  await assert.rejects(
    inviteFromWaitlist(sql, ada.id, entry.id, { ttlMs: 1e6 }),
    refusedWith("conflict"),
  );
});

dbTest("waitlist entries are validated", async (sql) => {
  await assert.rejects(
    joinWaitlist(sql, { name: "", contact: "x@y.z", reason: "" }),
    refusedWith("invalid"),
  );
  await assert.rejects(
    joinWaitlist(sql, { name: "Lin", contact: "", reason: "" }),
    refusedWith("invalid"),
  );
  await assert.rejects(
    joinWaitlist(sql, { name: "Lin", contact: "lin@x.y", reason: "x".repeat(301) }),
    (e) => e instanceof Refusal && e.field === "reason",
  );
});

dbTest("only administrators see who invited whom", async (sql) => {
  const ada = await firstAdmin(sql);
  const grace = await invitedMember(sql, ada.id, "grace");
  const list = await members(sql, ada.id);
  assert.equal(list.find((m) => m.handle === "grace")?.invitedBy, "ada");
  await assert.rejects(members(sql, grace.id), refusedWith("forbidden"));
  const seen = await profile(sql, ada.id, "grace");
  assert.ok(seen && !("invitedBy" in seen));
});
