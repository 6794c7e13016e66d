/**
 * What a real-browser test needs: Palabre served on a random loopback port from a fresh
 * database, Debian's Chromium driven by playwright-core, a watch on every page for console
 * errors (CSP violations among them), page errors, failed requests, unexpected 4xx/5xx and
 * serious or critical accessibility violations (axe-core, after every page load and htmx
 * swap), and screenshots a person can look at afterwards.
 *
 * @example
 * const palabre = await startPalabre("pglite");
 * const browser = await launchChromium();
 * const watch = new PageWatch();
 * const page = await watch.newPage(browser, "ada", desktop);
 * await page.goto(palabre.origin);
 * await watch.assertClean();
 */
import {
  type Browser,
  type BrowserContextOptions,
  type CDPSession,
  chromium,
  type Page,
} from "playwright-core";
import { loadConfig } from "../../config.ts";
import { buildApp } from "../../routes/app.tsx";
import { LiveHub } from "../../live/live_hub.ts";
import type { Sql } from "../../db/client.ts";
import { Trainer } from "../../recommend/training.ts";
import { type DatabaseKind, freshDatabase } from "../support/databases.ts";

/** Someone who signs up in a browser test. */
export interface Person {
  handle: string;
  displayName: string;
  password: string;
}

/** Fills the account fields shared by the set-up and sign-up forms, by their labels. */
export async function fillAccount(page: Page, person: Person): Promise<void> {
  await page.getByLabel("Handle").fill(person.handle);
  await page.getByLabel("Display name").fill(person.displayName);
  await page.getByLabel("Password").fill(person.password);
}

export const screenshotDir = new URL("./screenshots/", import.meta.url);

export const desktop: BrowserContextOptions = { viewport: { width: 1280, height: 800 } };
/** The phone the issue names: 390 px wide (an iPhone 12 to 15), the narrowest we promise. */
export const phone: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
};

