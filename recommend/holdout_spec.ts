/**
 * From a request's choice of holdout (mode, share, seed) to the exact holdout over a history:
 * what a training's and a tuning's Workers both measure on, so their numbers compare.
 *
 * @example
 * const spec = holdoutSpec(signals, { mode: "time", share: 0.2, seed: 7, keepSeen: false });
 */
import type { Signal } from "./signals.ts";
import type { HoldoutMode, HoldoutSpec } from "../vocabulary/holdouts.ts";

/**
 * The holdout a training or tuning request asks for; a time split's moment is `share` of the
 * history's span from its end.
 *
 * @example
 * holdoutSpec(signals, { mode: "random", share: 0.2, seed: 7, keepSeen: false });
 */
export function holdoutSpec(
  signals: Signal[],
  evaluation: { mode: HoldoutMode; share: number; seed: number; keepSeen: boolean },
): HoldoutSpec {
  const { share, seed, keepSeen } = evaluation;
  if (evaluation.mode === "random") return { mode: "random", share, seed, keepSeen };
  let first = Infinity, last = -Infinity;
  for (const signal of signals) {
    if (signal.at < first) first = signal.at;
    if (signal.at > last) last = signal.at;
  }
  return { mode: "time", splitAt: first + (1 - share) * (last - first), keepSeen };
}
