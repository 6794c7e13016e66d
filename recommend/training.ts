/**
 * Trains model versions off the request path. `train` records a new version in the database
 * (the rules are db/models.ts's) and returns its id at once; the history is then read from
 * the database, handed to a Worker (recommend/train_worker.ts) and the Worker's reports are
 * written back as progress, printed to the terminal, and finally stored as the version's
 * factors and metrics, or as the reason it failed.
 *
 * While it trains, this process touches the version's row every `heartbeatMs`; every process
 * that runs `start()` sweeps trainings nobody touched for `staleMs` (their process died) to
 * failed, so a crash never blocks training for good.
 *
 * @example
 * const trainer = new Trainer(sql, { ...config.modelTraining, log: console.log });
 * trainer.start();
 * const id = await trainer.train(admin.id, defaultModelParams); // returns before training ends
 * await trainer.settled();
 */
import type { ModelTrainingConfig } from "../config.ts";
import type { Sql } from "../db/client.ts";
import {
  failStaleTrainings,
  failTraining,
  finishTraining,
  type ModelParams,
  modelParamsOf,
  recordProgress,
  startTraining,
  touchTraining,
  type TrainingProgress,
} from "../db/models.ts";
import { readSignals } from "../db/signals.ts";
import { columnBuffers, signalColumns } from "./signal_columns.ts";
import { knobDefaults, modelKnobs } from "../vocabulary/knobs.ts";
import { defaultHoldoutMode } from "../vocabulary/holdouts.ts";
import type { TrainingRequest, TrainingResult, WorkerReport } from "./train_worker.ts";
import type { TuneReport, TuningRequest } from "./tune_worker.ts";
import { defaultTuningSpace, type TuningResult } from "./tuning.ts";
import {
  failStaleTunings,
  failTuning,
  finishTuning,
  recordTrials,
  startTuning,
  touchTuning,
} from "../db/tunings.ts";
import type { Trial, TuningPlan } from "../vocabulary/tunings.ts";

/** What the admin page offers before any version was trained. */
export const defaultModelParams: ModelParams = modelParamsOf(knobDefaults(modelKnobs));

/** Every version starts from the same random factors: equal parameters, equal models. */
const trainingSeed = 1;

/** Every version is measured on the same random holdout of the same history, so they compare. */
export const holdoutSeed = 7;

export interface TrainerOptions extends ModelTrainingConfig {
  /** Where progress lines go (the terminal in production); nowhere when absent. */
  log?: (line: string) => void;
  /**
   * True when no other process can use the database (embedded PGlite): a version still
   * training at start-up was cut short by this process's last run, so `start()` fails it at
   * once instead of after `staleMs`.
   */
  soleProcess?: boolean;
}

/** The version this process is training, and how to stop it. */
interface Run {
  id: number;
  done: Promise<void>;
  abort(why: Error): void;
  /** The reason stored when this process stops it. */
  stoppedWhy: string;
}

/** This process stops the training (it is shutting down): the version is marked failed. */
class Aborted extends Error {}

/** The version is no longer training in the database (failed as stale elsewhere): just stop. */
class Abandoned extends Error {
  constructor() {
    super("The version was marked failed elsewhere");
  }
}

/** A failure the worker explained (too little history): its message is the whole story. */
class TrainingFailed extends Error {}

export class Trainer {
  #sql: Sql;
  #options: TrainerOptions;
  #log: (line: string) => void;
  #run: Run | null = null;
  #sweep: ReturnType<typeof setInterval> | undefined;

  constructor(sql: Sql, options: TrainerOptions) {
    this.#sql = sql;
    this.#options = options;
    this.#log = options.log ?? (() => {});
  }

