-- Members' rights and administrators' tools: deleted accounts, reserved handles, suspensions,
-- reports acted on and the administrators' audit log. db/member_columns.ts lists every column
-- that refers to a member and what deletion and export do with it.

-- A deleted account keeps its row, emptied: no handle, no name, no bio, no password. Rows other
-- members still need point at it (the room they were in, the invite they sent, the report they
-- made, the moderation log) and show "a deleted member". Nobody can sign in as it or find it.
alter table users add column deleted_at timestamptz;
alter table users alter column handle drop not null;
alter table users alter column display_name drop not null;
alter table users alter column password_hash drop not null;
alter table users add constraint users_deleted_is_empty check (
  (deleted_at is null) = (handle is not null and display_name is not null
                          and password_hash is not null));

-- A deleted member's handle, which nobody may take until `until` (30 days): a follower who
-- looks for it must not find someone else behind it at once.
create table handle_reservations (
  -- lower(handle), as users_handle_key compares them.
  handle text primary key,
  until timestamptz not null
);

-- An administrator's suspension of a member, for a time (`ends_at`) or for good (null). The
-- member sees `reason` when they try to sign in. Lifting it early sets `lifted_at`.
create table suspensions (
  id bigint generated always as identity primary key,
  member_id bigint not null references users (id) on delete cascade,
  by_id bigint references users (id) on delete set null,
  reason text not null check (length(reason) between 3 and 500),
  starts_at timestamptz not null default statement_timestamp(),
  ends_at timestamptz,
  lifted_at timestamptz,
  lifted_by bigint references users (id) on delete set null,
  check (ends_at is null or ends_at > starts_at),
  check (lifted_by is null or lifted_at is not null)
);
-- At most one suspension in force per member: suspending again replaces it (db/suspensions.ts).
create unique index suspensions_one_open on suspensions (member_id) where lifted_at is null;

-- Reports acted on: dismissed, a warning, a suspension or the room ended, with a note.
alter table reports add column resolved_at timestamptz;
alter table reports add column resolved_by bigint references users (id) on delete set null;
alter table reports add column resolution text
  check (resolution in ('dismissed', 'warned', 'suspended', 'room_ended'));
alter table reports add column resolution_note text not null default ''
  check (length(resolution_note) <= 500);
alter table reports add constraint reports_resolved_whole check (
  (resolved_at is null) = (resolution is null));
create index reports_open on reports (at desc) where resolved_at is null;

-- Every administrator's action: who, what, whom (a member, a room, a report), when, and the
-- note they wrote. Appended only; filtered and exported as CSV on /admin/log.
create table admin_log (
  id bigint generated always as identity primary key,
  at timestamptz not null default statement_timestamp(),
  actor_id bigint references users (id) on delete set null,
  action text not null check (action in (
    'suspend', 'lift_suspension', 'revoke_invites', 'end_room', 'resolve_report',
    'make_admin', 'unmake_admin', 'set_retention', 'warn')),
  member_id bigint references users (id) on delete set null,
  room_id bigint references rooms (id) on delete set null,
  report_id bigint references reports (id) on delete set null,
  note text not null default '' check (length(note) <= 500),
  -- What else the action needs told (a suspension's end, a retention's days).
  details jsonb not null default '{}'
);
create index admin_log_at on admin_log (at desc, id desc);
create index admin_log_member on admin_log (member_id, at desc) where member_id is not null;
create index admin_log_actor on admin_log (actor_id, at desc) where actor_id is not null;

-- The one statement of "suspended now": a suspension not lifted whose end, if any, is to come.
-- Sign-in, joining a room and the administrators' pages all ask it.
create function is_suspended(member bigint) returns boolean
language sql stable as $$
  select exists (
    select 1 from suspensions s
    where s.member_id = $1 and s.lifted_at is null and (s.ends_at is null or s.ends_at > now()))
$$;
