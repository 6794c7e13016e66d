/**
 * Search's cost: 100,000 members and 20,000 rooms (12,000 live, 8,000 upcoming events; open,
 * social and closed; blocks, follows, stages and hosts), seeded on embedded PGlite and on a
 * PostgreSQL database made for the run and dropped after it, then a mix of what people type
 * (exact handles, the start of a handle, names with and without accents, names with a typo,
 * English and French words, topics in both languages) searched as members, through
 * `search()` itself: its rate-limit counters, people, rooms and topics. Goal: p95 under 20 ms on
 * both.
 *
 * PostgreSQL is `BENCH_POSTGRES_URL`, else `TEST_DATABASE_URL` (a server where it may create a
 * database); without either, only PGlite is measured and the section says so.
 *
 * @example
 * BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres deno task bench search
 */
import postgres from "postgres";
import { openDatabase, type Sql } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";
import { search } from "../db/search.ts";
import { topicNamesIn } from "../i18n/topics.ts";
import { english, wordsFor } from "../i18n/translate.ts";
import { type BenchSection, count, markdownTable, ms, progress } from "./report.ts";

const name = "search";

const settings = {
  members: 100_000,
  rooms: 20_000,
  /** Of every 5 rooms, this many are live; the others are upcoming events. */
  liveInFive: 3,
  blocks: 20_000,
  follows: 100_000,
  /** Members who search, in turn. */
  viewers: 50,
  warmup: 30,
  queries: 300,
  goalP95Ms: 20,
};

const firstNames = [
  "Ada",
  "Grace",
  "Linus",
  "Hélène",
  "François",
  "Zoé",
  "Amélie",
  "Jérôme",
  "Chloé",
  "Mathéo",
  "Noémie",
  "Léa",
  "Émile",
  "Inès",
  "Raphaël",
  "Margaret",
  "Alan",
  "Katherine",
  "Tim",
  "Barbara",
  "Olusegun",
  "Chiamaka",
  "Yuki",
  "Haruto",
  "Mariana",
  "João",
  "Lukas",
  "Søren",
  "Fatima",
  "Omar",
  "Wei",
  "Mei",
  "Carlos",
  "Lucía",
  "Ingrid",
  "Björn",
  "Priya",
  "Arjun",
  "Nadia",
  "Kofi",
];
const lastNames = [
  "Lovelace",
  "Hopper",
  "Torvalds",
  "Dupré",
  "Lefèvre",
  "Martin",
  "Bernard",
  "Thébault",
  "Moreau",
  "Girard",
  "Leroy",
  "Rousseau",
  "Hamilton",
  "Turing",
  "Johnson",
  "Liskov",
  "Okafor",
  "Adeyemi",
  "Tanaka",
  "Sato",
  "Silva",
  "Gonçalves",
  "Müller",
  "Kierkegaard",
  "Haddad",
  "Benali",
  "Zhang",
  "Chen",
  "García",
  "Fernández",
  "Larsen",
  "Åberg",
  "Sharma",
  "Patel",
  "Mensah",
  "Nakamura",
];
const bioPhrases = [
  "I love jazz and late night radio",
  "j'adore la cuisine et les marchés",
  "startup founder",
  "photographe amateur à Lyon",
  "running every morning",
  "je cours le dimanche",
  "writing a novel about the sea",
  "passionnée d'échecs",
  "open source maintainer",
  "enseignante de mathématiques",
  "climbing and coffee",
  "les chevaux et la campagne",
  "product manager in Berlin",
  "musicien de rue",
  "learning Japanese slowly",
  "apprendre l'espagnol",
  "podcasts about history",
  "la philosophie des sciences",
  "design systems nerd",
  "cyclisme et randonnée",
  "meditation teacher",
  "chanteuse de jazz",
  "film buff and critic",
  "le théâtre d'improvisation",
  "investing for the long run",
];
const roomTitles = [
  "Late night jazz",
  "Soirée jazz manouche",
  "Startup pitch practice",
  "Le café des startups",
  "Morning runners club",
  "Course à pied du dimanche",
  "Stories of the sea",
  "Les chevaux de course",
  "Open source office hours",
  "Logiciel libre et communs",
  "Chess openings we love",
  "Les échecs pour débutants",
  "Learning Japanese together",
  "Apprendre le japonais",
  "Climate news this week",
  "Le climat en questions",
  "Poetry open mic",
  "Poésie à voix haute",
  "Product management AMA",
  "Cuisine de saison",
  "Meditation before bed",
  "Méditation guidée",
  "Film club: classics",
  "Ciné-club du jeudi",
  "History of computing",
  "L'histoire de Paris",
];
const descriptions = [
  "Bring your questions",
  "Ouvert à tous",
  "We take turns on stage",
  "On parle, on écoute",
  "Beginners welcome",
  "Débutants bienvenus",
  "",
  "Every week at the same time",
];

