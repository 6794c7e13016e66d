/**
 * What a member's hallway lists: live rooms they may join and upcoming events, without rooms
 * where someone on stage and the member have blocked one another. Ordered simply for now:
 * rooms with people the member follows on stage first, then by size.
 *
 * @example
 * const { live, upcoming } = await hallwayFor(sql, grace.id);
 * live[0].speakers; // ["Ada Lovelace", ...]
 */
import type { Sql } from "./client.ts";

export interface HallwayRoom {
  id: number;
  title: string;
  kind: "open" | "social" | "closed";
  topics: string[];
  /** A few names from the stage, moderators first. */
  speakers: string[];
  speakerCount: number;
  listenerCount: number;
  followedOnStage: number;
}

export interface HallwayEvent {
  id: number;
  title: string;
  startsAt: Date;
  topics: string[];
  hosts: string[];
  interested: number;
  viewerInterested: boolean;
  viewerHosts: boolean;
}

export interface Hallway {
  live: HallwayRoom[];
  upcoming: HallwayEvent[];
}

const speakersShown = 3;

export async function hallwayFor(sql: Sql, memberId: number): Promise<Hallway> {
  const live = await sql`
    select * from (
    select r.id, r.title, r.kind, r.started_at,
      array(select t.name from room_topics rt join topics t on t.id = rt.topic_id
            where rt.room_id = r.id order by t.name) as topics,
      array(select u.display_name from participants p join users u on u.id = p.user_id
            where p.room_id = r.id and p.role <> 'listener'
            order by p.role = 'moderator' desc, p.joined_at limit ${speakersShown}) as speakers,
      (select count(*)::int from participants p
        where p.room_id = r.id and p.role <> 'listener') as speaker_count,
      (select count(*)::int from participants p
        where p.room_id = r.id and p.role = 'listener') as listener_count,
      (select count(*)::int from participants p join follows f
         on f.followee_id = p.user_id and f.follower_id = ${memberId}
        where p.room_id = r.id and p.role <> 'listener') as followed_on_stage
    from rooms r
    where r.state = 'live' and may_join(r.id, ${memberId})
      and not exists (
        select 1 from participants p join blocks b
          on (b.blocker_id = ${memberId} and b.blocked_id = p.user_id)
          or (b.blocked_id = ${memberId} and b.blocker_id = p.user_id)
        where p.room_id = r.id and p.role <> 'listener')
    ) listed
    order by followed_on_stage desc, speaker_count + listener_count desc, started_at desc
    limit 100`;
  const upcoming = await sql`
    select r.id, r.title, r.scheduled_for,
      array(select t.name from room_topics rt join topics t on t.id = rt.topic_id
            where rt.room_id = r.id order by t.name) as topics,
      array(select u.display_name from room_hosts h join users u on u.id = h.user_id
            where h.room_id = r.id order by h.user_id = r.creator_id desc, u.display_name)
        as hosts,
      (select count(*)::int from event_interest i where i.room_id = r.id) as interested,
      exists (select 1 from event_interest i where i.room_id = r.id and i.user_id = ${memberId})
        as viewer_interested,
      exists (select 1 from room_hosts h where h.room_id = r.id and h.user_id = ${memberId})
        as viewer_hosts
    from rooms r
    where r.state = 'scheduled' and r.scheduled_for > now() - interval '6 hours'
      and may_join(r.id, ${memberId})
      and not exists (
        select 1 from room_hosts h join blocks b
          on (b.blocker_id = ${memberId} and b.blocked_id = h.user_id)
          or (b.blocked_id = ${memberId} and b.blocker_id = h.user_id)
        where h.room_id = r.id)
    order by r.scheduled_for limit 50`;
  return {
    live: live.map((r) => ({
      id: r.id,
      title: r.title,
      kind: r.kind,
      topics: r.topics,
      speakers: r.speakers,
      speakerCount: r.speaker_count,
      listenerCount: r.listener_count,
      followedOnStage: r.followed_on_stage,
    })),
    upcoming: upcoming.map((r) => ({
      id: r.id,
      title: r.title,
      startsAt: r.scheduled_for,
      topics: r.topics,
      hosts: r.hosts,
      interested: r.interested,
      viewerInterested: r.viewer_interested,
      viewerHosts: r.viewer_hosts,
    })),
  };
}
