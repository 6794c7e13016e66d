/**
 * The tuner's card on /admin/recommendations: the form that starts a tuning (how to measure and
 * a time budget), the tuning under way (it polls itself every second), and the last tuning's
 * every configuration in a chart and a table, with its best offered as a training, never applied.
 *
 * @example
 * <TuningCard tuning={latest} holdout={{ modes: ["random", "time"], value: "random" }}
 *   budget={{ value: "2", min: 1, max: 30 }} errors={{}} />
 */
import { Field, type FieldErrors } from "./form.tsx";
import { type ChartSeries, LineChart } from "./charts.tsx";
import type { Tuning } from "../db/tunings.ts";
import type { HoldoutMode } from "../vocabulary/holdouts.ts";
import type { Trial } from "../vocabulary/tunings.ts";
import { useWords } from "../i18n/words_context.ts";
import type { Translate, Words } from "../i18n/translate.ts";

export const tuningPath = "/admin/recommendations/tuning";

export interface TuningCardProps {
  /** The newest tuning, if any. */
  tuning: Tuning | null;
  /** The modes offered and the one selected (the training form's choice, by default). */
  holdout: { modes: readonly HoldoutMode[]; value: string };
  /** The budget field's value and limits, in minutes. */
  budget: { value: string; min: number; max: number };
  /** The tuning form's own errors (`budget`, `holdout`, `_form`). */
  errors: FieldErrors;
}

/** The tuning form with the last tuning's results, or the tuning under way. */
export function TuningCard(props: TuningCardProps) {
  const { tuning } = props;
  if (tuning?.state === "tuning") {
    return <TuningUnderWay tuning={tuning} error={props.errors._form} />;
  }
  const words = useWords();
  const { t } = words;
  return (
    <section id="tuning" class="card" aria-labelledby="tuning-title">
      <h2 id="tuning-title">{t("tuning.title")}</h2>
      <p class="muted">{t("tuning.intro", { k: tuning?.k ?? 20 })}</p>
      {props.errors._form && <p class="error" role="alert">{props.errors._form}</p>}
      <form method="post" action="/admin/recommendations/tune" novalidate>
        <TuneHoldoutSelect field={props.holdout} errors={props.errors} />
        <Field
          name="budget"
          label={t("tuning.budget")}
          hint={t("tuning.budget.hint", { min: props.budget.min, max: props.budget.max })}
          type="number"
          step="1"
          inputmode="numeric"
          value={props.budget.value}
          errors={props.errors}
        />
        <button type="submit">{t("tuning.start")}</button>
      </form>
      {tuning?.state === "failed" && (
        <p class="error" role="alert">
          {t("tuning.failed", { id: tuning.id, error: tuning.error ?? "" })}
        </p>
      )}
      {tuning?.state === "tuned" && <TuningResults tuning={tuning} words={words} />}
    </section>
  );
}

/** The tuning under way; `error` is why a form posted meanwhile was refused. */
function TuningUnderWay(props: { tuning: Tuning; error?: string }) {
  const { tuning } = props;
  const words = useWords();
  const { t } = words;
  const total = tuning.plan?.trainings ?? 0;
  const done = tuning.trials.length;
  return (
    <section
      id="tuning"
      class="card training"
      aria-labelledby="tuning-title"
      hx-get={tuningPath}
      hx-trigger="every 1s"
      hx-swap="outerHTML"
    >
      <h2 id="tuning-title">{t("tuning.running", { id: tuning.id })}</h2>
      {props.error && <p class="error" role="alert">{props.error}</p>}
      <div class="progress-line">
        <progress
          id="tuning-progress"
          max={Math.max(1, total)}
          value={done}
          aria-describedby="tuning-phase"
        >
        </progress>
        <span>
          {words.number(total > 0 ? Math.floor((100 * done) / total) / 100 : 0, {
            style: "percent",
          })}
        </span>
      </div>
      <p id="tuning-phase" class="progress-words" role="status">
        {total > 0 ? t("tuning.progress", { done, total }) : t("tuning.progress.reading")}
      </p>
      {done > 0 && <TrialsTable tuning={tuning} />}
      <p class="hint">{t("tuning.hint")}</p>
    </section>
  );
}

/** A finished tuning: what it did, its best offered as a training, the chart and the table. */
function TuningResults(props: { tuning: Tuning; words: Words }) {
  const { tuning, words } = props;
  const { t } = words;
  const k = tuning.k ?? 20;
  const spent = tuning.trials.reduce((sum, trial) => sum + trial.seconds, 0);
  const best = tuning.best;
  return (
    <div class="tuning-results">
      <p>
        {t("tuning.done", {
          id: tuning.id,
          count: tuning.trials.filter((trial) => trial.rung === 0).length,
          trainings: tuning.trials.length,
          seconds: t("recommend.seconds", { seconds: words.number(Math.round(spent * 10) / 10) }),
        })} {tuning.outOfTime && t("tuning.out_of_time")}
      </p>
      {best
        ? (
          <form method="post" action={`/admin/recommendations/tunings/${tuning.id}/train`}>
            <p>
              {t("tuning.best", {
                k,
                params: trialParams(t, best),
                count: best.iterations,
                recall: best.recall.toFixed(3),
              })}
            </p>
            <button type="submit" aria-describedby="tuning-train-hint">
              {t("tuning.train_best")}
            </button>
            <p class="hint" id="tuning-train-hint">{t("tuning.train_best.hint")}</p>
          </form>
        )
        : <p class="muted">{t("tuning.none_best")}</p>}
      {best && <TrialsChart tuning={tuning} best={best} />}
      {tuning.trials.length > 0 && <TrialsTable tuning={tuning} />}
    </div>
  );
}