/** What people type, by kind; `handle` and `handle start` are filled from the seeded members. */
const typed: Record<string, string[]> = {
  "name": ["Hélène Dupré", "helene dupre", "Jerome Martin", "Zoé", "chloe moreau", "Okafor"],
  "name with a typo": ["Lovelase", "Torvals", "Hoper", "Kirkegaard", "Rousseaux", "Fernandes"],
  "English words": ["jazz", "startup pitch", "morning run", "stories", "office hours", "coffee"],
  "French words": ["chevaux", "cuisine", "soirée", "apprendre", "débutants", "poésie"],
  "topic": ["chess", "échecs", "course a pied", "meditation", "photography", "Mathématiques"],
};

export async function run(): Promise<BenchSection> {
  const measured: Measured[] = [];
  progress(
    name,
    `PGlite: seeding ${count(settings.members)} members, ${count(settings.rooms)} rooms`,
  );
  const pglite = await openDatabase({});
  try {
    measured.push(await measure("PGlite", pglite.sql));
  } finally {
    await pglite.close();
  }
  const adminUrl = Deno.env.get("BENCH_POSTGRES_URL") ?? Deno.env.get("TEST_DATABASE_URL");
  const problems: string[] = [];
  if (adminUrl) {
    const database = `bench_search_${Deno.pid}_${Date.now().toString(36)}`;
    const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${database}`);
    try {
      const url = new URL(adminUrl);
      url.pathname = `/${database}`;
      const db = await openDatabase({ url: url.href, max: 2 });
      try {
        progress(name, `PostgreSQL: seeding the same community`);
        measured.push(await measure("PostgreSQL", db.sql));
      } finally {
        await db.close();
      }
    } finally {
      await admin.unsafe(`drop database if exists ${database} with (force)`);
      await admin.end();
    }
  } else {
    problems.push("PostgreSQL not measured: set BENCH_POSTGRES_URL (or TEST_DATABASE_URL)");
  }
  return report(measured, problems);
}

interface Measured {
  database: string;
  seedSeconds: number;
  /** Milliseconds per query, by kind of query. */
  byKind: Map<string, number[]>;
}

async function measure(database: string, sql: Sql): Promise<Measured> {
  const startedAt = performance.now();
  await migrate(sql);
  await seed(sql);
  const seedSeconds = (performance.now() - startedAt) / 1000;
  progress(name, `${database}: seeded in ${seedSeconds.toFixed(0)} s; searching`);
  const handles = (await sql`
    select handle from users where id % 7919 = 1 order by id limit 12`).map((r) => r.handle);
  const queries: [string, string][] = [
    ...handles.slice(0, 6).map((h): [string, string] => ["handle", h]),
    ...handles.slice(6).map((h): [string, string] => ["handle start", h.slice(0, 5)]),
    ...Object.entries(typed).flatMap(([kind, texts]) =>
      texts.map((text): [string, string] => [kind, text])
    ),
  ];
  const viewers = (await sql`
    select id from users where id % ${Math.floor(settings.members / settings.viewers)} = 0
    order by id limit ${settings.viewers}`).map((r) => r.id);
  const byKind = new Map<string, number[]>();
  // Counted as in production (the allowance is the only change): every query writes its rows.
  const allowances = { bench: { max: 1e9, windowMs: 3_600_000 } };
  for (let i = 0; i < settings.warmup + settings.queries; i++) {
    const [kind, text] = queries[i % queries.length];
    const language = i % 2 === 0 ? "en" : "fr";
    const topicNames = topicNamesIn(language === "en" ? english.t : wordsFor("fr").t);
    const viewer = viewers[i % viewers.length];
    const t0 = performance.now();
    await search(sql, viewer, text, { topicNames, allowances });
    const took = performance.now() - t0;
    if (i >= settings.warmup) byKind.set(kind, [...byKind.get(kind) ?? [], took]);
  }
  return { database, seedSeconds, byKind };
}

/** One `insert ... select` per table: deterministic, and seconds rather than minutes. */
export async function seed(sql: Sql): Promise<void> {
  const { members, rooms, liveInFive, blocks, follows } = settings;
  await sql`
    insert into users (handle, display_name, bio, password_hash, onboarded_at, language)
    select
      left(regexp_replace(search_fold(f), '[^a-z]', '', 'g'), 10) || '_' || i,
      f || ' ' || l,
      (${bioPhrases}::text[])[1 + i % ${bioPhrases.length}] || '. ' ||
        (${bioPhrases}::text[])[1 + (i * 7) % ${bioPhrases.length}],
      'not a password', now(), case when i % 3 = 0 then 'fr' else 'en' end
    from generate_series(1::bigint, ${members}) as i,
      lateral (select (${firstNames}::text[])[1 + (i * 13) % ${firstNames.length}] as f,
                      (${lastNames}::text[])[1 + (i * 17) % ${lastNames.length}] as l) as names`;
  await sql`
    insert into rooms (title, description, kind, state, creator_id, link_key, started_at,
                       scheduled_for, language)
    select
      (${roomTitles}::text[])[1 + i % ${roomTitles.length}],
      (${descriptions}::text[])[1 + (i * 3) % ${descriptions.length}],
      case when i % 25 < 2 then 'closed' when i % 25 < 5 then 'social' else 'open' end,
      case when i % 5 < ${liveInFive} then 'live' else 'scheduled' end,
      1 + (i * 7919) % ${members}, 'bench',
      case when i % 5 < ${liveInFive} then now() - (i % 120) * interval '1 minute' end,
      case when i % 5 >= ${liveInFive} then now() + (1 + i % 96) * interval '1 hour' end,
      case when i % 4 = 0 then 'fr' else 'en' end
    from generate_series(1::bigint, ${rooms}) as i`;
  await sql`
    insert into room_topics (room_id, topic_id)
    select r.id, t.id from rooms r
      join topics t on t.id in (1 + r.id % 68, 1 + (r.id * 31) % 68)
    on conflict do nothing`;
  await sql`
    insert into participants (room_id, user_id, role, on_stage_since)
    select id, creator_id, 'moderator', started_at from rooms where state = 'live'
    union all
    select id, 1 + (creator_id * 31) % ${members}, 'speaker', started_at from rooms
    where state = 'live' and 1 + (creator_id * 31) % ${members} <> creator_id`;
  await sql`
    insert into room_hosts (room_id, user_id)
    select id, creator_id from rooms where state = 'scheduled'`;
  await sql`
    insert into blocks (blocker_id, blocked_id)
    select 1 + (i * 104729) % ${members}, 1 + (i * 15485863) % ${members}
    from generate_series(1::bigint, ${blocks}) as i
    where (i * 104729) % ${members} <> (i * 15485863) % ${members}
    on conflict do nothing`;
  await sql`
    insert into follows (follower_id, followee_id)
    select 1 + (i * 7877) % ${members}, 1 + (i * 6271) % ${members}
    from generate_series(1::bigint, ${follows}) as i
    where (i * 7877) % ${members} <> (i * 6271) % ${members}
    on conflict do nothing`;
  // Settled, as autovacuum (PostgreSQL) or Palabre's own sweep (PGlite, db/vacuum.ts) leaves a
  // database soon after such a load: unvacuumed, every index hit also visits the table.
  await sql`vacuum analyze`;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

function report(measured: Measured[], problems: string[]): BenchSection {
  const all = (m: Measured) => [...m.byKind.values()].flat();
  const met = (m: Measured) => percentile(all(m), 0.95) < settings.goalP95Ms;
  const overall = markdownTable(
    ["database", "queries", "p50 ms", "p95 ms", "p99 ms", "max ms", "goal p95 < 20 ms", "seeding"],
    measured.map((m) => [
      m.database,
      count(all(m).length),
      ms(percentile(all(m), 0.5)),
      ms(percentile(all(m), 0.95)),
      ms(percentile(all(m), 0.99)),
      ms(Math.max(...all(m))),
      met(m) ? "met" : "**not met**",
      `${m.seedSeconds.toFixed(0)} s`,
    ]),
    ["left", "right", "right", "right", "right", "right", "left", "right"],
  );
  const kinds = [...measured[0].byKind.keys()];
  const perKind = markdownTable(
    ["what was typed", ...measured.map((m) => `${m.database} p50 / p95 ms`)],
    kinds.map((kind) => [
      kind,
      ...measured.map((m) => {
        const times = m.byKind.get(kind) ?? [];
        return `${ms(percentile(times, 0.5))} / ${ms(percentile(times, 0.95))}`;
      }),
    ]),
    ["left", ...measured.map(() => "right" as const)],
  );
  const summary = measured.map((m) =>
    `${m.database} p95 ${ms(percentile(all(m), 0.95))} ms (**${met(m) ? "met" : "not met"}**)`
  ).join(", ");
  return {
    title: "Search",
    summary: `search over ${count(settings.members)} members and ${
      count(settings.rooms)
    } rooms: ${summary}; goal p95 < ${settings.goalP95Ms} ms`,
    body: [
      `${count(settings.members)} members, ${count(settings.rooms)} rooms (${
        count(settings.rooms * settings.liveInFive / 5)
      } live, the rest upcoming events; open, social and closed), ${
        count(settings.blocks)
      } blocks, ${count(settings.follows)} follows, seeded by bench/search.ts. ${
        count(settings.queries)
      } queries after ${settings.warmup} unmeasured ones, by ${settings.viewers} members in ` +
      "turn, half in English and half in French, each the whole of `search()` (its two " +
      "rate-limit counters, people, rooms and events, topics), from this process.",
      "",
      overall,
      "",
      perKind,
    ].join("\n"),
    problems,
  };
}
