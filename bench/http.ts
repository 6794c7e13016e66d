/**
 * Signed-in page speed: requests/s and latency of the hallway (`GET /`) and a profile
 * (`GET /@handle`), against a bare `Deno.serve` "hello" loaded the same way in the same run.
 * Palabre and the hello server are child processes pinned to one core; the load generator is
 * another process on the other core. Goal: each page at 30% or more of the hello's requests/s.
 *
 * @example
 * const section = await run(); // 1-2 minutes on a quiet machine; needs nothing but Deno
 * console.log(section.summary);
 */
import { type LoadResult, loadTest } from "./load.ts";
import {
  busyCores,
  cpuPinning,
  residentMiB,
  type RunningServer,
  startServer,
  temporaryDirectory,
} from "./processes.ts";
import {
  type BenchSection,
  count,
  markdownTable,
  median,
  ms,
  percent,
  progress,
} from "./report.ts";

const settings = {
  connections: 64,
  rounds: 3,
  warmupMs: 2_000,
  durationMs: 5_000,
  requestTimeoutMs: 10_000,
  maxRequestsPerRun: 2_000_000,
  /** The first start of embedded PGlite creates its data directory: allow for a slow disk. */
  palabreStartTimeoutMs: 120_000,
  /** Each page's requests/s as a share of the bare hello's. */
  goalRatio: 0.3,
  /** A process using this share of its core or more is saturated (tells who set the baseline). */
  saturatedCpu: 0.9,
  /** CPU (in cores) other processes may use during a measured window before we call it busy. */
  quietOtherCpu: 0.25,
  /** Measurements of one round at most: one disturbed by other processes is made again. */
  attemptsPerRound: 3,
  /** How long one attempt waits for the machine to go quiet before measuring anyway. */
  quietWaitMs: 20_000,
  /** All waiting for quiet and all repeated rounds together stop after this long. */
  patienceMs: 180_000,
};

const member = { handle: "bench", displayName: "Bench Member", password: "steady load 2024" };
const topics = ["jazz", "chess", "astronomy"];
const repoRoot = new URL("..", import.meta.url).pathname;
const helloScript = new URL("./hello_server.ts", import.meta.url).pathname;
// Everything config.ts reads: the bench decides these, not the shell it was started from.
const palabreVariables = [
  "PORT",
  "HOST",
  "PRESENCE_TIMEOUT_SECONDS",
  "DATA_DIR",
  "DATABASE_URL",
  "SECRET_KEY",
  "PUBLIC_ORIGIN",
  "SECURE_COOKIES",
  "TRUST_PROXY",
  "INVITE_TTL_DAYS",
];

interface Target {
  name: string;
  server: RunningServer;
  path: string;
  headers?: Record<string, string>;
}

interface Figures {
  target: Target;
  rounds: LoadResult[];
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Server CPU time per response; null without /proc. */
  cpuMsPerRequest: number | null;
}

