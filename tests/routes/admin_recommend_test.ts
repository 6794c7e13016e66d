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
import { finishTraining, modelVersions, startTraining } from "../../db/models.ts";
import type { Sql } from "../../db/client.ts";
import type { HoldoutSpec } from "../../vocabulary/holdouts.ts";
import { savedRankWeights } from "../../db/site_settings.ts";
import { defaultModelParams } from "../../recommend/training.ts";
import { defaultRankWeights } from "../../recommend/rank.ts";
import {
  knobLimits,
  knobRangeWord,
  knobWord,
  modelKnobs,
  rankKnobs,
} from "../../vocabulary/knobs.ts";
import { english } from "../../i18n/translate.ts";

const page = "/admin/recommendations";
const fragment = { "HX-Request": "true" };
const trainForm = {
  factors: "8",
  regularization: "0.1",
  alpha: "10",
  unobserved_weight: "1",
  regularization_exponent: "0",
  iterations: "4",
  weight_pick: "2",
  weight_follow: "3",
  weight_listen: "1",
};

/** The weights form as the page fills it, with the defaults. */
const weightsForm: Record<string, string> = {
  rank_model: "1",
  rank_topic_share: "0.5",
  rank_followed_on_stage: "0.6",
  rank_picked_topic: "0.3",
  rank_size: "0.05",
  rank_freshness: "0.1",
  rank_freshness_half_life: "30",
  rank_language: "0.2",
  rank_not_interested: "10",
  rank_repeated_topic: "0.15",
};

/** The error shown under a field, if any. */
function fieldError(html: string, name: string): string | undefined {
  return html.match(new RegExp(`id="field-${name}-error"[^>]*>([^<]*)<`))?.[1];
}

async function signIn(app: Hono<AppEnv>, handle: string): Promise<Browser> {
  const browser = new Browser(app, { address: "192.0.2.30" });
  await expectStatus(browser.post("/signin", { handle, password: seededPassword }), 303);
  return browser;
}

