/**
 * Rate limits as tests see them: the configured allowances, a way to keep a test from
 * straddling the end of a counting window, and sign-in waits a test can outlast on purpose.
 *
 * @example
 * await awayFromWindowEnd(rateLimits.signUpPerAddress.windowMs);
 * const app = await configuredTestApp(sql, { configure: longSignInWaits });
 */
import { type Config, loadConfig } from "../../config.ts";
import type { Sql } from "../../db/client.ts";

export const { rateLimits } = await loadConfig({
  SECRET_KEY: "test-secret",
  DATA_DIR: "/nonexistent",
});

/**
 * Limits count in fixed windows, so a test crossing the end of one would start counting again:
 * when the current window is about to end, wait for the next one.
 */
export async function awayFromWindowEnd(windowMs: number, marginMs = 60_000): Promise<void> {
  const left = windowMs - (Date.now() % windowMs);
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 100));
}

/**
 * Sign-in waits of a minute and more: no test outruns them, however slow the machine, and
 * `waitOutSignInWaits` stands for the time passing.
 */
export function longSignInWaits(config: Config): void {
  config.rateLimits.signIn.perPair.firstDelayMs = 60_000;
  config.rateLimits.signIn.perAddress.firstDelayMs = 60_000;
}

/** As if every sign-in wait had passed. */
export async function waitOutSignInWaits(sql: Sql): Promise<void> {
  await sql`update sign_in_failures set blocked_until = least(blocked_until, now())`;
}