export async function run(): Promise<BenchSection> {
  const pinning = await cpuPinning();
  const databaseUrl = Deno.env.get("BENCH_DATABASE_URL") || undefined;
  await using dataDir = await temporaryDirectory("palabre-bench-");

  progress("http", "starting the bare Deno.serve hello server");
  await using hello = await startServer({
    name: "hello server",
    args: ["run", "--allow-net=127.0.0.1", "--allow-env=PORT", helloScript],
    cpu: pinning?.server,
  });
  progress(
    "http",
    `starting Palabre on ${
      databaseUrl ? "BENCH_DATABASE_URL" : `embedded PGlite in ${dataDir.path}`
    }`,
  );
  await using palabre = await startServer({
    name: "Palabre",
    args: ["run", "--allow-all", "main.ts"],
    cwd: repoRoot,
    env: palabreEnv(dataDir.path, databaseUrl),
    cpu: pinning?.server,
    startTimeoutMs: settings.palabreStartTimeoutMs,
  });
  progress("http", `setting up @${member.handle} through /setup and /topics`);
  const cookie = await signUpAndOnboard(palabre.port);
  await expectPage(palabre.port, "/", cookie, `href="/@${member.handle}"`);
  await expectPage(palabre.port, `/@${member.handle}`, cookie, `@${member.handle}`);

  const targets: Target[] = [
    { name: "bare `Deno.serve` hello", server: hello, path: "/" },
    { name: "hallway `GET /`", server: palabre, path: "/", headers: { Cookie: cookie } },
    {
      name: `profile \`GET /@${member.handle}\``,
      server: palabre,
      path: `/@${member.handle}`,
      headers: { Cookie: cookie },
    },
  ];
  const results = new Map<Target, LoadResult[]>(targets.map((t) => [t, []]));
  const patience: Patience = { until: performance.now() + settings.patienceMs, repeats: 0 };
  // Rounds alternate between targets so that a slow patch of the machine touches all of them.
  for (let round = 1; round <= settings.rounds; round++) {
    for (const target of targets) {
      const result = await measureQuietly(target, pinning, patience, {
        // PostgreSQL's own processes count as others: it would always look disturbed.
        retry: databaseUrl === undefined,
      });
      results.get(target)!.push(result);
      progress(
        "http",
        `round ${round}/${settings.rounds} ${target.name.replaceAll("`", "")}: ` +
          `${count(result.requestsPerSecond)} req/s, p99 ${ms(result.p99Ms)} ms, ` +
          `CPU server ${cores(result.serverCpu)} generator ${cores(result.clientCpu)} ` +
          `others ${cores(result.otherCpu)}` +
          (result.nonOk + result.transportErrors > 0
            ? `, ${result.nonOk} non-200, ${result.transportErrors} transport errors`
            : ""),
      );
    }
  }
  const palabreMiB = await residentMiB(palabre.pid);

  const figures = targets.map((target): Figures => {
    const rounds = results.get(target)!;
    return {
      target,
      rounds,
      requestsPerSecond: median(rounds.map((r) => r.requestsPerSecond)),
      p50Ms: median(rounds.map((r) => r.p50Ms)),
      p99Ms: median(rounds.map((r) => r.p99Ms)),
      cpuMsPerRequest: medianOf(
        rounds.map((r) =>
          r.serverCpu === null || r.requests === 0 ? null : r.serverCpu * 1000 / r.requestsPerSecond
        ),
      ),
    };
  });
  return section(figures, { pinning, databaseUrl, palabreMiB, repeats: patience.repeats });
}

interface Patience {
  /** When to stop waiting for quiet and measuring again. */
  until: number;
  /** Rounds measured again so far. */
  repeats: number;
}

/**
 * One round for one target, measured when other processes leave the machine alone: waits for
 * quiet, and measures again when others were busy anyway, within `patience`; keeps the attempt
 * others disturbed least.
 */
async function measureQuietly(
  target: Target,
  pinning: { server: string; client: string } | null,
  patience: Patience,
  options: { retry: boolean },
): Promise<LoadResult> {
  let best: LoadResult | null = null;
  for (let attempt = 1; attempt <= settings.attemptsPerRound; attempt++) {
    await untilQuiet(Math.min(settings.quietWaitMs, patience.until - performance.now()));
    const result = await loadTest({
      port: target.server.port,
      path: target.path,
      headers: target.headers,
      connections: settings.connections,
      warmupMs: settings.warmupMs,
      durationMs: settings.durationMs,
      requestTimeoutMs: settings.requestTimeoutMs,
      maxRequests: settings.maxRequestsPerRun,
      serverPid: target.server.pid,
      cpu: pinning?.client,
    });
    if (best === null || (result.otherCpu ?? 0) < (best.otherCpu ?? 0)) best = result;
    if (!options.retry || (result.otherCpu ?? 0) <= settings.quietOtherCpu) break;
    if (performance.now() >= patience.until) break;
    patience.repeats++;
    progress("http", `other processes used ${cores(result.otherCpu)} cores: measuring again`);
  }
  return best!;
}

/** Waits up to `maxMs` for a second in which other processes use little CPU. */
async function untilQuiet(maxMs: number): Promise<void> {
  const deadline = performance.now() + maxMs;
  let said = false;
  while (performance.now() < deadline) {
    const busy = await busyCores(1_000);
    if (busy === null || busy <= settings.quietOtherCpu) return;
    if (!said) progress("http", `waiting for other processes (${cores(busy)} cores busy)`);
    said = true;
  }
}

