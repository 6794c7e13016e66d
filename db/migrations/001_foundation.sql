-- Members, sessions, invites, the waitlist, follows and rate limits: the invite-only community.

create table users (
  id bigint generated always as identity primary key,
  handle text not null check (handle ~ '^[A-Za-z0-9_]{3,20}$'),
  display_name text not null check (length(display_name) between 1 and 50),
  bio text not null default '' check (length(bio) <= 300),
  password_hash text not null,
  is_admin boolean not null default false,
  -- Who invited whom: shown to administrators only.
  invited_by bigint references users (id) on delete set null,
  -- Null until the member has picked their first topics.
  onboarded_at timestamptz,
  created_at timestamptz not null default now()
);
create unique index users_handle_key on users (lower(handle));

create table sessions (
  -- sha-256 of the cookie value: a copy of this table does not sign anybody in.
  id_hash text primary key,
  user_id bigint not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index sessions_user on sessions (user_id);

create table waitlist (
  id bigint generated always as identity primary key,
  name text not null check (length(name) between 1 and 80),
  contact text not null check (length(contact) between 3 and 200),
  reason text not null default '' check (length(reason) <= 300),
  created_at timestamptz not null default now()
);

create table invites (
  id bigint generated always as identity primary key,
  token text not null unique check (length(token) >= 22),
  creator_id bigint not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  revoked_at timestamptz,
  used_by bigint unique references users (id) on delete set null,
  used_at timestamptz,
  -- Set when an administrator turned a waitlist entry into this invite.
  waitlist_id bigint unique references waitlist (id) on delete set null,
  check (used_by is null or used_at is not null),
  check (revoked_at is null or used_at is null)
);
create index invites_creator on invites (creator_id, created_at desc);

create table follows (
  follower_id bigint not null references users (id) on delete cascade,
  followee_id bigint not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (follower_id, followee_id),
  check (follower_id <> followee_id)
);
create index follows_followee on follows (followee_id);

-- Fixed-window counters shared by every process on this database.
create table rate_limits (
  bucket text not null,
  key text not null,
  window_start timestamptz not null,
  hits integer not null,
  primary key (bucket, key, window_start)
);

create table settings (
  key text primary key,
  value jsonb not null
);
insert into settings (key, value) values ('invites_per_member', '5');
