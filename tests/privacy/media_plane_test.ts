/**
 * The media plane knows participants only by opaque ids because it cannot know anything else:
 * nothing in media/ imports a module of ours outside media/ (no db/, no routes/, no member).
 */
import assert from "node:assert/strict";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const media = join(root, "media");

Deno.test("nothing in media/ imports a module of ours from outside media/", async () => {
  const outside: string[] = [];
  let files = 0;
  for await (const entry of Deno.readDir(media)) {
    if (!entry.isFile || !/\.(ts|tsx|js)$/.test(entry.name)) continue;
    files++;
    const text = await Deno.readTextFile(join(media, entry.name));
    const specifiers = [...text.matchAll(/(?:import|export)[^"';]*?from\s*["']([^"']+)["']/g)]
      .concat([...text.matchAll(/import\s*\(?\s*["']([^"']+)["']/g)])
      .map((match) => match[1]);
    for (const specifier of specifiers) {
      if (!specifier.startsWith(".")) continue; // npm packages and node: built-ins
      const target = relative(media, resolve(media, specifier));
      if (target.startsWith("..")) outside.push(`${entry.name} imports ${specifier}`);
    }
  }
  assert.ok(files > 10, `read ${files} files in media/`);
  assert.deepEqual(outside, []);
});
