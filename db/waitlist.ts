/**
 * The waitlist: people without an invite leave a name, a way to reach them and a line about
 * why. Administrators read it and turn an entry into an invite they send themselves.
 *
 * @example
 * await joinWaitlist(sql, { name: "Lin", contact: "lin@example.org", reason: "I host a jazz club" });
 */
import type { Sql } from "./client.ts";
import { Refusal } from "./errors.ts";
import { insertInvite, type Invite, inviteStateSql } from "./invites.ts";
import { requireAdmin } from "./users.ts";

export interface WaitlistRequest {
  name: string;
  contact: string;
  reason: string;
}

export interface WaitlistEntry extends WaitlistRequest {
  id: number;
  createdAt: Date;
  /** The invite made from this entry, once an administrator made one. */
  invite: Invite | null;
}

export const waitlistLimits = { name: 80, contact: 200, reason: 300 };

/** Throws an `invalid` refusal naming the first wrong field. */
export function validateWaitlistRequest(request: WaitlistRequest): void {
  const name = request.name.trim();
  const contact = request.contact.trim();
  const reason = request.reason.trim();
  if (name.length === 0) throw new Refusal("invalid", "refusal.waitlist.name_missing", "name");
  if (name.length > waitlistLimits.name) {
    throw new Refusal("invalid", "refusal.name.too_long", {
      field: "name",
      params: { count: waitlistLimits.name },
    });
  }
  if (contact.length < 3) {
    throw new Refusal("invalid", "refusal.waitlist.contact_missing", "contact");
  }
  if (contact.length > waitlistLimits.contact) {
    throw new Refusal("invalid", "refusal.contact.too_long", {
      field: "contact",
      params: { count: waitlistLimits.contact },
    });
  }
  if (reason.length > waitlistLimits.reason) {
    throw new Refusal("invalid", "refusal.reason.too_long", {
      field: "reason",
      params: { count: waitlistLimits.reason },
    });
  }
}

export async function joinWaitlist(sql: Sql, request: WaitlistRequest): Promise<void> {
  validateWaitlistRequest(request);
  await sql`insert into waitlist (name, contact, reason)
            values (${request.name.trim()}, ${request.contact.trim()}, ${request.reason.trim()})`;
}

/** The whole waitlist, oldest first; administrators only. */
export async function waitlist(sql: Sql, actorId: number): Promise<WaitlistEntry[]> {
  await requireAdmin(sql, actorId);
  const rows = await sql`
    select w.id, w.name, w.contact, w.reason, w.created_at,
           i.id as invite_id, i.token, i.created_at as invite_created_at, i.expires_at,
           ${sql.unsafe(inviteStateSql("i."))} as state
    from waitlist w left join invites i on i.waitlist_id = w.id
    order by w.created_at, w.id limit 500`;
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    contact: r.contact,
    reason: r.reason,
    createdAt: r.created_at,
    invite: r.invite_id === null ? null : {
      id: r.invite_id,
      token: r.token,
      state: r.state,
      createdAt: r.invite_created_at,
      expiresAt: r.expires_at,
    },
  }));
}

/** Makes the invite for a waitlist entry; a second click is refused, not doubled. */
export async function inviteFromWaitlist(
  sql: Sql,
  actorId: number,
  entryId: number,
  options: { ttlMs: number },
): Promise<Invite> {
  return await sql.begin(async (tx) => {
    await requireAdmin(tx, actorId);
    const [entry] = await tx`select id from waitlist where id = ${entryId} for update`;
    if (!entry) throw new Refusal("not_found", "refusal.waitlist.no_entry");
    const [existing] = await tx`select id from invites where waitlist_id = ${entryId}`;
    if (existing) throw new Refusal("conflict", "refusal.waitlist.already_invited");
    return await insertInvite(tx, actorId, { ttlMs: options.ttlMs, waitlistId: entryId });
  });
}
