/**
 * What a member's hallway lists: live rooms they may join and upcoming events, without rooms
 * where someone on stage and the member have blocked one another, with what ranking needs
 * (topics, the stage, counts, the member's follows and picks). recommend/hallway.ts orders it.
 *
 * @example
 * const { live, upcoming } = await hallwayFor(sql, grace.id);
 * live[0].stage[0].displayName; // "Ada Lovelace"
 */
import type { Sql } from "./client.ts";
import { memberLanguage } from "./site_settings.ts";
import type { Language } from "../i18n/language.ts";

export interface HallwayTopic {
  id: number;
  slug: string;
  name: string;
}

export interface HallwayPerson {
  id: number;
  handle: string;
  displayName: string;
}

export interface HallwayRoom {
  id: number;
  /** What its URL carries (`id` stays inside, for ranking). */
  publicId: string;
  title: string;
  kind: "open" | "social" | "closed";
  topics: HallwayTopic[];
  /** Everyone on stage, moderators first. */
  stage: HallwayPerson[];
  listenerCount: number;
  followedOnStage: number;
  startedAt: Date;
  /** The member said they are not interested in this room. */
  notInterested: boolean;
  /** The language spoken in the room (migration 010). */
  language: Language;
}

export interface HallwayEvent {
  id: number;
  publicId: string;
  title: string;
  startsAt: Date;
  /** A closed event's card offers no link: only its hosts have the one that lets people in. */
  kind: "open" | "social" | "closed";
  topics: HallwayTopic[];
  hosts: HallwayPerson[];
  interested: number;
  viewerInterested: boolean;
  viewerHosts: boolean;
}

export interface Hallway {
  live: HallwayRoom[];
  upcoming: HallwayEvent[];
  /** What ranking needs to know about the member (recommend/hallway.ts). */
  viewer: { follows: number[]; pickedTopics: number[]; language: Language };
}

/** Live rooms listed at most: more than a hallway can show, fewer than a query can drown in. */
const liveListed = 500;

/**
 * The live rooms the member may join and the upcoming events, most followed and biggest
 * first; recommend/hallway.ts orders them for the member when a model is applied.
 */
export async function hallwayFor(sql: Sql, memberId: number): Promise<Hallway> {
  const live = await sql`
    select * from (
    select r.id, r.public_id, r.title, r.kind, r.started_at, r.language,
      coalesce((select json_agg(json_build_object('id', t.id, 'slug', t.slug, 'name', t.name)
                                order by t.name)
                from room_topics rt join topics t on t.id = rt.topic_id
                where rt.room_id = r.id), '[]') as topics,
      coalesce((select json_agg(json_build_object('id', u.id, 'handle', u.handle,
                                                  'displayName', u.display_name)
                                order by p.role = 'moderator' desc, p.joined_at)
                from participants p join users u on u.id = p.user_id
                where p.room_id = r.id and p.role <> 'listener'), '[]') as stage,
      (select count(*)::int from participants p
        where p.room_id = r.id and p.role = 'listener') as listener_count,
      (select count(*)::int from participants p join follows f
         on f.followee_id = p.user_id and f.follower_id = ${memberId}
        where p.room_id = r.id and p.role <> 'listener') as followed_on_stage,
      exists (select 1 from signals s where s.room_id = r.id and s.user_id = ${memberId}
                and s.kind = 'not_interested') as not_interested
    from rooms r
    where r.state = 'live' and may_join(r.id, ${memberId})
      and not exists (
        select 1 from participants p join blocks b
          on (b.blocker_id = ${memberId} and b.blocked_id = p.user_id)
          or (b.blocked_id = ${memberId} and b.blocker_id = p.user_id)
        where p.room_id = r.id and p.role <> 'listener')
    ) listed
    order by not_interested, followed_on_stage desc, json_array_length(stage) + listener_count desc,
      started_at desc
    limit ${liveListed}`;
  const upcoming = await sql`
    select r.id, r.public_id, r.title, r.kind, r.scheduled_for,
      coalesce((select json_agg(json_build_object('id', t.id, 'slug', t.slug, 'name', t.name)
                                order by t.name)
                from room_topics rt join topics t on t.id = rt.topic_id
                where rt.room_id = r.id), '[]') as topics,
      coalesce((select json_agg(json_build_object('id', u.id, 'handle', u.handle,
                                                  'displayName', u.display_name)
                                order by h.user_id = r.creator_id desc, u.display_name)
                from room_hosts h join users u on u.id = h.user_id
                where h.room_id = r.id), '[]') as hosts,
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
  const [viewer] = await sql`
    select array(select followee_id from follows where follower_id = ${memberId}) as follows,
      array(select topic_id from user_topics where user_id = ${memberId}) as picked`;
  const language = await memberLanguage(sql, memberId);
  return {
    live: live.map((r) => ({
      id: r.id,
      publicId: r.public_id,
      title: r.title,
      kind: r.kind,
      topics: r.topics,
      stage: r.stage,
      listenerCount: r.listener_count,
      followedOnStage: r.followed_on_stage,
      startedAt: r.started_at,
      notInterested: r.not_interested,
      language: r.language,
    })),
    upcoming: upcoming.map((r) => ({
      id: r.id,
      publicId: r.public_id,
      title: r.title,
      startsAt: r.scheduled_for,
      kind: r.kind,
      topics: r.topics,
      hosts: r.hosts,
      interested: r.interested,
      viewerInterested: r.viewer_interested,
      viewerHosts: r.viewer_hosts,
    })),
    viewer: {
      follows: viewer.follows.map(Number),
      pickedTopics: viewer.picked,
      language,
    },
  };
}
