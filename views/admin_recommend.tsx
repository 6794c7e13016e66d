/**
 * /admin/recommendations: train a model version (its progress followed live), compare versions
 * with the baselines in charts and a table, apply one or roll back, and set the hallway's
 * ranking weights. `TrainingCard` is also the fragment the page polls while a version trains;
 * when it is done, the poll brings `VersionsCard` along out of band.
 *
 * @example
 * <RecommendationsView versions={versions} rollBackTo={null} selected={null}
 *   train={trainValues} holdout={{ modes: ["random", "time"], value: "random" }}
 *   weights={weightFields} errors={{}} />
 */
import type { Child } from "hono/jsx";
import { MemberHandle } from "./member_handle.tsx";
import { Field, type FieldErrors } from "./form.tsx";
import { type ChartSeries, formatNumber, LineChart } from "./charts.tsx";
import { AdminSections } from "./admin.tsx";
import type { ModelMetrics, ModelParams, ModelVersion } from "../db/models.ts";
import type { Knob, ModelKnob, RankKnob } from "../vocabulary/knobs.ts";
import type { HoldoutMode, HoldoutSpec } from "../vocabulary/holdouts.ts";
import { useWords } from "../i18n/words_context.ts";
import type { MessageKey, Translate, Words } from "../i18n/translate.ts";

/**
 * One tunable number's field: its descriptor (vocabulary/knobs.ts: key, field, limits, group),
 * its value as the page shows it, and the catalogue keys of its words (by the knob's key).
 */
export interface KnobField<K extends Knob = Knob> {
  knob: K;
  value: string;
  words: { label: MessageKey; hint: MessageKey; range: MessageKey; min: string; max: string };
}

export interface RecommendationsProps {
  /** Newest first. */
  versions: ModelVersion[];
  /** The version a roll back would apply, if any. */
  rollBackTo: number | null;
  /** The version whose loss chart is shown; the applied or newest trained one when null. */
  selected: number | null;
  /** The training form's fields, in order. */
  train: KnobField<ModelKnob>[];
  /** The training form's choice of how to measure: the modes offered and the one selected. */
  holdout: HoldoutField;
  /** The ranking weights' fields, in order. */
  weights: KnobField<RankKnob>[];
  errors: FieldErrors;
  /** What was just done, by the `done` query the change redirects with. */
  notice?: "applied" | "rolled_back" | "weights";
  /** The tuner's card (views/admin_tuning.tsx), shown after the training form. */
  tuning?: Child;
}

/** The modes in the order offered (vocabulary/holdouts.ts), and the value to select. */
export interface HoldoutField {
  modes: readonly HoldoutMode[];
  value: string;
}

export const trainingPath = "/admin/recommendations/training";

/** Scorer names from recommend/evaluate.ts, in words, with their chart class. */
function scorersIn(t: Translate): { name: string; label: string; className: string }[] {
  return [
    { name: "als", label: t("recommend.scorer.model"), className: "series-model" },
    { name: "popularity", label: t("recommend.scorer.popularity"), className: "series-popularity" },
    { name: "picked topics", label: t("recommend.scorer.picked"), className: "series-picked" },
  ];
}

export function RecommendationsView(props: RecommendationsProps) {
  const { t } = useWords();
  return (
    <section class="admin recommendations" aria-labelledby="recommendations-title">
      <h1 id="recommendations-title">{t("admin.section.recommend")}</h1>
      <AdminSections current="recommendations" />
      <p class="lead">{t("recommend.lead")}</p>
      {props.notice && <p class="notice" role="status">{t(`recommend.notice.${props.notice}`)}</p>}
      {props.errors._form && <p class="error" role="alert">{props.errors._form}</p>}
      <TrainingCard
        versions={props.versions}
        train={props.train}
        holdout={props.holdout}
        errors={props.errors}
      />
      {props.tuning}
      <VersionsCard
        versions={props.versions}
        rollBackTo={props.rollBackTo}
        selected={props.selected}
      />
      <WeightsCard weights={props.weights} errors={props.errors} />
    </section>
  );
}

