/**
 * The one slot trainings and tunings share: both train models on this machine's cores, so one
 * runs at a time across every process. `claimTrainingSlot` is the rule's single entry point:
 * inside the caller's transaction it takes an advisory lock, fails the runs of either kind
 * whose process stopped touching their row for `staleMs` (it died), and says what still runs.
 *
 * @example
 * await sql.begin(async (tx) => {
 *   const running = await claimTrainingSlot(tx, staleMs);
 *   if (running.tuning) throw new Refusal("conflict", "refusal.model.tuning");
 * });
 */
import type { Tx } from "./client.ts";

// Any constant works; it only has to be the same in every process.
const trainingLockKey = 7_246_915;

/** What runs once stale runs are failed; only meaningful until the transaction ends. */
export interface RunningNow {
  training: boolean;
  tuning: boolean;
}

/** Serializes starts of trainings and tunings, fails stale ones, and says what still runs. */
export async function claimTrainingSlot(tx: Tx, staleMs: number): Promise<RunningNow> {
  await tx`select pg_advisory_xact_lock(${trainingLockKey})`;
  await failStaleTrainingsIn(tx, staleMs);
  await failStaleTuningsIn(tx, staleMs);
  const [row] = await tx`
    select exists (select 1 from model_versions where state = 'training') as training,
           exists (select 1 from tunings where state = 'tuning') as tuning`;
  return { training: row.training === true, tuning: row.tuning === true };
}

/** Marks failed every training not touched for `staleMs`; returns their ids. */
export async function failStaleTrainingsIn(tx: Tx, staleMs: number): Promise<number[]> {
  const rows = await tx`
    update model_versions
    set state = 'failed', finished_at = now(), progress = null,
        error = 'The training stopped reporting progress: its server process probably ended'
    where state = 'training' and heartbeat_at < now() - ${staleMs} * interval '1 millisecond'
    returning id`;
  return rows.map((r) => r.id as number);
}

/** Marks failed every tuning not touched for `staleMs`; returns their ids. */
export async function failStaleTuningsIn(tx: Tx, staleMs: number): Promise<number[]> {
  const rows = await tx`
    update tunings
    set state = 'failed', finished_at = now(),
        error = 'The tuning stopped reporting progress: its server process probably ended'
    where state = 'tuning' and heartbeat_at < now() - ${staleMs} * interval '1 millisecond'
    returning id`;
  return rows.map((r) => r.id as number);
}
