/**
 * From the append-only signal log to the member x item matrix the model trains on.
 *
 * @example
 * const interactions = buildInteractions(signals, defaultSignalWeights, { before: splitAt });
 * const byItem = itemRows(interactions); // the item half-step reads the matrix by item
 */
import type { Interactions, ItemRef, Signal, SignalWeights } from "./signals.ts";

/** What one member did with one item, once unpicks and unfollows have cancelled. */
export interface Evidence {
  user: number;
  item: ItemRef;
  picked: boolean;
  followed: boolean;
  /** Every listen event's seconds, summed. */
  listenedSeconds: number;
}

/** Which events count: only those with `at < before`, when given. */
export interface EvidenceOptions {
  before?: number;
}

/**
 * Rows of a sparse matrix in CSR form, with no ids: the member x item matrix (`memberRows`) or
 * its transpose (`itemRows`). Row r holds `index[start[r] .. start[r + 1])` with `weight` at
 * the same positions; `columns` is the size of the other side.
 */
export interface SparseRows {
  start: Int32Array;
  index: Int32Array;
  weight: Float64Array;
  columns: number;
}

// Keys (member, item) as one number: items get small dense ids, members at most 2^32 of them.
const itemKeySpace = 2 ** 21;

interface Tally {
  picked: boolean;
  pickedAt: number;
  followed: boolean;
  followedAt: number;
  listenedSeconds: number;
}

/**
 * Replays signals into one `Evidence` per (member, item) they touched. The latest pick or unpick
 * wins (by `at`; at equal times, the later in the iterable), likewise follow and unfollow, so the
 * signals need not be sorted. Members are ordered by id, and each member's items as `compareItems`.
 *
 * @example
 * collectEvidence([
 *   { kind: "pick", user: 1, item: { kind: "topic", id: 7 }, at: 1 },
 *   { kind: "unpick", user: 1, item: { kind: "topic", id: 7 }, at: 2 },
 * ]); // [{ user: 1, item: { kind: "topic", id: 7 }, picked: false, followed: false, listenedSeconds: 0 }]
 */
export function collectEvidence(
  signals: Iterable<Signal>,
  options: EvidenceOptions = {},
): Evidence[] {
  const before = options.before ?? Infinity;
  const itemKeys = { topic: new Map<number, number>(), person: new Map<number, number>() };
  const items: ItemRef[] = [];
  const userKeys = new Map<number, number>();
  const users: number[] = [];
  const tallies = new Map<number, Tally>();

  for (const signal of signals) {
    if (!(signal.at < before)) continue;
    const keysOfKind = itemKeys[signal.item.kind];
    let item = keysOfKind.get(signal.item.id);
    if (item === undefined) {
      item = items.length;
      if (item >= itemKeySpace) throw new Error(`More than ${itemKeySpace} items`);
      keysOfKind.set(signal.item.id, item);
      items.push({ kind: signal.item.kind, id: signal.item.id } as ItemRef);
    }
    let user = userKeys.get(signal.user);
    if (user === undefined) {
      user = users.length;
      userKeys.set(signal.user, user);
      users.push(signal.user);
    }
    const key = user * itemKeySpace + item;
    let tally = tallies.get(key);
    if (tally === undefined) {
      tally = {
        picked: false,
        pickedAt: -Infinity,
        followed: false,
        followedAt: -Infinity,
        listenedSeconds: 0,
      };
      tallies.set(key, tally);
    }
    switch (signal.kind) {
      case "pick":
      case "unpick":
        if (signal.at >= tally.pickedAt) {
          tally.picked = signal.kind === "pick";
          tally.pickedAt = signal.at;
        }
        break;
      case "follow":
      case "unfollow":
        if (signal.at >= tally.followedAt) {
          tally.followed = signal.kind === "follow";
          tally.followedAt = signal.at;
        }
        break;
      case "listen":
        tally.listenedSeconds += Math.max(0, signal.seconds);
        break;
    }
  }

  const evidence: Evidence[] = [];
  for (const [key, tally] of tallies) {
    evidence.push({
      user: users[Math.floor(key / itemKeySpace)],
      item: items[key % itemKeySpace],
      picked: tally.picked,
      followed: tally.followed,
      listenedSeconds: tally.listenedSeconds,
    });
  }
  return evidence.sort((a, b) => a.user - b.user || compareItems(a.item, b.item));
}

