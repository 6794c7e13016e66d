/**
 * From the append-only signal log to the member x item matrix the model trains on.
 *
 * @example
 * const interactions = buildInteractions(signals, defaultSignalWeights, { before: splitAt });
 * const byItem = itemRows(interactions); // the item half-step reads the matrix by item
 */
import type { Interactions, ItemRef, Signal, SignalWeights } from "./signals.ts";

/**
 * What each member did with each item they touched, once unpicks and unfollows have cancelled,
 * in CSR form: member r's entries are `[rowStart[r], rowStart[r + 1])`, items increasing.
 * Members are sorted by id, items as `compareItems`.
 */
export interface Evidence {
  users: number[];
  items: ItemRef[];
  rowStart: Int32Array;
  itemIndex: Int32Array;
  picked: Uint8Array;
  followed: Uint8Array;
  /** Every listen event's seconds, summed. */
  listenedSeconds: Float64Array;
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

const maxItems = 2 ** 21;
const slotSpace = 2 ** 31;

/**
 * Replays signals into evidence per (member, item). The latest pick or unpick wins (by `at`; at
 * equal times, the later in the iterable), likewise follow and unfollow, so the signals need not
 * be sorted. Listen seconds add up.
 *
 * @example
 * const evidence = collectEvidence([
 *   { kind: "pick", user: 1, item: { kind: "topic", id: 7 }, at: 1 },
 *   { kind: "unpick", user: 1, item: { kind: "topic", id: 7 }, at: 2 },
 * ]);
 * evidence.picked[0]; // 0
 */
export function collectEvidence(
  signals: Iterable<Signal>,
  options: EvidenceOptions = {},
): Evidence {
  const before = options.before ?? Infinity;
  const itemKeys = { topic: new Map<number, number>(), person: new Map<number, number>() };
  const items: ItemRef[] = [];
  const userKeys = new Map<number, number>();
  const users: number[] = [];
  // The events that count, as columns; user and item by order of first appearance.
  const eventUser: number[] = [];
  const eventItem: number[] = [];
  const eventKind: number[] = [];
  const eventAt: number[] = [];
  const eventSeconds: number[] = [];
  for (const signal of signals) {
    if (!(signal.at < before)) continue;
    const keysOfKind = itemKeys[signal.item.kind];
    let item = keysOfKind.get(signal.item.id);
    if (item === undefined) {
      item = items.length;
      if (item >= maxItems) throw new Error(`More than ${maxItems} items`);
      keysOfKind.set(signal.item.id, item);
      items.push({ kind: signal.item.kind, id: signal.item.id } as ItemRef);
    }
    let user = userKeys.get(signal.user);
    if (user === undefined) {
      user = users.length;
      userKeys.set(signal.user, user);
      users.push(signal.user);
    }
    eventUser.push(user);
    eventItem.push(item);
    eventKind.push(kindCode[signal.kind]);
    eventAt.push(signal.at);
    eventSeconds.push(signal.kind === "listen" ? Math.max(0, signal.seconds) : 0);
  }
  const events = eventUser.length;
  if (events >= slotSpace) throw new Error(`More than ${slotSpace} events`);

  // Events grouped by member (counting sort), then by item and arrival within each member: a
  // pair's events end up together, in the order they came.
  const userOrder = sortedOrder(users.length, (a, b) => users[a] - users[b]);
  const itemOrder = sortedOrder(items.length, (a, b) => compareItems(items[a], items[b]));
  const userRank = rankOf(userOrder);
  const itemRank = rankOf(itemOrder);
  const eventStart = new Int32Array(users.length + 1);
  for (let e = 0; e < events; e++) eventStart[userRank[eventUser[e]] + 1]++;
  for (let r = 0; r < users.length; r++) eventStart[r + 1] += eventStart[r];
  const keys = new Float64Array(events);
  const next = eventStart.slice(0, users.length);
  for (let e = 0; e < events; e++) {
    keys[next[userRank[eventUser[e]]]++] = itemRank[eventItem[e]] * slotSpace + e;
  }
  for (let r = 0; r < users.length; r++) keys.subarray(eventStart[r], eventStart[r + 1]).sort();

  const rowStart = new Int32Array(users.length + 1);
  const itemIndex: number[] = [];
  const picked: number[] = [];
  const followed: number[] = [];
  const listenedSeconds: number[] = [];
  for (let r = 0; r < users.length; r++) {
    let n = eventStart[r];
    while (n < eventStart[r + 1]) {
      const item = Math.floor(keys[n] / slotSpace);
      let isPicked = 0, pickedAt = -Infinity, isFollowed = 0, followedAt = -Infinity, seconds = 0;
      for (; n < eventStart[r + 1] && Math.floor(keys[n] / slotSpace) === item; n++) {
        const e = keys[n] % slotSpace;
        const kind = eventKind[e];
        const at = eventAt[e];
        if (kind === kindCode.listen) seconds += eventSeconds[e];
        else if (kind <= kindCode.unpick && at >= pickedAt) {
          isPicked = kind === kindCode.pick ? 1 : 0;
          pickedAt = at;
        } else if (kind >= kindCode.follow && at >= followedAt) {
          isFollowed = kind === kindCode.follow ? 1 : 0;
          followedAt = at;
        }
      }
      itemIndex.push(item);
      picked.push(isPicked);
      followed.push(isFollowed);
      listenedSeconds.push(seconds);
    }
    rowStart[r + 1] = itemIndex.length;
  }
  return {
    users: Array.from(userOrder, (u) => users[u]),
    items: Array.from(itemOrder, (i) => items[i]),
    rowStart,
    itemIndex: Int32Array.from(itemIndex),
    picked: Uint8Array.from(picked),
    followed: Uint8Array.from(followed),
    listenedSeconds: Float64Array.from(listenedSeconds),
  };
}

const kindCode = { pick: 0, unpick: 1, listen: 2, follow: 3, unfollow: 4 } as const;

function sortedOrder(length: number, compare: (a: number, b: number) => number): Int32Array {
  return Int32Array.from({ length }, (_, n) => n).sort(compare);
}

function rankOf(order: Int32Array): Int32Array {
  const rank = new Int32Array(order.length);
  order.forEach((original, sorted) => rank[original] = sorted);
  return rank;
}

/** Topics before people, each by id: the order of `Interactions.items`. */
export function compareItems(a: ItemRef, b: ItemRef): number {
  if (a.kind !== b.kind) return a.kind === "topic" ? -1 : 1;
  return a.id - b.id;
}

/** The weight of entry n of the evidence; 0 when nothing is left of it. */
export function evidenceWeight(evidence: Evidence, n: number, weights: SignalWeights): number {
  return (evidence.picked[n] ? weights.pick : 0) +
    (evidence.followed[n] ? weights.follow : 0) +
    weights.listen * Math.log1p(evidence.listenedSeconds[n] / 60);
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

/** `buildInteractions` from evidence already collected. */
export function interactionsFromEvidence(evidence: Evidence, weights: SignalWeights): Interactions {
  const pairs = evidence.itemIndex.length;
  const weight = new Float64Array(pairs);
  const itemUsed = new Uint8Array(evidence.items.length);
  for (let n = 0; n < pairs; n++) {
    weight[n] = evidenceWeight(evidence, n, weights);
    if (weight[n] > 0) itemUsed[evidence.itemIndex[n]] = 1;
  }
  const newItemIndex = new Int32Array(evidence.items.length);
  const items: ItemRef[] = [];
  evidence.items.forEach((item, i) => {
    newItemIndex[i] = items.length;
    if (itemUsed[i]) items.push(item);
  });

  const users: number[] = [];
  const rowStart: number[] = [0];
  const keptItems: number[] = [];
  const keptWeights: number[] = [];
  for (let r = 0; r < evidence.users.length; r++) {
    for (let n = evidence.rowStart[r]; n < evidence.rowStart[r + 1]; n++) {
      if (weight[n] <= 0) continue;
      keptItems.push(newItemIndex[evidence.itemIndex[n]]);
      keptWeights.push(weight[n]);
    }
    if (keptItems.length > rowStart[rowStart.length - 1]) {
      users.push(evidence.users[r]);
      rowStart.push(keptItems.length);
    }
  }
  return {
    users,
    items,
    rowStart: Int32Array.from(rowStart),
    itemIndex: Int32Array.from(keptItems),
    weight: Float64Array.from(keptWeights),
  };
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