/** Polls the training card as the page does until no version trains; returns the last poll. */
async function pollUntilDone(browser: Browser, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const html = await (await expectStatus(browser.get(`${page}/training`, fragment), 200)).text();
    if (!html.includes('hx-trigger="every 1s"')) return html;
    if (Date.now() > deadline) throw new Error(`Still training after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

dbTest("a member who is not an administrator is refused the page and every action", async (sql) => {
  const app = await testApp(sql);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace");
  const refused = await expectStatus(grace.get(page), 403);
  assert.match(await refused.text(), /Only administrators may do this/);
  await expectStatus(grace.get(`${page}/training`, fragment), 403);
  await expectStatus(grace.post(`${page}/train`, trainForm), 403);
  await expectStatus(grace.post(`${page}/weights`, { ...weightsForm, rank_size: "5" }), 403);
  await expectStatus(grace.post(`${page}/versions/1/apply`), 403);
  await expectStatus(grace.post(`${page}/rollback`), 403);
  const [{ count }] = await sql`select count(*)::int as count from model_versions`;
  assert.equal(count, 0);
  assert.deepEqual(await savedRankWeights(sql), {});
});

dbTest("a guest is sent to sign in", async (sql) => {
  const app = await testApp(sql);
  await adminBrowser(app);
  const response = await expectStatus(new Browser(app).get(page), 303);
  assert.equal(response.headers.get("Location"), `/signin?next=${encodeURIComponent(page)}`);
});

dbTest("the page offers the default parameters and weights before any training", async (sql) => {
  const ada = await adminBrowser(await testApp(sql));
  const html = await (await expectStatus(ada.get(page), 200)).text();
  assert.match(html, new RegExp(`name="factors"[^>]*value="${defaultModelParams.factors}"`));
  assert.match(html, /name="rank_freshness_half_life"[^>]*value="30"/);
  assert.match(html, /No model has been trained yet/);
  assert.match(html, /href="\/admin\/recommendations" aria-current="page"/);
});

dbTest("training parameters out of range get 422 and the message by the field", async (sql) => {
  const ada = await adminBrowser(await testApp(sql));
  let response = await expectStatus(ada.post(`${page}/train`, { ...trainForm, factors: "1" }), 422);
  let html = await response.text();
  assert.equal(fieldError(html, "factors"), "Factors must be a whole number from 2 to 256");
  assert.match(html, /name="factors"[^>]*aria-invalid="true"[^>]*value="1"/);
  assert.match(html, /name="alpha"[^>]*value="10"/, "the other values are kept");

  response = await expectStatus(ada.post(`${page}/train`, { ...trainForm, alpha: "lots" }), 422);
  html = await response.text();
  assert.equal(fieldError(html, "alpha"), "Alpha must be a number above 0, at most 10000");
  response = await expectStatus(
    ada.post(`${page}/train`, { ...trainForm, weight_follow: "" }),
    422,
  );
  assert.match(fieldError(await response.text(), "weight_follow") ?? "", /A follow must weigh/);
  assert.deepEqual(await modelVersions(sql, 1), []);
});

dbTest("a training while another process trains is refused with 409 and why", async (sql) => {
  const ada = await adminBrowser(await testApp(sql));
  await startTraining(sql, 1, defaultModelParams, { staleMs: 60_000 });
  const response = await expectStatus(ada.post(`${page}/train`, trainForm), 409);
  assert.match(await response.text(), /A model is already training: wait for it to finish/);
  const html = await (await expectStatus(ada.get(page), 200)).text();
  assert.match(html, /Training model #1/);
  assert.match(html, /hx-get="\/admin\/recommendations\/training"/);
  assert.match(html, /<progress/);
});

dbTest("applying a version that is still training is refused with a readable 409", async (sql) => {
  const ada = await adminBrowser(await testApp(sql));
  const id = await startTraining(sql, 1, defaultModelParams, { staleMs: 60_000 });
  const response = await expectStatus(ada.post(`${page}/versions/${id}/apply`), 409);
  assert.match(await response.text(), /only a trained model can be applied/);
  await expectStatus(ada.post(`${page}/versions/999/apply`), 404);
  const rollBack = await expectStatus(ada.post(`${page}/rollback`), 409);
  assert.match(await rollBack.text(), /No earlier model was ever applied/);
  const inFrench = await expectStatus(
    ada.post(`${page}/rollback`, {}, { "Accept-Language": "fr" }),
    409,
  );
  assert.match(await inFrench.text(), /Aucun modèle précédent n’a jamais été appliqué/);
});

dbTest("ranking weights out of range get 422 by the field; good ones are saved", async (sql) => {
  const ada = await adminBrowser(await testApp(sql));
  const response = await expectStatus(
    ada.post(`${page}/weights`, { ...weightsForm, rank_topic_share: "2" }),
    422,
  );
  const html = await response.text();
  assert.equal(
    fieldError(html, "rank_topic_share"),
    "Topics&#39; share of a room must be a number from 0 to 1",
  );
  assert.match(html, /name="rank_topic_share"[^>]*value="2"/);
  assert.deepEqual(await savedRankWeights(sql), {});

  await expectStatus(
    ada.post(`${page}/weights`, {
      ...weightsForm,
      rank_size: "0.25",
      rank_freshness_half_life: "90",
    }),
    303,
  );
  assert.deepEqual(await savedRankWeights(sql), {
    ...defaultRankWeights,
    size: 0.25,
    freshnessHalfLifeMs: 90 * 60_000,
  });
  const saved = await (await expectStatus(ada.get(`${page}?done=weights`), 200)).text();
  assert.match(saved, /Ranking weights saved/);
  assert.match(saved, /name="rank_size"[^>]*value="0.25"/);
});

dbTest(
  "an administrator trains a model, sees it finish with metrics, and applies it",
  async (sql) => {
    const { admin } = await seedSmallCommunity(sql);
    const app = await testApp(sql);
    const browser = await signIn(app, admin.handle);
    const started = await expectStatus(browser.post(`${page}/train`, trainForm), 303);
    assert.equal(started.headers.get("Location"), page);

    const done = await pollUntilDone(browser);
    assert.match(done, /id="versions"[^>]*hx-swap-oob="true"/, "the finished version comes along");
    assert.match(done, /Model #1 was trained in/);
    assert.match(done, /<span class="state trained">trained<\/span>/);
    assert.match(done, /<title id="chart-recall-title">Recall@20 per model version<\/title>/);
    assert.match(done, /<title id="version-loss-title">Loss per iteration, model #1<\/title>/);
    assert.match(done, /aria-label="Apply model #1"/);
    const [version] = await modelVersions(sql, admin.id);
    const als = version.metrics!.results[0];
    assert.match(
      done,
      new RegExp(
        `<th scope="row">Model</th><td>${als.recall.toFixed(3)}</td>` +
          `<td>${als.ndcg.toFixed(3)}</td>`,
      ),
    );

    const applied = await expectStatus(browser.post(`${page}/versions/1/apply`), 303);
    assert.equal(applied.headers.get("Location"), `${page}?done=applied`);
    const html = await (await expectStatus(browser.get(`${page}?done=applied`), 200)).text();
    assert.match(html, /Model applied: every hallway uses it now/);
    assert.match(html, /Model #1 is in use/);
    assert.match(html, /<span class="badge">In use<\/span>/);
    assert.doesNotMatch(html, /aria-label="Apply model #1"/);
  },
);

dbTest(
  "a model trains with the weight of absences and the regularization exponent asked",
  async (sql) => {
    const { admin } = await seedSmallCommunity(sql);
    const browser = await signIn(await testApp(sql), admin.handle);
    let response = await expectStatus(
      browser.post(`${page}/train`, { ...trainForm, unobserved_weight: "0" }),
      422,
    );
    assert.equal(
      fieldError(await response.text(), "unobserved_weight"),
      "The weight of absences must be a number above 0, at most 100",
    );
    response = await expectStatus(
      browser.post(`${page}/train`, { ...trainForm, regularization_exponent: "3" }),
      422,
    );
    assert.equal(
      fieldError(await response.text(), "regularization_exponent"),
      "The regularization exponent must be a number from 0 to 2",
    );
    assert.deepEqual(await modelVersions(sql, admin.id), []);

    const asked = {
      ...trainForm,
      iterations: "2",
      unobserved_weight: "0.5",
      regularization_exponent: "1",
    };
    await expectStatus(browser.post(`${page}/train`, asked), 303);
    await pollUntilDone(browser);
    const [version] = await modelVersions(sql, admin.id);
    assert.equal(version.state, "trained", version.error ?? "");
    assert.equal(version.params.unobservedWeight, 0.5);
    assert.equal(version.params.regularizationExponent, 1);
    const html = await (await expectStatus(browser.get(page), 200)).text();
    assert.match(html, /listen 1; absences weigh 0.5, regularization exponent 1/);
    assert.match(
      html,
      /name="unobserved_weight"[^>]*value="0.5"/,
      "the next training starts there",
    );
    assert.match(html, /name="regularization_exponent"[^>]*value="1"/);
  },
);

dbTest("every knob's field shows its label, range and hint by the knob's key", async (sql) => {
  const ada = await adminBrowser(await testApp(sql));
  const html = await (await expectStatus(ada.get(page), 200)).text();
  const escaped = (text: string) => text.replaceAll("&", "&amp;").replaceAll("'", "&#39;");
  const { t } = english;
  for (const knob of [...modelKnobs, ...rankKnobs]) {
    const label = t(knobWord(knob, "label"));
    assert.ok(html.includes(`<label for="field-${knob.field}">${escaped(label)}</label>`));
    const hint = html.match(new RegExp(`id="field-${knob.field}-hint"[^>]*>([^<]*)<`))?.[1];
    const range = t(knobRangeWord(knob), knobLimits(knob));
    assert.equal(hint, escaped(`${range}. ${t(knobWord(knob, "hint"))}`), knob.key);
  }
  assert.ok(html.includes(`<label for="field-factors">Factors</label>`));
  assert.ok(html.includes(`>2 to 256. More tell finer tastes apart, and train slower.<`));
});

dbTest("the knobs read in French: labels, ranges, hints and refusals", async (sql) => {
  const ada = await adminBrowser(await testApp(sql));
  const french = { "Accept-Language": "fr" };
  const html = await (await expectStatus(ada.get(page, french), 200)).text();
  assert.ok(html.includes(`<label for="field-factors">Facteurs</label>`));
  assert.ok(html.includes(`<label for="field-rank_freshness_half_life">Demi-vie de la fraîcheur<`));
  assert.match(
    html,
    />De 1 à 10080 minutes\. Le temps que met la fraîcheur à diminuer de moitié\.</,
  );
  assert.match(html, />Au-dessus de 0, au plus 10000\. Combien un signal compte de plus que/);
  let response = await expectStatus(
    ada.post(`${page}/train`, { ...trainForm, factors: "1" }, french),
    422,
  );
  assert.equal(
    fieldError(await response.text(), "factors"),
    "Le nombre de facteurs doit être un entier de 2 à 256",
  );
  response = await expectStatus(
    ada.post(`${page}/weights`, { ...weightsForm, rank_topic_share: "2" }, french),
    422,
  );
  assert.equal(
    fieldError(await response.text(), "rank_topic_share"),
    "La part des sujets d’un salon doit être un nombre de 0 à 1",
  );
});

dbTest(
  "no weight is offered for people blocked on stage: their rooms never reach the hallway",
  async (sql) => {
    const ada = await adminBrowser(await testApp(sql));
    const html = await (await expectStatus(ada.get(page), 200)).text();
    assert.doesNotMatch(html, /blocked_on_stage|Blocked on stage/);
    await expectStatus(ada.post(`${page}/weights`, weightsForm), 303);
    assert.deepEqual(await savedRankWeights(sql), defaultRankWeights);
  },
);

/** A trained version whose metrics were measured as `holdout` says (none: stored before it was). */
async function versionMeasured(sql: Sql, holdout?: HoldoutSpec): Promise<number> {
  const id = await startTraining(sql, 1, defaultModelParams, { staleMs: 60_000 });
  await finishTraining(sql, id, {
    factors: 2,
    memberIds: [1],
    items: [{ kind: "topic", id: 1 }],
    memberFactors: Float32Array.of(1, 0),
    itemFactors: Float32Array.of(0, 1),
    loss: [2, 1],
    metrics: {
      k: 20,
      ...(holdout ? { holdout } : { splitAt: Date.UTC(2026, 0, 15) }),
      results: [{ name: "als", recall: 0.5, ndcg: 0.4, members: 3 }],
      members: 1,
      items: 1,
      interactions: 1,
      seconds: 1,
    },
  });
  return id;
}

dbTest("each version says in words how its metrics were measured", async (sql) => {
  const ada = await adminBrowser(await testApp(sql));
  await versionMeasured(sql);
  await versionMeasured(sql, { mode: "random", share: 0.2, seed: 7, keepSeen: false });
  await versionMeasured(sql, { mode: "time", splitAt: Date.UTC(2026, 10, 20), keepSeen: false });
  const html = await (await expectStatus(ada.get(page), 200)).text();
  const said = (id: number) =>
    html.match(new RegExp(`id="version-${id}"[\\s\\S]*?class="small muted holdout">([^<]*)<`))?.[1];
  assert.equal(
    said(1),
    "Measured on listening after Jan 15, 2026 (a time split), items already seen kept",
  );
  assert.equal(
    said(2),
    "Measured on a random 20% of each member&#39;s items (seed 7), items already seen left out",
  );
  assert.equal(
    said(3),
    "Measured on listening after Nov 20, 2026 (a time split), items already seen left out",
  );

  const french = await (await expectStatus(ada.get(page, { "Accept-Language": "fr" }), 200)).text();
  const dit = (id: number) =>
    french.match(new RegExp(`id="version-${id}"[\\s\\S]*?class="small muted holdout">([^<]*)<`))
      ?.[1];
  assert.equal(
    dit(1),
    "Mesuré sur l’écoute après le 15 janv. 2026 (découpage dans le temps), éléments déjà vus gardés",
  );
  // The percent sign is set apart the French way (a no-break space).
  assert.match(
    dit(2) ?? "",
    /^Mesuré sur 20\s% au hasard des éléments de chaque membre \(graine 7\), éléments déjà vus laissés de côté$/,
  );
});

dbTest("the training form offers both holdouts, the random one first and chosen", async (sql) => {
  const { admin } = await seedSmallCommunity(sql);
  const browser = await signIn(await testApp(sql), admin.handle);
  let html = await (await expectStatus(browser.get(page), 200)).text();
  assert.match(
    html,
    /<select id="field-holdout" name="holdout"[^>]*><option value="random" selected>A random share of each member&#39;s items<\/option><option value="time" ?>The most recent history \(a time split\)<\/option><\/select>/,
  );
  assert.match(html, /id="field-holdout-hint">A random share works on any history/);

  await expectStatus(browser.post(`${page}/train`, { ...trainForm, holdout: "time" }), 303);
  html = await pollUntilDone(browser);
  const [version] = await modelVersions(sql, admin.id);
  assert.equal(version.params.holdout, "time");
  assert.equal(version.metrics?.holdout.mode, "time");
  assert.match(
    html,
    /class="small muted holdout">Measured on listening after [^<]*\(a time split\), items already seen left out</,
  );
  assert.match(html, /<option value="time" selected>/, "the form keeps the last choice");
});

dbTest("a holdout that is not offered gets 422 and the message by the field", async (sql) => {
  const ada = await adminBrowser(await testApp(sql));
  const response = await expectStatus(
    ada.post(`${page}/train`, { ...trainForm, holdout: "weekly" }),
    422,
  );
  const html = await response.text();
  assert.equal(
    fieldError(html, "holdout"),
    "Choose how to measure the model: a random share or a time split",
  );
  assert.match(html, /name="factors"[^>]*value="8"/, "the other values are kept");
  const inFrench = await expectStatus(
    ada.post(`${page}/train`, { ...trainForm, holdout: "weekly" }, { "Accept-Language": "fr" }),
    422,
  );
  assert.equal(
    fieldError(await inFrench.text(), "holdout"),
    "Choisissez comment mesurer le modèle\u00a0: une part au hasard ou un découpage dans le temps",
  );
  assert.deepEqual(await modelVersions(sql, 1), []);
});
