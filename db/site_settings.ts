/**
 * Site-wide settings, which an administrator changes at run time, kept in the `settings` table:
 * invites per member and the hallway's ranking weights. (A member's own settings are their
 * profile and listening history: routes/member_settings.tsx.)
 *
 * @example
 * await setInvitesPerMember(sql, admin.id, 8);
 * await invitesPerMember(sql); // 8
 * await setRankWeights(sql, admin.id, { ...defaultRankWeights, size: 0.2 });
 * // Ranking weights' limits and words are vocabulary/knobs.ts's `rankKnobs`.
 */
import type { Sql, Tx } from "./client.ts";
import { Refusal } from "./errors.ts";
import { notify } from "./events.ts";
import { requireAdmin } from "./users.ts";
import { knobAccepts, knobRefusal, rankKnobs, type RankWeights } from "../vocabulary/knobs.ts";

export const invitesPerMemberMax = 100;

export async function invitesPerMember(sql: Sql | Tx): Promise<number> {
  const [row] = await sql`select value from settings where key = 'invites_per_member'`;
  return Number(row?.value ?? 5);
}

export async function setInvitesPerMember(sql: Sql, actorId: number, value: number): Promise<void> {
  if (!Number.isInteger(value) || value < 0 || value > invitesPerMemberMax) {
    throw new Refusal(
      "invalid",
      `Invites per member must be a whole number from 0 to ${invitesPerMemberMax}`,
      "invites_per_member",
    );
  }
  await sql.begin(async (tx) => {
    await requireAdmin(tx, actorId);
    await tx`insert into settings (key, value) values ('invites_per_member', ${tx.json(value)})
             on conflict (key) do update set value = excluded.value`;
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
    if (!knobAccepts(knob, value)) throw new Refusal("invalid", knobRefusal(knob), knob.field);
    saved[knob.key] = value;
  }
  await sql.begin(async (tx) => {
    await requireAdmin(tx, actorId);
    await tx`insert into settings (key, value) values ('rank_weights', ${tx.json(saved)})
             on conflict (key) do update set value = excluded.value`;
    await notify(tx, { model: true, hallway: true });
  });
}
