import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import { dayMs, firstAdmin, invitedMember, password } from "./support.ts";
import {
  createInvite,
  inviteBook,
  inviteState,
  revokeInvite,
  signUpWithInvite,
} from "../../db/invites.ts";
import { setInvitesPerMember } from "../../db/site_settings.ts";
import { Refusal } from "../../db/errors.ts";

const refusedWith = (code: string) => (e: unknown) => e instanceof Refusal && e.code === code;

dbTest("an invite token carries at least 128 random bits", async (sql) => {
  const ada = await firstAdmin(sql);
  const a = await createInvite(sql, ada.id, { ttlMs: dayMs });
  const b = await createInvite(sql, ada.id, { ttlMs: dayMs });
  // base64url: 6 bits a character.
  assert.ok(a.token.length * 6 >= 128);
  assert.notEqual(a.token, b.token);
});

dbTest("an invite lets exactly one person in, even when two race for it", async (sql) => {
  const ada = await firstAdmin(sql);
  const invite = await createInvite(sql, ada.id, { ttlMs: dayMs });
  const results = await Promise.allSettled([
    signUpWithInvite(sql, invite.token, { handle: "grace", displayName: "Grace", password }),
    signUpWithInvite(sql, invite.token, { handle: "linus", displayName: "Linus", password }),
  ]);
  assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
  const [{ count }] = await sql`select count(*)::int as count from users`;
  assert.equal(count, 2);
  assert.equal(await inviteState(sql, invite.token), "used");
  await assert.rejects(
    signUpWithInvite(sql, invite.token, { handle: "third", displayName: "T", password }),
    refusedWith("conflict"),
  );
});

dbTest("an expired invite is refused", async (sql) => {
  const ada = await firstAdmin(sql);
  const invite = await createInvite(sql, ada.id, { ttlMs: dayMs });
  await sql`update invites set expires_at = now() - interval '1 second' where id = ${invite.id}`;
  assert.equal(await inviteState(sql, invite.token), "expired");
  await assert.rejects(
    signUpWithInvite(sql, invite.token, { handle: "grace", displayName: "G", password }),
    refusedWith("conflict"),
  );
});

dbTest("a revoked invite is refused and a used one cannot be revoked", async (sql) => {
  const ada = await firstAdmin(sql);
  const invite = await createInvite(sql, ada.id, { ttlMs: dayMs });
  await revokeInvite(sql, ada.id, invite.id);
  await assert.rejects(
    signUpWithInvite(sql, invite.token, { handle: "grace", displayName: "G", password }),
    refusedWith("conflict"),
  );
  const used = await createInvite(sql, ada.id, { ttlMs: dayMs });
  await signUpWithInvite(sql, used.token, { handle: "grace", displayName: "G", password });
  await assert.rejects(revokeInvite(sql, ada.id, used.id), refusedWith("conflict"));
});

dbTest("a member cannot revoke someone else's invite", async (sql) => {
  const ada = await firstAdmin(sql);
  const grace = await invitedMember(sql, ada.id, "grace");
  const invite = await createInvite(sql, ada.id, { ttlMs: dayMs });
  await assert.rejects(revokeInvite(sql, grace.id, invite.id), refusedWith("not_found"));
  assert.equal(await inviteState(sql, invite.token), "open");
});

dbTest("a failed sign-up leaves the invite open", async (sql) => {
  const ada = await firstAdmin(sql);
  const invite = await createInvite(sql, ada.id, { ttlMs: dayMs });
  await assert.rejects(
    signUpWithInvite(sql, invite.token, { handle: "ADA", displayName: "Copy", password }),
    (e) => e instanceof Refusal && e.field === "handle",
  );
  assert.equal(await inviteState(sql, invite.token), "open");
});

dbTest("members hold the configured number of invites; revoked ones come back", async (sql) => {
  const ada = await firstAdmin(sql);
  const grace = await invitedMember(sql, ada.id, "grace");
  await setInvitesPerMember(sql, ada.id, 2);
  const first = await createInvite(sql, grace.id, { ttlMs: dayMs });
  await createInvite(sql, grace.id, { ttlMs: dayMs });
  assert.equal((await inviteBook(sql, grace.id)).left, 0);
  await assert.rejects(createInvite(sql, grace.id, { ttlMs: dayMs }), refusedWith("forbidden"));
  await revokeInvite(sql, grace.id, first.id);
  assert.equal((await inviteBook(sql, grace.id)).left, 1);
  await createInvite(sql, grace.id, { ttlMs: dayMs });
});

dbTest("clicking create many times at once never exceeds the allowance", async (sql) => {
  const ada = await firstAdmin(sql);
  const grace = await invitedMember(sql, ada.id, "grace");
  await setInvitesPerMember(sql, ada.id, 3);
  const results = await Promise.allSettled(
    Array.from({ length: 8 }, () => createInvite(sql, grace.id, { ttlMs: dayMs })),
  );
  assert.equal(results.filter((r) => r.status === "fulfilled").length, 3);
});

dbTest("administrators are not limited and only they may change the allowance", async (sql) => {
  const ada = await firstAdmin(sql);
  const grace = await invitedMember(sql, ada.id, "grace");
  await setInvitesPerMember(sql, ada.id, 1);
  for (let i = 0; i < 4; i++) await createInvite(sql, ada.id, { ttlMs: dayMs });
  assert.equal((await inviteBook(sql, ada.id)).left, null);
  await assert.rejects(setInvitesPerMember(sql, grace.id, 50), refusedWith("forbidden"));
  await assert.rejects(setInvitesPerMember(sql, ada.id, -1), refusedWith("invalid"));
});

dbTest("who invited whom is stored", async (sql) => {
  const ada = await firstAdmin(sql);
  const grace = await invitedMember(sql, ada.id, "grace");
  const [row] = await sql`select invited_by from users where id = ${grace.id}`;
  assert.equal(row.invited_by, ada.id);
});
