/**
 * A deterministic synthetic community for the recommender's benchmark: power-law member
 * activity, power-law item popularity, and communities that give the matrix low-rank structure.
 * Stands in where the benchmark needs a matrix larger than `synthetic/` makes quickly.
 *
 * @example
 * const signals = syntheticSignals({ members: 1_000, topics: 50, people: 450, listens: 20_000, seed: 1 });
 */
import { mulberry32 } from "../recommend/random.ts";
import type { ItemRef, Signal } from "../recommend/signals.ts";

export interface SyntheticOptions {
  members: number;
  topics: number;
  people: number;
  /** Listen events in all (each names one item); picks come on top, three per member. */
  listens: number;
  seed: number;
  /** Groups of members who share tastes. */
  communities?: number;
  /** The share of a member's listens that go to their own community's items. */
  loyalty?: number;
  /** The first event's time; events spread over `spanMs` after it. */
  startAt?: number;
  spanMs?: number;
}

const dayMs = 86_400_000;

/** Signals for `options.members` members (ids 1..members), topics (ids 1..) and people (ids 1..). */
export function* syntheticSignals(options: SyntheticOptions): Generator<Signal> {
  const communities = options.communities ?? 50;
  const loyalty = options.loyalty ?? 0.7;
  const startAt = options.startAt ?? Date.UTC(2026, 0, 1);
  const spanMs = options.spanMs ?? 90 * dayMs;
  const random = mulberry32(options.seed);
  const items: ItemRef[] = [
    ...Array.from({ length: options.topics }, (_, n) => ({ kind: "topic" as const, id: n + 1 })),
    ...Array.from({ length: options.people }, (_, n) => ({ kind: "person" as const, id: n + 1 })),
  ];
  // Item n belongs to community n % communities; popularity falls as 1 / rank.
  const everyItem = cumulative(items.length, (n) => 1 / (n + 1));
  const perCommunity = Math.ceil(items.length / communities);
  const withinCommunity = cumulative(perCommunity, (n) => 1 / (n + 1));
  // Member activity is Pareto-like: a few members listen a lot.
  const activity = cumulative(options.members, () => 1 / Math.pow(random() + 1e-3, 0.8));

  for (let member = 0; member < options.members; member++) {
    const community = member % communities;
    for (let n = 0; n < 3; n++) {
      const topic = community + communities * Math.floor(random() * options.topics / communities);
      yield {
        kind: "pick",
        user: member + 1,
        item: items[Math.min(topic, options.topics - 1)],
        at: startAt,
      };
    }
  }
  for (let n = 0; n < options.listens; n++) {
    const member = draw(activity, random());
    const community = member % communities;
    let item: number;
    if (random() < loyalty) {
      item = community + communities * draw(withinCommunity, random());
      if (item >= items.length) item = draw(everyItem, random());
    } else {
      item = draw(everyItem, random());
    }
    yield {
      kind: "listen",
      user: member + 1,
      item: items[item],
      at: startAt + Math.floor(random() * spanMs),
      seconds: Math.ceil(-600 * Math.log(1 - random())),
    };
  }
}

function cumulative(length: number, weight: (n: number) => number): Float64Array {
  const sums = new Float64Array(length);
  let total = 0;
  for (let n = 0; n < length; n++) sums[n] = total += weight(n);
  for (let n = 0; n < length; n++) sums[n] /= total;
  return sums;
}

/** The first index whose cumulative share reaches u. */
function draw(sums: Float64Array, u: number): number {
  let low = 0, high = sums.length - 1;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (sums[mid] < u) low = mid + 1;
    else high = mid;
  }
  return low;
}