  /** Sweeps trainings abandoned by dead processes now and every `staleMs / 2`. */
  start(): void {
    const sweep = (staleMs = this.#options.staleMs) =>
      Promise.all([
        failStaleTrainings(this.#sql, staleMs).then(
          (ids) =>
            ids.forEach((id) => this.#log(`Model ${id}: marked failed, its training stopped`)),
          (error) => console.error("Sweeping stale trainings failed:", error),
        ),
        failStaleTunings(this.#sql, staleMs).then(
          (ids) => ids.forEach((id) => this.#log(`Tuning ${id}: marked failed, it stopped`)),
          (error) => console.error("Sweeping stale tunings failed:", error),
        ),
      ]);
    sweep(this.#options.soleProcess ? 0 : this.#options.staleMs);
    this.#sweep = setInterval(sweep, this.#options.staleMs / 2);
  }

  /** Stops sweeping and ends this process's training or tuning, if any, marking it failed. */
  async stop(): Promise<void> {
    clearInterval(this.#sweep);
    const run = this.#run;
    if (!run) return;
    run.abort(new Aborted(run.stoppedWhy));
    await run.done;
  }

  /**
   * Starts training a new version and returns its id without waiting for it. Refusals come
   * from db/models.ts: bad parameters (`invalid`), not an administrator (`forbidden`), another
   * version training anywhere (`conflict`).
   */
  async train(actorId: number, params: ModelParams): Promise<number> {
    const id = await startTraining(this.#sql, actorId, params, {
      staleMs: this.#options.staleMs,
    });
    let abort: (why: Error) => void = () => {};
    const aborted = new Promise<never>((_, reject) => abort = reject);
    aborted.catch(() => {}); // Heard through the races in #train; never unhandled.
    const run: Run = {
      id,
      abort: (why) => abort(why),
      done: Promise.resolve(),
      stoppedWhy: "The server stopped while this model was training",
    };
    run.done = this.#train(run, params, aborted).finally(() => {
      if (this.#run === run) this.#run = null;
    });
    this.#run = run;
    return id;
  }

  /**
   * Starts a tuning from `params` (the signal weights it keeps, the holdout it measures on, the
   * iterations of its last rung) for at most `budgetMinutes`, and returns its id without waiting.
   * Refusals come from db/tunings.ts: a bad budget or parameters (`invalid`), not an
   * administrator (`forbidden`), a training or tuning under way anywhere (`conflict`).
   */
  async tune(
    actorId: number,
    asked: { params: ModelParams; budgetMinutes: number },
  ): Promise<number> {
    const id = await startTuning(this.#sql, actorId, asked, { staleMs: this.#options.staleMs });
    let abort: (why: Error) => void = () => {};
    const aborted = new Promise<never>((_, reject) => abort = reject);
    aborted.catch(() => {}); // Heard through the races in #tune; never unhandled.
    const run: Run = {
      id,
      abort: (why) => abort(why),
      done: Promise.resolve(),
      stoppedWhy: "The server stopped while this tuning ran",
    };
    const params = { ...asked.params, holdout: asked.params.holdout ?? defaultHoldoutMode };
    run.done = this.#tune(run, params, asked.budgetMinutes * 60, aborted).finally(() => {
      if (this.#run === run) this.#run = null;
    });
    this.#run = run;
    return id;
  }

  /** Resolves when the training or tuning this process runs, if any, has ended (stored or failed). */
  async settled(): Promise<void> {
    await this.#run?.done;
  }

  /**
   * Touches the run's row every `heartbeatMs`, so other processes see it alive; a row gone or
   * taken over (`touch` answers false) aborts the run. The caller clears the interval.
   */
  #heartbeat(
    run: Run,
    label: string,
    touch: () => Promise<boolean>,
  ): ReturnType<typeof setInterval> {
    return setInterval(async () => {
      try {
        if (!await touch()) run.abort(new Abandoned());
      } catch (error) {
        console.error(`${label}: heartbeat failed:`, error);
      }
    }, this.#options.heartbeatMs);
  }

  async #train(run: Run, params: ModelParams, aborted: Promise<never>): Promise<void> {
    const { id } = run;
    const sql = this.#sql;
    const log = (line: string) => this.#log(`Model ${id}: ${line}`);
    const startedAt = performance.now();
    const heartbeat = this.#heartbeat(run, `Model ${id}`, () => touchTraining(sql, id));
    try {
      log("reading the listening history");
      const signals = await Promise.race([readSignals(sql), aborted]);
      log(
        `${signals.length.toLocaleString("en-US")} signals read in ${since(startedAt)}; ` +
          `training ${params.factors} factors for ${params.iterations} iterations`,
      );
      const request: TrainingRequest = {
        signals: signalColumns(signals),
        als: { ...params, seed: trainingSeed },
        weights: params.weights,
        parallel: {
          workers: this.#options.workers,
          fromNonZeros: this.#options.parallelFromNonZeros,
        },
        evaluation: {
          mode: params.holdout ?? defaultHoldoutMode,
          share: this.#options.holdoutShare,
          seed: holdoutSeed,
          keepSeen: false,
          k: this.#options.k,
          maxMembers: this.#options.maxMeasuredMembers,
        },
      };
      const progress = new ProgressWriter(sql, id, () => run.abort(new Abandoned()));
      const result = await this.#trainInWorker(request, aborted, (report) => {
        const { phase, iteration, iterations, loss, seconds, workers } = report;
        if (phase === "training") {
          log(
            `iteration ${iteration}/${iterations}, loss ${loss.toPrecision(6)} (${
              seconds.toFixed(2)
            } s, workers: ${workers})`,
          );
        } else {
          log(`measuring on the held-out history: iteration ${iteration}/${iterations}`);
        }
        progress.write(
          { phase, done: iteration, total: iterations },
          phase === "training" ? loss : undefined,
        );
      });
      await Promise.race([progress.flush(), aborted]);
      const stored = await finishTraining(sql, id, {
        factors: result.factors,
        memberIds: result.memberIds,
        items: result.items,
        memberFactors: result.memberFactors,
        itemFactors: result.itemFactors,
        loss: result.loss,
        metrics: {
          k: result.k,
          holdout: result.holdout,
          results: result.metrics,
          members: result.memberIds.length,
          items: result.items.length,
          interactions: result.interactions,
          seconds: (performance.now() - startedAt) / 1000,
        },
      });
      if (!stored) throw new Abandoned();
      const scores = result.metrics.map((m) => `${m.name} ${m.recall.toFixed(3)}`).join(", ");
      log(
        `trained in ${since(startedAt)}; recall@${result.k} on a ${result.holdout.mode} ` +
          `holdout: ${scores}`,
      );
    } catch (error) {
      await recordFailure(error, log, (reason) => failTraining(sql, id, reason));
    } finally {
      clearInterval(heartbeat);
    }
  }

