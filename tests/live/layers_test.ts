/**
 * live/ sits between routes/ and db/ + media/: routes/ imports it, it never imports routes/, and
 * it reaches rooms' media only through types (wrtc is loaded by whoever makes a room's media).
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const liveDir = fileURLToPath(new URL("../../live/", import.meta.url));

/** Each of a module's imports: the specifier, and whether it imports types only. */
function importsOf(source: string): { from: string; typeOnly: boolean }[] {
  const found = [];
  for (const match of source.matchAll(/^import\s+(type\s+)?[^;]*?from\s+"([^"]+)";/gms)) {
    found.push({ from: match[2], typeOnly: match[1] !== undefined });
  }
  return found;
}

Deno.test("live/ holds the room feed, the page hub, presence and voice, and imports no route", () => {
  const files = [...Deno.readDirSync(liveDir)].map((entry) => entry.name).sort();
  for (const module of ["page_hub.ts", "presence.ts", "room_feed.ts", "voice_rooms.ts"]) {
    assert.ok(files.includes(module), `live/${module} is missing`);
  }
  for (const file of files) {
    const source = Deno.readTextFileSync(`${liveDir}${file}`);
    for (const { from, typeOnly } of importsOf(source)) {
      assert.ok(!from.startsWith("../routes/"), `live/${file} imports ${from}`);
      if (/media\/(room_media|wrtc|media_processes)\.ts$/.test(from)) {
        assert.ok(typeOnly, `live/${file} loads ${from}, which brings wrtc into the web process`);
      }
    }
  }
});
