import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import {
  adminBrowser,
  Browser,
  expectStatus,
  memberBrowser,
  origin,
  testApp,
} from "../support/app_client.ts";

const evil = { Origin: "https://evil.example" };

const unsafeRoutes = [
  "/setup",
  "/signin",
  "/signout",
  "/signout/everywhere",
  "/waitlist",
  "/join/AAAAAAAAAAAAAAAAAAAAAAAAAAAA",
  "/topics",
  "/settings",
  "/settings/delete",
  "/invites",
  "/invites/1/revoke",
  "/@ada/follow",
  "/@ada/unfollow",
  "/admin/settings",
  "/admin/waitlist/1/invite",
];

/** Routes that read a form, with a form each would accept. */
const formRoutes: Record<string, Record<string, string>> = {
  "/signin": { handle: "ada", password: "correct horse 1" },
  "/waitlist": { name: "Lin", contact: "lin@example.org" },
  "/topics": { topic: "jazz" },
  "/settings": { display_name: "Ada", bio: "" },
  "/admin/settings": { invites_per_member: "3" },
};

dbTest("a cross-site post is refused with 403 on every unsafe route", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  await memberBrowser(app, ada, "grace");
  for (const path of unsafeRoutes) {
    const response = await ada.post(path, {}, evil);
    assert.equal(response.status, 403, `${path} answered ${response.status}`);
    assert.match(await response.text(), /Cross-site request refused/);
  }
});

dbTest("a cross-site follow changes nothing", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace");
  await expectStatus(grace.post("/@ada/follow", {}, evil), 403);
  assert.equal((await sql`select count(*)::int as n from follows`)[0].n, 0);
});

dbTest("a cross-site sign-in sets no cookie", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  const browser = new Browser(app);
  const response = await expectStatus(
    browser.post("/signin", { handle: "ada", password: "correct horse 1" }, evil),
    403,
  );
  assert.deepEqual(response.headers.getSetCookie(), []);
});

dbTest("a cross-site settings change is refused and changes nothing", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  await expectStatus(ada.post("/admin/settings", { invites_per_member: "100" }, evil), 403);
  const [{ value }] = await sql`select value from settings where key = 'invites_per_member'`;
  assert.equal(Number(value), 5);
});

dbTest("a post without Origin and without Referer is refused with 403", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  for (const path of ["/signin", "/invites", "/@ada/follow", "/admin/settings"]) {
    const response = await ada.request(path, {
      method: "POST",
      body: new URLSearchParams({ handle: "ada", password: "correct horse 1" }),
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    assert.equal(response.status, 403, `${path} answered ${response.status}`);
  }
});

dbTest("a post from an opaque origin is refused with 403", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  await expectStatus(ada.post("/invites", {}, { Origin: "null" }), 403);
});

dbTest("a post whose only Referer is our own page is accepted", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  await expectStatus(
    ada.request("/invites", {
      method: "POST",
      headers: {
        Referer: `${origin}/invites`,
        "Content-Type": "application/x-www-form-urlencoded",
      },
    }),
    303,
  );
});

dbTest("a post whose only Referer is another site is refused with 403", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  for (const referer of ["https://evil.example/page", `${origin}.evil.example/`, "not a url"]) {
    const response = await ada.request("/invites", {
      method: "POST",
      headers: { Referer: referer, "Content-Type": "application/x-www-form-urlencoded" },
    });
    assert.equal(response.status, 403, `Referer ${referer} answered ${response.status}`);
  }
});

dbTest("pages carry a strict Content-Security-Policy", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const guest = new Browser(app);
  const pages = [
    await guest.get("/"),
    await guest.get("/signin"),
    await guest.get("/waitlist"),
    await guest.get("/nowhere"),
    await ada.get("/"),
    await ada.get("/@ada"),
    await ada.get("/admin"),
    await ada.get("/invites", { "HX-Request": "true" }),
  ];
  for (const response of pages) {
    const csp = response.headers.get("Content-Security-Policy");
    assert.ok(csp, `no CSP on ${response.url}`);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /object-src 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  }
});

/** What every response carries, whatever answered it (routes/security.ts). */
const securityHeaders = {
  "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; " +
    "img-src 'self' data:; font-src 'self'; manifest-src 'self'; connect-src 'self'; " +
    "media-src 'self' blob:; " +
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
  "Origin-Agent-Cluster": "?1",
  "Permissions-Policy": "microphone=(self), camera=(), geolocation=()",
  "Referrer-Policy": "same-origin",
  "Strict-Transport-Security": "max-age=15552000; includeSubDomains",
  "X-Content-Type-Options": "nosniff",
  "X-DNS-Prefetch-Control": "off",
  "X-Frame-Options": "SAMEORIGIN",
};

