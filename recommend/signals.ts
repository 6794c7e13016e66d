/**
 * The recommender's matrix and the default weights of its signals. The signals themselves
 * (`Signal`, `ItemRef`, `SignalWeights`) are vocabulary/signals.ts's, which db/ shares.
 *
 * @example
 * const interactions = buildInteractions(signals, defaultSignalWeights); // an `Interactions`
 */

import type { ItemRef, SignalWeights } from "../vocabulary/signals.ts";
import { knobDefaults, modelKnobs } from "../vocabulary/knobs.ts";

// Re-exported so the recommender's own modules keep one place to import their terms from.
export type { ItemRef, Signal, SignalWeights } from "../vocabulary/signals.ts";

const knobs = knobDefaults(modelKnobs);

/** How much each kind of evidence counts by default (vocabulary/knobs.ts). */
export const defaultSignalWeights: SignalWeights = {
  pick: knobs.pickWeight,
  follow: knobs.followWeight,
  listen: knobs.listenWeight,
};

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
