/**
 * What the recommender learns from, in its own terms, shared by db/ (which reads and stores it)
 * and recommend/ (which learns from it). Rooms are short-lived, so members are factorized against
 * durable items: topics and people (hosts and speakers). Plain types: this module imports nothing.
 *
 * @example
 * const heard: Signal = { kind: "listen", user: 7, item: { kind: "topic", id: 3 }, at, seconds: 90 };
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
