-- Failed sign-ins, for the backoff in db/sign_in_limits.ts. Each key is an HMAC (of a client
-- address, of a handle, or of the two together), so neither addresses nor handles are stored.
create table sign_in_failures (
  scope text not null check (scope in ('address', 'handle', 'pair')),
  key text not null,
  -- Failures in a row; a try in progress counts until it is known to have succeeded.
  failures integer not null default 0 check (failures >= 0),
  last_failed_at timestamptz not null default now(),
  -- Tries in this scope are refused until then (address and pair; a handle is never refused).
  blocked_until timestamptz not null default now(),
  primary key (scope, key)
);
create index sign_in_failures_last_failed on sign_in_failures (last_failed_at);
