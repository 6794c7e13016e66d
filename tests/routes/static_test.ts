import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import { Browser, expectStatus, testApp } from "../support/app_client.ts";

const partsDir = new URL("../../static/css/", import.meta.url);

dbTest("app.css arrives as one stylesheet holding every part, in its order", async (sql, db) => {
  const guest = new Browser(await testApp(sql, db.events));
  const css = await (await expectStatus(guest.get("/static/app.css"), 200)).text();
  assert.doesNotMatch(css, /@import/, "no part is left for the browser to fetch");
  const manifest = await Deno.readTextFile(new URL("../../static/app.css", import.meta.url));
  const listed = [...manifest.matchAll(/@import "css\/([a-z_]+\.css)";/g)].map((m) => m[1]);
  const onDisk = [...Deno.readDirSync(partsDir)].map((entry) => entry.name).sort();
  assert.deepEqual([...listed].sort(), onDisk, "app.css lists every part in static/css/");
  let from = 0;
  for (const name of listed) {
    const part = await Deno.readTextFile(new URL(name, partsDir));
    const at = css.indexOf(part, from);
    assert.ok(at >= from, `${name} is inlined after the parts before it`);
    from = at + part.length;
  }
});