function TrialsChart(props: { tuning: Tuning; best: Trial }) {
  const { tuning, best } = props;
  const { t } = useWords();
  const k = tuning.k ?? 20;
  const bestAt = tuning.trials.indexOf(
    tuning.trials.find((trial) => sameTrial(trial, best)) ?? best,
  ) + 1;
  const point = (trial: Trial, n: number) => ({
    x: n + 1,
    y: trial.recall,
    label: t("tuning.chart.point", {
      n: n + 1,
      rung: trial.rung + 1,
      value: trial.recall.toFixed(3),
    }),
  });
  const series: ChartSeries[] = [
    {
      name: t("tuning.chart.tried"),
      className: "series-popularity",
      points: tuning.trials.map(point),
    },
    {
      name: t("tuning.chart.best"),
      className: "series-model",
      points: bestAt > 0 ? [point(best, bestAt - 1)] : [],
    },
  ];
  return (
    <div class="charts">
      <LineChart
        id="tuning-chart"
        title={t("tuning.chart", { k })}
        description={t("tuning.chart.description", {
          k,
          count: tuning.trials.length,
          id: tuning.id,
          best: bestAt,
          recall: best.recall.toFixed(3),
        })}
        xLabel={t("tuning.chart.axis")}
        yLabel={t("recommend.recall", { k })}
        series={series}
        yMin={0}
        xTick={String}
      />
    </div>
  );
}

/** Every configuration tried, in order, the best marked. */
function TrialsTable(props: { tuning: Tuning }) {
  const { tuning } = props;
  const { t } = useWords();
  const k = tuning.k ?? 20;
  return (
    <div class="table-wrap">
      <table class="versions tuning-trials">
        <caption class="visually-hidden">{t("tuning.caption", { id: tuning.id, k })}</caption>
        <thead>
          <tr>
            <th scope="col">{t("tuning.col.trial")}</th>
            <th scope="col">{t("tuning.col.rung")}</th>
            <th scope="col">{t("tuning.col.params")}</th>
            <th scope="col">{t("tuning.col.iterations")}</th>
            <th scope="col">{t("recommend.recall", { k })}</th>
            <th scope="col">{t("recommend.ndcg", { k })}</th>
            <th scope="col">{t("tuning.col.seconds")}</th>
          </tr>
        </thead>
        <tbody>
          {tuning.trials.map((trial, n) => {
            const best = tuning.best !== null && sameTrial(trial, tuning.best);
            return (
              <tr id={`trial-${n + 1}`} class={best ? "best" : undefined}>
                <th scope="row">
                  {n + 1}
                  {best && <span class="badge">{t("tuning.badge.best")}</span>}
                </th>
                <td data-label={t("tuning.col.rung")}>{trial.rung + 1}</td>
                <td class="small" data-label={t("tuning.col.params")}>
                  {trialParams(t, trial)}
                </td>
                <td data-label={t("tuning.col.iterations")}>{trial.iterations}</td>
                <td data-label={t("recommend.recall", { k })}>{trial.recall.toFixed(3)}</td>
                <td data-label={t("recommend.ndcg", { k })}>{trial.ndcg.toFixed(3)}</td>
                <td data-label={t("tuning.col.seconds")}>{trial.seconds.toFixed(2)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** The tuning form's choice of holdout: the training form's words, its own field id. */
function TuneHoldoutSelect(
  props: { field: TuningCardProps["holdout"]; errors: FieldErrors },
) {
  const { t } = useWords();
  const error = props.errors.holdout;
  return (
    <div class={error ? "field invalid" : "field"}>
      <label for="field-tune-holdout">{t("recommend.holdout")}</label>
      <select
        id="field-tune-holdout"
        name="holdout"
        aria-invalid={error ? "true" : undefined}
        aria-describedby={error ? "field-tune-holdout-error" : undefined}
      >
        {props.field.modes.map((mode) => (
          <option value={mode} selected={props.field.value === mode}>
            {t(`recommend.holdout.option.${mode}`)}
          </option>
        ))}
      </select>
      {error && <p class="error" id="field-tune-holdout-error" role="alert">{error}</p>}
    </div>
  );
}

function trialParams(t: Translate, trial: Trial): string {
  const p = trial.params;
  return t("tuning.params", {
    factors: p.factors,
    lambda: String(p.regularization),
    alpha: String(p.alpha),
    unobserved: String(p.unobservedWeight),
    exponent: String(p.regularizationExponent),
  });
}

function sameTrial(a: Trial, b: Trial): boolean {
  return a.rung === b.rung && JSON.stringify(a.params) === JSON.stringify(b.params);
}
