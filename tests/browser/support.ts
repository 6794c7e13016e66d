/**
 * What a real-browser test needs: Palabre served on a random loopback port from a fresh
 * database, Debian's Chromium driven by playwright-core, a watch on every page for console
 * errors (CSP violations among them), page errors, failed requests and unexpected 4xx/5xx,
 * and screenshots a person can look at afterwards.
 *
 * @example
 * const palabre = await startPalabre("pglite");
 * const browser = await launchChromium();
 * const watch = new PageWatch();
 * const page = await watch.newPage(browser, "ada", desktop);
 * await page.goto(palabre.origin);
 * watch.assertClean();
 */
import { type Browser, type BrowserContextOptions, chromium, type Page } from "playwright-core";
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
export const phone: BrowserContextOptions = {
  viewport: { width: 375, height: 812 },
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
  const executablePath = findChromium();
  if (!executablePath) {
    throw new Error(
      "Chromium not found: set CHROMIUM_PATH or install Debian's chromium package",
    );
  }
  return await chromium.launch({
    executablePath,
    args: [...chromiumArgs, ...options.args ?? []],
  });
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

/**
 * Collects everything that went wrong on the pages it opened: `console.error` (which is how
 * Chromium reports a CSP violation), uncaught page errors, requests that failed, and responses
 * of 400 or more that the scenario did not announce with `expectStatus`.
 */
export class PageWatch {
  readonly problems: string[] = [];
  #expected = new Set<string>();

  /** A page in a new browser context (its own cookies), watched from its first request. */
  async newPage(browser: Browser, label: string, options: BrowserContextOptions): Promise<Page> {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    this.watch(page, label);
    return page;
  }

  watch(page: Page, label: string): void {
    page.on("console", (message) => {
      if (message.type() !== "error") return;
      const where = message.location().url;
      // Chromium logs every 4xx/5xx as a console error too; an announced one is no problem.
      const status = /^Failed to load resource: the server responded with a status of (\d+)/
        .exec(message.text())?.[1];
      if (status && where && this.#isExpected(Number(status), where)) return;
      this.problems.push(
        `[${label}] console error: ${message.text()}${where ? ` (${where})` : ""}`,
      );
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
    this.assertClean();
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
      const during = this.problems.splice(seenBefore);
      this.problems.push(...during.filter((problem) => !caused.some((c) => c.test(problem))));
    }
  }

  /** Throws with every problem seen, one a line. */
  assertClean(): void {
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
