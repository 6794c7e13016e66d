/**
 * Offline evaluation: hold out part of what members did, train on the rest, then ask how well
 * each scorer ranks the held-out items. One function (`measure`) computes recall@k and NDCG@k
 * for any scorer on any holdout, so ALS and the baselines are judged alike, on the app's signals
 * or on a plain matrix (a benchmark's data set, a synthetic one).
 *
 * Two ways to hold out (vocabulary/holdouts.ts):
 * - random (`randomSplit`, `randomMatrixSplit`): a seeded share of each member's items, for every
 *   member with enough of them; it works on any data, a few days of it included;
 * - time (`timeSplit`): everything before a time T trains, the listening after T is the truth;
 *   it needs weeks of history.
 *
 * Items a member already had in training are left out of the truth and of the rankings by
 * default: the measure is then how well a scorer finds what the member has not shown yet.
 * `keepSeen: true` keeps them (re-listening counts as a hit), as the time split always did.
 *
 * @example
 * const report = evaluate(signals, { holdout, k: 20, weights: defaultSignalWeights, als });
 * report.results; // [{ name: "als", recall: 0.41, ndcg: 0.37 }, { name: "popularity", ... }, ...]
 */
import { type Model, type Progress, train, type TrainParams } from "./als.ts";
import {
  collectEvidence,
  type Evidence,
  evidenceWeight,
  interactionsFromEvidence,
} from "./interactions.ts";
import { mulberry32 } from "./random.ts";
import type { Interactions, Signal, SignalWeights } from "./signals.ts";
import type { HoldoutSpec } from "../vocabulary/holdouts.ts";

export type { HoldoutSpec } from "../vocabulary/holdouts.ts";

/** What a member went on to do that the training never saw, as item indices. */
export interface Truth {
  /** The held-out items the training set knows. */
  known: Int32Array;
  /** All held-out items, known or not: items new after T are misses no scorer can avoid. */
  size: number;
}

/** All `measure` reads: what to find, what not to rank, and how many items a scorer scores. */
export interface Holdout {
  /** Scorers fill one score per item index in [0, items). */
  items: number;
  /** Members with held-out items, by member id (ascending). */
  truth: Map<number, Truth>;
  /** Items left out of each member's ranking, by member id: what they had in training. */
  exclude: Map<number, Int32Array>;
}

/** A holdout with the matrix to train on (its item indices are the holdout's) and how it was made. */
export interface Split extends Holdout {
  spec: HoldoutSpec;
  training: Interactions;
}

/** A split of the app's signals: the baselines read the evidence behind the training matrix. */
export interface SignalSplit extends Split {
  /** The training part, cancelled and summed (`collectEvidence`). */
  evidence: Evidence;
}

/** Fills `scores` with one score per item of the holdout for the member `user`. */
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

/** A random holdout's choices; `share` of each member's items, at least one. */
export interface RandomSplitOptions {
  share: number;
  seed: number;
  keepSeen?: boolean;
  /** Members with fewer items stay in training only. */
  minItems?: number;
}

/** Below five items, holding one out takes a fifth or more of what the model knows of a member. */
export const defaultMinItems = 5;

export interface EvaluateOptions {
  holdout: HoldoutSpec;
  k: number;
  weights: SignalWeights;
  als: TrainParams;
  /** For a random holdout (`defaultMinItems` when absent). */
  minItems?: number;
  /** Measure at most this many members, evenly spread over the ids (ALS scoring costs items·k each). */
  maxMembers?: number;
  /** Hears each iteration of the holdout model's training. */
  onProgress?: (progress: Progress) => void;
}

/**
 * Holds out as `options.holdout` says, trains ALS on the rest, and measures ALS, popularity and
 * "your picked topics" on what was held out.
 *
 * @example
 * evaluate(signals, { holdout: { mode: "random", share: 0.2, seed: 7, keepSeen: false }, k: 20, weights, als });
 */
export function evaluate(
  signals: Iterable<Signal>,
  options: EvaluateOptions,
): { holdout: SignalSplit; model: Model; results: Metrics[] } {
  const holdout = splitSignals(signals, options.holdout, options.weights, options);
  const model = train(holdout.training, options.als, options.onProgress);
  const members = sampleMembers(holdout, options.maxMembers);
  const popularity = popularityScorer(holdout);
  const scorers = [
    alsScorer(holdout, model, options.als, popularity),
    popularity,
    pickedTopicsScorer(holdout),
  ];
  return {
    holdout,
    model,
    results: scorers.map((scorer) => measure(holdout, scorer, options.k, members)),
  };
}

