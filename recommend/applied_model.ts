/**
 * What the hallway ranks with, kept in memory by every process: the applied model version
 * (item vectors, member vectors) and the ranking weights. Loaded on first use; reloaded after
 * a `{ model: true }` change from any process (an apply, a roll back, new weights). Without
 * change events (single-process tests) each use checks which version is applied instead.
 *
 * Members the model was trained on get their trained vector. Members it does not know, such
 * as new members with picks but no history, get one folded in at once: the member half-step
 * for their one row against the fixed item factors (recommend/als.ts `foldIn`), from their
 * picks, follows and counted listening, weighted as the version was trained.
 *
 * @example
 * const applied = new AppliedModel(sql, { events: db.events });
 * const { model, weights } = await applied.current();
 * const vector = model?.memberVector(member.id, { pickedTopics: [3, 9], follows: [12] });
 * rankHallway(rooms, { ...viewer, vector }, { now: Date.now(), vectors: model?.vectors, weights });
 */
import type { Sql } from "../db/client.ts";
import type { EventHub } from "../db/events.ts";
import { appliedModel, appliedModelId, type StoredModel } from "../db/models.ts";
import { savedRankWeights } from "../db/site_settings.ts";
import { foldIn, gramian, type SolveParams } from "./als.ts";
import { defaultRankWeights, type ItemVectors, itemVectors, type RankWeights } from "./rank.ts";
import type { ItemRef, SignalWeights } from "./signals.ts";

/** What the hallway knows about a member, for folding in one the model was not trained on. */
export interface MemberEvidence {
  /** Topics the member picks now. */
  pickedTopics?: Iterable<number>;
  /** People the member follows now. */
  follows?: Iterable<number>;
  /** Counted listening (paused listening left out): seconds heard per topic or person. */
  listened?: Iterable<{ item: ItemRef; seconds: number }>;
}

/** One applied version, ready to score with. */
export interface ServedModel {
  /** model_versions.id */
  id: number;
  factors: number;
  /** The item vectors `rankHallway` takes. */
  vectors: ItemVectors;
  /** True when the version was trained on this member's history. */
  knows(memberId: number): boolean;
  /**
   * The member's trained vector, or one folded in from `evidence` when the version does not
   * know them; undefined when it knows none of their evidence either (rank without a model).
   */
  memberVector(memberId: number, evidence?: MemberEvidence): Float64Array | undefined;
  /**
   * A vector folded in from `evidence` alone (one half-step against the item factors), whether
   * or not the version was trained on the member; undefined when none of it is known.
   */
  foldIn(evidence: MemberEvidence): Float64Array | undefined;
}

/** Everything the hallway's ranking is set up with. */
export interface RankingSetup {
  /** Null before an administrator applied any version. */
  model: ServedModel | null;
  weights: RankWeights;
}

/** The ranking weights in use: the saved ones over the defaults. */
export async function rankWeights(sql: Sql): Promise<RankWeights> {
  return { ...defaultRankWeights, ...await savedRankWeights(sql) };
}

export class AppliedModel {
  #sql: Sql;
  #log: (line: string) => void;
  #unsubscribe: () => void = () => {};
  /** Bumped by every `{ model: true }`; a setup loaded at an older generation is stale. */
  #generation = 0;
  #loaded: { generation: number; setup: Promise<RankingSetup> } | null = null;
  #watching: boolean;