/** The training form, or the training under way (then it polls itself every second). */
export function TrainingCard(
  props: {
    versions: ModelVersion[];
    train: KnobField<ModelKnob>[];
    holdout: HoldoutField;
    errors: FieldErrors;
  },
) {
  const training = props.versions.find((v) => v.state === "training");
  if (training) return <TrainingUnderWay version={training} />;
  const latest = props.versions[0];
  const words = useWords();
  const { t } = words;
  return (
    <section id="training" class="card" aria-labelledby="training-title">
      <h2 id="training-title">{t("recommend.train")}</h2>
      {latest?.state === "trained" && (
        <p class="muted">
          {t("recommend.trained_in", {
            id: latest.id,
            seconds: seconds(words, latest.metrics?.seconds ?? 0),
          })}
        </p>
      )}
      {latest?.state === "failed" && (
        <p class="error" role="alert">
          {t("recommend.failed", { id: latest.id, error: latest.error ?? "" })}
        </p>
      )}
      <form method="post" action="/admin/recommendations/train" novalidate>
        {trainGroupsIn(t).map(({ group, legend }) => (
          <fieldset class="fields">
            <legend>{legend}</legend>
            {props.train.filter((f) => f.knob.group === group).map((f) => (
              <KnobInput field={f} errors={props.errors} />
            ))}
          </fieldset>
        ))}
        <HoldoutSelect field={props.holdout} errors={props.errors} />
        <button type="submit">{t("recommend.train")}</button>
      </form>
    </section>
  );
}

function TrainingUnderWay(props: { version: ModelVersion }) {
  const { version } = props;
  const iterations = version.params.iterations;
  const progress = version.progress ?? { phase: "reading", done: 0, total: iterations };
  // Two trainings per version: the model itself, then the one measured on held-out history.
  const done = progress.phase === "reading"
    ? 0
    : progress.phase === "training"
    ? progress.done
    : iterations + progress.done;
  const total = 2 * iterations;
  const spoken = useWords();
  const { t } = spoken;
  const step = { done: progress.done, total: progress.total };
  const words = progress.phase === "reading"
    ? t("recommend.progress.reading")
    : progress.phase === "training"
    ? (version.loss.length > 0
      ? t("recommend.progress.training_loss", {
        ...step,
        loss: formatNumber(version.loss.at(-1)!),
      })
      : t("recommend.progress.training", step))
    : t("recommend.progress.measuring", step);
  return (
    <section
      id="training"
      class="card training"
      aria-labelledby="training-title"
      hx-get={trainingPath}
      hx-trigger="every 1s"
      hx-swap="outerHTML"
    >
      <h2 id="training-title">{t("recommend.training", { id: version.id })}</h2>
      <p class="muted">{describeParams(t, version.params)}</p>
      <div class="progress-line">
        <progress id="training-progress" max={total} value={done} aria-describedby="training-phase">
        </progress>
        <span>{spoken.number(Math.floor((100 * done) / total) / 100, { style: "percent" })}</span>
      </div>
      <p id="training-phase" class="progress-words" role="status">{words}</p>
      {version.loss.length > 0 && <LossChart id="training-loss" version={version} />}
      <p class="hint">{t("recommend.training.hint")}</p>
    </section>
  );
}

/** The versions with their metrics: charts, then the table with Apply and Roll back. */
export function VersionsCard(
  props: {
    versions: ModelVersion[];
    rollBackTo: number | null;
    selected: number | null;
    oob?: boolean;
  },
) {
  const trained = props.versions.filter((v) => v.state === "trained");
  const applied = props.versions.find((v) => v.applied);
  const shown = props.versions.find((v) => v.id === props.selected && v.loss.length > 0) ??
    applied ?? trained[0];
  const { t } = useWords();
  return (
    <section
      id="versions"
      class="card"
      aria-labelledby="versions-title"
      hx-swap-oob={props.oob ? "true" : undefined}
    >
      <h2 id="versions-title">{t("recommend.versions")}</h2>
      <div class="in-use">
        <p>
          {applied ? t("recommend.in_use", { id: applied.id }) : t("recommend.none_in_use")}
        </p>
        {props.rollBackTo !== null && (
          <form method="post" action="/admin/recommendations/rollback">
            <button type="submit" class="secondary">
              {t("recommend.roll_back", { id: props.rollBackTo })}
            </button>
          </form>
        )}
      </div>
      {trained.length === 0
        ? <p class="muted">{t("recommend.none_trained")}</p>
        : (
          <div class="charts">
            <MetricsChart versions={trained} metric="recall" />
            <MetricsChart versions={trained} metric="ndcg" />
            {shown && <LossChart id="version-loss" version={shown} />}
          </div>
        )}
      {props.versions.length > 0 && <VersionsTable versions={props.versions} />}
    </section>
  );
}