const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** The Chromium to drive: `CHROMIUM_PATH` or Debian's, or undefined when neither exists. */
export function findChromium(): string | undefined {
  const path = Deno.env.get("CHROMIUM_PATH") || "/usr/bin/chromium";
  try {
    return Deno.statSync(path).isFile ? path : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether browser tests run here. Without Chromium they are skipped with a loud warning,
 * except in CI (`CI=true`), where they run and fail.
 */
export function browserTestsIgnored(): boolean {
  if (findChromium() || Deno.env.get("CI") === "true") return false;
  console.warn(
    "\n!!! Chromium not found (set CHROMIUM_PATH or apt-get install chromium): " +
      "browser tests are SKIPPED !!!\n",
  );
  return true;
}

/** Debian's Chromium, headless; `args` added to its usual flags (e.g. Hosts.chromiumArgs). */
export async function launchChromium(options: { args?: string[] } = {}): Promise<Browser> {
  return await chromium.launch({
    executablePath: chromiumPath(),
    args: [...chromiumArgs, ...options.args ?? []],
  });
}

function chromiumPath(): string {
  const executablePath = findChromium();
  if (!executablePath) {
    throw new Error(
      "Chromium not found: set CHROMIUM_PATH or install Debian's chromium package",
    );
  }
  return executablePath;
}

/**
 * A wav of `hz` lasting `seconds` (long enough for the whole test), made with sox in `dir`.
 *
 * @example
 * const wav = await toneFile(dir, 440);
 */
export async function toneFile(dir: string, hz: number, seconds = 90): Promise<string> {
  const path = `${dir}/tone${hz}.wav`;
  const sox = new Deno.Command("sox", {
    args: [
      ...["-n", "-r", "48000", "-c", "1", path],
      ...["synth", String(seconds), "sine", String(hz), "vol", "0.5"],
    ],
  });
  const { success, stderr } = await sox.output();
  if (!success) throw new Error(`sox failed: ${new TextDecoder().decode(stderr)}`);
  return path;
}

/**
 * A Chromium whose microphone plays `wav`: the fake microphone belongs to the browser process,
 * so each voice needs a browser of its own. With `allowed: false` it has no fake permission
 * prompt, and headless Chromium answers a page's request for the microphone with a refusal.
 * It plays sound without a click unless `autoplay: "browser default"`, which keeps Chromium's
 * own policy (sound only after a click on the page, or on the page that led to it), as a new
 * member's browser has it.
 *
 * @example
 * const browser = await launchWithMicrophone(await toneFile(dir, 440), true);
 * const strict = await launchWithMicrophone(wav, true, { autoplay: "browser default" });
 */
export async function launchWithMicrophone(
  wav: string,
  allowed: boolean,
  options: { autoplay?: "always" | "browser default" } = {},
): Promise<Browser> {
  return await chromium.launch({
    executablePath: chromiumPath(),
    args: [
      ...chromiumArgs,
      ...(allowed ? ["--use-fake-ui-for-media-stream"] : []),
      "--use-fake-device-for-media-stream",
      `--use-file-for-fake-audio-capture=${wav}`,
      ...(options.autoplay === "browser default"
        ? []
        : ["--autoplay-policy=no-user-gesture-required"]),
    ],
  });
}

/**
 * Runs in the page: the strongest frequency in the room audio it plays, and its level in dB,
 * from an AnalyserNode on the <audio> element's stream. Polls until `hz` dominates (or, with
 * `heard: false`, until it does not) or time is up; `heard` says what it found last.
 */
const dominantFrequency = `async ({ hz, timeoutMs, heard = true }) => {
  const player = document.querySelector(".voice-audio");
  const context = new AudioContext();
  await context.resume();
  const analyser = context.createAnalyser();
  analyser.fftSize = 8192;
  context.createMediaStreamSource(player.srcObject).connect(analyser);
  const bins = new Float32Array(analyser.frequencyBinCount);
  const binHz = context.sampleRate / analyser.fftSize;
  const deadline = Date.now() + timeoutMs;
  let best = { hz: 0, db: -Infinity, heard: false };
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    analyser.getFloatFrequencyData(bins);
    let peak = 1;
    for (let i = 1; i < bins.length; i++) if (bins[i] > bins[peak]) peak = i;
    const found = Math.abs(peak * binHz - hz) < 3 * binHz && bins[peak] > -70;
    best = { hz: peak * binHz, db: bins[peak], heard: found };
    if (found === heard) break;
  }
  await context.close();
  return best;
}`;

/**
 * Runs in the page before its scripts: reports every `play()` of a media element and how it
 * ended, on the console. Playwright runs its page scripts and locators as if the member had
 * clicked (a user gesture), which would let the page play; the console lets a test see whether
 * the page played before the test touched it.
 */
export const reportPlays = `(() => {
  const play = HTMLMediaElement.prototype.play;
  HTMLMediaElement.prototype.play = function () {
    const result = play.call(this);
    const source = this.srcObject ? "with its source" : "before its source";
    result.then(
      () => console.info("test: play ok " + source),
      (error) => console.info("test: play " + error.name + " " + source),
    );
    return result;
  };
})()`;

/**
 * Resolves when the page reports a play of the room's audio that ended with `outcome`; call it
 * before the action that should cause it. The page must run `reportPlays` first
 * (`page.addInitScript(reportPlays)`).
 *
 * @example
 * const plays = played(page, "ok");
 * await page.getByRole("link", { name: "Tuning the A" }).click();
 * await plays;
 */
export function played(page: Page, outcome: "ok" | "NotAllowedError"): Promise<unknown> {
  const text = `test: play ${outcome} with its source`;
  return page.waitForEvent("console", {
    predicate: (message) => message.text() === text,
    timeout: voiceWaitMs,
  });
}

/** What a page heard last: the loudest frequency, its level, and whether it was the one sought. */
export type Heard = { hz: number; db: number; heard: boolean };

/**
 * Waits, in `page`, until `hz` is the loudest in what it plays (or, with `heard: false`, until it
 * is not), for at most 20 s.
 *
 * @example
 * const found = await listen(page, 440, true);
 * assert.ok(found.heard, `Grace hears Ada; ${describeHeard(found)}`);
 */
export async function listen(page: Page, hz: number, heard: boolean): Promise<Heard> {
  const options = { hz, timeoutMs: 20_000, heard };
  return await page.evaluate(`(${dominantFrequency})(${JSON.stringify(options)})`) as Heard;
}

/**
 * What a page heard, in words for a failed assertion.
 *
 * @example
 * describeHeard(found); // "loudest was 439.5 Hz at -31.2 dB"
 */
export function describeHeard(found: Heard): string {
  return `loudest was ${found.hz.toFixed(1)} Hz at ${found.db.toFixed(1)} dB`;
}

/** How long a voice page may take to show what the server did (live frames, WebRTC). */
export const voiceWaitMs = 30_000;

/**
 * Opens the room at `origin`, whose audio starts on arrival (in a browser launched by
 * `launchWithMicrophone` that plays sound without a click).
 *
 * @example
 * await joinAudio(page, palabre.origin, world.publicId);
 */
export async function joinAudio(page: Page, origin: string, publicId: string): Promise<void> {
  page.setDefaultTimeout(voiceWaitMs);
  await page.goto(`${origin}/rooms/${publicId}`);
}

/**
 * Waits until the voice state line of `page` reads exactly `words`.
 *
 * @example
 * await voiceState(page, "Connected");
 */
export async function voiceState(page: Page, words: string): Promise<void> {
  await page.locator(".voice-status", { hasText: new RegExp(`^${words}$`) }).waitFor();
}

/**
 * From now on, `page` keeps every text its voice state line shows, in order, for `voiceStates`.
 *
 * @example
 * await recordVoiceStates(page);
 */
export async function recordVoiceStates(page: Page): Promise<void> {
  await page.evaluate(`(() => {
    const line = document.querySelector(".voice-status");
    window.voiceStates = [];
    new MutationObserver(() => window.voiceStates.push(line.textContent))
      .observe(line, { childList: true, characterData: true, subtree: true });
  })()`);
}

/**
 * What the page's voice state line said since `recordVoiceStates`, repeats left out.
 *
 * @example
 * assert.deepEqual(await voiceStates(page), ["Reconnecting…", "Connected"]);
 */
export async function voiceStates(page: Page): Promise<string[]> {
  const states = await page.evaluate("window.voiceStates") as string[];
  return states.filter((state, i) => state !== states[i - 1]);
}

export interface RunningPalabre {
  origin: string;
  /** The database it serves, for a scenario to fill before it opens pages. */
  sql: Sql;
  close(): Promise<void>;
}

/** Palabre on 127.0.0.1 and a random port, on a freshly migrated schema of `kind`. */
export async function startPalabre(kind: DatabaseKind): Promise<RunningPalabre> {
  const db = await freshDatabase(kind);
  const config = await loadConfig({ SECRET_KEY: "x", DATA_DIR: "/nonexistent" });
  const hub = new LiveHub({ sql: db.sql, config, events: db.events });
  hub.start();
  const trainer = new Trainer(db.sql, config.modelTraining);
  const app = buildApp({ sql: db.sql, config, hub, events: db.events, trainer });
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    (request, info) => app.fetch(request, info),
  );
  return {
    origin: `http://127.0.0.1:${server.addr.port}`,
    sql: db.sql,
    async close() {
      await trainer.stop();
      await hub.stop();
      await server.shutdown();
      await db.close();
    },
  };
}

/** axe-core's browser build (test-only), read once, when a page is first audited. */
let axeSource: Promise<string> | undefined;

/** What axe-core reports of one violation, as much as a failed test needs to name it. */
interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/** The impacts that fail a test; moderate and minor findings are advice. */
const failingImpacts = new Set(["serious", "critical"]);

/**
 * Runs axe-core on what `page` shows now and describes each serious or critical violation,
 * one a line: rule, help, the elements (CSS targets), the page's path and `label`.
 *
 * @example
 * const found = await accessibilityViolations(page, "ada");
 * assert.deepEqual(found, []);
 */
export async function accessibilityViolations(
  page: Page,
  label: string,
  options: { scriptsDisabled?: boolean } = {},
): Promise<string[]> {
  // A page of a context without JavaScript never runs a timer, and axe waits on timers: scripts
  // are let run for the audit only (the page's own scripts were skipped when it loaded and are
  // not run again), then stopped again.
  if (options.scriptsDisabled) await scriptsDisabled(page, false);
  try {
    return await auditNow(page, label);
  } finally {
    if (options.scriptsDisabled) await scriptsDisabled(page, true);
  }
}

async function scriptsDisabled(page: Page, value: boolean): Promise<void> {
  await (await auditSession(page)).send("Emulation.setScriptExecutionDisabled", { value });
}

async function auditNow(page: Page, label: string): Promise<string[]> {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern (eval would),
  // and without the user gesture Playwright's own evaluate lends the page: an audit must not be
  // what lets a page play sound (tests/browser/room_plays_test.ts watches the autoplay policy).
  if (!await evaluateUnprompted(page, "typeof window.axe === 'object'")) {
    axeSource ??= Deno.readTextFile(
      new URL("../../node_modules/axe-core/axe.min.js", import.meta.url),
    );
    await evaluateUnprompted(page, await axeSource);
  }
  const violations = await evaluateUnprompted(
    page,
    `(async () => {
      // A navigation between loading axe and this call leaves a new document without it.
      if (!window.axe) throw new Error("axe is gone: the page navigated since it was loaded");
      // A colour half-way through a transition (a chip just ticked) is no colour the page keeps.
      const settling = document.getAnimations()
        .filter((a) => a.effect?.getComputedTiming().iterations !== Infinity);
      await Promise.all(settling.map((a) => a.finished.catch(() => {})));
      const results = await window.axe.run(document, { resultTypes: ["violations"] });
      return results.violations.map(({ id, impact, help, nodes }) =>
        ({ id, impact, help, nodes: nodes.map(({ target, failureSummary }) =>
          ({ target, failureSummary })) }));
    })()`,
  ) as AxeViolation[];
  const path = new URL(page.url()).pathname;
  return violations.filter((v) => failingImpacts.has(v.impact ?? "")).map((v) =>
    `[${label}] axe ${v.impact} ${v.id} on ${path}: ${v.help}: ${
      v.nodes.map((node) => `${node.target.join(" ")} (${why(node.failureSummary)})`).join(", ")
    }`
  );
}

/** Per page, the DevTools session audits evaluate through. */
const auditSessions = new WeakMap<Page, Promise<CDPSession>>();

function auditSession(page: Page): Promise<CDPSession> {
  let session = auditSessions.get(page);
  if (!session) {
    session = page.context().newCDPSession(page);
    auditSessions.set(page, session);
  }
  return session;
}

/**
 * Evaluates `expression` in `page`'s main world as a script of the page would, without the user
 * activation `page.evaluate` grants (which would satisfy the autoplay policy for the test).
 */
async function evaluateUnprompted(page: Page, expression: string): Promise<unknown> {
  const { result, exceptionDetails } = await (await auditSession(page)).send("Runtime.evaluate", {
    expression,
    awaitPromise: true,
    returnByValue: true,
    userGesture: false,
  });
  if (exceptionDetails) {
    throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text);
  }
  return result.value;
}

