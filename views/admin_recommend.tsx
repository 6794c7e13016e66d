/**
 * /admin/recommendations: train a model version (its progress followed live), compare versions
 * with the baselines in charts and a table, apply one or roll back, and set the hallway's
 * ranking weights. `TrainingCard` is also the fragment the page polls while a version trains;
 * when it is done, the poll brings `VersionsCard` along out of band.
 *
 * @example
 * <RecommendationsView versions={versions} rollBackTo={null} selected={null}
 *   train={trainValues} weights={weightFields} errors={{}} />
 */
import { Field, type FieldErrors } from "./form.tsx";
import { type ChartSeries, formatNumber, LineChart } from "./charts.tsx";
import { AdminSections } from "./admin.tsx";
import type { ModelMetrics, ModelParams, ModelVersion } from "../db/models.ts";
import type { Knob, ModelKnob, RankKnob } from "../vocabulary/knobs.ts";

/**
 * One tunable number's field: its descriptor (vocabulary/knobs.ts: key, field, label, hint,
 * group), its value as the page shows it, and its range in words.
 */
export interface KnobField<K extends Knob = Knob> {
  knob: K;
  value: string;
  range: string;
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
  /** The ranking weights' fields, in order. */
  weights: KnobField<RankKnob>[];
  errors: FieldErrors;
  notice?: string;
}

export const trainingPath = "/admin/recommendations/training";

/** Scorer names from recommend/evaluate.ts, in words, with their chart class. */
const scorers: { name: string; label: string; className: string }[] = [
  { name: "als", label: "Model", className: "series-model" },
  { name: "popularity", label: "Popularity", className: "series-popularity" },
  { name: "picked topics", label: "Picked topics", className: "series-picked" },
];

