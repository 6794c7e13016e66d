-- An administrator's warning to a member, written when they resolve a report with "warn". The
-- member sees it as a banner on their next page until they dismiss it (db/warnings.ts).
create table member_warnings (
  id bigint generated always as identity primary key,
  member_id bigint not null references users (id) on delete cascade,
  by_id bigint references users (id) on delete set null,
  report_id bigint references reports (id) on delete set null,
  message text not null check (length(message) between 3 and 500),
  at timestamptz not null default statement_timestamp(),
  dismissed_at timestamptz
);
create index member_warnings_pending on member_warnings (member_id, at)
  where dismissed_at is null;