function section(
  figures: Figures[],
  context: {
    pinning: { server: string; client: string } | null;
    databaseUrl: string | undefined;
    palabreMiB: number | null;
    repeats: number;
  },
): BenchSection {
  const [baseline, ...pages] = figures;
  const ratio = (f: Figures) => f.requestsPerSecond / baseline.requestsPerSecond;
  const missed = pages.filter((f) => ratio(f) < settings.goalRatio);

  const problems: string[] = [];
  for (const f of figures) {
    const nonOk = sum(f.rounds.map((r) => r.nonOk));
    const transport = sum(f.rounds.map((r) => r.transportErrors));
    if (nonOk > 0) {
      const statuses = mergeCounts(f.rounds.map((r) => r.statuses));
      problems.push(
        `${f.target.name}: ${count(nonOk)} responses were not 200 ` +
          `(${Object.entries(statuses).map(([s, n]) => `${n} x ${s}`).join(", ")})`,
      );
    }
    if (transport > 0) {
      const first = f.rounds.find((r) => r.firstError)?.firstError;
      problems.push(`${f.target.name}: ${count(transport)} connection errors (first: ${first})`);
    } // A round that answered nothing measured nothing: its 0 req/s must not make a median.
    const empty = f.rounds.filter((r) => r.requests === 0).length;
    if (empty > 0) problems.push(`${f.target.name}: ${empty} round(s) got no response at all`);
  }

  const table = markdownTable(
    [
      "Target",
      "req/s",
      "p50 ms",
      "p99 ms",
      "vs hello",
      "req/s range",
      "server CPU",
      "CPU ms/req",
      "bytes",
    ],
    figures.map((f) => {
      const perSecond = f.rounds.map((r) => r.requestsPerSecond);
      const cpu = medianOf(f.rounds.map((r) => r.serverCpu));
      return [
        f.target.name,
        count(f.requestsPerSecond),
        ms(f.p50Ms),
        ms(f.p99Ms),
        f === baseline ? "100%" : percent(ratio(f)),
        `${count(Math.min(...perSecond))}-${count(Math.max(...perSecond))}`,
        cpu === null ? "n/a" : percent(cpu),
        f.cpuMsPerRequest === null ? "n/a" : f.cpuMsPerRequest.toFixed(3),
        count(median(f.rounds.map((r) => r.bytesPerResponse))),
      ];
    }),
    ["left", "right", "right", "right", "right", "right", "right", "right", "right"],
  );

  const goal = `${settings.goalRatio * 100}%`;
  const verdict = missed.length === 0
    ? "**met**"
    : `**not met** (${pages.map((f) => `${shortName(f)} ${percent(ratio(f))}`).join(", ")})`;

  const helloCpu = medianOf(baseline.rounds.map((r) => r.serverCpu));
  const generatorCpu = medianOf(baseline.rounds.map((r) => r.clientCpu));
  const otherCpu = figures.flatMap((f) => f.rounds.map((r) => r.otherCpu))
    .filter((c) => c !== null);
  const busy = context.databaseUrl === undefined && otherCpu.length > 0 &&
    median(otherCpu) > settings.quietOtherCpu;
  const notes = [
    `Goal: each signed-in page at ${goal} or more of the bare hello's requests/s, measured in ` +
    `the same run: ${verdict}.`,
    "",
    table,
    "",
    `Each figure is the median of ${settings.rounds} rounds; rounds alternate between targets. ` +
    `A round is ${settings.connections} keep-alive HTTP/1.1 connections, each sending one ` +
    `request at a time, for ${settings.warmupMs / 1000} s of warm-up and then ` +
    `${settings.durationMs / 1000} s measured; every response in the window is timed. ` +
    `"vs hello" is this page's req/s over the hello's; "req/s range" is the slowest and fastest ` +
    `round; "server CPU" is the share of one core the server process used while measured, and ` +
    `"CPU ms/req" that CPU time per response (it suffers less than req/s when other processes ` +
    `are busy); ` +
    `"bytes" is one response, headers included.` +
    (context.repeats > 0
      ? ` ${context.repeats} rounds were measured again because other processes were busy.`
      : ""),
    ...cpuComparison(baseline, pages),
    "",
    context.pinning
      ? `The servers ran pinned to CPU ${context.pinning.server} and the load generator ` +
        `(bench/load.ts, its own process) to CPU ${context.pinning.client}, with \`taskset\`.`
      : "The servers and the load generator (bench/load.ts, its own process) ran unpinned: " +
        "`taskset` or a second core was missing, so they competed for the CPU.",
    `Palabre ran \`main.ts\` on ${
      context.databaseUrl
        ? "the PostgreSQL in `BENCH_DATABASE_URL` (its CPU time counts under others)"
        : "embedded PGlite in a fresh temporary directory"
    }, signed in as @${member.handle} with ${topics.length} topics picked` +
    (context.palabreMiB === null
      ? "."
      : `; it held ${count(context.palabreMiB)} MiB resident after the run.`),
  ];
  if (busy) {
    notes.push(
      "",
      `Caution: other processes kept ${cores(median(otherCpu))} cores busy (median over ` +
        `the measured windows; at most ${cores(Math.max(...otherCpu))}), so these figures are ` +
        "lower and noisier than this machine gives when quiet. Run again with nothing else busy.",
    );
  }
  if (
    helloCpu !== null && generatorCpu !== null && helloCpu < settings.saturatedCpu &&
    generatorCpu >= settings.saturatedCpu
  ) {
    notes.push(
      "",
      `Caution: the load generator kept its core busy (${cores(generatorCpu)}) while the hello ` +
        `server used ${percent(helloCpu)} of its own, so the generator, not the server, set ` +
        "the baseline: the ratios above are higher than the servers alone would give.",
    );
  }
  if (problems.length > 0) {
    notes.push(
      "",
      "**This run is not valid:**",
      "",
      ...problems.map((p) => `- ${p}`),
    );
  }

  const summary = pages.map((f) =>
    `${shortName(f)} ${count(f.requestsPerSecond)} req/s ` +
    `(${percent(ratio(f))} of hello, p99 ${ms(f.p99Ms)} ms)`
  ).join(", ") +
    `; goal ${goal} ${missed.length === 0 ? "met" : "not met"}` +
    (busy ? " (machine was busy: figures disturbed)" : "");

  return {
    title: "HTTP: signed-in pages against a bare Deno.serve",
    summary,
    body: notes.join("\n"),
    problems,
  };
}