export function RecommendationsView(props: RecommendationsProps) {
  return (
    <section class="admin recommendations" aria-labelledby="recommendations-title">
      <h1 id="recommendations-title">Recommendations</h1>
      <AdminSections current="recommendations" />
      <p class="lead">
        The hallway orders rooms by a model of what each member listens to, plus the boosts below.
        Train a model version, compare it with the one in use and with the baselines, then apply it.
      </p>
      {props.notice && <p class="notice" role="status">{props.notice}</p>}
      {props.errors._form && <p class="error" role="alert">{props.errors._form}</p>}
      <TrainingCard versions={props.versions} train={props.train} errors={props.errors} />
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
  props: { versions: ModelVersion[]; train: KnobField<ModelKnob>[]; errors: FieldErrors },
) {
  const training = props.versions.find((v) => v.state === "training");
  if (training) return <TrainingUnderWay version={training} />;
  const latest = props.versions[0];
  return (
    <section id="training" class="card" aria-labelledby="training-title">
      <h2 id="training-title">Train a new model</h2>
      {latest?.state === "trained" && (
        <p class="muted">
          Model #{latest.id} was trained in{" "}
          {seconds(latest.metrics?.seconds ?? 0)}; compare it below.
        </p>
      )}
      {latest?.state === "failed" && (
        <p class="error" role="alert">Model #{latest.id} failed: {latest.error}</p>
      )}
      <form method="post" action="/admin/recommendations/train" novalidate>
        {trainGroups.map(({ group, legend }) => (
          <fieldset class="fields">
            <legend>{legend}</legend>
            {props.train.filter((f) => f.knob.group === group).map((f) => (
              <KnobInput field={f} errors={props.errors} />
            ))}
          </fieldset>
        ))}
        <button type="submit">Train a new model</button>
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
  const words = progress.phase === "reading"
    ? "Reading the listening history…"
    : progress.phase === "training"
    ? `Training: iteration ${progress.done} of ${progress.total}` +
      (version.loss.length > 0 ? `, loss ${formatNumber(version.loss.at(-1)!)}` : "")
    : `Measuring against the baselines: iteration ${progress.done} of ${progress.total}`;
  return (
    <section
      id="training"
      class="card training"
      aria-labelledby="training-title"
      hx-get={trainingPath}
      hx-trigger="every 1s"
      hx-swap="outerHTML"
    >
      <h2 id="training-title">Training model #{version.id}</h2>
      <p class="muted">{describeParams(version.params)}</p>
      <div class="progress-line">
        <progress id="training-progress" max={total} value={done} aria-describedby="training-phase">
        </progress>
        <span>{Math.floor((100 * done) / total)}%</span>
      </div>
      <p id="training-phase" class="progress-words" role="status">{words}</p>
      {version.loss.length > 0 && <LossChart id="training-loss" version={version} />}
      <p class="hint">
        Training runs on the server: you may leave this page. It follows along by itself; without
        JavaScript, reload it.
      </p>
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
  return (
    <section
      id="versions"
      class="card"
      aria-labelledby="versions-title"
      hx-swap-oob={props.oob ? "true" : undefined}
    >
      <h2 id="versions-title">Model versions</h2>
      <div class="in-use">
        <p>
          {applied
            ? <>Model #{applied.id} is in use.</>
            : "No model is in use: the hallway orders rooms by the boosts alone."}
        </p>
        {props.rollBackTo !== null && (
          <form method="post" action="/admin/recommendations/rollback">
            <button type="submit" class="secondary">Roll back to model #{props.rollBackTo}</button>
          </form>
        )}
      </div>
      {trained.length === 0
        ? <p class="muted">No model has been trained yet.</p>
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
  return (
    <div class="table-wrap">
      <table class="versions">
        <caption class="visually-hidden">
          Every model version, newest first, with recall@{k} and NDCG@{k}{" "}
          of the model and of the baselines (popularity, picked topics) on held-out listening
        </caption>
        <thead>
          <tr>
            <th scope="col">Model</th>
            <th scope="col">Recall@{k} · NDCG@{k}</th>
            <th scope="col">Parameters</th>
          </tr>
        </thead>
        <tbody>
          {props.versions.map((v) => (
            <tr id={`version-${v.id}`}>
              <th scope="row">
                <div class="version-name">
                  <a href={`/admin/recommendations?version=${v.id}#version-loss`}>#{v.id}</a>
                  <span class={`state ${v.state}`}>{v.state}</span>
                  {v.applied && <span class="badge">In use</span>}
                </div>
                <p class="small muted">
                  {v.createdBy ? `@${v.createdBy}, ` : ""}
                  <time datetime={v.createdAt.toISOString()} data-local-time>
                    {v.createdAt.toISOString().slice(0, 16).replace("T", " ")} UTC
                  </time>
                </p>
                {v.state === "failed" && v.error && <p class="small">{v.error}</p>}
                {v.state === "trained" && !v.applied && (
                  <form method="post" action={`/admin/recommendations/versions/${v.id}/apply`}>
                    <button type="submit" aria-label={`Apply model #${v.id}`}>Apply</button>
                  </form>
                )}
              </th>
              <td data-label={`Recall@${k} · NDCG@${k}`}>
                <Metrics metrics={v.metrics} />
              </td>
              <td class="small" data-label="Parameters">
                {describeParams(v.params)}
                {v.state === "trained" && v.metrics && (
                  <p class="small muted">
                    Trained on {v.metrics.members} members and {v.metrics.items}{" "}
                    topics and people in {seconds(v.metrics.seconds)}.
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
  if (results.length === 0 || results[0].members === 0) return <span class="muted">—</span>;
  return (
    <table class="metric">
      <thead class="visually-hidden">
        <tr>
          <th scope="col">Scorer</th>
          <th scope="col">Recall@{props.metrics!.k}</th>
          <th scope="col">NDCG@{props.metrics!.k}</th>
        </tr>
      </thead>
      <tbody>
        {scorers.map((scorer) => {
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
  const name = `${props.metric === "recall" ? "Recall" : "NDCG"}@${k}`;
  if (versions.length === 0) return null;
  const series: ChartSeries[] = scorers.map((scorer) => ({
    name: scorer.label,
    className: scorer.className,
    points: versions.flatMap((v) => {
      const result = v.metrics!.results.find((r) => r.name === scorer.name);
      return result
        ? [{
          x: v.id,
          y: result[props.metric],
          label: `${scorer.label}, model #${v.id}: ${result[props.metric].toFixed(3)}`,
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
      title={`${name} per model version`}
      description={`${name} on held-out listening for ${versions.length} trained ` +
        `version${versions.length === 1 ? "" : "s"}; the newest, #${newest.id}: ${said}.`}
      xLabel="Model version"
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
  return (
    <LineChart
      id={props.id}
      title={`Loss per iteration, model #${id}`}
      description={`The training objective of model #${id} after each of ${loss.length} ` +
        `iteration${loss.length === 1 ? "" : "s"}: from ${formatNumber(first)} to ${
          formatNumber(last)
        }.`}
      xLabel="Iteration"
      yLabel="Loss"
      series={[{
        name: "Loss",
        className: "series-loss",
        points: loss.map((y, n) => ({ x: n + 1, y })),
      }]}
    />
  );
}

const trainGroups = [
  { group: "model", legend: "Model" },
  { group: "signals", legend: "What each signal weighs" },
] as const;

const weightGroups = [
  { group: "model", legend: "Model" },
  { group: "boosts", legend: "Boosts" },
  { group: "penalties", legend: "Penalties" },
] as const;

/** The ranking weights form, in three groups. */
function WeightsCard(props: { weights: KnobField<RankKnob>[]; errors: FieldErrors }) {
  return (
    <section id="ranking" class="card" aria-labelledby="ranking-title">
      <h2 id="ranking-title">Ranking weights</h2>
      <p class="muted">
        A room's place in a member's hallway is the model's score times its weight, plus these
        boosts, less these penalties. They apply at once, to every model.
      </p>
      <form method="post" action="/admin/recommendations/weights" novalidate>
        {weightGroups.map(({ group, legend }) => (
          <fieldset class="fields">
            <legend>{legend}</legend>
            {props.weights.filter((f) => f.knob.group === group).map((f) => (
              <KnobInput field={f} errors={props.errors} />
            ))}
          </fieldset>
        ))}
        <button type="submit">Save ranking weights</button>
      </form>
    </section>
  );
}

/** A knob's number field: its range, then what it does, under it. */
function KnobInput(props: { field: KnobField; errors: FieldErrors }) {
  const { knob } = props.field;
  return (
    <Field
      name={knob.field}
      label={knob.label}
      hint={`${props.field.range}. ${knob.hint}`}
      type="number"
      step={knob.whole ? "1" : "any"}
      inputmode={knob.whole ? "numeric" : "decimal"}
      value={props.field.value}
      errors={props.errors}
    />
  );
}

function describeParams(p: ModelParams): string {
  return `${p.factors} factors, λ ${p.regularization}, α ${p.alpha}, ${p.iterations} ` +
    `iterations; signals weigh: pick ${p.weights.pick}, follow ${p.weights.follow}, ` +
    `listen ${p.weights.listen}`;
}

function seconds(value: number): string {
  return value < 10 ? `${value.toFixed(1)} s` : `${Math.round(value)} s`;
}
