/**
 * Writes a synthetic community (synthetic/community.ts) into the database, for demos and for
 * evaluating recommendations; `seed.ts` is its command line (`deno task seed`).
 *
 * Seeding is for demo databases only. Every seeded member signs in with one shared password,
 * so seeded members never sit beside real ones: a database with any member is refused, and
 * `replace` only ever empties a database whose members were all seeded. Everything is written
 * in one transaction, so a failed or refused seeding leaves nothing behind.
 *
 * @example
 * const community = generateCommunity({ topics: await catalogueTopics(sql), now: Date.now() });
 * await seedCommunity(sql, community, { passwordHash: await hashPassword("palabre-demo") });
 */
import type { Sql, Tx } from "./client.ts";
import { Refusal } from "./errors.ts";
import { base64url } from "./sessions.ts";
import { seededHandlePrefix } from "./users.ts";
// Types only: the community is plain data, and db/ runs no code from other folders.
import type { CatalogueTopic, Community } from "../synthetic/community.ts";
import type { sessionRoles } from "../synthetic/listening_sessions.ts";

const roleNames: typeof sessionRoles = ["moderator", "speaker", "listener"];
// Any constant works; it only has to be the same in every process that seeds.
const seedLockKey = 7_246_913;
const markKey = "seeded_community";
const insertBatchRows = 20_000;

export interface SeedOptions {
  /** The argon2id hash every seeded member signs in with: hash the password once. */
  passwordHash: string;
  /** Empty a database whose members were all seeded before seeding it again. */
  replace?: boolean;
  onProgress?: (progress: SeedProgress) => void;
}

export interface SeedProgress {
  /** The table being written. */
  table: string;
  /** Rows written so far, in all tables. */
  done: number;
  total: number;
}

/** What a seeded database records about its seeding (in `settings`). */
export interface SeedMark {
  seed: number;
  members: number;
  listens: number;
  at: string;
}

/** The topic catalogue, as the community generator takes it. */
export async function catalogueTopics(sql: Sql): Promise<CatalogueTopic[]> {
  const rows = await sql`select id, category_id, name from topics order by id`;
  return rows.map((r) => ({ id: r.id, categoryId: r.category_id, name: r.name }));
}

export async function seedMark(sql: Sql | Tx): Promise<SeedMark | null> {
  const [row] = await sql`select value from settings where key = ${markKey}`;
  return row?.value ?? null;
}

/**
 * Refuses (`conflict`) unless the database may be seeded: it has no members, or `replace` is
 * asked and every member was seeded.
 */
export async function refuseUnlessSeedable(
  sql: Sql | Tx,
  options: { replace?: boolean } = {},
): Promise<void> {
  const [row] = await sql`
    select count(*)::int as members,
           count(*) filter (where not starts_with(lower(handle), ${seededHandlePrefix}))::int
             as others
    from users`;
  if (row.members === 0) return;
  if (row.others > 0) {
    throw Refusal.untranslated(
      "conflict",
      `This database has ${row.others} members who were not seeded: seed an empty database`,
    );
  }
  const mark = await seedMark(sql);
  if (!mark) {
    throw new Refusal("conflict", "refusal.seed.unrecorded");
  }
  if (!options.replace) {
    throw Refusal.untranslated(
      "conflict",
      `This database already holds a seeded community (seed ${mark.seed}, ${mark.members} members)`,
    );
  }
}

