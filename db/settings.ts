/**
 * Settings an administrator changes at run time, kept in the `settings` table.
 *
 * @example
 * await setInvitesPerMember(sql, admin.id, 8);
 * await invitesPerMember(sql); // 8
 */
import type { Sql, Tx } from "./client.ts";
import { Refusal } from "./errors.ts";
import { requireAdmin } from "./users.ts";

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
