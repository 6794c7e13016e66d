/**
 * Site-wide settings, which an administrator changes at run time, kept in the `settings` table:
 * invites per member and the hallway's ranking weights. (A member's own settings are their
 * profile and listening history: routes/member_settings.tsx.)
 *
 * @example
 * await setInvitesPerMember(sql, admin.id, 8);
 * await invitesPerMember(sql); // 8
 * await setRankWeights(sql, admin.id, { ...defaultRankWeights, size: 0.2 });
 * // Ranking weights' limits are vocabulary/knobs.ts's `rankKnobs`; their words the catalogues'.
 */
import type { Sql, Tx } from "./client.ts";
import { Refusal } from "./errors.ts";
import { notify } from "./events.ts";
import { requireAdmin } from "./users.ts";
import {
  knobAccepts,
  knobLimits,
  knobWord,
  rankKnobs,
  type RankWeights,
} from "../vocabulary/knobs.ts";
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
 * The language a member's pages speak when their browser asks for none: their own choice, else
 * the site's. New rooms take it when their host names none, and the hallway ranks by it.
 *
 * @example
 * await memberLanguage(sql, member.id); // "fr" for a member who chose French
 */
export async function memberLanguage(sql: Sql | Tx, memberId: number): Promise<Language> {
  const [row] = await sql`select language from users where id = ${memberId}`;
  return isLanguage(row?.language) ? row.language : await siteLanguage(sql);
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

/**
 * The ranking weights an administrator saved, or `{}` before any were; recommend/applied_model.ts
 * lays them over `defaultRankWeights`, which db/ does not know.
 */
export async function savedRankWeights(sql: Sql | Tx): Promise<Partial<RankWeights>> {
  const [row] = await sql`select value from settings where key = 'rank_weights'`;
  const saved: Record<string, number> = row?.value ?? {};
  // Only today's knobs: a weight since removed (such as blockedOnStage) stays unread.
  return Object.fromEntries(
    rankKnobs.filter((k) => k.key in saved).map((k) => [k.key, saved[k.key]]),
  );
}

/**
 * Saves every ranking weight (administrators only) and tells every process, whose hallways
 * re-rank. Each must be within its knob's limits (vocabulary/knobs.ts); the refusal names the
 * first that is not.
 */
export async function setRankWeights(
  sql: Sql,
  actorId: number,
  weights: RankWeights,
): Promise<void> {
  const saved: Record<string, number> = {};
  for (const knob of rankKnobs) {
    const value = weights[knob.key];
    if (!knobAccepts(knob, value)) {
      throw new Refusal("invalid", knobWord(knob, "refusal"), {
        field: knob.field,
        params: knobLimits(knob),
      });
    }
    saved[knob.key] = value;
  }
  await sql.begin(async (tx) => {
    await requireAdmin(tx, actorId);
    await tx`insert into settings (key, value) values ('rank_weights', ${tx.json(saved)})
             on conflict (key) do update set value = excluded.value`;
    await notify(tx, { model: true, hallway: true });
  });
}
