-- Notifications: what a member is told (a room or an event by someone they follow, a ping, an
-- invitation to speak while away, an event they marked interesting about to start), the kinds
-- they turned off and the people they muted. db/notifications.ts holds every rule about them.

create table notifications (
  id bigint generated always as identity primary key,
  member_id bigint not null references users (id) on delete cascade,
  kind text not null check (kind in ('room_started', 'event_scheduled', 'ping',
                                     'invited_to_speak', 'event_starting')),
  -- Who caused it (the host, the pinger, the moderator); every kind names one.
  actor_id bigint not null references users (id) on delete cascade,
  room_id bigint not null references rooms (id) on delete cascade,
  created_at timestamptz not null default statement_timestamp(),
  read_at timestamptz
);
create index notifications_inbox on notifications (member_id, id desc);
create index notifications_unread on notifications (member_id) where read_at is null;
create index notifications_age on notifications (created_at);

-- A kind a member turned off; every kind is on until they do.
create table notification_kinds_off (
  member_id bigint not null references users (id) on delete cascade,
  kind text not null check (kind in ('room_started', 'event_scheduled', 'ping',
                                     'invited_to_speak', 'event_starting')),
  primary key (member_id, kind)
);

-- A person whose rooms, events and pings no longer notify the member who muted them.
create table notification_mutes (
  member_id bigint not null references users (id) on delete cascade,
  muted_id bigint not null references users (id) on delete cascade,
  at timestamptz not null default now(),
  primary key (member_id, muted_id),
  check (member_id <> muted_id)
);
create index notification_mutes_muted on notification_mutes (muted_id);

-- The "starts in 10 minutes" reminder, once per interested member: set by the sweep that sent it.
alter table event_interest add column reminded_at timestamptz;
create index event_interest_unreminded on event_interest (room_id) where reminded_at is null;

-- Who among `candidates` may join `room`: the rule migration 003 wrote as `may_join`, stated
-- for a set, so that telling 10,000 followers is one plan of joins rather than 10,000 calls of a
-- function PostgreSQL cannot inline (a scalar SQL function with subqueries never is; one that
-- returns a set, used in FROM, is). `may_join` is redefined below to ask this one: one rule.
create function members_may_join(room bigint, candidates bigint[]) returns setof bigint
language sql stable as $$
  select m from unnest(candidates) m, rooms r
  where r.id = room
    and not exists (select 1 from room_bans b where b.room_id = r.id and b.user_id = m)
    and not exists (
      select 1 from blocks k
      where k.blocked_id = m
        and (k.blocker_id in (select p.user_id from participants p
                              where p.room_id = r.id and p.role = 'moderator')
             or k.blocker_id in (select h.user_id from room_hosts h where h.room_id = r.id)))
    and (
      r.creator_id = m
      or r.kind = 'open'
      or exists (select 1 from room_hosts h where h.room_id = r.id and h.user_id = m)
      or exists (select 1 from participants p where p.room_id = r.id and p.user_id = m)
      or exists (select 1 from room_access a where a.room_id = r.id and a.user_id = m)
      or (r.kind = 'social' and exists (
            select 1 from follows f
            where f.followee_id = m
              and (f.follower_id in (select p.user_id from participants p
                                     where p.room_id = r.id and p.role = 'moderator')
                   or f.follower_id in (select h.user_id from room_hosts h
                                        where h.room_id = r.id)))))
$$;

create or replace function may_join(room_id bigint, member bigint) returns boolean
language sql stable as $$
  select exists (select 1 from members_may_join($1, array[$2]))
$$;

-- Who among `candidates` is told of `kind` caused by `actor` about `room`: the one statement of
-- that rule, asked by every insert into notifications. Not a kind they turned off, not a person
-- they muted, no block either way, and only about a room they may see. Notifications are only
-- ever made about live rooms and scheduled events, where seeing is joining (`may_see`,
-- migration 008): so `members_may_join`, in one plan for the whole set.
create function notifiable(kind text, actor bigint, room bigint, candidates bigint[])
returns setof bigint
language sql stable as $$
  select m from members_may_join(room, candidates) m
  where not exists (select 1 from notification_kinds_off o
                    where o.member_id = m and o.kind = notifiable.kind)
    and not exists (select 1 from notification_mutes x
                    where x.member_id = m and x.muted_id = actor)
    and not exists (select 1 from blocks b
                    where (b.blocker_id = m and b.blocked_id = actor)
                       or (b.blocker_id = actor and b.blocked_id = m))
$$;
