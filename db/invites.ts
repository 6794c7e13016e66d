/**
 * Invites: single-use links with an unguessable token and an expiry. A member holds a number
 * of them (the `invites_per_member` setting); used ones and live ones count, revoked and
 * expired ones come back. Administrators are not limited.
 *
 * @example
 * const invite = await createInvite(sql, ada.id, { ttlMs: 14 * 86_400_000 });
 * const grace = await signUpWithInvite(sql, invite.token, { handle: "grace", ... });
 */
import type { Sql, Tx } from "./client.ts";
import { Refusal } from "./errors.ts";
import { hashPassword } from "./passwords.ts";
import { base64url } from "./sessions.ts";
import { insertMember, type Member, type NewMember, validateNewMember } from "./users.ts";
import { invitesPerMember } from "./site_settings.ts";

export type InviteState = "open" | "used" | "revoked" | "expired";

export interface Invite {
  id: number;
  token: string;
  state: InviteState;
  createdAt: Date;
  expiresAt: Date;
}

export interface InviteBook {
  invites: Invite[];
  /** How many more the member may create now; null for administrators (no limit). */
  left: number | null;
}

/** SQL for an invite's state; `alias` names the invites table in the query ("i."). */
export function inviteStateSql(alias = ""): string {
  return `case
    when ${alias}used_by is not null or ${alias}used_at is not null then 'used'
    when ${alias}revoked_at is not null then 'revoked'
    when ${alias}expires_at <= now() then 'expired'
    else 'open' end`;
}

const stateSql = inviteStateSql();

/** A member's invites, newest first, and how many they have left. */
export async function inviteBook(sql: Sql, memberId: number): Promise<InviteBook> {
  const rows = await sql`
    select id, token, created_at, expires_at, ${sql.unsafe(stateSql)} as state
    from invites where creator_id = ${memberId} order by created_at desc, id desc limit 100`;
  const [member] = await sql`select is_admin from users where id = ${memberId}`;
  const left = member?.is_admin ? null : Math.max(0, await invitesPerMember(sql) - held(rows));
  return { invites: rows.map(toInvite), left };
}

// deno-lint-ignore no-explicit-any
function held(rows: readonly any[]): number {
  return rows.filter((r) => r.state === "open" || r.state === "used").length;
}

/** Creates an invite if the member has one left; the member's row lock serializes their clicks. */
export async function createInvite(
  sql: Sql,
  memberId: number,
  options: { ttlMs: number; waitlistId?: number },
): Promise<Invite> {
  return await sql.begin(async (tx) => {
    const [member] = await tx`select is_admin from users where id = ${memberId} for update`;
    if (!member) throw new Refusal("unauthenticated", "refusal.invite.sign_in");
    if (!member.is_admin) {
      const [{ count }] = await tx`
        select count(*)::int as count from invites
        where creator_id = ${memberId}
          and (used_by is not null or used_at is not null
               or (revoked_at is null and expires_at > now()))`;
      if (count >= await invitesPerMember(tx)) {
        throw new Refusal("forbidden", "refusal.invite.none_left");
      }
    }
    return await insertInvite(tx, memberId, options);
  });
}

export async function insertInvite(
  tx: Tx,
  creatorId: number,
  options: { ttlMs: number; waitlistId?: number },
): Promise<Invite> {
  // 192 random bits: unguessable, and short enough to paste.
  const token = base64url(crypto.getRandomValues(new Uint8Array(24)));
  const [row] = await tx`
    insert into invites (token, creator_id, expires_at, waitlist_id)
    values (${token}, ${creatorId}, ${new Date(Date.now() + options.ttlMs)},
            ${options.waitlistId ?? null})
    returning id, token, created_at, expires_at, 'open' as state`;
  return toInvite(row);
}

/** Revokes one of the member's own open invites. */
export async function revokeInvite(sql: Sql, memberId: number, inviteId: number): Promise<void> {
  await sql.begin(async (tx) => {
    const [row] = await tx`
      select creator_id, ${tx.unsafe(stateSql)} as state from invites
      where id = ${inviteId} for update`;
    if (!row || row.creator_id !== memberId) {
      throw new Refusal("not_found", "refusal.invite.unknown");
    }
    if (row.state === "used") throw new Refusal("conflict", "refusal.invite.used");
    if (row.state === "revoked") return;
    await tx`update invites set revoked_at = now() where id = ${inviteId}`;
  });
}

/** What a sign-up link says about itself, without using it. */
export async function inviteState(sql: Sql, token: string): Promise<InviteState | "unknown"> {
  if (!/^[A-Za-z0-9_-]{22,64}$/.test(token)) return "unknown";
  const [row] = await sql`select ${sql.unsafe(stateSql)} as state from invites
                          where token = ${token}`;
  return row?.state ?? "unknown";
}

/**
 * Creates a member with an invite. The invite row is locked for the transaction and marked
 * used in it, so two people racing for one link cannot both get in.
 */
export async function signUpWithInvite(sql: Sql, token: string, input: NewMember): Promise<Member> {
  const state = await inviteState(sql, token);
  refuseUnusable(state);
  await validateNewMember(input);
  const passwordHash = await hashPassword(input.password);
  return await sql.begin(async (tx) => {
    const [invite] = await tx`
      select id, creator_id, ${tx.unsafe(stateSql)} as state from invites
      where token = ${token} for update`;
    refuseUnusable(invite?.state ?? "unknown");
    const member = await insertMember(tx, input, passwordHash, {
      isAdmin: false,
      invitedBy: invite.creator_id,
    });
    await tx`update invites set used_by = ${member.id}, used_at = now() where id = ${invite.id}`;
    return member;
  });
}

function refuseUnusable(state: InviteState | "unknown"): void {
  if (state !== "open") {
    throw new Refusal(state === "unknown" ? "not_found" : "conflict", `join.unusable.${state}`);
  }
}

// deno-lint-ignore no-explicit-any
function toInvite(row: any): Invite {
  return {
    id: row.id,
    token: row.token,
    state: row.state,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}