/** Topics before people, each by id: the order of `Interactions.items`. */
export function compareItems(a: ItemRef, b: ItemRef): number {
  if (a.kind !== b.kind) return a.kind === "topic" ? -1 : 1;
  return a.id - b.id;
}

/** The weight one member's evidence about one item carries; 0 when nothing is left of it. */
export function evidenceWeight(evidence: Evidence, weights: SignalWeights): number {
  return (evidence.picked ? weights.pick : 0) +
    (evidence.followed ? weights.follow : 0) +
    weights.listen * Math.log1p(evidence.listenedSeconds / 60);
}

/**
 * The member x item matrix: a kept pick adds `weights.pick`, a kept follow `weights.follow`,
 * listening adds `weights.listen * log1p(minutes)` over all listen events of that pair. Pairs
 * whose weight is 0 are left out, and so are members and items with no pair left: the matrix
 * holds only what the model can learn from. Members are sorted by id, items as `compareItems`.
 *
 * @example
 * const m = buildInteractions(signals, defaultSignalWeights, { before: Date.parse("2026-11-01") });
 * m.users[0]; // the smallest member id with evidence before November
 */
export function buildInteractions(
  signals: Iterable<Signal>,
  weights: SignalWeights,
  options: EvidenceOptions = {},
): Interactions {
  return interactionsFromEvidence(collectEvidence(signals, options), weights);
}

/** `buildInteractions` from evidence already collected (sorted as `collectEvidence` sorts it). */
export function interactionsFromEvidence(
  evidence: Evidence[],
  weights: SignalWeights,
): Interactions {
  const kept: Evidence[] = [];
  const keptWeights: number[] = [];
  for (const e of evidence) {
    const w = evidenceWeight(e, weights);
    if (w > 0) {
      kept.push(e);
      keptWeights.push(w);
    }
  }

  const items = uniqueItems(kept.map((e) => e.item));
  const itemIndexOf = new Map(items.map((item, i) => [`${item.kind}:${item.id}`, i]));
  const users: number[] = [];
  const rowStart: number[] = [];
  const itemIndex = new Int32Array(kept.length);
  const weight = new Float64Array(kept.length);
  kept.forEach((e, n) => {
    if (users.length === 0 || users[users.length - 1] !== e.user) {
      users.push(e.user);
      rowStart.push(n);
    }
    itemIndex[n] = itemIndexOf.get(`${e.item.kind}:${e.item.id}`)!;
    weight[n] = keptWeights[n];
  });
  rowStart.push(kept.length);
  return { users, items, rowStart: Int32Array.from(rowStart), itemIndex, weight };
}

function uniqueItems(items: ItemRef[]): ItemRef[] {
  const sorted = [...items].sort(compareItems);
  return sorted.filter((item, i) => i === 0 || compareItems(sorted[i - 1], item) !== 0);
}

/** The matrix by member, as the kernel reads it (no copy). */
export function memberRows(interactions: Interactions): SparseRows {
  return {
    start: interactions.rowStart,
    index: interactions.itemIndex,
    weight: interactions.weight,
    columns: interactions.items.length,
  };
}

/** The matrix by item (item -> members), for the item half-step. Members stay in row order. */
export function itemRows(interactions: Interactions): SparseRows {
  return transpose(memberRows(interactions));
}

/** The transpose of a sparse matrix; each new row lists its entries in increasing index. */
export function transpose(rows: SparseRows): SparseRows {
  const count = rows.start.length - 1;
  const start = new Int32Array(rows.columns + 1);
  for (let n = 0; n < rows.index.length; n++) start[rows.index[n] + 1]++;
  for (let c = 0; c < rows.columns; c++) start[c + 1] += start[c];
  const next = start.slice(0, rows.columns);
  const index = new Int32Array(rows.index.length);
  const weight = new Float64Array(rows.index.length);
  for (let r = 0; r < count; r++) {
    for (let n = rows.start[r]; n < rows.start[r + 1]; n++) {
      const at = next[rows.index[n]]++;
      index[at] = r;
      weight[at] = rows.weight[n];
    }
  }
  return { start, index, weight, columns: count };
}
