/**
 * What administrators alone see: every member with who invited them. Deleted accounts are not
 * listed (nothing is left of them to show); someone they invited shows "a deleted member".
 *
 * @example
 * (await members(sql, admin.id))[1].invitedBy; // "ada"
 */
import type { Sql } from "./client.ts";
import { requireAdmin } from "./users.ts";

export interface MemberRow {
  handle: string;
  displayName: string;
  isAdmin: boolean;
  /** The inviter's handle; null for the first administrator, or an inviter since deleted. */
  invitedBy: string | null;
  invitedByDeleted: boolean;
  joinedAt: Date;
  /** The suspension in force now, if any (endsAt null: for good). */
  suspension: { endsAt: Date | null } | null;
}

export async function members(sql: Sql, actorId: number): Promise<MemberRow[]> {
  await requireAdmin(sql, actorId);
  const rows = await sql`
    select u.handle, u.display_name, u.is_admin, u.created_at, i.handle as invited_by,
           is_suspended(u.id) as suspended, s.ends_at as suspended_until,
           i.deleted_at is not null as invited_by_deleted
    from users u left join users i on i.id = u.invited_by
    left join suspensions s on s.member_id = u.id and s.lifted_at is null
    -- A deleted account's emptied row has no handle to act on.
    where u.deleted_at is null
    order by u.created_at, u.id limit 1000`;
  return rows.map((r) => ({
    handle: r.handle,
    displayName: r.display_name,
    isAdmin: r.is_admin,
    invitedBy: r.invited_by,
    invitedByDeleted: r.invited_by_deleted === true,
    joinedAt: r.created_at,
    suspension: r.suspended ? { endsAt: r.suspended_until } : null,
  }));
}
