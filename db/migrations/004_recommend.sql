-- Recommendations: "not interested" on a room, members' control over their listening history,
-- trained model versions with their factors, and which version is applied.

-- A room a member said they are not interested in: appended like every other signal.
alter table signals add column room_id bigint references rooms (id) on delete cascade;
alter table signals drop constraint signals_kind_check;
alter table signals add constraint signals_kind_check check (kind in (
  'topic_picked', 'topic_unpicked', 'followed', 'unfollowed', 'not_interested'));
alter table signals drop constraint signals_check;
alter table signals add constraint signals_one_subject check (
  num_nonnulls(topic_id, person_id, room_id) = 1
  and (kind <> 'not_interested' or room_id is not null));
create index signals_room on signals (room_id) where room_id is not null;

-- While paused, listening is still recorded for the room (presence needs it) but marked
-- uncounted: recommendations neither train on it nor fold it in.
alter table users add column listening_paused boolean not null default false;
alter table listens add column counted boolean not null default true;

-- One training run and, once trained, its model. Factors are little-endian float32 rows in
-- the order of `member_ids` and `items` (topic or person refs), so any process can load them.
create table model_versions (
  id bigint generated always as identity primary key,
  state text not null check (state in ('training', 'trained', 'failed')),
  -- Hyper-parameters and signal weights the run used.
  params jsonb not null,
  -- Iterations done so far and the loss after each: read by the admin page while training.
  iterations_done integer not null default 0,
  loss double precision[] not null default '{}',
  -- recall@k and NDCG@k of this model and the baselines on the time-split holdout.
  metrics jsonb,
  factors integer,
  member_ids bigint[],
  items jsonb,
  member_factors bytea,
  item_factors bytea,
  error text,
  created_by bigint references users (id) on delete set null,
  created_at timestamptz not null default now(),
  finished_at timestamptz,
  check (state <> 'trained' or (member_factors is not null and item_factors is not null))
);

-- Appended on every apply and roll back: the newest row is the model in use.
create table model_applications (
  id bigint generated always as identity primary key,
  model_id bigint not null references model_versions (id) on delete cascade,
  applied_by bigint references users (id) on delete set null,
  applied_at timestamptz not null default now()
);