function VersionsTable(props: { versions: ModelVersion[] }) {
  const k = props.versions.find((v) => v.metrics)?.metrics?.k ?? 20;
  const words = useWords();
  const { t } = words;
  const metricsName = t("recommend.metrics", { k });
  return (
    <div class="table-wrap">
      <table class="versions">
        <caption class="visually-hidden">{t("recommend.versions.caption", { k })}</caption>
        <thead>
          <tr>
            <th scope="col">{t("recommend.scorer.model")}</th>
            <th scope="col">{metricsName}</th>
            <th scope="col">{t("recommend.parameters")}</th>
          </tr>
        </thead>
        <tbody>
          {props.versions.map((v) => (
            <tr id={`version-${v.id}`}>
              <th scope="row">
                <div class="version-name">
                  <a href={`/admin/recommendations?version=${v.id}#version-loss`}>#{v.id}</a>
                  <span class={`state ${v.state}`}>{t(`recommend.state.${v.state}`)}</span>
                  {v.applied && <span class="badge">{t("recommend.badge.in_use")}</span>}
                </div>
                <p class="small muted">
                  {(v.createdBy || v.createdByDeleted) && (
                    <>
                      <MemberHandle handle={v.createdBy} deleted={v.createdByDeleted} />,{" "}
                    </>
                  )}
                  <time datetime={v.createdAt.toISOString()} data-local-time>
                    {v.createdAt.toISOString().slice(0, 16).replace("T", " ")} UTC
                  </time>
                </p>
                {v.state === "failed" && v.error && <p class="small">{v.error}</p>}
                {v.state === "trained" && !v.applied && (
                  <form method="post" action={`/admin/recommendations/versions/${v.id}/apply`}>
                    <button type="submit" aria-label={t("recommend.apply.label", { id: v.id })}>
                      {t("recommend.apply")}
                    </button>
                  </form>
                )}
              </th>
              <td data-label={metricsName}>
                <Metrics metrics={v.metrics} />
                {v.metrics && (
                  <p class="small muted holdout">{holdoutWords(words, v.metrics.holdout)}</p>
                )}
              </td>
              <td class="small" data-label={t("recommend.parameters")}>
                {describeParams(t, v.params)}
                {v.state === "trained" && v.metrics && (
                  <p class="small muted">
                    {t("recommend.trained_on", {
                      members: t("recommend.members", { count: v.metrics.members }),
                      items: t("recommend.items", { count: v.metrics.items }),
                      seconds: seconds(words, v.metrics.seconds),
                    })}
                  </p>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Recall and NDCG of the model and each baseline, one line each. */
function Metrics(props: { metrics: ModelMetrics | null }) {
  const results = props.metrics?.results ?? [];
  const { t } = useWords();
  if (results.length === 0 || results[0].members === 0) return <span class="muted">—</span>;
  return (
    <table class="metric">
      <thead class="visually-hidden">
        <tr>
          <th scope="col">{t("recommend.scorer")}</th>
          <th scope="col">{t("recommend.recall", { k: props.metrics!.k })}</th>
          <th scope="col">{t("recommend.ndcg", { k: props.metrics!.k })}</th>
        </tr>
      </thead>
      <tbody>
        {scorersIn(t).map((scorer) => {
          const result = results.find((r) => r.name === scorer.name);
          return result && (
            <tr class={scorer.className}>
              <th scope="row">{scorer.label}</th>
              <td>{result.recall.toFixed(3)}</td>
              <td>{result.ndcg.toFixed(3)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function MetricsChart(props: { versions: ModelVersion[]; metric: "recall" | "ndcg" }) {
  const versions = props.versions.filter((v) => (v.metrics?.results[0]?.members ?? 0) > 0)
    .toReversed();
  const k = versions[0]?.metrics?.k ?? 20;
  const { t } = useWords();
  const name = t(props.metric === "recall" ? "recommend.recall" : "recommend.ndcg", { k });
  if (versions.length === 0) return null;
  const scorers = scorersIn(t);
  const series: ChartSeries[] = scorers.map((scorer) => ({
    name: scorer.label,
    className: scorer.className,
    points: versions.flatMap((v) => {
      const result = v.metrics!.results.find((r) => r.name === scorer.name);
      return result
        ? [{
          x: v.id,
          y: result[props.metric],
          label: t("recommend.chart.point", {
            scorer: scorer.label,
            id: v.id,
            value: result[props.metric].toFixed(3),
          }),
        }]
        : [];
    }),
  }));
  const newest = versions.at(-1)!;
  const said = scorers.map((scorer) => {
    const result = newest.metrics!.results.find((r) => r.name === scorer.name);
    return result ? `${scorer.label.toLowerCase()} ${result[props.metric].toFixed(3)}` : "";
  }).filter(Boolean).join(", ");
  return (
    <LineChart
      id={`chart-${props.metric}`}
      title={t("recommend.chart.metric", { name })}
      description={t("recommend.chart.metric.description", {
        name,
        count: versions.length,
        id: newest.id,
        said,
      })}
      xLabel={t("recommend.chart.version")}
      yLabel={name}
      series={series}
      yMin={0}
      yMax={1}
      xTick={(x) => `#${x}`}
    />
  );
}

function LossChart(props: { id: string; version: ModelVersion }) {
  const { loss, id } = props.version;
  const first = loss[0], last = loss.at(-1)!;
  const { t } = useWords();
  return (
    <LineChart
      id={props.id}
      title={t("recommend.chart.loss", { id })}
      description={t("recommend.chart.loss.description", {
        id,
        count: loss.length,
        first: formatNumber(first),
        last: formatNumber(last),
      })}
      xLabel={t("recommend.chart.iteration")}
      yLabel={t("recommend.chart.loss_axis")}
      series={[{
        name: t("recommend.chart.loss_axis"),
        className: "series-loss",
        points: loss.map((y, n) => ({ x: n + 1, y })),
      }]}
    />
  );
}

function trainGroupsIn(t: Translate) {
  return [
    { group: "model", legend: t("recommend.scorer.model") },
    { group: "signals", legend: t("recommend.signal_weights") },
  ] as const;
}

function weightGroupsIn(t: Translate) {
  return [
    { group: "model", legend: t("recommend.scorer.model") },
    { group: "boosts", legend: t("recommend.boosts") },
    { group: "penalties", legend: t("recommend.penalties") },
  ] as const;
}

/** The ranking weights form, in three groups. */
function WeightsCard(props: { weights: KnobField<RankKnob>[]; errors: FieldErrors }) {
  const { t } = useWords();
  return (
    <section id="ranking" class="card" aria-labelledby="ranking-title">
      <h2 id="ranking-title">{t("recommend.weights")}</h2>
      <p class="muted">{t("recommend.weights.intro")}</p>
      <form method="post" action="/admin/recommendations/weights" novalidate>
        {weightGroupsIn(t).map(({ group, legend }) => (
          <fieldset class="fields">
            <legend>{legend}</legend>
            {props.weights.filter((f) => f.knob.group === group).map((f) => (
              <KnobInput field={f} errors={props.errors} />
            ))}
          </fieldset>
        ))}
        <button type="submit">{t("recommend.weights.save")}</button>
      </form>
    </section>
  );
}

/** How the version to train will be measured: a random share or a time split. */
function HoldoutSelect(props: { field: HoldoutField; errors: FieldErrors }) {
  const { t } = useWords();
  const error = props.errors.holdout;
  return (
    <div class={error ? "field invalid" : "field"}>
      <label for="field-holdout">{t("recommend.holdout")}</label>
      <select
        id="field-holdout"
        name="holdout"
        aria-invalid={error ? "true" : undefined}
        aria-describedby={error ? "field-holdout-hint field-holdout-error" : "field-holdout-hint"}
      >
        {props.field.modes.map((mode) => (
          <option value={mode} selected={props.field.value === mode}>
            {t(`recommend.holdout.option.${mode}`)}
          </option>
        ))}
      </select>
      <p class="hint" id="field-holdout-hint">{t("recommend.holdout.hint")}</p>
      {error && <p class="error" id="field-holdout-error" role="alert">{error}</p>}
    </div>
  );
}

/** What a version's metrics were measured on, in words. */
function holdoutWords(words: Words, holdout: HoldoutSpec): string {
  const seen = holdout.keepSeen ? "kept" : "excluded";
  if (holdout.mode === "random") {
    return words.t(`recommend.holdout.random.${seen}`, {
      share: words.number(holdout.share, { style: "percent" }),
      seed: holdout.seed,
    });
  }
  const date = new Intl.DateTimeFormat(words.language, { dateStyle: "medium", timeZone: "UTC" });
  return words.t(`recommend.holdout.time.${seen}`, { date: date.format(holdout.splitAt) });
}

/** A knob's number field: its range, then what it does, under it. */
function KnobInput(props: { field: KnobField; errors: FieldErrors }) {
  const { t } = useWords();
  const { knob, words } = props.field;
  const range = t(words.range, { min: words.min, max: words.max });
  return (
    <Field
      name={knob.field}
      label={t(words.label)}
      hint={t("knob.hint", { range, hint: t(words.hint) })}
      type="number"
      step={knob.whole ? "1" : "any"}
      inputmode={knob.whole ? "numeric" : "decimal"}
      value={props.field.value}
      errors={props.errors}
    />
  );
}

function describeParams(t: Translate, p: ModelParams): string {
  const ials = t("recommend.params.ials", {
    unobserved: String(p.unobservedWeight),
    exponent: String(p.regularizationExponent),
  });
  return t("recommend.params", {
    factors: p.factors,
    lambda: String(p.regularization),
    alpha: String(p.alpha),
    iterations: p.iterations,
    pick: String(p.weights.pick),
    follow: String(p.weights.follow),
    listen: String(p.weights.listen),
  }) + ials;
}

function seconds(words: Words, value: number): string {
  return words.t("recommend.seconds", {
    seconds: words.number(value < 10 ? Math.round(value * 10) / 10 : Math.round(value)),
  });
}