/** The first reason axe gives for a node ("Element has insufficient color contrast of ..."). */
function why(summary = ""): string {
  return summary.split("\n").map((line) => line.trim()).filter(Boolean)[1] ?? summary;
}

/** htmx's log of an error on the bell's socket (views/bell.tsx, `/notifications/live`). */
const bellSocketError = /^htmx: htmx:ws:error: .*\{elt: div#bell\.bell, detail: Object\}/;
/** How near a navigation must be to a bell socket's error to have caused it. */
const navigationGraceMs = 2_000;

/** What a watched page logs when its htmx swaps have settled, asking for an audit. */
const swapsSettled = "palabre-test: htmx swaps settled";

/** How long after an htmx swap, with no other swap meanwhile, a page is audited again. */
const swapQuietMs = 300;

/** What a page that navigated or closed while axe ran says; that page is gone, not wrong. */
const pageGone =
  /Execution context was destroyed|Target (page, context or browser )?(has been )?closed|navigat/i;

/**
 * Gives `page`'s context the session in `cookie` ("name=value", as tests/live/support.ts's
 * `seedRoom` makes them) at `origin`: the page is signed in as that member.
 *
 * @example
 * await signInWith(page, palabre.origin, world.graceCookie);
 */
export async function signInWith(page: Page, origin: string, cookie: string): Promise<void> {
  const at = cookie.indexOf("=");
  await page.context().addCookies([
    { name: cookie.slice(0, at), value: cookie.slice(at + 1), url: origin },
  ]);
}

/**
 * Collects everything that went wrong on the pages it opened: `console.error` (which is how
 * Chromium reports a CSP violation), uncaught page errors, requests that failed, responses
 * of 400 or more that the scenario did not announce with `expectStatus`, and the serious or
 * critical accessibility violations axe-core finds on each page once it has loaded and after
 * its htmx swaps have settled.
 */
export class PageWatch {
  readonly problems: string[] = [];
  #expected = new Set<string>();
  /** One axe run at a time per page (axe refuses to run twice at once), chained. */
  #audits = new Map<Page, Promise<void>>();
  /** Per page, the hook that audits after htmx swaps, once it is in place. */
  #swapHooks = new Map<Page, Promise<void>>();
  /** When each page's main frame navigated (ms since the epoch). */
  #navigations = new Map<Page, number[]>();
  /** Console errors waiting to see whether their page navigated around them. */
  #settling: Promise<void>[] = [];
  /** Pages of contexts made without JavaScript. */
  #withoutScripts = new WeakSet<Page>();

  /** A page in a new browser context (its own cookies), watched from its first request. */
  async newPage(browser: Browser, label: string, options: BrowserContextOptions): Promise<Page> {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    if (options.javaScriptEnabled === false) this.#withoutScripts.add(page);
    this.watch(page, label);
    await this.#swapHooks.get(page);
    return page;
  }

  /** Watches `page` as `newPage` does; its swaps are audited from its next navigation on. */
  watch(page: Page, label: string): void {
    page.on("load", () => this.#audit(page, label, { unasked: true }));
    this.#swapHooks.set(page, this.#auditSwaps(page, label));
    page.on("console", (message) => {
      if (message.type() !== "error") return;
      const where = message.location().url;
      // Chromium logs every 4xx/5xx as a console error too; an announced one is no problem.
      const status = /^Failed to load resource: the server responded with a status of (\d+)/
        .exec(message.text())?.[1];
      if (status && where && this.#isExpected(Number(status), where)) return;
      const problem = `[${label}] console error: ${message.text()}${where ? ` (${where})` : ""}`;
      // The bell's socket, still connecting on a page the test leaves at once, is aborted by the
      // navigation and htmx logs it: no fault if the page navigated within a moment of it.
      if (bellSocketError.test(message.text())) {
        const seen = Date.now();
        this.#settling.push(new Promise((resolve) => setTimeout(resolve, navigationGraceMs)).then(
          () => {
            const navigated = this.#navigations.get(page) ?? [];
            const near = navigated.some((at) => Math.abs(at - seen) < navigationGraceMs);
            if (!near) this.problems.push(problem);
          },
        ));
        return;
      }
      this.problems.push(problem);
    });
    page.on("framenavigated", (frame) => {
      if (frame !== page.mainFrame()) return;
      this.#navigations.set(page, [...(this.#navigations.get(page) ?? []), Date.now()]);
    });
    page.on("pageerror", (error) => {
      this.problems.push(`[${label}] page error: ${error.message}`);
    });
    page.on("requestfailed", (request) => {
      const reason = request.failure()?.errorText;
      this.problems.push(
        `[${label}] request failed: ${request.method()} ${request.url()}: ${reason}`,
      );
    });
    page.on("response", (response) => {
      const status = response.status();
      if (status < 400 || this.#isExpected(status, response.url())) return;
      this.problems.push(
        `[${label}] unexpected ${status}: ${response.request().method()} ${response.url()}`,
      );
    });
  }

  /**
   * Runs axe-core on `page` as it is now (after an htmx swap, say) and keeps what it finds
   * among the problems; a page load is audited without asking.
   *
   * @example
   * await watch.audit(page, "ada");
   */
  async audit(page: Page, label: string): Promise<void> {
    await this.#audit(page, label, { unasked: false });
  }

  /**
   * Audits `page` once its htmx swaps have been quiet for a moment: every document it loads gets,
   * before its own scripts, a listener that says so on the console. Not through
   * `exposeBinding`: Playwright answers a binding by evaluating in the page with a user gesture,
   * which would satisfy the autoplay policy for the test (tests/browser/room_plays_test.ts).
   */
  async #auditSwaps(page: Page, label: string): Promise<void> {
    page.on("console", (message) => {
      if (message.type() === "debug" && message.text() === swapsSettled) {
        void this.#audit(page, label, { unasked: true });
      }
    });
    try {
      await page.addInitScript(`(() => {
        let quiet;
        document.addEventListener("htmx:after:swap", () => {
          clearTimeout(quiet);
          quiet = setTimeout(() => console.debug(${JSON.stringify(swapsSettled)}), ${swapQuietMs});
        });
      })()`);
    } catch (error) {
      this.problems.push(`[${label}] could not watch htmx swaps: ${error}`);
    }
  }

  #audit(page: Page, label: string, options: { unasked: boolean }): Promise<void> {
    const run = async () => {
      try {
        const scriptsDisabled = this.#withoutScripts.has(page);
        this.problems.push(...await accessibilityViolations(page, label, { scriptsDisabled }));
      } catch (error) {
        if (!options.unasked) throw error;
        // An audit lost to the test's next navigation: that next page gets its own.
        if (!pageGone.test(String(error))) {
          this.problems.push(`[${label}] axe could not run on ${page.url()}: ${error}`);
        }
      }
    };
    const next = (this.#audits.get(page) ?? Promise.resolve()).then(run);
    this.#audits.set(page, next.catch(() => {}));
    return next;
  }

  /** Announces that responses of `status` at `path` are what the scenario means to provoke. */
  expectStatus(status: number, path: string): void {
    this.#expected.add(`${status} ${path}`);
  }

  #isExpected(status: number, url: string): boolean {
    return this.#expected.has(`${status} ${new URL(url).pathname}`);
  }

  /**
   * Runs a test's `steps`: when one fails, prints first what the browser saw (often the cause);
   * when all pass, the browser must have seen no problem either.
   */
  async check(steps: () => Promise<void>): Promise<void> {
    try {
      await steps();
    } catch (error) {
      if (this.problems.length > 0) {
        console.error(`Before failing, the browser saw:\n${this.problems.join("\n")}`);
      }
      throw error;
    }
    await this.assertClean();
  }

  /**
   * Runs `cause` (a cut, a restart), then forgives the problems it was bound to cause: those
   * seen meanwhile that match one of `caused` (whole lines, label included). Anything else
   * stays a problem.
   */
  async excusing(caused: RegExp[], cause: () => Promise<void>): Promise<void> {
    const seenBefore = this.problems.length;
    try {
      await cause();
    } finally {
      // Errors still waiting to see a navigation belong to this window.
      await Promise.all(this.#settling);
      const during = this.problems.splice(seenBefore);
      this.problems.push(...during.filter((problem) => !caused.some((c) => c.test(problem))));
    }
  }

  /** Waits for the audits under way, then throws with every problem seen, one a line. */
  async assertClean(): Promise<void> {
    await Promise.all(this.#settling);
    await Promise.all(this.#swapHooks.values());
    await Promise.all(this.#audits.values());
    if (this.problems.length > 0) {
      throw new Error(`The browser saw problems:\n${this.problems.join("\n")}`);
    }
  }
}

/** A full-page screenshot at `tests/browser/screenshots/<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await Deno.mkdir(screenshotDir, { recursive: true });
  await page.screenshot({ path: new URL(`${name}.png`, screenshotDir).pathname, fullPage: true });
}

/**
 * Sets a marker on `window` that only a full page load would wipe, for checking that an htmx
 * swap happened in place.
 */
export async function markDocument(page: Page): Promise<void> {
  await page.evaluate("window.__marker = 1");
}

/** Whether the marker set by `markDocument` is still there (no navigation since). */
export async function documentKept(page: Page): Promise<boolean> {
  return await page.evaluate("window.__marker === 1") as boolean;
}
