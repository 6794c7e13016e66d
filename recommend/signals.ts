/**
 * What the recommender learns from, in its own terms. Rooms are short-lived, so members are
 * factorized against durable items: topics and people (hosts and speakers). Everything here is
 * plain data so the same code serves the database, the synthetic community and the benchmarks.
 */

/** A durable item: a topic (by topics.id) or a person (by users.id). */
export type ItemRef = { kind: "topic"; id: number } | { kind: "person"; id: number };

/**
 * One append-only event about a member (`user` is users.id). `at` is milliseconds since the
 * epoch; evaluation splits on it. `listen` carries the seconds spent hearing the item: for a
 * room, each of its topics and each person on its stage gets one listen event.
 */
export type Signal =
  | { kind: "pick"; user: number; item: ItemRef; at: number }
  | { kind: "unpick"; user: number; item: ItemRef; at: number }
  | { kind: "follow"; user: number; item: ItemRef; at: number }
  | { kind: "unfollow"; user: number; item: ItemRef; at: number }
  | { kind: "listen"; user: number; item: ItemRef; at: number; seconds: number };

/** How much each kind of evidence counts before confidence scaling (admin-tunable). */
export interface SignalWeights {
  /** A topic picked (and not unpicked since). */
  pick: number;
  /** A person followed (and not unfollowed since). */
  follow: number;
  /** Multiplies log1p(listened minutes) summed per item. */
  listen: number;
}

export const defaultSignalWeights: SignalWeights = { pick: 2, follow: 3, listen: 1 };

/**
 * The member x item matrix in compressed sparse rows. Row r holds entries
 * `itemIndex[rowStart[r] .. rowStart[r + 1])` with `weight` at the same positions (all > 0).
 * `users[r]` and `items[c]` map dense indices back to database ids.
 */
export interface Interactions {
  users: number[];
  items: ItemRef[];
  rowStart: Int32Array;
  itemIndex: Int32Array;
  weight: Float64Array;
}
