/**
 * Rate limits as tests see them: the configured allowances, and a way to keep a test from
 * straddling the end of a counting window.
 *
 * @example
 * await awayFromWindowEnd(rateLimits.signUpPerAddress.windowMs);
 */
import { loadConfig } from "../../config.ts";

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
