-- A member's export of their data (db/data_exports.ts): asked for on /settings/export, built
-- off the request path by whichever process claims it first (live/export_worker.ts), downloaded
-- as JSON or HTML by that member only, and deleted once it expires.
create table data_exports (
  id bigint generated always as identity primary key,
  member_id bigint not null references users (id) on delete cascade,
  state text not null default 'queued' check (state in ('queued', 'building', 'ready', 'failed')),
  -- The worker building it (a random key per claim) and when it last wrote: a build not heard
  -- from for a while is claimed again, so a process that dies mid-build stops nothing.
  claim_key text,
  heard_at timestamptz,
  parts_done integer not null default 0 check (parts_done >= 0),
  parts_total integer not null default 0 check (parts_total >= 0),
  rows_done integer not null default 0 check (rows_done >= 0),
  created_at timestamptz not null default statement_timestamp(),
  finished_at timestamptz,
  expires_at timestamptz not null,
  check ((state in ('ready', 'failed')) = (finished_at is not null)),
  check ((state = 'building') = (claim_key is not null))
);
create index data_exports_member on data_exports (member_id, created_at desc);
create index data_exports_waiting on data_exports (id) where state in ('queued', 'building');
create index data_exports_expiry on data_exports (expires_at);
-- One export in the making per member: a second click while it builds finds the first.
create unique index data_exports_one_pending on data_exports (member_id)
  where state in ('queued', 'building');

-- The export's rows, a batch per row in the order they were read: the download puts them
-- together, so no build ever rewrites what it already wrote.
create table data_export_batches (
  export_id bigint not null references data_exports (id) on delete cascade,
  seq integer not null,
  section text not null,
  part text not null,
  -- json, not jsonb: the rows keep their fields in the order the reader wrote them.
  rows json not null,
  primary key (export_id, seq)
);