/**
 * The split `spec` describes, of the app's signals.
 *
 * @example
 * splitSignals(signals, { mode: "time", splitAt, keepSeen: false }, defaultSignalWeights);
 */
export function splitSignals(
  signals: Iterable<Signal>,
  spec: HoldoutSpec,
  weights: SignalWeights,
  options: { minItems?: number } = {},
): SignalSplit {
  return spec.mode === "time"
    ? timeSplit(signals, spec.splitAt, weights, spec)
    : randomSplit(signals, weights, { ...spec, minItems: options.minItems });
}

/**
 * The training matrix from events before `splitAt` and the truth from listens at or after it.
 *
 * @example
 * timeSplit(signals, Date.parse("2026-11-01"), defaultSignalWeights, { keepSeen: true });
 */
export function timeSplit(
  signals: Iterable<Signal>,
  splitAt: number,
  weights: SignalWeights,
  options: { keepSeen?: boolean } = {},
): SignalSplit {
  const keepSeen = options.keepSeen ?? false;
  const all = Array.isArray(signals) ? signals as Signal[] : [...signals];
  const evidence = collectEvidence(all, { before: splitAt });
  const training = interactionsFromEvidence(evidence, weights);
  const indexOf = new Map(training.items.map((item, i) => [`${item.kind}:${item.id}`, i]));
  const seen = seenItems(training);

  const listened = new Map<number, Set<string>>();
  for (const signal of all) {
    if (signal.kind !== "listen" || signal.at < splitAt || !(signal.seconds > 0)) continue;
    let items = listened.get(signal.user);
    if (items === undefined) listened.set(signal.user, items = new Set());
    items.add(`${signal.item.kind}:${signal.item.id}`);
  }
  const truth = new Map<number, Truth>();
  for (const [user, items] of [...listened].sort((a, b) => a[0] - b[0])) {
    const before = keepSeen ? new Set<number>() : new Set(seen.get(user));
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
  return {
    spec: { mode: "time", splitAt, keepSeen },
    items: training.items.length,
    truth,
    exclude: keepSeen ? new Map() : seen,
    evidence,
    training,
  };
}

/**
 * A random share of each member's items (any (member, item) pair the matrix would hold: picked,
 * followed or listened to) held out whole, with every signal about it; the rest trains. The same
 * seed holds out the same items; a member's draw depends only on the seed, their id and their
 * own items, so it does not move when others join.
 *
 * @example
 * randomSplit(signals, defaultSignalWeights, { share: 0.2, seed: 7 });
 */
export function randomSplit(
  signals: Iterable<Signal>,
  weights: SignalWeights,
  options: RandomSplitOptions,
): SignalSplit {
  const all = collectEvidence(signals);
  const counted = new Uint8Array(all.itemIndex.length);
  for (let n = 0; n < counted.length; n++) counted[n] = evidenceWeight(all, n, weights) > 0 ? 1 : 0;
  const heldOut = pickHeldOut(all.users, all.rowStart, counted, options);

  const evidence = withoutEntries(all, heldOut);
  const training = interactionsFromEvidence(evidence, weights);
  const indexOf = new Map(training.items.map((item, i) => [`${item.kind}:${item.id}`, i]));
  const truth = new Map<number, Truth>();
  all.users.forEach((user, r) => {
    const known: number[] = [];
    let size = 0;
    for (let n = all.rowStart[r]; n < all.rowStart[r + 1]; n++) {
      if (!heldOut[n]) continue;
      const item = all.items[all.itemIndex[n]];
      const index = indexOf.get(`${item.kind}:${item.id}`);
      size++;
      if (index !== undefined) known.push(index);
    }
    if (size > 0) truth.set(user, { known: Int32Array.from(known.sort((a, b) => a - b)), size });
  });
  return {
    spec: randomSpec(options),
    items: training.items.length,
    truth,
    exclude: options.keepSeen ? new Map() : seenItems(training),
    evidence,
    training,
  };
}

/**
 * A random holdout of a plain matrix (a benchmark's data set, a synthetic one): for each member
 * (`interactions.users[r]`) with enough entries, a seeded share of them leaves the training
 * matrix and becomes the truth. Members and items stay as they are, so indices are unchanged.
 *
 * @example
 * const split = randomMatrixSplit(matrix, { share: 0.2, seed: 7 });
 * measure(split, alsScorer(split, train(split.training, als), als), 20);
 */
export function randomMatrixSplit(
  interactions: Interactions,
  options: RandomSplitOptions,
): Split {
  const { users, rowStart, itemIndex, weight } = interactions;
  const heldOut = pickHeldOut(users, rowStart, new Uint8Array(itemIndex.length).fill(1), options);
  const keptStart = new Int32Array(users.length + 1);
  const keptItems: number[] = [];
  const keptWeights: number[] = [];
  const truth = new Map<number, Truth>();
  users.forEach((user, r) => {
    const known: number[] = [];
    for (let n = rowStart[r]; n < rowStart[r + 1]; n++) {
      if (heldOut[n]) {
        known.push(itemIndex[n]);
      } else {
        keptItems.push(itemIndex[n]);
        keptWeights.push(weight[n]);
      }
    }
    keptStart[r + 1] = keptItems.length;
    if (known.length > 0) {
      truth.set(user, { known: Int32Array.from(known.sort((a, b) => a - b)), size: known.length });
    }
  });
  const training: Interactions = {
    users,
    items: interactions.items,
    rowStart: keptStart,
    itemIndex: Int32Array.from(keptItems),
    weight: Float64Array.from(keptWeights),
  };
  return {
    spec: randomSpec(options),
    items: interactions.items.length,
    truth: new Map([...truth].sort((a, b) => a[0] - b[0])),
    exclude: options.keepSeen ? new Map() : seenItems(training),
    training,
  };
}

function randomSpec(options: RandomSplitOptions): HoldoutSpec {
  return {
    mode: "random",
    share: options.share,
    seed: options.seed,
    keepSeen: options.keepSeen ?? false,
  };
}

/**
 * Marks the entries to hold out: for each member row with at least `minItems` entries that
 * count (`counted[n]` is 1), round(share × count) of them, at least one and never all, drawn
 * without replacement by a generator seeded from `seed` and the member's id.
 */
function pickHeldOut(
  users: number[],
  rowStart: Int32Array,
  counted: Uint8Array,
  options: RandomSplitOptions,
): Uint8Array {
  const { share, seed } = options;
  if (!(share > 0 && share < 1)) {
    throw new RangeError("The held-out share must be above 0 and below 1");
  }
  const minItems = Math.max(2, options.minItems ?? defaultMinItems);
  const heldOut = new Uint8Array(counted.length);
  const candidates: number[] = [];
  users.forEach((user, r) => {
    candidates.length = 0;
    for (let n = rowStart[r]; n < rowStart[r + 1]; n++) if (counted[n]) candidates.push(n);
    if (candidates.length < minItems) return;
    const take = Math.min(
      candidates.length - 1,
      Math.max(1, Math.round(share * candidates.length)),
    );
    const random = mulberry32(memberSeed(seed, user));
    // A partial Fisher–Yates shuffle: the first `take` places are a uniform draw.
    for (let i = 0; i < take; i++) {
      const j = i + Math.floor(random() * (candidates.length - i));
      [candidates[i], candidates[j]] = [candidates[j], candidates[i]];
      heldOut[candidates[i]] = 1;
    }
  });
  return heldOut;
}

/** One generator state per (seed, member); multiplicative hashing keeps neighbouring ids apart. */
function memberSeed(seed: number, user: number): number {
  return (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(user >>> 0, 0x85ebca6b)) >>> 0;
}

/** The evidence without the marked entries; members left with nothing are dropped. */
function withoutEntries(evidence: Evidence, drop: Uint8Array): Evidence {
  const users: number[] = [];
  const rowStart: number[] = [0];
  const kept: number[] = [];
  evidence.users.forEach((user, r) => {
    for (let n = evidence.rowStart[r]; n < evidence.rowStart[r + 1]; n++) {
      if (!drop[n]) kept.push(n);
    }
    if (kept.length > rowStart[rowStart.length - 1]) {
      users.push(user);
      rowStart.push(kept.length);
    }
  });
  return {
    users,
    items: evidence.items,
    rowStart: Int32Array.from(rowStart),
    itemIndex: Int32Array.from(kept, (n) => evidence.itemIndex[n]),
    picked: Uint8Array.from(kept, (n) => evidence.picked[n]),
    followed: Uint8Array.from(kept, (n) => evidence.followed[n]),
    listenedSeconds: Float64Array.from(kept, (n) => evidence.listenedSeconds[n]),
  };
}

/** Each member's items in the training matrix, by member id. */
function seenItems(training: Interactions): Map<number, Int32Array> {
  const seen = new Map<number, Int32Array>();
  training.users.forEach((user, r) => {
    seen.set(user, training.itemIndex.slice(training.rowStart[r], training.rowStart[r + 1]));
  });
  return seen;
}

/**
 * Mean recall@k and NDCG@k of one scorer over the members with truth (or the ones given), each
 * member's `exclude` items never ranked. recall@k = hits in the top k / min(k, truth size), so
 * a perfect ranking scores 1 even when a member has more than k held-out items; NDCG@k uses gain
 * 1 per hit and 1/log2(rank + 1). Ties in score rank the lower item index first.
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
  const scores = new Float64Array(holdout.items);
  const top = new Int32Array(k);
  let recall = 0, ndcg = 0, measured = 0;
  for (const user of members) {
    const truth = holdout.truth.get(user);
    if (truth === undefined) continue;
    scorer.score(user, scores);
    for (const item of holdout.exclude.get(user) ?? []) scores[item] = -Infinity;
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

/** How many members listened to each item in the training part: the same list for everyone. */
export function popularityScorer(split: SignalSplit): Scorer {
  const popularity = listenersPerItem(split);
  return { name: "popularity", score: (_user, scores) => scores.set(popularity) };
}

/**
 * How many members have each item in a plain matrix's training part: popularity where there
 * are no signals behind the matrix.
 *
 * @example
 * measure(split, matrixPopularityScorer(split.training), 20);
 */
export function matrixPopularityScorer(training: Interactions): Scorer {
  const popularity = new Float64Array(training.items.length);
  for (const item of training.itemIndex) popularity[item]++;
  return { name: "popularity", score: (_user, scores) => scores.set(popularity) };
}

/** The member's picked topics first (picks kept in the training part), then popularity. */
export function pickedTopicsScorer(split: SignalSplit): Scorer {
  const popularity = listenersPerItem(split);
  const most = Math.max(1, ...popularity);
  const picks = picksPerMember(split);
  return {
    name: "picked topics",
    score(user, scores) {
      for (let i = 0; i < scores.length; i++) scores[i] = popularity[i] / most;
      for (const item of picks.get(user) ?? []) scores[item] += 1;
    },
  };
}

/**
 * xᵤ·yᵢ for members the model knows; members the training part does not have (who joined after
 * T) are ranked by `fallback` (popularity in the training matrix unless given), as the hallway
 * does for them.
 *
 * @example
 * alsScorer(split, train(split.training, als), als);
 */
export function alsScorer(
  split: Split,
  model: Model,
  params: { factors: number },
  fallback: Scorer = matrixPopularityScorer(split.training),
): Scorer {
  const k = params.factors;
  const rowOf = new Map(split.training.users.map((user, r) => [user, r]));
  const items = split.training.items.length;
  return {
    name: "als",
    score(user, scores) {
      const r = rowOf.get(user);
      if (r === undefined) return fallback.score(user, scores);
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

function listenersPerItem(split: SignalSplit): Float64Array {
  const { evidence } = split;
  const toTraining = trainingIndices(split);
  const popularity = new Float64Array(split.training.items.length);
  for (let n = 0; n < evidence.itemIndex.length; n++) {
    const i = toTraining[evidence.itemIndex[n]];
    if (i >= 0 && evidence.listenedSeconds[n] > 0) popularity[i]++;
  }
  return popularity;
}

function picksPerMember(split: SignalSplit): Map<number, number[]> {
  const { evidence } = split;
  const toTraining = trainingIndices(split);
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
function trainingIndices(split: SignalSplit): Int32Array {
  const { evidence, training } = split;
  const indexOf = new Map(training.items.map((item, i) => [`${item.kind}:${item.id}`, i]));
  return Int32Array.from(evidence.items, (item) => indexOf.get(`${item.kind}:${item.id}`) ?? -1);
}
