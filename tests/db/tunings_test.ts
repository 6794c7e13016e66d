import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import { cast, refusedWith } from "./rooms_support.ts";
import { failTraining, type ModelParams, startTraining } from "../../db/models.ts";
import {
  failStaleTunings,
  failTuning,
  finishTuning,
  latestTuning,
  offeredParams,
  recordTrials,
  startTuning,
  tuningById,
} from "../../db/tunings.ts";
import type { Trial, TuningPlan } from "../../vocabulary/tunings.ts";

const params: ModelParams = {
  factors: 32,
  regularization: 0.1,
  alpha: 10,
  unobservedWeight: 1,
  regularizationExponent: 0,
  iterations: 8,
  weights: { pick: 2, follow: 3, listen: 1 },
};
const staleMs = 120_000;
const plan: TuningPlan = { configurations: 2, rungIterations: [4, 8], trainings: 3 };

function trial(rung: number, factors: number, recall: number): Trial {
  return {
    rung,
    params: {
      factors,
      regularization: 1,
      alpha: 3,
      unobservedWeight: 0.1,
      regularizationExponent: 1,
    },
    iterations: plan.rungIterations[rung],
    recall,
    ndcg: recall / 2,
    seconds: 0.25,
  };
}

dbTest("a member who is not an administrator cannot tune or see tunings", async (sql) => {
  const { ada, grace } = await cast(sql, "ada", "grace");
  await assert.rejects(
    startTuning(sql, grace.id, { params, budgetMinutes: 2 }, { staleMs }),
    refusedWith("forbidden"),
  );
  const id = await startTuning(sql, ada.id, { params, budgetMinutes: 2 }, { staleMs });
  await assert.rejects(latestTuning(sql, grace.id), refusedWith("forbidden"));
  await assert.rejects(tuningById(sql, grace.id, id), refusedWith("forbidden"));
  const [{ count }] = await sql`select count(*)::int as count from tunings`;
  assert.equal(count, 1);
});

dbTest("a time budget that is not whole minutes from 1 to 30 is refused", async (sql) => {
  const { ada } = await cast(sql, "ada");
  for (const budgetMinutes of [0, 31, 1.5, NaN, -2]) {
    await assert.rejects(
      startTuning(sql, ada.id, { params, budgetMinutes }, { staleMs }),
      (error) => {
        refusedWith("invalid")(error);
        assert.equal((error as { field: string }).field, "budget");
        assert.equal(
          (error as Error).message,
          "Time budget must be a whole number of minutes from 1 to 30",
        );
        return true;
      },
    );
  }
  await assert.rejects(
    startTuning(sql, ada.id, { params: { ...params, factors: 0 }, budgetMinutes: 2 }, {
      staleMs,
    }),
    refusedWith("invalid"),
  );
  assert.equal(await latestTuning(sql, ada.id), null);
});

dbTest("a training and a tuning never run at once, nor two tunings", async (sql) => {
  const { ada, grace } = await cast(sql, "ada", "grace");
  await sql`update users set is_admin = true where id = ${grace.id}`;
  const asked = { params, budgetMinutes: 2 };
  const results = await Promise.allSettled([
    startTuning(sql, ada.id, asked, { staleMs }),
    startTuning(sql, grace.id, asked, { staleMs }),
    startTraining(sql, ada.id, params, { staleMs }),
    startTuning(sql, ada.id, asked, { staleMs }),
  ]);
  assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
  for (const r of results) if (r.status === "rejected") refusedWith("conflict")(r.reason);
  const [{ running }] = await sql`
    select (select count(*) from tunings where state = 'tuning')::int
         + (select count(*) from model_versions where state = 'training')::int as running`;
  assert.equal(running, 1);
});

