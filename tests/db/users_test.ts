import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import { dayMs, firstAdmin, invitedMember, password } from "./support.ts";
import { authenticate, createFirstAdmin, needsSetup, updateProfile } from "../../db/users.ts";
import { Refusal } from "../../db/errors.ts";
import { verifyPassword } from "../../db/passwords.ts";
import { createInvite, signUpWithInvite } from "../../db/invites.ts";

dbTest("the first account is an administrator and set-up then closes", async (sql) => {
  assert.equal(await needsSetup(sql), true);
  const ada = await firstAdmin(sql);
  assert.equal(ada.isAdmin, true);
  assert.equal(await needsSetup(sql), false);
  await assert.rejects(
    createFirstAdmin(sql, { handle: "mallory", displayName: "M", password }),
    (e) => e instanceof Refusal && e.code === "not_found",
  );
});

dbTest("two set-ups at once make exactly one administrator", async (sql) => {
  const results = await Promise.allSettled([
    createFirstAdmin(sql, { handle: "ada", displayName: "Ada", password }),
    createFirstAdmin(sql, { handle: "grace", displayName: "Grace", password }),
  ]);
  assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
  const [{ count }] = await sql`select count(*)::int as count from users`;
  assert.equal(count, 1);
});

dbTest("passwords are stored as argon2id hashes, never in clear", async (sql) => {
  const ada = await firstAdmin(sql);
  const [row] = await sql`select password_hash from users where id = ${ada.id}`;
  assert.match(row.password_hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  assert.ok(!row.password_hash.includes(password));
  assert.equal(await verifyPassword(password, row.password_hash), true);
});

dbTest("signing in ignores the handle's case and refuses a wrong password", async (sql) => {
  await firstAdmin(sql, "Ada_L");
  assert.equal((await authenticate(sql, "ada_l", password)).handle, "Ada_L");
  await assert.rejects(
    authenticate(sql, "ada_l", "wrong password!"),
    (e) => e instanceof Refusal && e.code === "unauthenticated",
  );
  await assert.rejects(
    authenticate(sql, "nobody", password),
    (e) => e instanceof Refusal && e.code === "unauthenticated",
  );
});

dbTest("the schema itself refuses a handle that differs only in case", async (sql) => {
  const ada = await firstAdmin(sql);
  await assert.rejects(
    sql`insert into users (handle, display_name, password_hash) values ('ADA', 'x', 'x')`,
    (e: { code?: string }) => e.code === "23505",
  );
  await assert.rejects(
    invitedMember(sql, ada.id, "aDa"),
    (e) => e instanceof Refusal && e.field === "handle",
  );
});

dbTest("the schema refuses malformed handles and over-long bios", async (sql) => {
  await assert.rejects(
    sql`insert into users (handle, display_name, password_hash) values ('no spaces', 'x', 'x')`,
    (e: { code?: string }) => e.code === "23514",
  );
  const ada = await firstAdmin(sql);
  await assert.rejects(
    sql`update users set bio = ${"x".repeat(301)} where id = ${ada.id}`,
    (e: { code?: string }) => e.code === "23514",
  );
});

dbTest("a bio is trimmed, length-limited and kept as text", async (sql) => {
  const ada = await firstAdmin(sql);
  await updateProfile(sql, ada.id, { displayName: " Ada ", bio: "  <b>hi</b>\r\n  " });
  const [row] = await sql`select display_name, bio from users where id = ${ada.id}`;
  assert.deepEqual({ ...row }, { display_name: "Ada", bio: "<b>hi</b>" });
  await assert.rejects(
    updateProfile(sql, ada.id, { displayName: "Ada", bio: "x".repeat(301) }),
    (e) => e instanceof Refusal && e.field === "bio",
  );
  await assert.rejects(
    updateProfile(sql, ada.id, { displayName: "   ", bio: "" }),
    (e) => e instanceof Refusal && e.field === "display_name",
  );
});

dbTest("set-up refuses a weak password and creates nobody", async (sql) => {
  for (const weak of ["aaaaaaaaaa", "password123", "I am ada, hello"]) {
    await assert.rejects(
      createFirstAdmin(sql, { handle: "ada", displayName: "Ada", password: weak }),
      (e) => e instanceof Refusal && e.code === "invalid" && e.field === "password",
      weak,
    );
  }
  assert.equal(await needsSetup(sql), true);
});

dbTest("sign-up refuses a weak password and leaves the invite open", async (sql) => {
  const ada = await firstAdmin(sql);
  const invite = await createInvite(sql, ada.id, { ttlMs: dayMs });
  for (const weak of ["1q2w3e4r5t6y", "Grace_rules_ok", "zzzzzzzzzzzz"]) {
    await assert.rejects(
      signUpWithInvite(sql, invite.token, {
        handle: "grace",
        displayName: "Grace",
        password: weak,
      }),
      (e) => e instanceof Refusal && e.code === "invalid" && e.field === "password",
      weak,
    );
  }
  const [row] = await sql`select used_at from invites where token = ${invite.token}`;
  assert.equal(row.used_at, null);
  await signUpWithInvite(sql, invite.token, { handle: "grace", displayName: "Grace", password });
});
