/**
 * Members: the first administrator, sign-up through an invite, sign-in, profiles.
 * Every rule about a member's fields is checked here, once, and again by the schema.
 *
 * @example
 * const admin = await createFirstAdmin(sql, { handle: "ada", displayName: "Ada", password });
 * const member = await authenticate(sql, "ADA", password); // handles ignore case
 */
import type { Sql, Tx } from "./client.ts";
import { isUniqueViolation, Refusal } from "./errors.ts";
import { notify } from "./events.ts";
import { hashPassword, spendDecoyVerification, verifyPassword } from "./passwords.ts";
import { displayNameFrom, refuseTakenDisplayName } from "./display_names.ts";
import { checkNewPassword } from "./password_rules.ts";
import { isLanguage, type Language } from "../i18n/language.ts";

export interface Member {
  id: number;
  handle: string;
  displayName: string;
  isAdmin: boolean;
  onboarded: boolean;
  /** The member's own choice of language; null follows the browser, then the site. */
  language: Language | null;
}

export interface NewMember {
  handle: string;
  displayName: string;
  password: string;
}

export const handlePattern = /^[A-Za-z0-9_]{3,20}$/;
export const bioMaxLength = 300;

// Paths that `/@handle` must never shadow, and names that would confuse members.
const reservedHandles = new Set(["admin", "administrator", "palabre", "root", "support", "system"]);
/** Handles of the demo community `deno task seed` writes; nobody signs up with one. */
export const seededHandlePrefix = "demo_";
const setupLockKey = 7_246_912;

/** Refuses (`invalid`) naming the first field that is wrong; the password by password_rules.ts. */
export async function validateNewMember(input: NewMember): Promise<void> {
  const handle = input.handle.trim();
  if (!handlePattern.test(handle)) {
    throw new Refusal(
      "invalid",
      "refusal.handle.shape",
      "handle",
    );
  }
  const lower = handle.toLowerCase();
  if (reservedHandles.has(lower) || lower.startsWith(seededHandlePrefix)) {
    throw new Refusal("invalid", "refusal.handle.reserved", "handle");
  }
  displayNameFrom(input.displayName);
  await checkNewPassword(input.password, { handle });
}

/** True while nobody has an account: the set-up page exists only then. */
export async function needsSetup(sql: Sql): Promise<boolean> {
  const [row] = await sql`select not exists (select 1 from users) as empty`;
  return row.empty;
}