dbTest("a training refuses to start while a tuning runs, and starts once it ended", async (sql) => {
  const { ada } = await cast(sql, "ada");
  const tuning = await startTuning(sql, ada.id, { params, budgetMinutes: 2 }, { staleMs });
  await assert.rejects(startTraining(sql, ada.id, params, { staleMs }), (error) => {
    refusedWith("conflict")(error);
    assert.match((error as Error).message, /A tuning is under way/);
    return true;
  });
  await failTuning(sql, tuning, "Too little history to tune");
  const training = await startTraining(sql, ada.id, params, { staleMs });
  await assert.rejects(
    startTuning(sql, ada.id, { params, budgetMinutes: 2 }, { staleMs }),
    (error) => {
      refusedWith("conflict")(error);
      assert.match((error as Error).message, /A model is training/);
      return true;
    },
  );
  await failTraining(sql, training, "stopped");
  await startTuning(sql, ada.id, { params, budgetMinutes: 2 }, { staleMs });
});

dbTest("a tuning's trials, best and budget are stored and read back", async (sql) => {
  const { ada } = await cast(sql, "ada");
  const id = await startTuning(sql, ada.id, { params, budgetMinutes: 3 }, { staleMs });
  const started = await latestTuning(sql, ada.id);
  assert.equal(started?.state, "tuning");
  assert.equal(started?.budgetSeconds, 180);
  assert.deepEqual(started?.trials, []);
  assert.deepEqual(started?.params, { ...params, holdout: "random" });
  assert.equal(started?.createdBy, "ada");

  const trials = [trial(0, 16, 0.2), trial(0, 64, 0.25)];
  assert.ok(await recordTrials(sql, id, plan, trials));
  assert.deepEqual((await tuningById(sql, ada.id, id))?.trials, trials);
  assert.deepEqual((await tuningById(sql, ada.id, id))?.plan, plan);
  assert.throws(() => offeredParams(started!), refusedWith("conflict"));

  const all = [...trials, trial(1, 64, 0.3)];
  assert.ok(
    await finishTuning(sql, id, { plan, trials: all, best: all[2], k: 20, outOfTime: true }),
  );
  const tuned = await tuningById(sql, ada.id, id);
  assert.equal(tuned?.state, "tuned");
  assert.deepEqual(tuned?.trials, all);
  assert.deepEqual(tuned?.best, all[2]);
  assert.equal(tuned?.k, 20);
  assert.equal(tuned?.outOfTime, true);
  assert.ok(tuned?.finishedAt instanceof Date);
  // The offer: the administrator's weights and holdout, the best trial's five and its iterations.
  assert.deepEqual(offeredParams(tuned!), {
    ...params,
    holdout: "random",
    ...all[2].params,
    iterations: 8,
  });
});

dbTest("a tuning whose process stopped reporting is failed and blocks nobody", async (sql) => {
  const { ada } = await cast(sql, "ada");
  const abandoned = await startTuning(sql, ada.id, { params, budgetMinutes: 2 }, { staleMs });
  assert.deepEqual(await failStaleTunings(sql, staleMs), [], "a fresh tuning is not stale");
  await sql`update tunings set heartbeat_at = now() - interval '3 minutes'`;
  const next = await startTuning(sql, ada.id, { params, budgetMinutes: 2 }, { staleMs });
  const old = await tuningById(sql, ada.id, abandoned);
  assert.equal(old?.state, "failed");
  assert.match(old?.error ?? "", /stopped reporting progress/);
  // Should the old process wake up after all, it can store nothing.
  assert.equal(await recordTrials(sql, abandoned, plan, [trial(0, 16, 0.2)]), false);
  assert.equal(
    await finishTuning(sql, abandoned, { plan, trials: [], best: null, k: 20, outOfTime: false }),
    false,
  );
  assert.equal((await latestTuning(sql, ada.id))?.id, next);
});

dbTest("a stale tuning does not block a training, nor a stale training a tuning", async (sql) => {
  const { ada } = await cast(sql, "ada");
  const tuning = await startTuning(sql, ada.id, { params, budgetMinutes: 2 }, { staleMs });
  await sql`update tunings set heartbeat_at = now() - interval '3 minutes'`;
  const training = await startTraining(sql, ada.id, params, { staleMs });
  assert.equal((await tuningById(sql, ada.id, tuning))?.state, "failed");
  await sql`update model_versions set heartbeat_at = now() - interval '3 minutes'`;
  await startTuning(sql, ada.id, { params, budgetMinutes: 2 }, { staleMs });
  const [version] = await sql`select state from model_versions where id = ${training}`;
  assert.equal(version.state, "failed");
});
