import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import { firstAdmin } from "./support.ts";
import { endAllSessions, endSession, sessionMember, startSession } from "../../db/sessions.ts";

const ttl = { ttlMs: 60_000 };

dbTest("a session token signs its member in and is stored only as a hash", async (sql) => {
  const ada = await firstAdmin(sql);
  const token = await startSession(sql, ada.id, ttl);
  assert.ok(token.length >= 43, "256 bits in base64url");
  assert.equal((await sessionMember(sql, token))?.id, ada.id);
  const rows = await sql`select id_hash from sessions`;
  assert.equal(rows.length, 1);
  assert.notEqual(rows[0].id_hash, token);
});

dbTest("an unknown, ended or expired session signs nobody in", async (sql) => {
  const ada = await firstAdmin(sql);
  assert.equal(await sessionMember(sql, "made-up"), null);
  assert.equal(await sessionMember(sql, undefined), null);
  const ended = await startSession(sql, ada.id, ttl);
  await endSession(sql, ended);
  assert.equal(await sessionMember(sql, ended), null);
  const expired = await startSession(sql, ada.id, { ttlMs: -1 });
  assert.equal(await sessionMember(sql, expired), null);
});

dbTest("signing out everywhere ends every session of that member only", async (sql) => {
  const ada = await firstAdmin(sql);
  const phone = await startSession(sql, ada.id, ttl);
  const laptop = await startSession(sql, ada.id, ttl);
  await endAllSessions(sql, ada.id);
  assert.equal(await sessionMember(sql, phone), null);
  assert.equal(await sessionMember(sql, laptop), null);
});
