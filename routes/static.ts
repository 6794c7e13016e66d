/**
 * /static/*: our CSS, our client modules (app.js everywhere, voice.js on room pages) and htmx, all from our own origin (no CDN).
 * Files are read once and kept in memory; app.css is served with its parts (static/css/) inlined.
 *
 * @example
 * app.route("/static", assets);
 */
import { Hono } from "hono";
import type { AppEnv } from "./context.ts";

const files: Record<string, { url: URL; type: string }> = {
  "app.css": { url: new URL("../static/app.css", import.meta.url), type: "text/css" },
  "app.js": { url: new URL("../static/app.js", import.meta.url), type: "text/javascript" },
  "voice.js": { url: new URL("../static/voice.js", import.meta.url), type: "text/javascript" },
  "notifications.js": {
    url: new URL("../static/notifications.js", import.meta.url),
    type: "text/javascript",
  },
  "voice_stream.js": {
    url: new URL("../static/voice_stream.js", import.meta.url),
    type: "text/javascript",
  },
  "playout.js": { url: new URL("../static/playout.js", import.meta.url), type: "text/javascript" },
  "voice_worklet.js": {
    url: new URL("../static/voice_worklet.js", import.meta.url),
    type: "text/javascript",
  },
  "nav_menu.js": {
    url: new URL("../static/nav_menu.js", import.meta.url),
    type: "text/javascript",
  },
  "topic_filter.js": {
    url: new URL("../static/topic_filter.js", import.meta.url),
    type: "text/javascript",
  },
  "icon.svg": { url: new URL("../static/icon.svg", import.meta.url), type: "image/svg+xml" },
  // What a phone needs to add Palabre to its home screen (PNGs made by make_icons.ts).
  "manifest.webmanifest": {
    url: new URL("../static/manifest.webmanifest", import.meta.url),
    type: "application/manifest+json",
  },
  "icon-192.png": { url: new URL("../static/icon-192.png", import.meta.url), type: "image/png" },
  "icon-512.png": { url: new URL("../static/icon-512.png", import.meta.url), type: "image/png" },
  "icon-maskable-512.png": {
    url: new URL("../static/icon-maskable-512.png", import.meta.url),
    type: "image/png",
  },
  "apple-touch-icon.png": {
    url: new URL("../static/apple-touch-icon.png", import.meta.url),
    type: "image/png",
  },
  "hx-ws.min.js": {
    url: new URL("../node_modules/htmx.org/dist/ext/hx-ws.min.js", import.meta.url),
    type: "text/javascript",
  },
  "htmx.min.js": {
    url: new URL("../node_modules/htmx.org/dist/htmx.min.js", import.meta.url),
    type: "text/javascript",
  },
};

const cache = new Map<string, Uint8Array>();

export const assets = new Hono<AppEnv>();

assets.get("/:name", async (c) => {
  const name = c.req.param("name");
  const file = Object.hasOwn(files, name) ? files[name] : undefined;
  if (!file) return c.notFound();
  let bytes = cache.get(name);
  if (!bytes) {
    bytes = name === "app.css" ? await inlineImports(file.url) : await Deno.readFile(file.url);
    cache.set(name, bytes);
  }
  // A charset means something for text only.
  c.header(
    "Content-Type",
    file.type.startsWith("image/png") ? file.type : `${file.type}; charset=utf-8`,
  );
  c.header("Cache-Control", "public, max-age=3600");
  return c.body(bytes.slice().buffer);
});

const importLine = /^@import "([a-z_]+\/[a-z_]+\.css)";$/gm;

/**
 * A stylesheet with each `@import "dir/part.css";` line replaced by that part: one response
 * instead of a round trip per part, in the order the stylesheet lists them.
 *
 * @example
 * const css = await inlineImports(new URL("../static/app.css", import.meta.url));
 */
export async function inlineImports(url: URL): Promise<Uint8Array> {
  const sheet = await Deno.readTextFile(url);
  const parts = new Map<string, string>();
  for (const [, path] of sheet.matchAll(importLine)) {
    parts.set(path, await Deno.readTextFile(new URL(path, url)));
  }
  return new TextEncoder().encode(sheet.replace(importLine, (_, path: string) => parts.get(path)!));
}