dbTest("every kind of response carries the same security headers", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const guest = new Browser(app);
  const responses: [string, Response][] = [
    ["hallway", await ada.get("/")],
    ["hallway again (cached)", await ada.get("/")],
    ["profile", await ada.get("/@ada")],
    ["fragment", await ada.get("/invites", { "HX-Request": "true" })],
    ["redirect", await ada.get("/signin")],
    ["guest page", await guest.get("/signin")],
    ["not found", await ada.get("/nowhere")],
    ["static file", await guest.get("/static/app.css")],
    ["cross-site post", await ada.post("/invites", {}, evil)],
    ["body too large", await ada.post("/settings", { bio: "b".repeat(65 * 1024) })],
    ["refusal", await ada.get("/@nobody")],
  ];
  for (const [what, response] of responses) {
    await response.body?.cancel();
    for (const [name, value] of Object.entries(securityHeaders)) {
      assert.equal(response.headers.get(name), value, `${name} on ${what}`);
    }
    assert.equal(response.headers.get("X-Powered-By"), null, what);
  }
});

dbTest("static files may be cached, everything else may not", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const cacheControl = async (response: Promise<Response>) => {
    const done = await response;
    await done.body?.cancel();
    return done.headers.get("Cache-Control");
  };
  assert.equal(await cacheControl(ada.get("/static/app.css")), "public, max-age=3600");
  assert.equal(await cacheControl(ada.get("/signin")), "no-store");
  assert.equal(await cacheControl(ada.get("/nowhere")), "no-store");
  assert.equal(await cacheControl(ada.post("/invites", {}, evil)), "no-store");
});

dbTest("pages are never cached", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  for (const path of ["/", "/@ada", "/invites", "/admin", "/settings"]) {
    const response = await expectStatus(ada.get(path), 200);
    assert.equal(response.headers.get("Cache-Control"), "no-store", path);
  }
});

dbTest("pages carry no inline script", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  for (const path of ["/", "/@ada", "/invites", "/admin", "/settings", "/topics"]) {
    const html = await (await expectStatus(ada.get(path), 200)).text();
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    for (const [, attributes, body] of scripts) {
      assert.match(attributes, /src="\/static\//, `${path} has a script without src`);
      assert.equal(body, "", `${path} has inline script`);
    }
    assert.doesNotMatch(html, /\son[a-z]+="/, `${path} has an inline event handler`);
  }
});

dbTest("a body over 64 KiB is refused with 413", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const response = await expectStatus(
    ada.post("/settings", { display_name: "Ada", bio: "b".repeat(65 * 1024) }),
    413,
  );
  assert.match(await response.text(), /This request is too large/);
});

dbTest("a body over 64 KiB is refused with 413 before anyone is signed in", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  await expectStatus(
    new Browser(app).post("/signin", { handle: "ada", password: "p".repeat(70_000) }),
    413,
  );
});

dbTest("a JSON body instead of a form is refused with a readable message", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  for (const [path, form] of Object.entries(formRoutes)) {
    const response = await ada.request(path, {
      method: "POST",
      body: JSON.stringify(form),
      headers: { Origin: origin, "Content-Type": "application/json" },
    });
    assert.equal(response.status, 422, `${path} answered ${response.status}`);
    assert.match(await response.text(), /Send this form as a web form/, path);
  }
});

dbTest("a post with no content type is refused with a readable message", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  const response = await new Browser(app).request("/signin", {
    method: "POST",
    body: "handle=ada&password=correct+horse+1",
    headers: { Origin: origin, "Content-Type": "" },
  });
  assert.equal(response.status, 422);
  assert.match(await response.text(), /Send this form as a web form/);
});

dbTest("a broken multipart body is refused with a readable message", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  const response = await new Browser(app).request("/signin", {
    method: "POST",
    body: "--x\r\nthis is not a part",
    headers: { Origin: origin, "Content-Type": "multipart/form-data; boundary=x" },
  });
  assert.ok(response.status >= 400 && response.status < 500, `got ${response.status}`);
});

dbTest("a multipart form is read like an encoded one", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  const body = new FormData();
  body.set("handle", "ada");
  body.set("password", "correct horse 1");
  const response = await new Browser(app).request("/signin", {
    method: "POST",
    body,
    headers: { Origin: origin },
  });
  assert.equal(response.status, 303);
});

