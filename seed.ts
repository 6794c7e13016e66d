/**
 * `deno task seed`: fills the database `deno task start` would open (embedded PGlite in
 * DATA_DIR, or DATABASE_URL) with a synthetic community for demos and for evaluating
 * recommendations: members in taste groups, popular and obscure hosts, rooms over the past
 * days with their listeners, a few rooms live now and events to come.
 *
 * Every seeded member signs in with the one `--password`, so only an empty database is seeded;
 * `--replace` seeds afresh a database whose members were all seeded (never one with real
 * members). Progress goes to stderr; the summary and a member to sign in as go to stdout.
 *
 * @example
 * deno task seed                                         # 500 members, 20,000 listening sessions
 * deno task seed --members 100000 --listens 2000000 --seed 7 --password 'a long secret'
 */
import { parseArgs } from "node:util";
import { loadConfig } from "./config.ts";
import { openDatabase } from "./db/client.ts";
import { Refusal } from "./db/errors.ts";
import { migrate } from "./db/migrate.ts";
import { hashPassword } from "./db/passwords.ts";
import { catalogueTopics, refuseUnlessSeedable, seedCommunity } from "./db/seed.ts";
import { passwordLength, passwordMaxLength, passwordMinLength } from "./db/password_rules.ts";
import {
  checkCommunityOptions,
  communityDefaults,
  communityLimits,
  syntheticCatalogue,
} from "./synthetic/community.ts";
import { generateCommunity } from "./synthetic/generator.ts";
import { ProgressBar } from "./progress_bar.ts";
import { StartupError } from "./startup.ts";

const defaultPassword = "palabre-demo";
const usage = `Usage: deno task seed [options]

  --seed N       which community (the same seed makes the same one)  default ${communityDefaults.seed}
  --members N    members, ${count(communityLimits.members.min)} to ${
  count(communityLimits.members.max)
}                              default ${count(communityDefaults.members)}
  --listens N    listening sessions, ${count(communityLimits.listens.min)} to ${
  count(communityLimits.listens.max)
}                default ${count(communityDefaults.listens)}
  --days N       days of history before now, ${communityLimits.days.min} to ${communityLimits.days.max}                default ${communityDefaults.days}
  --password P   the password every seeded member signs in with      default ${defaultPassword}
  --replace      seed again a database that holds only a seeded community
  --help         this text

Writes to the database deno task start uses: DATABASE_URL, else PGlite in DATA_DIR (./data).
On PGlite, stop Palabre first: its files are one process's at a time (seeding refuses otherwise).`;

try {
  await main();
} catch (error) {
  // Wrong flags, refusals and a database it cannot open (DATA_DIR in use by a running Palabre)
  // are the user's to fix: say what is wrong, without a stack.
  const badFlag = error instanceof TypeError &&
    String(Object(error).code).startsWith("ERR_PARSE_ARGS");
  const known = error instanceof Refusal || error instanceof RangeError ||
    error instanceof StartupError || badFlag;
  if (!known) throw error;
  console.error(error.message);
  if (badFlag) console.error("deno task seed --help lists the options.");
  if (error instanceof Refusal) {
    console.error(
      "deno task seed writes only into an empty database, or with --replace into one that " +
        "holds nothing but a seeded community.",
    );
  }
  Deno.exit(1);
}

async function main(): Promise<void> {
  const { values: flags } = parseArgs({
    args: Deno.args,
    options: {
      seed: { type: "string" },
      members: { type: "string" },
      listens: { type: "string" },
      days: { type: "string" },
      password: { type: "string", default: defaultPassword },
      replace: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (flags.help) {
    console.log(usage);
    return;
  }
  const password = flags.password;
  const length = passwordLength(password);
  if (length < passwordMinLength || length > passwordMaxLength) {
    throw new RangeError(
      `The password must be ${passwordMinLength} to ${passwordMaxLength} characters`,
    );
  }
  const sizes = {
    seed: wholeNumber(flags.seed, "--seed") ?? communityDefaults.seed,
    members: wholeNumber(flags.members, "--members") ?? communityDefaults.members,
    listens: wholeNumber(flags.listens, "--listens") ?? communityDefaults.listens,
    days: wholeNumber(flags.days, "--days") ?? communityDefaults.days,
  };

  const now = Date.now();
  // The catalogue comes later, from the database; the sizes are checked before any work.
  checkCommunityOptions({ ...sizes, now, topics: syntheticCatalogue() });

  const config = await loadConfig(Deno.env.toObject());
  const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrate(db.sql);
    // Fail before the work, not after it; seeding checks again under its lock.
    await refuseUnlessSeedable(db.sql, { replace: flags.replace });
    const bar = new ProgressBar();
    const started = performance.now();
    console.error(
      `Generating a community: seed ${sizes.seed}, ${count(sizes.members)} members, ` +
        `${count(sizes.listens)} listening sessions over ${sizes.days} days`,
    );
    const community = generateCommunity({
      ...sizes,
      topics: await catalogueTopics(db.sql),
      now,
      onProgress: (p) => bar.show(p.phase, p.done, p.total),
    });
    bar.done();
    const generated = performance.now();
    const where = db.kind === "pglite" ? `embedded PGlite in ${config.dataDir}` : "PostgreSQL";
    console.error(`Writing it to ${where}`);
    await seedCommunity(db.sql, community, {
      passwordHash: await hashPassword(password),
      replace: flags.replace,
      onProgress: (p) => bar.show(p.table, p.done, p.total, "rows"),
    });
    bar.done();
    const written = performance.now();

    const rooms = community.rooms;
    const live = rooms.filter((r) => r.state === "live").length;
    const scheduled = rooms.filter((r) => r.state === "scheduled").length;
    const demo = community.members[community.demoMember - 1];
    console.log(
      `Seeded ${count(community.members.length)} members, ${count(rooms.length)} rooms ` +
        `(${live} live now, ${scheduled} scheduled) and ${count(community.sessions.count)} ` +
        `listening sessions into ${where} in ${seconds(written - started)} ` +
        `(generating ${seconds(generated - started)}, writing ${seconds(written - generated)}).`,
    );
    console.log(`Every seeded member signs in with the password "${password}".`);
    console.log(
      `Sign in as @${demo.handle} (${demo.displayName}, an administrator) to look around.`,
    );
  } finally {
    await db.close();
  }
}

/** A flag's whole number ("100000", "100_000" or "100,000"), or undefined when not given. */
function wholeNumber(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const plain = text.replace(/[_,]/g, "");
  if (!/^-?\d+$/.test(plain)) throw new RangeError(`${flag} takes a whole number, not "${text}"`);
  return Number(plain);
}

function count(n: number): string {
  return n.toLocaleString("en-US");
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
