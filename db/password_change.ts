/**
 * A member changing their own password. The new one must pass the same rules as at sign-up
 * (db/password_rules.ts); the current one is checked through the sign-in limits, so a session
 * left open somewhere cannot be used to guess it faster than the sign-in page could. The new
 * hash and the end of every session of the member are one transaction: a session elsewhere
 * (perhaps the reason for the change) is over the moment the new password is.
 *
 * @example
 * await changePassword(sql, { memberId, handle, current, next, keys, limits });
 */
import type { Sql } from "./client.ts";
import { Refusal } from "./errors.ts";
import { hashPassword } from "./passwords.ts";
import { checkNewPassword } from "./password_rules.ts";
import { confirmOwnPassword, type SignInKeys } from "./sign_in_limits.ts";
import { endAllSessionsIn } from "./sessions.ts";
import type { SignInLimits } from "../config.ts";

export interface PasswordChange {
  memberId: number;
  handle: string;
  current: string;
  next: string;
  /** The sign-in keys of the member's handle from this address (routes' `signInKeys`). */
  keys: SignInKeys;
  limits: SignInLimits;
}

/**
 * Sets the new password and ends all the member's sessions (the caller starts a fresh one for
 * the device that asked). Refusals name the field: `current_password` or `new_password`.
 */
export async function changePassword(sql: Sql, change: PasswordChange): Promise<void> {
  if (change.current === "") {
    throw new Refusal("invalid", "refusal.password.current_missing", "current_password");
  }
  // Checked first: a new password that would be refused costs no sign-in try.
  await checkNewPassword(change.next, { handle: change.handle, field: "new_password" });
  await confirmOwnPassword(
    sql,
    {
      memberId: change.memberId,
      handle: change.handle,
      password: change.current,
      keys: change.keys,
      limits: change.limits,
    },
    "current_password",
    "refusal.password.current_wrong",
  );
  const passwordHash = await hashPassword(change.next);
  await sql.begin(async (tx) => {
    await tx`update users set password_hash = ${passwordHash} where id = ${change.memberId}`;
    await endAllSessionsIn(tx, change.memberId);
  });
}
