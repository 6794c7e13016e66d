-- Training model versions across processes: one at a time, and never blocked by a process that
-- died while training.

-- At most one version in state 'training': a second admin's (or process's) insert fails.
create unique index model_versions_one_training on model_versions (state)
  where state = 'training';

-- The training process touches this while it works; a 'training' row left untouched for long
-- belongs to a process that died, and is marked failed (db/models.ts failStaleTrainings).
alter table model_versions add column heartbeat_at timestamptz not null default now();

-- What a training is doing now, for the admin page: {"phase", "done", "total"}.
alter table model_versions add column progress jsonb;
