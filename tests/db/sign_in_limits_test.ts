import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import { firstAdmin, password } from "./support.ts";
import { type SignInKeys, signInWithLimits } from "../../db/sign_in_limits.ts";
import { Refusal } from "../../db/errors.ts";
import type { SignInLimits } from "../../config.ts";
import type { Sql } from "../../db/client.ts";

const minuteMs = 60_000;

/** Waits long enough that no test outruns them, however slow the machine. */
const limits: SignInLimits = {
  perPair: { freeFailures: 1, firstDelayMs: minuteMs, maxDelayMs: 60 * minuteMs },
  perAddress: { freeFailures: 4, firstDelayMs: minuteMs, maxDelayMs: 60 * minuteMs },
  perHandle: { freeFailures: 3, waitStepMs: 7, maxWaitMs: 20 },
  forgetAfterMs: 24 * 60 * minuteMs,
};

/** Keys as the routes would make them for `handle` from `address` (opaque to db/). */
function keys(handle: string, address: string): SignInKeys {
  return { address: `a:${address}`, handle: `h:${handle}`, pair: `p:${handle}:${address}` };
}

async function outcome(
  sql: Sql,
  attempt: { handle: string; password: string; from: string; waits?: number[] },
): Promise<"signed in" | "unauthenticated" | "rate_limited"> {
  try {
    await signInWithLimits(sql, {
      handle: attempt.handle,
      password: attempt.password,
      keys: keys(attempt.handle, attempt.from),
      limits,
      wait: (ms) => {
        attempt.waits?.push(ms);
        return Promise.resolve();
      },
    });
    return "signed in";
  } catch (error) {
    if (error instanceof Refusal && error.code !== "invalid") {
      return error.code as "unauthenticated" | "rate_limited";
    }
    throw error;
  }
}

dbTest("correct sign-ins are never counted: many in a row all succeed", async (sql) => {
  await firstAdmin(sql);
  for (let i = 0; i < 12; i++) {
    assert.equal(await outcome(sql, { handle: "ada", password, from: "home" }), "signed in");
  }
});

dbTest("a pair's failures past the free one are refused until the wait passes", async (sql) => {
  await firstAdmin(sql);
  const guess = { handle: "ada", password: "guess one two", from: "attacker" };
  assert.equal(await outcome(sql, guess), "unauthenticated");
  assert.equal(await outcome(sql, guess), "unauthenticated");
  // Refused before the password is checked: the right one is refused too.
  assert.equal(await outcome(sql, { ...guess, password }), "rate_limited");
  assert.equal(await outcome(sql, { handle: "ada", password, from: "home" }), "signed in");
});

dbTest("guesses sent all at once are counted as they arrive", async (sql) => {
  await firstAdmin(sql);
  const results = await Promise.all(
    Array.from(
      { length: 6 },
      (_, i) => outcome(sql, { handle: "ada", password: `guess ${i} at once`, from: "attacker" }),
    ),
  );
  // The free failure and the one that starts the wait are checked; the others are refused.
  assert.deepEqual(results.filter((r) => r === "unauthenticated").length, 2);
  assert.deepEqual(results.filter((r) => r === "rate_limited").length, 4);
});

dbTest("a success clears the pair, so the next typo is free again", async (sql) => {
  await firstAdmin(sql);
  const typo = { handle: "ada", password: "correct horse batery", from: "home" };
  assert.equal(await outcome(sql, typo), "unauthenticated");
  assert.equal(await outcome(sql, { ...typo, password }), "signed in");
  assert.equal(await outcome(sql, typo), "unauthenticated");
  assert.equal(await outcome(sql, { ...typo, password }), "signed in");
});

dbTest("an address failing across many handles is refused, others are not", async (sql) => {
  await firstAdmin(sql);
  for (let i = 0; i < limits.perAddress.freeFailures + 1; i++) {
    const spray = { handle: `user${i}`, password: "password one", from: "sprayer" };
    assert.equal(await outcome(sql, spray), "unauthenticated");
  }
  assert.equal(await outcome(sql, { handle: "ada", password, from: "sprayer" }), "rate_limited");
  assert.equal(await outcome(sql, { handle: "ada", password, from: "home" }), "signed in");
});

dbTest(
  "failures of one handle from many addresses slow its tries but refuse no clean address",
  async (sql) => {
    await firstAdmin(sql);
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      const guess = { handle: "ada", password: `guess ${i} anywhere`, from: `bot${i}`, waits };
      assert.equal(await outcome(sql, guess), "unauthenticated");
    }
    // Free for three failures, then 7 ms more per failure, never more than 20 ms.
    assert.deepEqual(waits, [7, 14, 20, 20]);
    const owner: number[] = [];
    assert.equal(
      await outcome(sql, { handle: "ada", password, from: "home", waits: owner }),
      "signed in",
    );
    assert.deepEqual(owner, [20]);
  },
);

dbTest("failures left alone for a day are forgotten", async (sql) => {
  await firstAdmin(sql);
  const guess = { handle: "ada", password: "guess one two", from: "attacker" };
  assert.equal(await outcome(sql, guess), "unauthenticated");
  assert.equal(await outcome(sql, guess), "unauthenticated");
  assert.equal(await outcome(sql, guess), "rate_limited");
  await sql`update sign_in_failures set last_failed_at = last_failed_at - interval '25 hours',
                                        blocked_until = blocked_until - interval '25 hours'`;
  // Counting starts again: one free failure, then the wait.
  assert.equal(await outcome(sql, guess), "unauthenticated");
  assert.equal(await outcome(sql, guess), "unauthenticated");
  assert.equal(await outcome(sql, guess), "rate_limited");
});
