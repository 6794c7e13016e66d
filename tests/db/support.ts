/**
 * Shortcuts for db tests: members made through the same functions the app uses.
 *
 * @example
 * const ada = await firstAdmin(sql);
 * const grace = await invitedMember(sql, ada.id, "grace");
 */
import type { Sql } from "../../db/client.ts";
import { createFirstAdmin, type Member } from "../../db/users.ts";
import { createInvite, signUpWithInvite } from "../../db/invites.ts";

export const password = "correct horse battery";
export const dayMs = 86_400_000;

export async function firstAdmin(sql: Sql, handle = "ada"): Promise<Member> {
  return await createFirstAdmin(sql, { handle, displayName: "Ada Lovelace", password });
}

export async function invitedMember(sql: Sql, inviterId: number, handle: string): Promise<Member> {
  const invite = await createInvite(sql, inviterId, { ttlMs: dayMs });
  return await signUpWithInvite(sql, invite.token, { handle, displayName: handle, password });
}