  async #tune(
    run: Run,
    params: ModelParams,
    budgetSeconds: number,
    aborted: Promise<never>,
  ): Promise<void> {
    const { id } = run;
    const sql = this.#sql;
    const log = (line: string) => this.#log(`Tuning ${id}: ${line}`);
    const startedAt = performance.now();
    const heartbeat = this.#heartbeat(run, `Tuning ${id}`, () => touchTuning(sql, id));
    try {
      log("reading the listening history");
      const signals = await Promise.race([readSignals(sql), aborted]);
      log(
        `${signals.length.toLocaleString("en-US")} signals read in ${since(startedAt)}; ` +
          `tuning for at most ${budgetSeconds} s and ${this.#options.tuningTrainings} trainings`,
      );
      const request: TuningRequest = {
        signals: signalColumns(signals),
        weights: params.weights,
        space: defaultTuningSpace,
        include: {
          factors: params.factors,
          regularization: params.regularization,
          alpha: params.alpha,
          unobservedWeight: params.unobservedWeight,
          regularizationExponent: params.regularizationExponent,
        },
        maxIterations: params.iterations,
        // Reading the history counts against the budget too.
        budget: {
          trainings: this.#options.tuningTrainings,
          seconds: Math.max(0, budgetSeconds - (performance.now() - startedAt) / 1000),
        },
        seed: trainingSeed,
        evaluation: {
          mode: params.holdout ?? defaultHoldoutMode,
          share: this.#options.holdoutShare,
          seed: holdoutSeed,
          keepSeen: false,
          k: this.#options.k,
          maxMembers: this.#options.maxMeasuredMembers,
        },
      };
      const trials: Trial[] = [];
      const writer = new TrialWriter(sql, id, () => run.abort(new Abandoned()));
      const result = await this.#tuneInWorker(request, aborted, (trial, plan) => {
        trials.push(trial);
        const p = trial.params;
        log(
          `${trials.length}/${plan.trainings} rung ${
            trial.rung + 1
          }/${plan.rungIterations.length}: ` +
            `${p.factors} factors, λ ${p.regularization}, α ${p.alpha}, α₀ ${p.unobservedWeight}, ` +
            `ν ${p.regularizationExponent}, ${trial.iterations} iterations: recall@${request.evaluation.k} ` +
            `${trial.recall.toFixed(3)}, NDCG ${trial.ndcg.toFixed(3)} (${
              trial.seconds.toFixed(2)
            } s)`,
        );
        writer.write(plan, [...trials]);
      });
      await Promise.race([writer.flush(), aborted]);
      const stored = await finishTuning(sql, id, {
        plan: result.plan,
        trials: result.trials,
        best: result.best,
        k: request.evaluation.k,
        outOfTime: result.outOfTime,
      });
      if (!stored) throw new Abandoned();
      const best = result.best;
      log(
        `tuned in ${since(startedAt)}${result.outOfTime ? " (its time ran out)" : ""}; ` +
          (best
            ? `best recall@${request.evaluation.k} ${best.recall.toFixed(3)}: ${
              JSON.stringify(best.params)
            }, ${best.iterations} iterations`
            : "no configuration was measured"),
      );
    } catch (error) {
      await recordFailure(error, log, (reason) => failTuning(sql, id, reason));
    } finally {
      clearInterval(heartbeat);
    }
  }

  /** Runs a tuning request in a new Worker; `aborted` (or a failure) terminates it. */
  async #tuneInWorker(
    request: TuningRequest,
    aborted: Promise<never>,
    onTrial: (trial: Trial, plan: TuningPlan) => void,
  ): Promise<TuningResult> {
    const worker = new Worker(new URL("./tune_worker.ts", import.meta.url), { type: "module" });
    try {
      const finished = new Promise<TuningResult>((resolve, reject) => {
        worker.onmessage = (event: MessageEvent<TuneReport>) => {
          const report = event.data;
          if (report.type === "trial") onTrial(report.trial, report.plan);
          else if (report.type === "tuned") resolve(report.result);
          else reject(new TrainingFailed(report.message));
        };
        worker.onerror = (event) => {
          // Handled here: unhandled, a Worker's error would end the whole process.
          event.preventDefault();
          reject(new Error(`The tuning worker crashed: ${event.message}`));
        };
      });
      finished.catch(() => {}); // When `aborted` wins the race, a late failure has no one to hear it.
      worker.postMessage(request, columnBuffers(request.signals));
      return await Promise.race([finished, aborted]);
    } finally {
      worker.terminate();
    }
  }

  /** Runs the request in a new Worker; `aborted` (or a failure) terminates it. */
  async #trainInWorker(
    request: TrainingRequest,
    aborted: Promise<never>,
    onProgress: (report: WorkerReport & { type: "progress" }) => void,
  ): Promise<TrainingResult> {
    const worker = new Worker(new URL("./train_worker.ts", import.meta.url), { type: "module" });
    try {
      const finished = new Promise<TrainingResult>((resolve, reject) => {
        worker.onmessage = (event: MessageEvent<WorkerReport>) => {
          const report = event.data;
          if (report.type === "progress") onProgress(report);
          else if (report.type === "trained") resolve(report.result);
          else reject(new TrainingFailed(report.message));
        };
        worker.onerror = (event) => {
          // Handled here: unhandled, a Worker's error would end the whole process.
          event.preventDefault();
          reject(new Error(`The training worker crashed: ${event.message}`));
        };
      });
      finished.catch(() => {}); // When `aborted` wins the race, a late failure has no one to hear it.
      worker.postMessage(request, columnBuffers(request.signals));
      return await Promise.race([finished, aborted]);
    } finally {
      // Ends the computation at once, also when it was aborted halfway.
      worker.terminate();
    }
  }
}

