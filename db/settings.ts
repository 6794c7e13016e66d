/**
 * Settings an administrator changes at run time, kept in the `settings` table: invites per
 * member and the hallway's ranking weights.
 *
 * @example
 * await setInvitesPerMember(sql, admin.id, 8);
 * await invitesPerMember(sql); // 8
 * await setRankWeights(sql, admin.id, { ...defaultRankWeights, size: 0.2 });
 */
import type { Sql, Tx } from "./client.ts";
import { Refusal } from "./errors.ts";
import { notify } from "./events.ts";
import { requireAdmin } from "./users.ts";
// Types only: db/ runs no code from other folders.
import type { RankWeights } from "../recommend/rank.ts";
import { defaultLanguage, isLanguage, type Language } from "../i18n/language.ts";

export const invitesPerMemberMax = 100;

export async function invitesPerMember(sql: Sql | Tx): Promise<number> {
  const [row] = await sql`select value from settings where key = 'invites_per_member'`;
  return Number(row?.value ?? 5);
}

export async function setInvitesPerMember(sql: Sql, actorId: number, value: number): Promise<void> {
  if (!Number.isInteger(value) || value < 0 || value > invitesPerMemberMax) {
    throw new Refusal("invalid", "refusal.invites.range", {
      field: "invites_per_member",
      params: { max: invitesPerMemberMax },
    });
  }
  await sql.begin(async (tx) => {
    await requireAdmin(tx, actorId);
    await tx`insert into settings (key, value) values ('invites_per_member', ${tx.json(value)})
             on conflict (key) do update set value = excluded.value`;
  });
}

/**
 * The language pages speak to someone with no choice of their own and a browser asking for
 * none we speak.
 *
 * @example
 * await siteLanguage(sql); // "en" until an administrator chooses
 */
export async function siteLanguage(sql: Sql | Tx): Promise<Language> {
  const [row] = await sql`select value from settings where key = 'site_language'`;
  return isLanguage(row?.value) ? row.value : defaultLanguage;
}

/**
 * Sets the site's language (administrators only).
 *
 * @example
 * await setSiteLanguage(sql, admin.id, "fr");
 */
export async function setSiteLanguage(sql: Sql, actorId: number, language: string): Promise<void> {
  if (!isLanguage(language)) {
    throw new Refusal("invalid", "refusal.language.unknown", "site_language");
  }
  await sql.begin(async (tx) => {
    await requireAdmin(tx, actorId);
    await tx`insert into settings (key, value) values ('site_language', ${tx.json(language)})
             on conflict (key) do update set value = excluded.value`;
    // Members without a language of their own rank rooms by the site's: hallways re-rank.
    await notify(tx, { hallway: true });
  });
}

/** What an administrator may set each ranking weight to, and its form field and words. */
export const rankWeightLimits: Record<
  keyof RankWeights,
  { min: number; max: number; field: string; label: string }
> = {
  model: { min: 0, max: 10, field: "rank_model", label: "Model score" },
  topicShare: { min: 0, max: 1, field: "rank_topic_share", label: "Topics' share of a room" },
  followedOnStage: {
    min: 0,
    max: 10,
    field: "rank_followed_on_stage",
    label: "Followed person on stage",
  },
  pickedTopic: { min: 0, max: 10, field: "rank_picked_topic", label: "Picked topic" },
  size: { min: 0, max: 10, field: "rank_size", label: "Room size" },
  freshness: { min: 0, max: 10, field: "rank_freshness", label: "Freshness" },
  freshnessHalfLifeMs: {
    min: 60_000,
    max: 7 * 24 * 60 * 60_000,
    field: "rank_freshness_half_life",
    label: "Freshness half-life",
  },
  language: { min: 0, max: 10, field: "rank_language", label: "Shared language" },
  blockedOnStage: { min: 0, max: 100, field: "rank_blocked_on_stage", label: "Blocked on stage" },
  notInterested: { min: 0, max: 100, field: "rank_not_interested", label: "Not interested" },
  repeatedTopic: { min: 0, max: 10, field: "rank_repeated_topic", label: "Repeated topic" },
};

/**
 * The ranking weights an administrator saved, or `{}` before any were; recommend/applied_model.ts
 * lays them over `defaultRankWeights`, which db/ does not know.
 */
export async function savedRankWeights(sql: Sql | Tx): Promise<Partial<RankWeights>> {
  const [row] = await sql`select value from settings where key = 'rank_weights'`;
  return row?.value ?? {};
}

/**
 * Saves every ranking weight (administrators only) and tells every process, whose hallways
 * re-rank. Each must be in `rankWeightLimits`; the refusal names the first that is not.
 */
export async function setRankWeights(
  sql: Sql,
  actorId: number,
  weights: RankWeights,
): Promise<void> {
  const saved: Record<string, number> = {};
  for (const [key, limit] of Object.entries(rankWeightLimits)) {
    const value = weights[key as keyof RankWeights];
    if (!Number.isFinite(value) || value < limit.min || value > limit.max) {
      throw Refusal.untranslated("invalid", rankWeightRange(key as keyof RankWeights), limit.field);
    }
    saved[key] = value;
  }
  await sql.begin(async (tx) => {
    await requireAdmin(tx, actorId);
    await tx`insert into settings (key, value) values ('rank_weights', ${tx.json(saved)})
             on conflict (key) do update set value = excluded.value`;
    await notify(tx, { model: true, hallway: true });
  });
}

/** "Room size must be a number from 0 to 10", in minutes for the half-life. */
function rankWeightRange(key: keyof RankWeights): string {
  const { min, max, label } = rankWeightLimits[key];
  return key === "freshnessHalfLifeMs"
    ? `${label} must be from ${min / 60_000} to ${max / 60_000} minutes`
    : `${label} must be a number from ${min} to ${max}`;
}
