-- Live rooms and scheduled events, who is in them in which role, hands, moderation, blocks,
-- reports and listening history.

create table rooms (
  id bigint generated always as identity primary key,
  title text not null check (length(title) between 1 and 80),
  description text not null default '' check (length(description) <= 300),
  kind text not null check (kind in ('open', 'social', 'closed')),
  state text not null check (state in ('scheduled', 'live', 'ended')),
  creator_id bigint not null references users (id) on delete cascade,
  -- Closed rooms: the secret part of the link the creator shares.
  link_key text not null,
  hands_enabled boolean not null default true,
  scheduled_for timestamptz,
  started_at timestamptz,
  ended_at timestamptz,
  created_at timestamptz not null default now(),
  check (state <> 'scheduled' or scheduled_for is not null),
  check (state <> 'live' or started_at is not null),
  check (state <> 'ended' or ended_at is not null)
);
create index rooms_live on rooms (state) where state <> 'ended';

create table room_topics (
  room_id bigint not null references rooms (id) on delete cascade,
  topic_id integer not null references topics (id) on delete cascade,
  primary key (room_id, topic_id)
);

-- The creator and co-hosts of a scheduled event: they join its room as moderators.
create table room_hosts (
  room_id bigint not null references rooms (id) on delete cascade,
  user_id bigint not null references users (id) on delete cascade,
  primary key (room_id, user_id)
);

create table event_interest (
  room_id bigint not null references rooms (id) on delete cascade,
  user_id bigint not null references users (id) on delete cascade,
  at timestamptz not null default now(),
  primary key (room_id, user_id)
);

create table participants (
  room_id bigint not null references rooms (id) on delete cascade,
  user_id bigint not null references users (id) on delete cascade,
  role text not null check (role in ('moderator', 'speaker', 'listener')),
  muted boolean not null default true,
  hand_raised_at timestamptz,
  -- A moderator asked this listener up; they have not answered yet.
  invited_at timestamptz,
  -- statement_timestamp(), not now(): rows are written under the room lock, and a transaction
  -- that began earlier may take the lock later; the lock order is the true order.
  joined_at timestamptz not null default statement_timestamp(),
  -- Since when this member is on stage (null in the audience).
  on_stage_since timestamptz,
  -- Refreshed while the member's page is connected; presence ends when it goes stale.
  last_seen_at timestamptz not null default statement_timestamp(),
  primary key (room_id, user_id),
  check (hand_raised_at is null or role = 'listener'),
  check (invited_at is null or role = 'listener'),
  check ((role = 'listener') = (on_stage_since is null))
);
create index participants_user on participants (user_id);
create index participants_seen on participants (last_seen_at);

-- Removed from a room: they cannot come back to it.
create table room_bans (
  room_id bigint not null references rooms (id) on delete cascade,
  user_id bigint not null references users (id) on delete cascade,
  at timestamptz not null default now(),
  primary key (room_id, user_id)
);

-- Members let into a closed room through its link.
create table room_access (
  room_id bigint not null references rooms (id) on delete cascade,
  user_id bigint not null references users (id) on delete cascade,
  primary key (room_id, user_id)
);

create table moderation_log (
  id bigint generated always as identity primary key,
  room_id bigint not null references rooms (id) on delete cascade,
  actor_id bigint references users (id) on delete set null,
  action text not null,
  target_id bigint references users (id) on delete set null,
  at timestamptz not null default now()
);
create index moderation_log_room on moderation_log (room_id, at);

create table blocks (
  blocker_id bigint not null references users (id) on delete cascade,
  blocked_id bigint not null references users (id) on delete cascade,
  at timestamptz not null default now(),
  primary key (blocker_id, blocked_id),
  check (blocker_id <> blocked_id)
);
create index blocks_blocked on blocks (blocked_id);

create table reports (
  id bigint generated always as identity primary key,
  reporter_id bigint not null references users (id) on delete cascade,
  member_id bigint references users (id) on delete cascade,
  room_id bigint references rooms (id) on delete cascade,
  reason text not null check (length(reason) between 3 and 500),
  at timestamptz not null default now(),
  check ((member_id is null) <> (room_id is null))
);

-- Time spent in rooms per role, written by the server from presence (append, then closed).
create table listens (
  id bigint generated always as identity primary key,
  room_id bigint not null references rooms (id) on delete cascade,
  user_id bigint not null references users (id) on delete cascade,
  role text not null check (role in ('moderator', 'speaker', 'listener')),
  started_at timestamptz not null default statement_timestamp(),
  ended_at timestamptz,
  check (ended_at is null or ended_at >= started_at)
);
create unique index listens_open on listens (room_id, user_id) where ended_at is null;

-- Who may join a room: the one statement of that rule, used by joining and by the hallway.
-- Removed members never; members a moderator (or, for events, a host) blocked never; then by
-- kind: open to every member, social to people a moderator or host follows, closed to people
-- let in through the room's link. Creators, hosts and those already inside always.
create function may_join(room_id bigint, member bigint) returns boolean
language sql stable as $$
  select
    not exists (select 1 from room_bans b where b.room_id = $1 and b.user_id = $2)
    and not exists (
      select 1 from blocks k
      where k.blocked_id = $2
        and (k.blocker_id in (select p.user_id from participants p
                              where p.room_id = $1 and p.role = 'moderator')
             or k.blocker_id in (select h.user_id from room_hosts h where h.room_id = $1)))
    and exists (
      select 1 from rooms r where r.id = $1 and (
        r.creator_id = $2
        or r.kind = 'open'
        or exists (select 1 from room_hosts h where h.room_id = $1 and h.user_id = $2)
        or exists (select 1 from participants p where p.room_id = $1 and p.user_id = $2)
        or exists (select 1 from room_access a where a.room_id = $1 and a.user_id = $2)
        or (r.kind = 'social' and exists (
              select 1 from follows f
              where f.followee_id = $2
                and (f.follower_id in (select p.user_id from participants p
                                       where p.room_id = $1 and p.role = 'moderator')
                     or f.follower_id in (select h.user_id from room_hosts h
                                          where h.room_id = $1)))))
    )
$$;