/**
 * Writes progress one statement at a time: reports arriving while a write is on its way
 * replace each other, so a fast training never queues up writes. Each training-phase write
 * carries the loss of every iteration so far.
 */
class ProgressWriter {
  #sql: Sql;
  #id: number;
  #onAbandoned: () => void;
  #loss: number[] = [];
  #pending: { progress: TrainingProgress; withLoss: boolean } | null = null;
  #writing: Promise<void> | null = null;

  constructor(sql: Sql, id: number, onAbandoned: () => void) {
    this.#sql = sql;
    this.#id = id;
    this.#onAbandoned = onAbandoned;
  }

  /** Records `progress`; `loss` is the objective after this iteration of the final model. */
  write(progress: TrainingProgress, loss?: number): void {
    if (loss !== undefined) this.#loss.push(loss);
    this.#pending = { progress, withLoss: loss !== undefined };
    this.#writing ??= this.#drain();
  }

  /** Waits for the writes asked for so far. */
  async flush(): Promise<void> {
    await this.#writing;
  }

  async #drain(): Promise<void> {
    while (this.#pending) {
      const { progress, withLoss } = this.#pending;
      this.#pending = null;
      try {
        const loss = withLoss ? [...this.#loss] : undefined;
        if (!await recordProgress(this.#sql, this.#id, progress, loss)) this.#onAbandoned();
      } catch (error) {
        // Progress is for people watching; the training goes on without it.
        console.error(`Model ${this.#id}: recording progress failed:`, error);
      }
    }
    this.#writing = null;
  }
}

/** Writes a tuning's trials so far one statement at a time, as `ProgressWriter` does. */
class TrialWriter {
  #sql: Sql;
  #id: number;
  #onAbandoned: () => void;
  #pending: { plan: TuningPlan; trials: Trial[] } | null = null;
  #writing: Promise<void> | null = null;

  constructor(sql: Sql, id: number, onAbandoned: () => void) {
    this.#sql = sql;
    this.#id = id;
    this.#onAbandoned = onAbandoned;
  }

  write(plan: TuningPlan, trials: Trial[]): void {
    this.#pending = { plan, trials };
    this.#writing ??= this.#drain();
  }

  async flush(): Promise<void> {
    await this.#writing;
  }

  async #drain(): Promise<void> {
    while (this.#pending) {
      const { plan, trials } = this.#pending;
      this.#pending = null;
      try {
        if (!await recordTrials(this.#sql, this.#id, plan, trials)) this.#onAbandoned();
      } catch (error) {
        // Progress is for people watching; the tuning goes on without it.
        console.error(`Tuning ${this.#id}: recording progress failed:`, error);
      }
    }
    this.#writing = null;
  }
}

function since(startedAt: number): string {
  return `${((performance.now() - startedAt) / 1000).toFixed(1)} s`;
}

/**
 * How a training or a tuning that threw ends: one marked failed elsewhere just stops; any other
 * is logged and marked failed with its reason, and an unexpected error keeps its stack in the log.
 */
async function recordFailure(
  error: unknown,
  log: (line: string) => void,
  fail: (reason: string) => Promise<unknown>,
): Promise<void> {
  if (error instanceof Abandoned) {
    log("stopped: it was marked failed elsewhere");
    return;
  }
  const reason = error instanceof Error ? error.message : String(error);
  log(`failed: ${reason}`);
  await fail(reason).catch((e) => console.error("Could not mark it failed:", e));
  if (!(error instanceof Aborted) && !(error instanceof TrainingFailed)) {
    console.error("Unexpected failure:", error);
  }
}
