/**
 * Server-side sessions. The cookie carries 256 random bits; the table keeps only their
 * SHA-256, so reading the database does not let anyone sign in as a member.
 *
 * @example
 * const token = await startSession(sql, member.id, { ttlMs: 30 * 86_400_000 });
 * (await sessionMember(sql, token))?.handle; // "ada"
 */
import type { Sql, Tx } from "./client.ts";
import { holdPresentMember, type Member, toMember } from "./users.ts";
import { notify } from "./events.ts";

export async function startSession(
  sql: Sql,
  memberId: number,
  options: { ttlMs: number },
): Promise<string> {
  const token = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const expiresAt = new Date(Date.now() + options.ttlMs);
  const idHash = await sha256(token);
  await sql.begin(async (tx) => {
    // A suspension or deletion under way finishes first: then this is refused, or its
    // signOutEverywhere ends this session too.
    await holdPresentMember(tx, memberId);
    await tx`insert into sessions (id_hash, user_id, expires_at)
             values (${idHash}, ${memberId}, ${expiresAt})`;
  });
  // Expired rows of this member go when they sign in again: the table stays small without a job.
  await sql`delete from sessions where user_id = ${memberId} and expires_at < now()`;
  return token;
}

/** The member behind a session cookie, or null when it is unknown or expired. */
export async function sessionMember(sql: Sql, token: string | undefined): Promise<Member | null> {
  return (await sessionLookup(sql, token))?.member ?? null;
}

/** The member behind a session cookie and when the session expires (for caches). */
export async function sessionLookup(
  sql: Sql,
  token: string | undefined,
): Promise<{ member: Member; expiresAt: Date } | null> {
  if (!token || token.length > 100) return null;
  const [row] = await sql`
    select u.id, u.handle, u.display_name, u.is_admin, u.onboarded_at, u.language, s.expires_at
    from sessions s join users u on u.id = s.user_id
    where s.id_hash = ${await sha256(token)} and s.expires_at > now()`;
  return row ? { member: toMember(row), expiresAt: row.expires_at } : null;
}

/** Ends one session; returns whose it was (null when it was unknown). */
export async function endSession(sql: Sql, token: string): Promise<number | null> {
  return await sql.begin(async (tx) => {
    const [row] = await tx`delete from sessions where id_hash = ${await sha256(token)}
                           returning user_id`;
    // Every process drops its cached copy of this member's sessions.
    if (row) await notify(tx, { members: [row.user_id] });
    return row?.user_id ?? null;
  });
}

/** Signs a member out on every device. */
export async function endAllSessions(sql: Sql, memberId: number): Promise<void> {
  await sql.begin(async (tx) => await endAllSessionsIn(tx, memberId));
}

/** `endAllSessions` inside a transaction that changes something else too (a password). */
export async function endAllSessionsIn(tx: Tx, memberId: number): Promise<void> {
  await tx`delete from sessions where user_id = ${memberId}`;
  await notify(tx, { members: [memberId] });
}

/**
 * Deletes up to `batchSize` expired sessions (of anyone: the daily retention sweep's part;
 * `startSession` deletes its member's own). Returns how many went.
 *
 * @example
 * await forgetExpiredSessions(sql, { batchSize: 1_000 });
 */
export async function forgetExpiredSessions(
  sql: Sql,
  options: { batchSize: number },
): Promise<number> {
  const gone = await sql`
    delete from sessions where id_hash = any(array(
      select id_hash from sessions where expires_at < now() limit ${options.batchSize}))`;
  return gone.count;
}

export function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_")
    .replace(/=+$/, "");
}

/**
 * The SHA-256 of `text`, base64url: what tables keep of a secret instead of the secret.
 *
 * @example
 * await sql`select user_id from sessions where id_hash = ${await sha256(token)}`;
 */
export async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return base64url(new Uint8Array(digest));
}
