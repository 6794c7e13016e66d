/**
 * A member deleting their own account: confirmed with their password (through the sign-in
 * limits), then done in one transaction that follows db/member_columns.ts column by column. The
 * account's row stays, emptied, for the rows other members keep (shown as "a deleted member");
 * its handle is reserved for a while so nobody else appears behind it at once.
 *
 * @example
 * await deleteAccount(sql, { memberId, handle, password, keys, limits, handleReservedMs });
 */
import type { Sql, Tx } from "./client.ts";
import { Refusal } from "./errors.ts";
import { notify } from "./events.ts";
import { leaveEveryRoom, lockMember, signOutEverywhere } from "./departures.ts";
import { memberColumns } from "./member_columns.ts";
import { keepAnAdministrator, lockAdministrators } from "./suspensions.ts";
import { confirmOwnPassword, type SignInKeys } from "./sign_in_limits.ts";
import type { SignInLimits } from "../config.ts";

export interface AccountDeletion {
  memberId: number;
  handle: string;
  /** The member's password, typed again to confirm. */
  password: string;
  /** The sign-in keys of the member's handle from this address (routes' `signInKeys`). */
  keys: SignInKeys;
  limits: SignInLimits;
  /** How long nobody else may sign up with the handle (config's `deletedHandleReservedMs`). */
  handleReservedMs: number;
}

/** The form field the password is typed in: refusals about it are shown next to it. */
export const deletionPasswordField = "delete_password";

/**
 * Deletes the member's account, or refuses: the password missing or wrong (`invalid`, on the
 * password field), too many wrong tries (`rate_limited`), or the last administrator
 * (`conflict`). Deleting an account already deleted by a request that won the race does nothing.
 *
 * @example
 * await deleteAccount(sql, { memberId: grace.id, handle: "grace", password, keys, limits,
 *   handleReservedMs: 30 * 86_400_000 });
 */
export async function deleteAccount(sql: Sql, deletion: AccountDeletion): Promise<void> {
  await confirmPassword(sql, deletion);
  await sql.begin(async (tx) => {
    // The administrators' rows first, then the member's: the order suspending and unmaking
    // take, so none of them waits on another in a circle.
    await lockAdministrators(tx);
    await lockMember(tx, deletion.memberId);
    const [member] = await tx`select handle, is_admin from users
                              where id = ${deletion.memberId} and deleted_at is null`;
    if (!member) return;
    if (member.is_admin) {
      await keepAnAdministrator(tx, deletion.memberId, "refusal.account_deletion.last_admin");
    }
    await leaveEveryRoom(tx, deletion.memberId);
    await handOverEvents(tx, deletion.memberId);
    await tx`update invites set revoked_at = now()
             where creator_id = ${deletion.memberId} and revoked_at is null
               and used_by is null and used_at is null`;
    const neighbours = await tx`
      select followee_id as id from follows where follower_id = ${deletion.memberId}
      union select follower_id from follows where followee_id = ${deletion.memberId}`;
    await signOutEverywhere(tx, deletion.memberId, "deleted");
    await deleteOwnRows(tx, deletion.memberId);
    await emptyAccount(tx, deletion.memberId);
    await tx`insert into handle_reservations (handle, until)
             values (${member.handle.toLowerCase()},
                     now() + ${deletion.handleReservedMs} * interval '1 millisecond')
             on conflict (handle) do update set until = excluded.until`;
    // Profiles that counted the member's follows, and hallways that showed their events.
    await notify(tx, {
      members: [deletion.memberId, ...neighbours.map((n) => n.id as number)],
      hallway: true,
    });
  });
}

async function confirmPassword(sql: Sql, deletion: AccountDeletion): Promise<void> {
  if (deletion.password === "") {
    throw new Refusal(
      "invalid",
      "refusal.account_deletion.password_missing",
      deletionPasswordField,
    );
  }
  await confirmOwnPassword(
    sql,
    {
      memberId: deletion.memberId,
      handle: deletion.handle,
      password: deletion.password,
      keys: deletion.keys,
      limits: deletion.limits,
    },
    deletionPasswordField,
    "refusal.account_deletion.password_wrong",
  );
}

/**
 * The member's events to come: one with a co-host passes to them (the oldest account among
 * them becomes its creator, whom reminders name), so it still opens; one without is cancelled
 * (ended now), as nobody is left to open it.
 */
async function handOverEvents(tx: Tx, memberId: number): Promise<void> {
  const events = await tx`
    select r.id,
           (select min(h.user_id) from room_hosts h
            where h.room_id = r.id and h.user_id <> ${memberId}) as cohost_id
    from rooms r
    where r.state = 'scheduled'
      and (r.creator_id = ${memberId}
           or exists (select 1 from room_hosts h where h.room_id = r.id and h.user_id = ${memberId}))
    order by r.id for update of r`;
  for (const event of events) {
    if (event.cohost_id !== null) {
      await tx`update rooms set creator_id = ${event.cohost_id}
               where id = ${event.id} and creator_id = ${memberId}`;
    } else {
      await tx`update rooms set state = 'ended', ended_at = statement_timestamp()
               where id = ${event.id}`;
    }
  }
}

/** Deletes the rows of every column db/member_columns.ts marks `delete`. */
async function deleteOwnRows(tx: Tx, memberId: number): Promise<void> {
  for (const { table, column } of memberColumns.filter((c) => c.deletion === "delete")) {
    // Names from our own constant list, never from a request.
    await tx.unsafe(`delete from ${table} where ${column} = $1`, [memberId]);
  }
}

/** The account's row, emptied: nothing left that names the person or lets anyone sign in. */
async function emptyAccount(tx: Tx, memberId: number): Promise<void> {
  await tx`update users
           set handle = null, display_name = null, bio = '', password_hash = null,
               deleted_at = now(), invited_by = null, is_admin = false, language = null,
               listening_paused = false
           where id = ${memberId}`;
}
