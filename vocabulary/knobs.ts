/**
 * Every number an administrator tunes on /admin/recommendations, described once: its default,
 * its limits and unit, and the words the page shows. db/ validates against these descriptors
 * (db/models.ts, db/site_settings.ts), recommend/ takes its defaults from them, and the page renders
 * them. Each knob's `key` is stable, so a message catalogue can name its words. Plain data: this
 * module imports nothing.
 *
 * @example
 * const iterations = modelKnobs.find((k) => k.key === "iterations")!;
 * knobRange(iterations); // "1 to 50"
 * knobAccepts(iterations, 51); // false
 * knobRefusal(iterations); // "Iterations must be a whole number from 1 to 50"
 */

/** One tunable number. */
export interface Knob<Key extends string = string> {
  /** Stable: the property it sets, and how a message catalogue names it. */
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
  /** The form's label. */
  label: string;
  /** How a refusal names the knob, when not by its label. */
  subject?: string;
  /** A refusal says it "must weigh" rather than "must be". */
  weighs?: boolean;
  /** What it does, after its range, under the field. */
  hint: string;
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
    label: "Model score",
    hint: "Multiplies the model's score of a room.",
    group: "model",
  },
  {
    key: "topicShare",
    field: "rank_topic_share",
    default: 0.5,
    min: 0,
    max: 1,
    label: "Topics' share of a room",
    hint: "How much a room's topics count against the people on its stage.",
    group: "model",
  },
  {
    key: "followedOnStage",
    field: "rank_followed_on_stage",
    default: 0.6,
    min: 0,
    max: 10,
    label: "Followed person on stage",
    hint: "Per person on stage the member follows.",
    group: "boosts",
  },
  {
    key: "pickedTopic",
    field: "rank_picked_topic",
    default: 0.3,
    min: 0,
    max: 10,
    label: "Picked topic",
    hint: "When a room has a topic the member picked.",
    group: "boosts",
  },
  {
    key: "size",
    field: "rank_size",
    default: 0.05,
    min: 0,
    max: 10,
    label: "Room size",
    hint: "Times log(1 + listeners).",
    group: "boosts",
  },
  {
    key: "freshness",
    field: "rank_freshness",
    default: 0.1,
    min: 0,
    max: 10,
    label: "Freshness",
    hint: "Halves every half-life after a room starts.",
    group: "boosts",
  },
  {
    key: "freshnessHalfLifeMs",
    field: "rank_freshness_half_life",
    default: 30 * minuteMs,
    min: minuteMs,
    max: 7 * 24 * 60 * minuteMs,
    unit: { name: "minutes", stored: minuteMs },
    label: "Freshness half-life",
    hint: "How long freshness takes to halve.",
    group: "boosts",
  },
  {
    key: "language",
    field: "rank_language",
    default: 0.2,
    min: 0,
    max: 10,
    label: "Shared language",
    hint: "When the room's language is one the member speaks.",
    group: "boosts",
  },
  {
    key: "notInterested",
    field: "rank_not_interested",
    default: 10,
    min: 0,
    max: 100,
    label: "Not interested",
    hint: "When the member said they are not interested.",
    group: "penalties",
  },
  {
    key: "repeatedTopic",
    field: "rank_repeated_topic",
    default: 0.15,
    min: 0,
    max: 10,
    label: "Repeated topic",
    hint: "Per room placed above with the same main topic (keeps variety).",
    group: "penalties",
  },
];

/** What an administrator chooses for one training run, flat: one knob each. */
export type ModelKnobKey =
  | "factors"
  | "regularization"
  | "alpha"
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
    label: "Factors",
    hint: "More tell finer tastes apart, and train slower.",
    group: "model",
  },
  {
    key: "regularization",
    field: "regularization",
    default: 0.1,
    min: 0,
    max: 10_000,
    aboveMin: true,
    label: "Regularization (λ)",
    subject: "Regularization",
    hint: "Larger keeps vectors small against noise.",
    group: "model",
  },
  {
    key: "alpha",
    field: "alpha",
    default: 10,
    min: 0,
    max: 10_000,
    aboveMin: true,
    label: "Confidence (α)",
    subject: "Alpha",
    hint: "How much more a signal counts than its absence.",
    group: "model",
  },
  {
    key: "iterations",
    field: "iterations",
    default: 10,
    min: 1,
    max: 50,
    whole: true,
    label: "Iterations",
    hint: "Each one solves every member, then every item.",
    group: "model",
  },
  {
    key: "pickWeight",
    field: "weight_pick",
    default: 2,
    min: 0,
    max: 1_000,
    weighs: true,
    label: "A picked topic",
    subject: "A pick",
    hint: "Per topic the member picked.",
    group: "signals",
  },
  {
    key: "followWeight",
    field: "weight_follow",
    default: 3,
    min: 0,
    max: 1_000,
    weighs: true,
    label: "A followed person",
    subject: "A follow",
    hint: "Per person the member follows.",
    group: "signals",
  },
  {
    key: "listenWeight",
    field: "weight_listen",
    default: 1,
    min: 0,
    max: 1_000,
    weighs: true,
    label: "Listening",
    hint: "Times log(1 + minutes) heard per topic or person.",
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

/** Its range in words, in the unit the page shows: "1 to 50", "Above 0, at most 10000". */
export function knobRange(knob: Knob): string {
  const min = shownValue(knob, knob.min);
  const max = shownValue(knob, knob.max);
  const unit = knob.unit ? ` ${knob.unit.name}` : "";
  return knob.aboveMin ? `Above ${min}, at most ${max}${unit}` : `${min} to ${max}${unit}`;
}

/** Each knob's default, by key. */
export function knobDefaults<Key extends string>(knobs: readonly Knob<Key>[]): Record<Key, number> {
  return Object.fromEntries(knobs.map((k) => [k.key, k.default])) as Record<Key, number>;
}

/** Whether `value` (in the stored unit) is one the knob accepts. */
export function knobAccepts(knob: Knob, value: number): boolean {
  if (!Number.isFinite(value) || value > knob.max) return false;
  if (knob.whole && !Number.isInteger(value)) return false;
  return knob.aboveMin ? value > knob.min : value >= knob.min;
}

/**
 * Why a refused value is refused, in the words the page shows by the field:
 * "Factors must be a whole number from 2 to 256".
 */
export function knobRefusal(knob: Knob): string {
  const subject = knob.subject ?? knob.label;
  const min = shownValue(knob, knob.min);
  const max = shownValue(knob, knob.max);
  if (knob.unit) return `${subject} must be from ${min} to ${max} ${knob.unit.name}`;
  if (knob.aboveMin) return `${subject} must be a number above ${min}, at most ${max}`;
  if (knob.whole) return `${subject} must be a whole number from ${min} to ${max}`;
  return `${subject} must ${knob.weighs ? "weigh" : "be"} a number from ${min} to ${max}`;
}
