/**
 * The topic catalogue and members' picks. Every change of picks is also appended to
 * `signals`, the history recommendations learn from.
 *
 * @example
 * await setPicks(sql, member.id, ["jazz", "chess", "astronomy"]);
 * (await pickedTopics(sql, member.id)).map((t) => t.slug); // ["astronomy", "chess", "jazz"]
 */
import type { Sql } from "./client.ts";
import { Refusal } from "./errors.ts";
import { notify } from "./events.ts";
import { markOnboarded } from "./users.ts";

export interface Topic {
  id: number;
  slug: string;
  name: string;
}

export interface TopicCategory {
  name: string;
  topics: Topic[];
}

export const minTopicPicks = 3;
export const maxTopicPicks = 20;

export async function catalogue(sql: Sql): Promise<TopicCategory[]> {
  const rows = await sql`
    select c.name as category, t.id, t.slug, t.name
    from topics t join topic_categories c on c.id = t.category_id
    order by c.position, t.name`;
  const categories: TopicCategory[] = [];
  for (const row of rows) {
    let category = categories.at(-1);
    if (category === undefined || category.name !== row.category) {
      category = { name: row.category, topics: [] };
      categories.push(category);
    }
    category.topics.push({ id: row.id, slug: row.slug, name: row.name });
  }
  return categories;
}

export async function pickedTopics(sql: Sql, memberId: number): Promise<Topic[]> {
  const rows = await sql`
    select t.id, t.slug, t.name from user_topics u join topics t on t.id = u.topic_id
    where u.user_id = ${memberId} order by t.name`;
  return rows.map((r) => ({ id: r.id, slug: r.slug, name: r.name }));
}

/**
 * Replaces a member's picks with `slugs` (at least three), records what changed as signals,
 * and marks the member onboarded. Unknown slugs are refused, not ignored.
 */
export async function setPicks(sql: Sql, memberId: number, slugs: string[]): Promise<void> {
  const wanted = [...new Set(slugs.map((s) => s.trim()).filter((s) => s !== ""))];
  if (wanted.length < minTopicPicks) {
    throw new Refusal("invalid", "refusal.topics.too_few", {
      field: "topics",
      params: { count: minTopicPicks },
    });
  }
  if (wanted.length > maxTopicPicks) {
    throw new Refusal("invalid", "refusal.topics.too_many", {
      field: "topics",
      params: { count: maxTopicPicks },
    });
  }
  await sql.begin(async (tx) => {
    const known = await tx`select id, slug from topics where slug in ${tx(wanted)}`;
    if (known.length !== wanted.length) {
      throw new Refusal("invalid", "refusal.topics.unknown", "topics");
    }
    const wantedIds = known.map((r) => r.id as number);
    const removed = await tx`
      delete from user_topics where user_id = ${memberId} and topic_id <> all(${wantedIds})
      returning topic_id`;
    const added = await tx`
      insert into user_topics (user_id, topic_id)
      select ${memberId}, unnest(${wantedIds}::int[])
      on conflict do nothing returning topic_id`;
    const changes = [
      ...added.map((r) => ({ user_id: memberId, kind: "topic_picked", topic_id: r.topic_id })),
      ...removed.map((r) => ({ user_id: memberId, kind: "topic_unpicked", topic_id: r.topic_id })),
    ];
    if (changes.length > 0) await tx`insert into signals ${tx(changes)}`;
    await markOnboarded(tx, memberId);
    await notify(tx, { members: [memberId] });
  });
}
