/**
 * Profiles and follows. A profile is read by a signed-in member (`viewerId`): the route
 * never shows one to a stranger, and the invite graph is not part of it.
 *
 * @example
 * await follow(sql, grace.id, "ada");
 * (await profile(sql, grace.id, "ADA"))?.followedByViewer; // true
 */
import type { Sql, Tx } from "./client.ts";
import { Refusal } from "./errors.ts";
import { notify } from "./events.ts";
import type { Topic } from "./topics.ts";

export interface Profile {
  id: number;
  handle: string;
  displayName: string;
  bio: string;
  topics: Topic[];
  followers: number;
  following: number;
  followedByViewer: boolean;
  blockedByViewer: boolean;
  /** The viewer gets no notifications from this member (db/notifications.ts `mute`). */
  mutedByViewer: boolean;
  isViewer: boolean;
  joinedAt: Date;
}

export async function profile(sql: Sql, viewerId: number, handle: string): Promise<Profile | null> {
  const [row] = await sql`
    select u.id, u.handle, u.display_name, u.bio, u.created_at,
      (select count(*)::int from follows where followee_id = u.id) as followers,
      (select count(*)::int from follows where follower_id = u.id) as following,
      exists (select 1 from follows where follower_id = ${viewerId} and followee_id = u.id)
        as followed,
      exists (select 1 from blocks where blocker_id = ${viewerId} and blocked_id = u.id)
        as blocked,
      exists (select 1 from notification_mutes where member_id = ${viewerId} and muted_id = u.id)
        as muted,
      coalesce((select json_agg(json_build_object('id', t.id, 'slug', t.slug, 'name', t.name)
                                order by t.name)
                from user_topics ut join topics t on t.id = ut.topic_id
                where ut.user_id = u.id), '[]') as topics
    from users u where lower(u.handle) = lower(${handle})`;
  if (!row) return null;
  return {
    id: row.id,
    handle: row.handle,
    displayName: row.display_name,
    bio: row.bio,
    topics: row.topics,
    followers: row.followers,
    following: row.following,
    followedByViewer: row.followed,
    blockedByViewer: row.blocked,
    mutedByViewer: row.muted,
    isViewer: row.id === viewerId,
    joinedAt: row.created_at,
  };
}

/** Follows the member with `handle`; following twice is the same as once. */
export async function follow(sql: Sql, followerId: number, handle: string): Promise<void> {
  await sql.begin(async (tx) => {
    const followeeId = await idOf(tx, handle);
    if (followeeId === followerId) throw new Refusal("invalid", "refusal.follow.self");
    const inserted = await tx`
      insert into follows (follower_id, followee_id) values (${followerId}, ${followeeId})
      on conflict do nothing returning followee_id`;
    if (inserted.length > 0) {
      await tx`insert into signals (user_id, kind, person_id)
               values (${followerId}, 'followed', ${followeeId})`;
      await notifyFollowChanged(tx, followerId, followeeId);
    }
  });
}

export async function unfollow(sql: Sql, followerId: number, handle: string): Promise<void> {
  await sql.begin(async (tx) => {
    const followeeId = await idOf(tx, handle);
    const deleted = await tx`
      delete from follows where follower_id = ${followerId} and followee_id = ${followeeId}
      returning followee_id`;
    if (deleted.length > 0) {
      await tx`insert into signals (user_id, kind, person_id)
               values (${followerId}, 'unfollowed', ${followeeId})`;
      await notifyFollowChanged(tx, followerId, followeeId);
    }
  });
}

/**
 * Both profiles' counts change, and hallways too: the follower's (people they follow on stage)
 * and the followee's (social rooms open to people their moderators follow).
 */
async function notifyFollowChanged(tx: Tx, followerId: number, followeeId: number) {
  await notify(tx, { members: [followerId, followeeId], hallway: true });
}

/**
 * The member with `handle`, held (for key share) until the transaction ends: a deletion of their
 * account under way finishes first, and then the handle names nobody (db/account_deletion.ts).
 */
async function idOf(sql: Sql | Tx, handle: string): Promise<number> {
  const [row] = await sql`select id from users where lower(handle) = lower(${handle})
                          for key share`;
  if (!row) throw new Refusal("not_found", "refusal.member.unknown");
  return row.id;
}
