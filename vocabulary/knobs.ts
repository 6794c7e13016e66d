/**
 * Every number an administrator tunes on /admin/recommendations, described once: its default,
 * its limits and unit. db/ validates against these descriptors (db/models.ts,
 * db/site_settings.ts), recommend/ takes its defaults from them, and the page renders them. The
 * words (label, hint, range, refusal) are the catalogues', named by each knob's stable `key`
 * (`knob.<key>.label`); the types below make a knob without its words fail to compile. Plain
 * data: this module imports nothing.
 *
 * @example
 * const iterations = modelKnobs.find((k) => k.key === "iterations")!;
 * knobAccepts(iterations, 51); // false
 * knobWord(iterations, "refusal"); // "knob.iterations.refusal"
 * knobLimits(iterations); // { min: "1", max: "50" }
 */

/** Every knob's stable key. */
export type KnobKey = keyof RankWeights | ModelKnobKey;

/** The words each knob has in the catalogues. */
export type KnobWord = "label" | "hint" | "refusal";

/** One tunable number. */
export interface Knob<Key extends KnobKey = KnobKey> {
  /** Stable: the property it sets, and how the catalogues name its words. */
  key: Key;
  /** Its form field, and the field a refusal names. */
  field: string;
  default: number;
  /** Inclusive, unless `aboveMin`; in the stored unit (milliseconds for a duration). */
  min: number;
  max: number;
  /** Only whole numbers. */
  whole?: boolean;
  /** The minimum itself is refused: the number must be above it. */
  aboveMin?: boolean;
  /** The unit the page and refusals use, when not the stored one, and how many stored make one. */
  unit?: { name: "minutes"; stored: number };
}

const minuteMs = 60_000;

/**
 * The weights of every term of a room's score in the hallway (recommend/rank.ts). No weight is
 * given to people blocked on stage: db/hallway.ts leaves out every room where someone on stage
 * and the member blocked one another, so no such room is ever ranked.
 */
export interface RankWeights {
  /** Multiplies the model score (≈ predicted preference, mostly in [0, 1]). */
  model: number;
  /** The topics' share of a room's vector; the stage has the rest. */
  topicShare: number;
  /** Per person the member follows on the stage. */
  followedOnStage: number;
  /** When one of the room's topics is one the member picked. */
  pickedTopic: number;
  /** Multiplies log1p(listeners). */
  size: number;
  /** Multiplies 2^(−|now − startsAt| / freshnessHalfLifeMs). */
  freshness: number;
  freshnessHalfLifeMs: number;
  /** When the room's language is one of the member's. */
  language: number;
  /** Subtracted when the member marked the room "not interested". */
  notInterested: number;
  /** Subtracted per room already placed above with the same main topic. */
  repeatedTopic: number;
}

/** A ranking weight, and where it sits on the page. */
export interface RankKnob extends Knob<keyof RankWeights> {
  group: "model" | "boosts" | "penalties";
}

/** The ranking weights, in the page's order. */
export const rankKnobs: readonly RankKnob[] = [
  {
    key: "model",
    field: "rank_model",
    default: 1,
    min: 0,
    max: 10,
    group: "model",
  },
  {
    key: "topicShare",
    field: "rank_topic_share",
    default: 0.5,
    min: 0,
    max: 1,
    group: "model",
  },
  {
    key: "followedOnStage",
    field: "rank_followed_on_stage",
    default: 0.6,
    min: 0,
    max: 10,
    group: "boosts",
  },
  {
    key: "pickedTopic",
    field: "rank_picked_topic",
    default: 0.3,
    min: 0,
    max: 10,
    group: "boosts",
  },
  {
    key: "size",
    field: "rank_size",
    default: 0.05,
    min: 0,
    max: 10,
    group: "boosts",
  },
  {
    key: "freshness",
    field: "rank_freshness",
    default: 0.1,
    min: 0,
    max: 10,
    group: "boosts",
  },
  {
    key: "freshnessHalfLifeMs",
    field: "rank_freshness_half_life",
    default: 30 * minuteMs,
    min: minuteMs,
    max: 7 * 24 * 60 * minuteMs,
    unit: { name: "minutes", stored: minuteMs },
    group: "boosts",
  },
  {
    key: "language",
    field: "rank_language",
    default: 0.2,
    min: 0,
    max: 10,
    group: "boosts",
  },
  {
    key: "notInterested",
    field: "rank_not_interested",
    default: 10,
    min: 0,
    max: 100,
    group: "penalties",
  },
  {
    key: "repeatedTopic",
    field: "rank_repeated_topic",
    default: 0.15,
    min: 0,
    max: 10,
    group: "penalties",
  },
];

