/**
 * Offline evaluation on a time-split holdout: train on what happened before a time T, then ask
 * how well each scorer ranks the items each member went on to listen to after T. One function
 * (`measure`) computes recall@k and NDCG@k for any scorer, so ALS and the baselines are judged
 * alike.
 *
 * The truth keeps items the member already had before T (unless `excludeSeen`). Rooms are
 * ephemeral and items are durable: most of what the hallway must find is rooms on topics and
 * with people a member already listens to, so re-listening is the behaviour to predict, not
 * noise. `excludeSeen: true` measures discovery only (seen items leave the truth and the
 * rankings), for admins who want that view as well.
 *
 * @example
 * const report = evaluate(signals, { splitAt, k: 10, weights: defaultSignalWeights, als });
 * report.results; // [{ name: "als", recall: 0.41, ndcg: 0.37 }, { name: "popularity", ... }, ...]
 */
import { type Model, type Progress, train, type TrainParams } from "./als.ts";
import { collectEvidence, type Evidence, interactionsFromEvidence } from "./interactions.ts";
import type { Interactions, Signal, SignalWeights } from "./signals.ts";

/** What each member went on to listen to after T, as indices into `training.items`. */
export interface Truth {
  /** The listened items the training set knows. */
  known: Int32Array;
  /** All listened items, known or not: items new after T are misses no scorer can avoid. */
  size: number;
}

export interface Holdout {
  splitAt: number;
  /** Everything before T, cancelled and summed (`collectEvidence`). */
  evidence: Evidence;
  /** The matrix trained on: `evidence` weighted, empty pairs, members and items left out. */
  training: Interactions;
  /** Members with at least one listen after T (that counts), by member id. */
  truth: Map<number, Truth>;
  excludeSeen: boolean;
  /** Items each member has in `training`, by member id (skipped in rankings if `excludeSeen`). */
  seen: Map<number, Int32Array>;
}

/** Fills `scores` with one score per item of `holdout.training.items` for the member `user`. */
export interface Scorer {
  name: string;
  score(user: number, scores: Float64Array): void;
}

export interface Metrics {
  name: string;
  recall: number;
  ndcg: number;
  /** Members measured. */
  members: number;
}

export interface EvaluateOptions {
  splitAt: number;
  k: number;
  weights: SignalWeights;
  als: TrainParams;
  excludeSeen?: boolean;
  /** Measure at most this many members, evenly spread over the ids (ALS scoring costs items·k each). */
  maxMembers?: number;
  /** Hears each iteration of the holdout model's training. */
  onProgress?: (progress: Progress) => void;
}

/**
 * Splits at `splitAt`, trains ALS on the part before it, and measures ALS, popularity and
 * "your picked topics" on the part after it.
 *
 * @example
 * evaluate(signals, { splitAt: Date.parse("2026-11-01"), k: 10, weights: defaultSignalWeights, als });
 */
export function evaluate(
  signals: Iterable<Signal>,
  options: EvaluateOptions,
): { holdout: Holdout; model: Model; results: Metrics[] } {
  const holdout = timeSplit(signals, options.splitAt, options.weights, options);
  const model = train(holdout.training, options.als, options.onProgress);
  const members = sampleMembers(holdout, options.maxMembers);
  const scorers = [
    alsScorer(holdout, model, options.als),
    popularityScorer(holdout),
    pickedTopicsScorer(holdout),
  ];
  return {
    holdout,
    model,
    results: scorers.map((scorer) => measure(holdout, scorer, options.k, members)),
  };
}

/** The training matrix from events before `splitAt` and the truth from listens at or after it. */
export function timeSplit(
  signals: Iterable<Signal>,
  splitAt: number,
  weights: SignalWeights,
  options: { excludeSeen?: boolean } = {},
): Holdout {
  const all = Array.isArray(signals) ? signals as Signal[] : [...signals];
  const evidence = collectEvidence(all, { before: splitAt });
  const training = interactionsFromEvidence(evidence, weights);
  const indexOf = new Map(training.items.map((item, i) => [`${item.kind}:${item.id}`, i]));
  const seen = new Map<number, Int32Array>();
  training.users.forEach((user, r) => {
    seen.set(user, training.itemIndex.slice(training.rowStart[r], training.rowStart[r + 1]));
  });
  const excludeSeen = options.excludeSeen ?? false;

  const listened = new Map<number, Set<string>>();
  for (const signal of all) {
    if (signal.kind !== "listen" || signal.at < splitAt || !(signal.seconds > 0)) continue;
    let items = listened.get(signal.user);
    if (items === undefined) listened.set(signal.user, items = new Set());
    items.add(`${signal.item.kind}:${signal.item.id}`);
  }
  const truth = new Map<number, Truth>();
  for (const [user, items] of [...listened].sort((a, b) => a[0] - b[0])) {
    const before = excludeSeen ? new Set(seen.get(user)) : new Set<number>();
    const known: number[] = [];
    let size = 0;
    for (const name of items) {
      const index = indexOf.get(name);
      if (index !== undefined && before.has(index)) continue;
      size++;
      if (index !== undefined) known.push(index);
    }
    if (size > 0) truth.set(user, { known: Int32Array.from(known.sort((a, b) => a - b)), size });
  }
  return { splitAt, evidence, training, truth, excludeSeen, seen };
}

/**
 * Mean recall@k and NDCG@k of one scorer over the members with truth (or the ones given).
 * recall@k = hits in the top k / min(k, truth size), so a perfect ranking scores 1 even when a
 * member listened to more than k items; NDCG@k uses gain 1 per hit and 1/log2(rank + 1).
 * Ties in score rank the lower item index first.
 *
 * @example
 * measure(holdout, popularityScorer(holdout), 10); // { name: "popularity", recall: 0.2, ndcg: 0.18, members: 812 }
 */
