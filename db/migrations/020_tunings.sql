-- Tunings: a search of the model's hyper-parameters on the community's own holdout, run off the
-- request path like a training (recommend/training.ts). It only offers its best configuration:
-- training a version with it is a separate, ordinary training.
create table tunings (
  id bigint generated always as identity primary key,
  state text not null check (state in ('tuning', 'tuned', 'failed')),
  -- The administrator's parameters the search starts from: the signal weights it keeps, the
  -- iterations of its last rung, and the holdout it measures on.
  params jsonb not null,
  budget_seconds integer not null check (budget_seconds > 0),
  -- {"configurations", "rungIterations", "trainings"}: what the search will do, once known.
  plan jsonb,
  -- Every configuration tried, in order: {"rung", "params", "iterations", "recall", "ndcg", "seconds"}.
  trials jsonb not null default '[]',
  -- The trial with the best recall@k; null until one was measured.
  best jsonb,
  k integer,
  out_of_time boolean not null default false,
  error text,
  created_by bigint references users (id) on delete set null,
  created_at timestamptz not null default now(),
  finished_at timestamptz,
  heartbeat_at timestamptz not null default now()
);

-- At most one tuning at a time; a training and a tuning exclude each other too (db/tunings.ts
-- and db/models.ts take the same advisory lock and look at the other's table).
create unique index tunings_one_tuning on tunings (state) where state = 'tuning';
