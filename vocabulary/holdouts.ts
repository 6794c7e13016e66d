/**
 * How a model is measured, in words db/ and recommend/ share: the two kinds of holdout an
 * administrator may choose, and the description a model version's metrics store so the admin
 * page can say what the numbers mean. Plain data: this module imports nothing.
 *
 * @example
 * const measured: HoldoutSpec = { mode: "random", share: 0.2, seed: 7, keepSeen: false };
 * isHoldoutMode("time"); // true
 */

/**
 * `random`: a seeded share of each member's items held out, on any data; `time`: everything
 * after a moment held out, which needs weeks of history to mean anything.
 */
export type HoldoutMode = "random" | "time";

/** The modes, in the order the training form offers them (the default first). */
export const holdoutModes: readonly HoldoutMode[] = ["random", "time"];

/**
 * A young community has days of history, not weeks: a time split then measures on a sliver of
 * activity, while a random share of each member's items works from the first signals.
 */
export const defaultHoldoutMode: HoldoutMode = "random";

/**
 * How one holdout was made. `keepSeen` keeps items a member already had in training in the truth
 * and in the rankings (re-listening counts as a hit); by default they are left out of both.
 */
export type HoldoutSpec =
  | { mode: "random"; share: number; seed: number; keepSeen: boolean }
  | { mode: "time"; splitAt: number; keepSeen: boolean };

/** Whether `value` is a holdout mode: form input is checked with it. */
export function isHoldoutMode(value: unknown): value is HoldoutMode {
  return holdoutModes.includes(value as HoldoutMode);
}