export function measure(
  holdout: Holdout,
  scorer: Scorer,
  k: number,
  members: number[] = [...holdout.truth.keys()],
): Metrics {
  const scores = new Float64Array(holdout.training.items.length);
  const top = new Int32Array(k);
  let recall = 0, ndcg = 0, measured = 0;
  for (const user of members) {
    const truth = holdout.truth.get(user);
    if (truth === undefined) continue;
    scorer.score(user, scores);
    if (holdout.excludeSeen) {
      for (const item of holdout.seen.get(user) ?? []) scores[item] = -Infinity;
    }
    const ranked = topK(scores, k, top);
    const relevant = new Set(truth.known);
    let hits = 0, dcg = 0, ideal = 0;
    for (let rank = 0; rank < ranked; rank++) {
      if (relevant.has(top[rank])) {
        hits++;
        dcg += 1 / Math.log2(rank + 2);
      }
    }
    const best = Math.min(k, truth.size);
    for (let rank = 0; rank < best; rank++) ideal += 1 / Math.log2(rank + 2);
    recall += hits / best;
    ndcg += dcg / ideal;
    measured++;
  }
  return {
    name: scorer.name,
    recall: measured > 0 ? recall / measured : 0,
    ndcg: measured > 0 ? ndcg / measured : 0,
    members: measured,
  };
}

/** Writes the indices of the k best finite scores into `top`, best first; returns how many. */
function topK(scores: Float64Array, k: number, top: Int32Array): number {
  let filled = 0;
  for (let item = 0; item < scores.length; item++) {
    const score = scores[item];
    if (score === -Infinity) continue;
    if (filled === k && score <= scores[top[k - 1]]) continue;
    let at = filled < k ? filled++ : k - 1;
    while (at > 0 && scores[top[at - 1]] < score) {
      top[at] = top[at - 1];
      at--;
    }
    top[at] = item;
  }
  return filled;
}

/** Members with truth, at most `max`, evenly spread over their ids. */
function sampleMembers(holdout: Holdout, max = Infinity): number[] {
  const all = [...holdout.truth.keys()];
  if (all.length <= max) return all;
  return Array.from({ length: max }, (_, n) => all[Math.floor((n * all.length) / max)]);
}

/** How many members listened to each item before T: the same list for everyone. */
export function popularityScorer(holdout: Holdout): Scorer {
  const popularity = listenersPerItem(holdout);
  return { name: "popularity", score: (_user, scores) => scores.set(popularity) };
}

/** The member's picked topics first (kept picks before T), then popularity. */
export function pickedTopicsScorer(holdout: Holdout): Scorer {
  const popularity = listenersPerItem(holdout);
  const most = Math.max(1, ...popularity);
  const picks = picksPerMember(holdout);
  return {
    name: "picked topics",
    score(user, scores) {
      for (let i = 0; i < scores.length; i++) scores[i] = popularity[i] / most;
      for (const item of picks.get(user) ?? []) scores[item] += 1;
    },
  };
}

/**
 * xᵤ·yᵢ for members the model knows; members who joined after T have no row and are ranked by
 * popularity, as the hallway does for them.
 */
export function alsScorer(holdout: Holdout, model: Model, params: { factors: number }): Scorer {
  const k = params.factors;
  const rowOf = new Map(holdout.training.users.map((user, r) => [user, r]));
  const popularity = popularityScorer(holdout);
  const items = holdout.training.items.length;
  return {
    name: "als",
    score(user, scores) {
      const r = rowOf.get(user);
      if (r === undefined) return popularity.score(user, scores);
      const x = model.userFactors.subarray(r * k, (r + 1) * k);
      for (let i = 0; i < items; i++) {
        let s = 0;
        const y = i * k;
        for (let d = 0; d < k; d++) s += x[d] * model.itemFactors[y + d];
        scores[i] = s;
      }
    },
  };
}

function listenersPerItem(holdout: Holdout): Float64Array {
  const { evidence } = holdout;
  const toTraining = trainingIndices(holdout);
  const popularity = new Float64Array(holdout.training.items.length);
  for (let n = 0; n < evidence.itemIndex.length; n++) {
    const i = toTraining[evidence.itemIndex[n]];
    if (i >= 0 && evidence.listenedSeconds[n] > 0) popularity[i]++;
  }
  return popularity;
}

function picksPerMember(holdout: Holdout): Map<number, number[]> {
  const { evidence } = holdout;
  const toTraining = trainingIndices(holdout);
  const picks = new Map<number, number[]>();
  evidence.users.forEach((user, r) => {
    const items: number[] = [];
    for (let n = evidence.rowStart[r]; n < evidence.rowStart[r + 1]; n++) {
      const i = toTraining[evidence.itemIndex[n]];
      if (evidence.picked[n] && evidence.items[evidence.itemIndex[n]].kind === "topic" && i >= 0) {
        items.push(i);
      }
    }
    if (items.length > 0) picks.set(user, items);
  });
  return picks;
}

/** For each evidence item, its index in `training.items`, or -1 when training left it out. */
function trainingIndices(holdout: Holdout): Int32Array {
  const { evidence, training } = holdout;
  const indexOf = new Map(training.items.map((item, i) => [`${item.kind}:${item.id}`, i]));
  return Int32Array.from(evidence.items, (item) => indexOf.get(`${item.kind}:${item.id}`) ?? -1);
}
