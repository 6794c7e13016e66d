import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import { dayMs, firstAdmin, invitedMember, password } from "./support.ts";
import { updateProfile } from "../../db/users.ts";
import { createInvite, signUpWithInvite } from "../../db/invites.ts";
import { Refusal } from "../../db/errors.ts";
import type { Sql } from "../../db/client.ts";

const refusedFor = (pattern: RegExp) => (e: unknown) =>
  e instanceof Refusal && e.field === "display_name" && pattern.test(e.message);

async function signUp(sql: Sql, inviterId: number, handle: string, displayName: string) {
  const invite = await createInvite(sql, inviterId, { ttlMs: dayMs });
  return await signUpWithInvite(sql, invite.token, { handle, displayName, password });
}

async function storedName(sql: Sql, id: number): Promise<string> {
  const [row] = await sql`select display_name from users where id = ${id}`;
  return row.display_name;
}

dbTest("a display name with a bidi override or an invisible character is refused", async (sql) => {
  const ada = await firstAdmin(sql);
  const sneaky = [
    "Ada \u202eecalevol", // right-to-left override
    "Ada\u200bLovelace", // zero-width space
    "Ada\u200dLovelace", // zero-width joiner
    "\u2066Ada\u2069", // isolates
    "Ada\u00adLovelace", // soft hyphen
    "Ada\u2028Lovelace", // line separator
    "Ada\u0007", // bell
  ];
  for (const [i, name] of sneaky.entries()) {
    await assert.rejects(
      signUp(sql, ada.id, `mallory${i}`, name),
      refusedFor(/invisible, control or text-direction/),
      JSON.stringify(name),
    );
  }
  const grace = await invitedMember(sql, ada.id, "grace");
  await assert.rejects(
    updateProfile(sql, grace.id, { displayName: "Grace\u202e", bio: "" }),
    refusedFor(/invisible, control or text-direction/),
  );
  assert.equal(await storedName(sql, grace.id), "grace");
});

dbTest("a display name is stored in NFC with single spaces", async (sql) => {
  const ada = await firstAdmin(sql);
  const elodie = await signUp(sql, ada.id, "elodie", "  E\u0301lodie\u00a0\u00a0 Dupont ");
  assert.equal(await storedName(sql, elodie.id), "\u00c9lodie Dupont");
});

dbTest(
  "another member's display name, an administrator's included, cannot be copied",
  async (sql) => {
    const ada = await firstAdmin(sql); // "Ada Lovelace"
    await assert.rejects(
      signUp(sql, ada.id, "mallory", "Ada Lovelace"),
      refusedFor(/Another member already goes by this name/),
    );
    await assert.rejects(
      signUp(sql, ada.id, "mallory", "ADA LOVELACE"),
      refusedFor(/Another member already goes by this name/),
    );
    // The refused sign-up left nothing behind.
    const [{ n }] = await sql`select count(*)::int as n from users where handle = 'mallory'`;
    assert.equal(n, 0);
    const grace = await invitedMember(sql, ada.id, "grace");
    await assert.rejects(
      updateProfile(sql, grace.id, { displayName: " Ada  Lovelace ", bio: "" }),
      refusedFor(/Another member already goes by this name/),
    );
    // Keeping one's own name is not copying it.
    await updateProfile(sql, ada.id, { displayName: "Ada Lovelace", bio: "Engines" });
  },
);

dbTest("another member's handle cannot be a display name, nor can an @", async (sql) => {
  const ada = await firstAdmin(sql);
  await assert.rejects(
    signUp(sql, ada.id, "mallory", "ADA"),
    refusedFor(/Another member already goes by this name/),
  );
  await assert.rejects(
    signUp(sql, ada.id, "mallory", "Ada Lovelace @ada"),
    refusedFor(/cannot contain @/),
  );
  const grace = await invitedMember(sql, ada.id, "grace");
  await updateProfile(sql, grace.id, { displayName: "Grace", bio: "" });
});

dbTest("two people taking one display name at once: exactly one gets it", async (sql) => {
  const ada = await firstAdmin(sql);
  const grace = await invitedMember(sql, ada.id, "grace");
  const hopper = await invitedMember(sql, ada.id, "hopper");
  // Several rounds, so that the two transactions do overlap on a pooled PostgreSQL.
  for (let round = 0; round < 10; round++) {
    const name = `Admiral ${round}`;
    const results = await Promise.allSettled([
      updateProfile(sql, grace.id, { displayName: name, bio: "" }),
      updateProfile(sql, hopper.id, { displayName: name, bio: "" }),
    ]);
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 1, name);
    const [{ n }] = await sql`select count(*)::int as n from users where display_name = ${name}`;
    assert.equal(n, 1);
  }
});