dbTest("an uploaded file where text is expected is treated as missing", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  const body = new FormData();
  body.set("handle", new File(["ada"], "handle.txt"));
  body.set("password", "correct horse 1");
  const response = await new Browser(app).request("/signin", {
    method: "POST",
    body,
    headers: { Origin: origin },
  });
  assert.equal(response.status, 422);
  assert.match(await response.text(), /Enter your handle and password/);
});

dbTest("a non-numeric invite id is 404", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  for (const id of ["abc", "0", "-1", "1e3", "99999999999999999999"]) {
    const response = await ada.post(`/invites/${id}/revoke`);
    assert.equal(response.status, 404, `/invites/${id}/revoke answered ${response.status}`);
  }
});

dbTest("a forged or overlong session cookie is a guest", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  for (const cookie of ["forged", "x".repeat(5000), "%00%ff", ""]) {
    const response = await app.request(`${origin}/settings`, {
      headers: { Cookie: `palabre_session=${cookie}` },
    });
    assert.equal(response.status, 303, `cookie ${cookie.slice(0, 10)} answered ${response.status}`);
    assert.equal(response.headers.get("Location"), "/signin?next=%2Fsettings");
  }
});

dbTest("odd requests to every route get a 4xx, never a 500", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace");
  const guest = new Browser(app);
  const odd: Record<string, string | string[]>[] = [
    {},
    { handle: ["a", "b"], password: ["x", "y"], topic: "", display_name: ["", ""] },
    { invites_per_member: "1e400", topic: ["jazz", "jazz", "'; drop table users; --"] },
    { handle: "a".repeat(10_000), password: "p".repeat(10_000), display_name: "\ud800" },
    { name: "n".repeat(10_000), contact: "\u2028\u2029", reason: "\ufeff", bio: "\u202e" },
  ];
  const paths = [
    ...unsafeRoutes,
    "/join/%00",
    "/@%00/follow",
    "/@" + "a".repeat(40) + "/follow",
    "/admin/waitlist/0/invite",
    "/invites/%2e%2e/revoke",
  ];
  let n = 0;
  for (const browser of [guest, grace, ada]) {
    for (const path of paths) {
      for (const form of odd) {
        // A new address each time, so that rate limits do not hide what lies behind them.
        browser.address = `10.0.${n >> 8}.${n++ & 255}`;
        const response = await browser.post(path, form);
        assert.ok(response.status < 500, `POST ${path} answered ${response.status}`);
        await response.body?.cancel();
      }
    }
    for (const path of [...paths, "/@", "/@ada/", "/static/../deno.json", "/static/nope"]) {
      const response = await browser.get(path, { "HX-Request": "true" });
      assert.ok(response.status < 500, `GET ${path} answered ${response.status}`);
      await response.body?.cancel();
    }
  }
});

// PostgreSQL refuses text with a NUL byte ("invalid byte sequence for encoding UTF8: 0x00"),
// so a NUL that reaches a query is a 500 unless the form refuses it first.

dbTest("a NUL byte in the sign-in handle is refused, not a 500", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  const response = await new Browser(app).post("/signin", {
    handle: "ada\u0000",
    password: "correct horse 1",
  });
  assert.ok(response.status >= 400 && response.status < 500, `got ${response.status}`);
});

dbTest("a NUL byte in a waitlist entry is refused, not a 500", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  for (const field of ["name", "contact", "reason"]) {
    const form = { name: "Lin", contact: "lin@example.org", reason: "", [field]: "Lin\u0000x" };
    const guest = new Browser(app, { address: `198.51.100.${field.length}` });
    const response = await guest.post("/waitlist", form);
    assert.ok(response.status >= 400 && response.status < 500, `${field}: got ${response.status}`);
  }
  assert.equal((await sql`select count(*)::int as n from waitlist`)[0].n, 0);
});

dbTest("a NUL byte in a bio is refused, not a 500", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const response = await ada.post("/settings", { display_name: "Ada", bio: "hi\u0000" });
  assert.ok(response.status >= 400 && response.status < 500, `got ${response.status}`);
});

dbTest("a NUL byte in a topic is refused, not a 500", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const response = await ada.post("/topics", { topic: ["jazz", "chess", "film\u0000"] });
  assert.ok(response.status >= 400 && response.status < 500, `got ${response.status}`);
});
