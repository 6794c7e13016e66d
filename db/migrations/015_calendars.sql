-- An event's time zone (IANA name) as its host chose it when scheduling: calendar files give its
-- start in that zone. Rooms scheduled before this, and rooms started live, say UTC.
alter table rooms add column time_zone text not null default 'UTC';

-- Each member's private calendar feed (GET /calendar/<secret>.ics): one at most. The URL carries
-- 256 random bits; the table keeps only their SHA-256, as sessions do. Revoking deletes the row;
-- a new feed replaces it, so the old URL stops working at once.
create table calendar_feeds (
  user_id bigint primary key references users (id) on delete cascade,
  secret_hash text not null unique,
  created_at timestamptz not null default now()
);
