/**
 * Installable: the web app manifest a phone reads to add Palabre to its home screen, and the icons
 * it names, served as what they are and as large as it says (read from each PNG's header).
 */
import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import { Browser, expectStatus, testApp } from "../support/app_client.ts";

interface ManifestIcon {
  src: string;
  sizes: string;
  type: string;
  purpose?: string;
}

const pngSignature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** A PNG's width and height, from its IHDR chunk (the first, right after the signature). */
function pngSize(bytes: Uint8Array): { width: number; height: number } {
  assert.deepEqual([...bytes.subarray(0, 8)], pngSignature, "a PNG signature");
  assert.equal(new TextDecoder().decode(bytes.subarray(12, 16)), "IHDR");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** A colour of static/css/tokens.css's light theme, by its custom property. */
async function token(name: string): Promise<string> {
  const css = await Deno.readTextFile(new URL("../../static/css/tokens.css", import.meta.url));
  const value = css.match(new RegExp(`--${name}:\\s*(#[0-9a-f]{6});`))?.[1];
  assert.ok(value, `--${name} in tokens.css`);
  return value;
}

dbTest(
  "the manifest is served, valid, and names icons that exist at their sizes",
  async (sql, db) => {
    const guest = new Browser(await testApp(sql, db.events));
    const response = await expectStatus(guest.get("/static/manifest.webmanifest"), 200);
    assert.equal(response.headers.get("Content-Type"), "application/manifest+json; charset=utf-8");
    const manifest = JSON.parse(await response.text());
    assert.equal(manifest.name, "Palabre");
    assert.equal(manifest.short_name, "Palabre");
    assert.equal(manifest.start_url, "/");
    assert.equal(manifest.display, "standalone");
    assert.equal(manifest.theme_color, await token("accent"));
    assert.equal(manifest.background_color, await token("bg"));

    const icons: ManifestIcon[] = manifest.icons;
    const sizes = icons.filter((i) => i.purpose !== "maskable").map((i) => i.sizes).sort();
    assert.deepEqual(sizes, ["192x192", "512x512"]);
    assert.ok(icons.some((i) => i.purpose === "maskable"), "a maskable icon");
    for (const icon of icons) {
      const file = await expectStatus(guest.get(icon.src), 200);
      assert.equal(file.headers.get("Content-Type"), "image/png");
      assert.equal(icon.type, "image/png");
      const { width, height } = pngSize(new Uint8Array(await file.arrayBuffer()));
      assert.equal(`${width}x${height}`, icon.sizes, icon.src);
    }
  },
);

dbTest(
  "every page links the manifest and a home-screen icon, and the CSP allows it",
  async (sql, db) => {
    const guest = new Browser(await testApp(sql, db.events));
    const page = await expectStatus(guest.get("/signin"), 200);
    const html = await page.text();
    assert.match(html, /<link rel="manifest" href="\/static\/manifest.webmanifest"/);
    const touch = html.match(/<link rel="apple-touch-icon" href="([^"]+)"/)?.[1];
    assert.ok(touch, "an apple-touch-icon");
    const icon = await expectStatus(guest.get(touch), 200);
    assert.deepEqual(pngSize(new Uint8Array(await icon.arrayBuffer())), {
      width: 180,
      height: 180,
    });
    assert.match(page.headers.get("Content-Security-Policy") ?? "", /manifest-src 'self'/);
  },
);