/** What an administrator chooses for one training run, flat: one knob each. */
export type ModelKnobKey =
  | "factors"
  | "regularization"
  | "alpha"
  | "unobservedWeight"
  | "regularizationExponent"
  | "iterations"
  | "pickWeight"
  | "followWeight"
  | "listenWeight";

/** A training parameter, and where it sits on the page. */
export interface ModelKnob extends Knob<ModelKnobKey> {
  group: "model" | "signals";
}

/** The training parameters, in the page's order; the upper ends only keep arithmetic sane. */
export const modelKnobs: readonly ModelKnob[] = [
  {
    key: "factors",
    field: "factors",
    default: 32,
    min: 2,
    max: 256,
    whole: true,
    group: "model",
  },
  {
    key: "regularization",
    field: "regularization",
    default: 0.1,
    min: 0,
    max: 10_000,
    aboveMin: true,
    group: "model",
  },
  {
    key: "alpha",
    field: "alpha",
    default: 10,
    min: 0,
    max: 10_000,
    aboveMin: true,
    group: "model",
  },
  // Rendle et al.'s iALS terms (recommend/als.ts); 1 and 0 are Hu et al.'s model.
  {
    key: "unobservedWeight",
    field: "unobserved_weight",
    default: 1,
    min: 0,
    max: 100,
    aboveMin: true,
    group: "model",
  },
  {
    key: "regularizationExponent",
    field: "regularization_exponent",
    default: 0,
    min: 0,
    max: 2,
    group: "model",
  },
  {
    key: "iterations",
    field: "iterations",
    default: 10,
    min: 1,
    max: 50,
    whole: true,
    group: "model",
  },
  {
    key: "pickWeight",
    field: "weight_pick",
    default: 2,
    min: 0,
    max: 1_000,
    group: "signals",
  },
  {
    key: "followWeight",
    field: "weight_follow",
    default: 3,
    min: 0,
    max: 1_000,
    group: "signals",
  },
  {
    key: "listenWeight",
    field: "weight_listen",
    default: 1,
    min: 0,
    max: 1_000,
    group: "signals",
  },
];

/** A knob's value in the unit the page shows (minutes for the half-life). */
export function shownValue(knob: Knob, value: number): number {
  return knob.unit ? value / knob.unit.stored : value;
}

/** A value from the page in the knob's stored unit. */
export function storedValue(knob: Knob, shown: number): number {
  return knob.unit ? shown * knob.unit.stored : shown;
}

/**
 * The catalogue key of one of the knob's words.
 *
 * @example
 * knobWord(rankKnobs[0], "label"); // "knob.model.label"
 */
export function knobWord<Key extends KnobKey, Word extends KnobWord>(
  knob: Knob<Key>,
  word: Word,
): `knob.${Key}.${Word}` {
  return `knob.${knob.key}.${word}`;
}

/**
 * The catalogue key of the knob's range in words: "1 to 50", "Above 0, at most 10000",
 * "1 to 10080 minutes".
 *
 * @example
 * t(knobRangeWord(knob), knobLimits(knob));
 */
export function knobRangeWord(
  knob: Knob,
): "knob.range" | "knob.range.above" | "knob.range.minutes" {
  if (knob.unit) return "knob.range.minutes";
  return knob.aboveMin ? "knob.range.above" : "knob.range";
}

/**
 * The knob's limits in the unit the page shows, for its range's and refusal's `{min}` and
 * `{max}`. Written without grouping ("10000") in every language: the number field takes them so.
 *
 * @example
 * knobLimits(halfLife); // { min: "1", max: "10080" }
 */
export function knobLimits(knob: Knob): { min: string; max: string } {
  return { min: String(shownValue(knob, knob.min)), max: String(shownValue(knob, knob.max)) };
}

/** Each knob's default, by key. */
export function knobDefaults<Key extends KnobKey>(
  knobs: readonly Knob<Key>[],
): Record<Key, number> {
  return Object.fromEntries(knobs.map((k) => [k.key, k.default])) as Record<Key, number>;
}

/** Whether `value` (in the stored unit) is one the knob accepts. */
export function knobAccepts(knob: Knob, value: number): boolean {
  if (!Number.isFinite(value) || value > knob.max) return false;
  if (knob.whole && !Number.isInteger(value)) return false;
  return knob.aboveMin ? value > knob.min : value >= knob.min;
}
