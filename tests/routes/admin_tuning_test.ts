import assert from "node:assert/strict";
import type { Hono } from "hono";
import { dbTest } from "../support/databases.ts";
import {
  adminBrowser,
  Browser,
  expectStatus,
  memberBrowser,
  testApp,
} from "../support/app_client.ts";
import { seededPassword, seedSmallCommunity } from "../support/community.ts";
import type { AppEnv } from "../../routes/context.ts";
import { appliedModelId, modelVersions, startTraining } from "../../db/models.ts";
import { finishTuning, latestTuning, offeredParams, startTuning } from "../../db/tunings.ts";
import { defaultModelParams } from "../../recommend/training.ts";

const page = "/admin/recommendations";
const fragment = { "HX-Request": "true" };

async function signIn(app: Hono<AppEnv>, handle: string): Promise<Browser> {
  const browser = new Browser(app, { address: "192.0.2.31" });
  await expectStatus(browser.post("/signin", { handle, password: seededPassword }), 303);
  return browser;
}

/** The error shown under a field, if any. */
function fieldError(html: string, id: string): string | undefined {
  return html.match(new RegExp(`id="field-${id}-error"[^>]*>([^<]*)<`))?.[1];
}

/** Polls the tuning card as the page does until no tuning runs; returns the last poll. */
async function pollUntilTuned(browser: Browser, timeoutMs = 120_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const html = await (await expectStatus(browser.get(`${page}/tuning`, fragment), 200)).text();
    if (!html.includes('hx-trigger="every 1s"')) return html;
    if (Date.now() > deadline) throw new Error(`Still tuning after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

dbTest("a member who is not an administrator cannot tune nor see tunings", async (sql) => {
  const app = await testApp(sql);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace");
  await expectStatus(grace.get(`${page}/tuning`, fragment), 403);
  const refused = await expectStatus(grace.post(`${page}/tune`, { budget: "2" }), 403);
  assert.match(await refused.text(), /Only administrators may do this/);
  await expectStatus(grace.post(`${page}/tunings/1/train`), 403);
  const [{ count }] = await sql`select count(*)::int as count from tunings`;
  assert.equal(count, 0);
});

dbTest("a budget or holdout the tuner does not take gets 422 and why by the field", async (sql) => {
  const ada = await adminBrowser(await testApp(sql));
  for (const budget of ["0", "31", "1.5", "soon", ""]) {
    const html = await (await expectStatus(ada.post(`${page}/tune`, { budget }), 422)).text();
    assert.equal(
      fieldError(html, "budget"),
      "Time budget must be a whole number of minutes from 1 to 30",
    );
    assert.match(html, new RegExp(`name="budget"[^>]*aria-invalid="true"[^>]*value="${budget}"`));
  }
  const response = await expectStatus(
    ada.post(`${page}/tune`, { budget: "2", holdout: "tomorrow" }),
    422,
  );
  assert.match(fieldError(await response.text(), "tune-holdout") ?? "", /Choose how to measure/);
  assert.equal(await latestTuning(sql, 1), null);
});

dbTest(
  "a tuning while a model trains is refused with 409, and a training while it tunes",
  async (sql) => {
    const ada = await adminBrowser(await testApp(sql));
    const training = await startTraining(sql, 1, defaultModelParams, { staleMs: 60_000 });
    let response = await expectStatus(ada.post(`${page}/tune`, { budget: "2" }), 409);
    assert.match(await response.text(), /A model is training: wait for it to finish before tuning/);
    await sql`update model_versions set state = 'failed' where id = ${training}`;
    await startTuning(sql, 1, { params: defaultModelParams, budgetMinutes: 2 }, {
      staleMs: 60_000,
    });
    response = await expectStatus(ada.post(`${page}/tune`, { budget: "2" }), 409);
    assert.match(await response.text(), /A tuning is already under way/);
    const html = await (await expectStatus(ada.get(page), 200)).text();
    assert.match(html, /Tuning #1/);
    assert.match(html, /hx-get="\/admin\/recommendations\/tuning"/);
    const trained = await expectStatus(
      ada.post(`${page}/train`, {
        factors: "8",
        regularization: "0.1",
        alpha: "10",
        unobserved_weight: "1",
        regularization_exponent: "0",
        iterations: "4",
        weight_pick: "2",
        weight_follow: "3",
        weight_listen: "1",
      }),
      409,
    );
    assert.match(
      await trained.text(),
      /A tuning is under way: wait for it to finish before training/,
    );
  },
);

dbTest(
  "an administrator tunes, sees every configuration and the best, and trains with it",
  async (sql) => {
    const { admin } = await seedSmallCommunity(sql);
    const app = await testApp(sql);
    const browser = await signIn(app, admin.handle);
    const started = await expectStatus(
      browser.post(`${page}/tune`, { budget: "1", holdout: "random" }),
      303,
    );
    assert.equal(started.headers.get("Location"), `${page}#tuning`);

    const done = await pollUntilTuned(browser);
    const tuning = (await latestTuning(sql, admin.id))!;
    assert.equal(tuning.state, "tuned", tuning.error ?? "");
    assert.match(done, /Tuning #1 tried \d+ configurations over \d+ trainings, in/);
    assert.match(done, /<title id="tuning-chart-title">Recall@20 of each training<\/title>/);
    // A row per configuration, with its round, iterations and metrics; the best is marked.
    const rows = [...done.matchAll(/<tr id="trial-(\d+)"/g)];
    assert.equal(rows.length, tuning.trials.length);
    tuning.trials.forEach((trial, n) => {
      assert.match(
        done,
        new RegExp(
          `<tr id="trial-${n + 1}"[^]*?<td data-label="Round">${trial.rung + 1}</td>[^]*?` +
            `<td data-label="Iterations">${trial.iterations}</td>` +
            `<td data-label="Recall@20">${trial.recall.toFixed(3)}</td>`,
        ),
      );
    });
    assert.match(done, /<tr id="trial-\d+" class="best">/);
    assert.match(done, new RegExp(`recall@20 ${tuning.best!.recall.toFixed(3)}\\)`));
    // Nothing was trained or applied by tuning.
    assert.deepEqual(await modelVersions(sql, admin.id), []);

    const train = await expectStatus(browser.post(`${page}/tunings/${tuning.id}/train`), 303);
    assert.equal(train.headers.get("Location"), page);
    const [version] = await modelVersions(sql, admin.id);
    assert.deepEqual(version.params, offeredParams(tuning));
    assert.equal(version.params.factors, tuning.best!.params.factors);
    assert.equal(version.params.alpha, tuning.best!.params.alpha);
    assert.equal(version.params.iterations, tuning.best!.iterations);
    assert.equal(await appliedModelId(sql), null, "offered, never applied");
    // Wait for the training before the database closes.
    await expectStatus(browser.get(page), 200);
    for (let n = 0; n < 600; n++) {
      const [v] = await modelVersions(sql, admin.id);
      if (v.state !== "training") break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  },
);

dbTest("training with a tuning that has no best yet is refused with 409", async (sql) => {
  const ada = await adminBrowser(await testApp(sql));
  await startTuning(sql, 1, { params: defaultModelParams, budgetMinutes: 2 }, { staleMs: 60_000 });
  const response = await expectStatus(ada.post(`${page}/tunings/1/train`), 409);
  assert.match(await response.text(), /This tuning has no best configuration to train yet/);
  await expectStatus(ada.post(`${page}/tunings/99/train`), 404);
  assert.deepEqual(await modelVersions(sql, 1), []);
});

dbTest("“Train with these” starts a training with exactly the best configuration", async (sql) => {
  const ada = await adminBrowser(await testApp(sql));
  const base = { ...defaultModelParams, weights: { pick: 5, follow: 0, listen: 2 } };
  const id = await startTuning(sql, 1, { params: base, budgetMinutes: 2 }, { staleMs: 60_000 });
  const best = {
    rung: 1,
    params: {
      factors: 64,
      regularization: 0.01,
      alpha: 3,
      unobservedWeight: 0.1,
      regularizationExponent: 1,
    },
    iterations: 4,
    recall: 0.4,
    ndcg: 0.3,
    seconds: 1,
  };
  const worse = { ...best, rung: 0, params: { ...best.params, factors: 16 }, recall: 0.1 };
  await finishTuning(sql, id, {
    plan: { configurations: 2, rungIterations: [2, 4], trainings: 3 },
    trials: [worse, { ...best, rung: 0, iterations: 2 }, best],
    best,
    k: 20,
    outOfTime: false,
  });
  const html = await (await expectStatus(ada.get(page), 200)).text();
  assert.match(html, /Best by recall@20: 64 factors, λ 0.01, α 3, α₀ 0.1, ν 1, 4 iterations/);
  assert.match(html, /<tr id="trial-3" class="best">/);
  await expectStatus(ada.post(`${page}/tunings/${id}/train`), 303);
  const [version] = await modelVersions(sql, 1);
  assert.deepEqual(version.params, {
    factors: 64,
    regularization: 0.01,
    alpha: 3,
    unobservedWeight: 0.1,
    regularizationExponent: 1,
    iterations: 4,
    weights: { pick: 5, follow: 0, listen: 2 },
    holdout: "random",
  });
  assert.equal(await appliedModelId(sql), null, "offered, never applied");
  for (let n = 0; n < 600 && (await modelVersions(sql, 1))[0].state === "training"; n++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
});

dbTest("the tuner reads in French: its card and its refusals", async (sql) => {
  const ada = await adminBrowser(await testApp(sql));
  const french = { "Accept-Language": "fr" };
  const html = await (await expectStatus(ada.get(page, french), 200)).text();
  assert.match(html, /<h2 id="tuning-title">Régler le modèle<\/h2>/);
  assert.ok(html.includes(`<label for="field-budget">Temps accordé, en minutes</label>`));
  assert.match(html, /<button type="submit">Régler<\/button>/);
  const response = await expectStatus(ada.post(`${page}/tune`, { budget: "0" }, french), 422);
  assert.equal(
    fieldError(await response.text(), "budget"),
    "Le temps accordé doit être un nombre entier de minutes, de 1 à 30",
  );
});
