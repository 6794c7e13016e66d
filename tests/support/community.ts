/**
 * A small synthetic community (synthetic/) written into a test database the way
 * `deno task seed` writes it, for tests that train models on a history that has structure.
 *
 * @example
 * const { admin } = await seedSmallCommunity(sql, { members: 100, listens: 3000 });
 */
import type { Sql } from "../../db/client.ts";
import { hashPassword } from "../../db/passwords.ts";
import { catalogueTopics, seedCommunity } from "../../db/seed.ts";
import type { Community } from "../../synthetic/community.ts";
import { generateCommunity } from "../../synthetic/generator.ts";

/** Every seeded member signs in with this. */
export const seededPassword = "seeded community password";

let passwordHash: Promise<string> | undefined;

export interface SeededCommunity {
  community: Community;
  /** The administrator seeding makes (the community's demo member). */
  admin: { id: number; handle: string };
}

/** Seeds an empty database; the sizes default to a small community that trains in a moment. */
export async function seedSmallCommunity(
  sql: Sql,
  sizes: { members?: number; listens?: number; seed?: number } = {},
): Promise<SeededCommunity> {
  passwordHash ??= hashPassword(seededPassword);
  const community = generateCommunity({
    topics: await catalogueTopics(sql),
    now: Date.now(),
    members: sizes.members ?? 100,
    listens: sizes.listens ?? 3_000,
    seed: sizes.seed ?? 1,
    days: 10,
  });
  await seedCommunity(sql, community, { passwordHash: await passwordHash });
  const demo = community.members[community.demoMember - 1];
  return { community, admin: { id: demo.id, handle: demo.handle } };
}