/** The environment Palabre gets: ours without its own settings, plus a fresh data directory. */
function palabreEnv(dataDir: string, databaseUrl: string | undefined): Record<string, string> {
  const env = Deno.env.toObject();
  for (const name of palabreVariables) delete env[name];
  env.DATA_DIR = dataDir;
  env.HOST = "127.0.0.1";
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  return env;
}

/** Creates the first member through /setup, picks topics through /topics; returns the cookie. */
async function signUpAndOnboard(port: number): Promise<string> {
  const origin = `http://127.0.0.1:${port}`;
  const setup = await fetch(`${origin}/setup`, {
    method: "POST",
    headers: { Origin: origin },
    body: new URLSearchParams({
      handle: member.handle,
      display_name: member.displayName,
      password: member.password,
    }),
    redirect: "manual",
  });
  await setup.body?.cancel();
  if (setup.status === 404) {
    throw new Error(
      "Palabre is already set up in this database: BENCH_DATABASE_URL must name an empty one",
    );
  }
  if (setup.status !== 303) throw new Error(`POST /setup answered ${setup.status}, not 303`);
  const cookie = setup.headers.getSetCookie()
    .map((c) => c.split(";")[0])
    .find((c) => c.startsWith("palabre_session="));
  if (!cookie) throw new Error("POST /setup set no palabre_session cookie");

  const picks = await fetch(`${origin}/topics`, {
    method: "POST",
    headers: { Origin: origin, Cookie: cookie },
    body: new URLSearchParams(topics.map((t) => ["topic", t])),
    redirect: "manual",
  });
  await picks.body?.cancel();
  if (picks.status !== 303) throw new Error(`POST /topics answered ${picks.status}, not 303`);
  return cookie;
}

/** Checks, before loading it, that `path` is the signed-in page and not a redirect or error. */
async function expectPage(port: number, path: string, cookie: string, marker: string) {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    headers: { Cookie: cookie },
    redirect: "manual",
  });
  const body = await response.text();
  if (response.status !== 200 || !body.includes(marker)) {
    throw new Error(
      `GET ${path} as @${member.handle} answered ${response.status} without "${marker}"`,
    );
  }
}

/** The same comparison by CPU time per response, which other processes disturb less. */
function cpuComparison(baseline: Figures, pages: Figures[]): string[] {
  const base = baseline.cpuMsPerRequest;
  if (base === null || pages.some((f) => f.cpuMsPerRequest === null)) return [];
  const times = pages.map((f) => `${shortName(f)} ${(f.cpuMsPerRequest! / base).toFixed(0)}`);
  return [
    "",
    `By server CPU time per response, each page costs this many times the hello: ` +
    `${times.join(", ")}.`,
  ];
}

/** "hallway" for "hallway `GET /`". */
function shortName(f: Figures): string {
  return f.target.name.replace(/ `.*`$/, "");
}

/** CPU use in cores, e.g. "0.97". */
function cores(cpu: number | null): string {
  return cpu === null ? "n/a" : cpu.toFixed(2);
}

function medianOf(values: (number | null)[]): number | null {
  const known = values.filter((v) => v !== null);
  return known.length > 0 ? median(known) : null;
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function mergeCounts(counts: Record<string, number>[]): Record<string, number> {
  const merged: Record<string, number> = {};
  for (const c of counts) {
    for (const [key, n] of Object.entries(c)) merged[key] = (merged[key] ?? 0) + n;
  }
  return merged;
}