/** Creates the first administrator; refused with `not_found` once any account exists. */
export async function createFirstAdmin(sql: Sql, input: NewMember): Promise<Member> {
  await validateNewMember(input);
  const passwordHash = await hashPassword(input.password);
  return await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${setupLockKey})`;
    const [{ empty }] = await tx`select not exists (select 1 from users) as empty`;
    if (!empty) throw new Refusal("not_found", "refusal.setup.done");
    return await insertMember(tx, input, passwordHash, { isAdmin: true, invitedBy: null });
  });
}

/** Inserts a member; a taken handle (in any case) is an `invalid` refusal on the handle field. */
export async function insertMember(
  tx: Tx,
  input: NewMember,
  passwordHash: string,
  options: { isAdmin: boolean; invitedBy: number | null },
): Promise<Member> {
  const handle = input.handle.trim();
  const displayName = displayNameFrom(input.displayName);
  let member: Member;
  try {
    // A savepoint keeps the caller's transaction usable after a unique violation.
    const [row] = await tx.savepoint((sp) =>
      sp`insert into users (handle, display_name, password_hash, is_admin, invited_by)
         values (${handle}, ${displayName}, ${passwordHash},
                 ${options.isAdmin}, ${options.invitedBy})
         returning id, handle, display_name, is_admin, onboarded_at, language`
    );
    member = toMember(row);
  } catch (error) {
    if (isUniqueViolation(error, "users_handle_key")) {
      throw new Refusal("invalid", "refusal.handle.taken", "handle");
    }
    throw error;
  }
  // After the insert, which waits for a deletion of the handle's holder under way to commit:
  // its reservation is then there to be seen.
  await refuseReservedHandle(tx, handle);
  // After the handle: a taken handle is the first thing a person signing up needs to know.
  await refuseTakenDisplayName(tx, displayName, member.id);
  return member;
}

/**
 * Refuses a handle a deleted account held until its reservation ends (db/account_deletion.ts);
 * reservations past their end are forgotten here, on the way.
 */
async function refuseReservedHandle(tx: Tx, handle: string): Promise<void> {
  await tx`delete from handle_reservations where until <= now()`;
  const [reserved] = await tx`select 1 from handle_reservations
                              where handle = ${handle.toLowerCase()}`;
  if (reserved) throw new Refusal("invalid", "refusal.handle.recently_used", "handle");
}

/** The member with this handle and password, or an `unauthenticated` refusal. */
export async function authenticate(sql: Sql, handle: string, password: string): Promise<Member> {
  const [row] = await sql`
    select id, handle, display_name, is_admin, onboarded_at, language, password_hash
    from users where lower(handle) = lower(${handle.trim()})`;
  const ok = row
    ? await verifyPassword(password, row.password_hash)
    : (await spendDecoyVerification(password), false);
  if (!ok) throw new Refusal("unauthenticated", "refusal.sign_in.wrong");
  return toMember(row);
}

export async function memberById(sql: Sql | Tx, id: number): Promise<Member | null> {
  const [row] = await sql`
    select id, handle, display_name, is_admin, onboarded_at, language from users where id = ${id}`;
  return row ? toMember(row) : null;
}

/**
 * Holds the member's row (for key share) until the transaction ends and refuses a member deleted or
 * suspended meanwhile. Taken before any room's lock by whatever seats a member in a room:
 * db/departures.ts takes the same row (for update) before the rooms', so a suspension or a
 * deletion under way finishes first and nobody slips into a room behind it.
 */
export async function holdPresentMember(tx: Tx, memberId: number): Promise<void> {
  await tx`select 1 from users where id = ${memberId} for key share`;
  // A second statement, so a second snapshot: a suspension that committed while the lock was
  // awaited only locked the row (no new version), and the locking statement's snapshot predates it.
  const [row] = await tx`select deleted_at is null and not is_suspended(id) as present
                         from users where id = ${memberId}`;
  if (!row?.present) throw new Refusal("unauthenticated", "refusal.member.departed");
}

/** Refuses unless `actorId` is an administrator; call it inside the transaction that acts. */
export async function requireAdmin(tx: Sql | Tx, actorId: number): Promise<void> {
  const [row] = await tx`select is_admin from users where id = ${actorId}`;
  if (!row?.is_admin) throw new Refusal("forbidden", "refusal.admin.only");
}

export interface ProfileEdit {
  displayName: string;
  bio: string;
}

/** Changes a member's own display name and bio. */
export async function updateProfile(sql: Sql, memberId: number, edit: ProfileEdit): Promise<void> {
  const displayName = displayNameFrom(edit.displayName);
  const bio = edit.bio.replace(/\r\n/g, "\n").trim();
  if (bio.length > bioMaxLength) {
    throw new Refusal("invalid", "refusal.bio.too_long", {
      field: "bio",
      params: { count: bioMaxLength },
    });
  }
  await sql.begin(async (tx) => {
    await refuseTakenDisplayName(tx, displayName, memberId);
    await tx`update users set display_name = ${displayName}, bio = ${bio}
             where id = ${memberId}`;
    // Display names show in other members' hallways too.
    await notify(tx, { members: [memberId], hallway: true });
  });
}

export async function markOnboarded(tx: Tx, memberId: number): Promise<void> {
  await tx`update users set onboarded_at = coalesce(onboarded_at, now()) where id = ${memberId}`;
}

/** A member from a `users` row (id, handle, display_name, is_admin, onboarded_at, language). */
// deno-lint-ignore no-explicit-any
export function toMember(row: any): Member {
  return {
    id: row.id,
    handle: row.handle,
    displayName: row.display_name,
    isAdmin: row.is_admin,
    onboarded: row.onboarded_at !== null,
    language: isLanguage(row.language) ? row.language : null,
  };
}

/**
 * Sets a member's own language, or null to follow the browser and then the site.
 *
 * @example
 * await setMemberLanguage(sql, ada.id, "fr");
 */
export async function setMemberLanguage(
  sql: Sql,
  memberId: number,
  language: Language | null,
): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`update users set language = ${language} where id = ${memberId}`;
    // Cached sessions carry the member, language included.
    await notify(tx, { members: [memberId] });
  });
}