  constructor(sql: Sql, options: { events?: EventHub; log?: (line: string) => void } = {}) {
    this.#sql = sql;
    this.#log = options.log ?? (() => {});
    this.#watching = options.events !== undefined;
    if (options.events) {
      this.#unsubscribe = options.events.subscribe((event) => {
        if (event.model) this.#generation++;
      });
    }
  }

  /** The model and weights in use; read from the database only after they changed. */
  async current(): Promise<RankingSetup> {
    const loaded = this.#loaded;
    if (this.#watching && loaded?.generation === this.#generation) return await loaded.setup;
    const generation = this.#generation;
    // Callers arriving meanwhile share this load; the factors are kept if the version is the same.
    const setup = loaded
      ? loaded.setup.catch(() => null).then((previous) => this.#load(previous?.model ?? null))
      : this.#load(null);
    this.#loaded = { generation, setup };
    setup.catch(() => {
      // A failed load is not kept: the next use tries again.
      if (this.#loaded?.setup === setup) this.#loaded = null;
    });
    return await setup;
  }

  /** Stops listening for changes. */
  close(): void {
    this.#unsubscribe();
  }

  async #load(previous: ServedModel | null): Promise<RankingSetup> {
    const weights = await rankWeights(this.#sql);
    const id = await appliedModelId(this.#sql);
    // Weights change more often than models: keep the factors when the version is the same.
    if (id === previous?.id) return { model: previous, weights };
    const stored = id === null ? null : await appliedModel(this.#sql);
    if (!stored) return { model: null, weights };
    const model = new LoadedModel(stored);
    this.#log(
      `Recommendations use model ${model.id} (${stored.memberIds.length} members, ` +
        `${stored.items.length} topics and people, ${model.factors} factors)`,
    );
    return { model, weights };
  }
}

/** A stored version turned into vectors, with what fold-in needs computed once. */
class LoadedModel implements ServedModel {
  readonly id: number;
  readonly factors: number;
  readonly vectors: ItemVectors;
  #memberRow: Map<number, number>;
  #memberFactors: Float32Array;
  #itemFactors: Float64Array;
  #itemIndex: { topic: Map<number, number>; person: Map<number, number> };
  #gram: Float64Array;
  #weights: SignalWeights;
  #solve: SolveParams;

  constructor(stored: StoredModel) {
    this.id = stored.id;
    this.factors = stored.factors;
    this.#memberFactors = stored.memberFactors;
    this.#memberRow = new Map(stored.memberIds.map((id, row) => [id, row]));
    this.#itemFactors = Float64Array.from(stored.itemFactors);
    this.#itemIndex = { topic: new Map(), person: new Map() };
    stored.items.forEach((item, i) => this.#itemIndex[item.kind].set(item.id, i));
    this.vectors = itemVectors(stored.items, this.#itemFactors, this.factors);
    this.#gram = gramian(this.#itemFactors, this.factors);
    this.#weights = stored.params.weights;
    const { regularization, alpha, unobservedWeight, regularizationExponent } = stored.params;
    this.#solve = { regularization, alpha, unobservedWeight, regularizationExponent };
  }

  knows(memberId: number): boolean {
    return this.#memberRow.has(memberId);
  }

  memberVector(memberId: number, evidence: MemberEvidence = {}): Float64Array | undefined {
    const row = this.#memberRow.get(memberId);
    if (row !== undefined) {
      const k = this.factors;
      return Float64Array.from(this.#memberFactors.subarray(row * k, (row + 1) * k));
    }
    return this.foldIn(evidence);
  }

  foldIn(evidence: MemberEvidence): Float64Array | undefined {
    const entries = this.#entries(evidence);
    if (entries.length === 0) return undefined;
    return foldIn(this.#itemFactors, this.factors, entries, { ...this.#solve, gram: this.#gram });
  }

  /** The member's row as training would have built it (recommend/interactions.ts weights). */
  #entries(evidence: MemberEvidence): { item: number; weight: number }[] {
    const weight = new Map<number, number>();
    const add = (index: number | undefined, value: number) => {
      if (index !== undefined && value > 0) weight.set(index, (weight.get(index) ?? 0) + value);
    };
    for (const id of new Set(evidence.pickedTopics ?? [])) {
      add(this.#itemIndex.topic.get(id), this.#weights.pick);
    }
    for (const id of new Set(evidence.follows ?? [])) {
      add(this.#itemIndex.person.get(id), this.#weights.follow);
    }
    const seconds = new Map<number, number>();
    for (const { item, seconds: s } of evidence.listened ?? []) {
      const index = this.#itemIndex[item.kind].get(item.id);
      if (index !== undefined && s > 0) seconds.set(index, (seconds.get(index) ?? 0) + s);
    }
    for (const [index, s] of seconds) add(index, this.#weights.listen * Math.log1p(s / 60));
    return [...weight].map(([item, w]) => ({ item, weight: w }));
  }
}