/** Writes the community; member and room ids are the community's own. */
export async function seedCommunity(
  sql: Sql,
  community: Community,
  options: SeedOptions,
): Promise<void> {
  const tables = communityTables(community, options.passwordHash);
  const total = tables.reduce((n, t) => n + t.count, 0);
  const report = options.onProgress ?? (() => {});
  await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${seedLockKey})`;
    await refuseUnlessSeedable(tx, options);
    if (options.replace) {
      // Only seeded members are here (checked above): everything hanging off them goes too.
      await tx`truncate users, rooms restart identity cascade`;
    }
    let done = 0;
    for (const table of tables) {
      const wrote = (rows: number) => report({ table: table.name, done: done += rows, total });
      await insertRows(tx, table, wrote);
    }
    // Ids were given explicitly: the next member or room the app makes comes after them.
    await tx`select setval(pg_get_serial_sequence('users', 'id'), max(id)) from users`;
    await tx`select setval(pg_get_serial_sequence('rooms', 'id'), max(id)) from rooms`;
    const mark: SeedMark = {
      seed: community.seed,
      members: community.members.length,
      listens: community.sessions.count,
      at: new Date(community.now).toISOString(),
    };
    await tx`insert into settings (key, value) values (${markKey}, ${tx.json({ ...mark })})
             on conflict (key) do update set value = excluded.value`;
  });
}

type ColumnType = "bigint" | "integer" | "text" | "boolean" | "timestamptz";
type Value = string | number | boolean | null;

/** One table's rows, produced by index so that millions of them are never all built at once. */
interface TableRows {
  name: string;
  count: number;
  columns: { name: string; type: ColumnType }[];
  /** Row i's values in column order; timestamps as milliseconds. */
  row(i: number): Value[];
}

function table(
  name: string,
  columns: Record<string, ColumnType>,
  count: number,
  row: (i: number) => Value[],
): TableRows {
  return {
    name,
    count,
    columns: Object.entries(columns).map(([name, type]) => ({ name, type })),
    row,
  };
}

/** The community as table rows, in an order that satisfies every foreign key. */
function communityTables(community: Community, passwordHash: string): TableRows[] {
  const { members, rooms, sessions, now } = community;
  const picks = currentPicks(community);
  const follows = currentFollows(community);
  const changes = [
    ...community.picks.map((p) => ({
      user: p.member,
      kind: p.kind === "pick" ? "topic_picked" : "topic_unpicked",
      topic: p.topic as number | null,
      person: null as number | null,
      at: p.at,
    })),
    ...community.follows.map((f) => ({
      user: f.member,
      kind: f.kind === "follow" ? "followed" : "unfollowed",
      topic: null,
      person: f.person,
      at: f.at,
    })),
  ].sort((a, b) => a.at - b.at);
  const roomTopics = rooms.flatMap((r) => r.topics.map((topic) => [r.id, topic]));
  const scheduled = rooms.filter((r) => r.state === "scheduled");
  const hosts = scheduled.flatMap((r) => [r.host, ...r.cohosts].map((user) => [r.id, user]));
  const interest = scheduled.flatMap((r) => r.interested.map((user) => [r.id, user]));
  const present: number[] = [];
  for (let s = 0; s < sessions.count; s++) if (sessions.endAt[s] > now) present.push(s);
  return [
    table(
      "users",
      {
        id: "bigint",
        handle: "text",
        display_name: "text",
        password_hash: "text",
        is_admin: "boolean",
        onboarded_at: "timestamptz",
        created_at: "timestamptz",
      },
      members.length,
      (i) => {
        const m = members[i];
        // Seeding closes set-up (a member exists), so the demo member administers.
        const admin = m.id === community.demoMember;
        return [m.id, m.handle, m.displayName, passwordHash, admin, m.onboardedAt, m.joinedAt];
      },
    ),
    table(
      "user_topics",
      { user_id: "bigint", topic_id: "integer", picked_at: "timestamptz" },
      picks.length,
      (i) => picks[i],
    ),
    table(
      "signals",
      {
        user_id: "bigint",
        kind: "text",
        topic_id: "integer",
        person_id: "bigint",
        at: "timestamptz",
      },
      changes.length,
      (i) => {
        const c = changes[i];
        return [c.user, c.kind, c.topic, c.person, c.at];
      },
    ),
    table(
      "follows",
      { follower_id: "bigint", followee_id: "bigint", created_at: "timestamptz" },
      follows.length,
      (i) => follows[i],
    ),
    table(
      "rooms",
      {
        id: "bigint",
        title: "text",
        kind: "text",
        state: "text",
        creator_id: "bigint",
        link_key: "text",
        scheduled_for: "timestamptz",
        started_at: "timestamptz",
        ended_at: "timestamptz",
        created_at: "timestamptz",
      },
      rooms.length,
      (i) => {
        const r = rooms[i];
        const isEvent = r.state === "scheduled";
        return [
          r.id,
          r.title,
          "open",
          r.state,
          r.host,
          // The secret of a closed room's link: random, never derived from the (public) seed.
          base64url(crypto.getRandomValues(new Uint8Array(18))),
          isEvent ? r.startAt : null,
          isEvent ? null : r.startAt,
          r.state === "ended" ? r.endAt : null,
          Math.min(r.startAt, now),
        ];
      },
    ),
    table(
      "room_topics",
      { room_id: "bigint", topic_id: "integer" },
      roomTopics.length,
      (i) => roomTopics[i],
    ),
    table("room_hosts", { room_id: "bigint", user_id: "bigint" }, hosts.length, (i) => hosts[i]),
    table(
      "event_interest",
      { room_id: "bigint", user_id: "bigint", at: "timestamptz" },
      interest.length,
      (i) => [...interest[i], now],
    ),
    table(
      "listens",
      {
        room_id: "bigint",
        user_id: "bigint",
        role: "text",
        started_at: "timestamptz",
        ended_at: "timestamptz",
      },
      sessions.count,
      (s) => [
        sessions.room[s],
        sessions.member[s],
        roleNames[sessions.role[s]],
        sessions.startAt[s],
        sessions.endAt[s] > now ? null : sessions.endAt[s],
      ],
    ),
    table(
      "participants",
      {
        room_id: "bigint",
        user_id: "bigint",
        role: "text",
        muted: "boolean",
        joined_at: "timestamptz",
        on_stage_since: "timestamptz",
        last_seen_at: "timestamptz",
      },
      present.length,
      (i) => {
        const s = present[i];
        const role = roleNames[sessions.role[s]];
        const onStage = role !== "listener";
        // A seeded member has no page open: their presence runs until they mean to leave, and
        // then the presence sweep takes them out (and ends the room) as it would anyone.
        return [
          sessions.room[s],
          sessions.member[s],
          role,
          !onStage,
          sessions.startAt[s],
          onStage ? sessions.startAt[s] : null,
          sessions.endAt[s],
        ];
      },
    ),
  ];
}

/** [member, topic, picked at] for the topics each member has picked and not unpicked since. */
function currentPicks(community: Community): Value[][] {
  const picked = new Map<string, Value[]>();
  for (const p of community.picks) {
    const key = `${p.member}:${p.topic}`;
    if (p.kind === "pick") picked.set(key, [p.member, p.topic, p.at]);
    else picked.delete(key);
  }
  return [...picked.values()];
}

/** [follower, followee, since] for who follows whom now. */
function currentFollows(community: Community): Value[][] {
  const following = new Map<string, Value[]>();
  for (const f of community.follows) {
    const key = `${f.member}:${f.person}`;
    if (f.kind === "follow") following.set(key, [f.member, f.person, f.at]);
    else following.delete(key);
  }
  return [...following.values()];
}

/**
 * Multi-row inserts from arrays (`unnest`): a handful of parameters per batch of rows, the same
 * on PGlite and PostgreSQL. COPY was no faster on PostgreSQL here (foreign-key checks and
 * indexes are the cost, not the transfer), PGlite's socket cannot do it, and postgres.js
 * 3.4.9 never settles a COPY that the server refuses at its end (porsager/postgres#1173).
 */
async function insertRows(tx: Tx, rows: TableRows, wrote: (rows: number) => void) {
  const names = rows.columns.map((c) => c.name);
  // Timestamps travel as epoch seconds, booleans as text (postgres.js would type an array of
  // booleans as a single boolean).
  const sentAs = (type: ColumnType) =>
    type === "timestamptz" ? "float8" : type === "boolean" ? "text" : type;
  const arrays = rows.columns.map((c, k) => `$${k + 1}::${sentAs(c.type)}[]`);
  const selected = rows.columns.map((c, k) =>
    c.type === "timestamptz" ? `to_timestamp(c${k})` : `c${k}::${c.type}`
  );
  // Explicit ids: the community's ids are the database's.
  const overriding = names.includes("id") ? "overriding system value" : "";
  const statement = `
    insert into ${rows.name} (${names.join(", ")}) ${overriding}
    select ${selected.join(", ")}
    from unnest(${arrays.join(", ")}) as r(${names.map((_, k) => `c${k}`).join(", ")})`;
  for (let from = 0; from < rows.count; from += insertBatchRows) {
    const to = Math.min(rows.count, from + insertBatchRows);
    const columns: Value[][] = rows.columns.map(() => []);
    for (let i = from; i < to; i++) {
      rows.row(i).forEach((value, k) => columns[k].push(sent(value, rows.columns[k].type)));
    }
    // deno-lint-ignore no-explicit-any
    await tx.unsafe(statement, columns as any[]);
    wrote(to - from);
  }
}

function sent(value: Value, type: ColumnType): Value {
  if (value === null) return null;
  if (type === "timestamptz") return (value as number) / 1000;
  if (type === "boolean") return value ? "t" : "f";
  return value;
}
