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

-- Whether `member` is told of `kind` caused by `actor` about `room`: the one statement of that
-- rule, asked by every insert into notifications. Not a kind they turned off, not a person they
-- muted, no block either way, and only about a room they may see (db/migrations/008 `may_see`).
create function may_notify(member bigint, kind text, actor bigint, room bigint) returns boolean
language sql stable as $$
  select
    not exists (select 1 from notification_kinds_off o where o.member_id = $1 and o.kind = $2)
    and not exists (select 1 from notification_mutes m where m.member_id = $1 and m.muted_id = $3)
    and not exists (select 1 from blocks b
                    where (b.blocker_id = $1 and b.blocked_id = $3)
                       or (b.blocker_id = $3 and b.blocked_id = $1))
    and may_see($4, $1)
$$;
