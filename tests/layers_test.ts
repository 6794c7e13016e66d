/**
 * What each folder may import, read from the source: vocabulary/ imports nothing, calendar/
 * nothing but itself, views/ take only types from the layers below them, db/ borrows the
 * recommender's words only through vocabulary/, and the recommender and the synthetic community
 * have no import loops.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));

interface Import {
  file: string;
  from: string;
  typeOnly: boolean;
}

/** Every `import ... from` and `export ... from` of the folder's modules, resolved from the root. */
function importsOf(folder: string): Import[] {
  const found: Import[] = [];
  for (const entry of Deno.readDirSync(`${root}${folder}`)) {
    if (!entry.isFile || !/\.tsx?$/.test(entry.name)) continue;
    const file = `${folder}/${entry.name}`;
    const text = Deno.readTextFileSync(`${root}${file}`);
    for (const m of text.matchAll(/^(import|export)\s+(type\s+)?[^;]*?from\s+"([^"]+)";/gms)) {
      const from = m[3].startsWith(".") ? new URL(m[3], `file:///${file}`).pathname.slice(1) : m[3];
      found.push({ file, from, typeOnly: m[2] !== undefined });
    }
  }
  return found;
}

Deno.test("vocabulary/ imports nothing", () => {
  assert.deepEqual(importsOf("vocabulary"), []);
});

Deno.test("calendar/ imports nothing outside itself", () => {
  assert.deepEqual(importsOf("calendar").filter((i) => !i.from.startsWith("calendar/")), []);
});

Deno.test("views take only types from db/, recommend/ and vocabulary/", () => {
  const values = importsOf("views").filter((i) =>
    /^(db|recommend|vocabulary)\//.test(i.from) && !i.typeOnly
  );
  assert.deepEqual(values, []);
});

Deno.test("db/ borrows the recommender's words only through vocabulary/", () => {
  const borrowed = importsOf("db").filter((i) => i.from.startsWith("recommend/"));
  // The read cache only holds what the hallway loader it is handed returns.
  assert.deepEqual(borrowed.sort((a, b) => a.file.localeCompare(b.file)), [
    { file: "db/read_cache.ts", from: "recommend/hallway.ts", typeOnly: true },
  ]);
});

Deno.test("no module of recommend/, synthetic/ or vocabulary/ imports itself through others", () => {
  const imports = ["recommend", "synthetic", "vocabulary"].flatMap(importsOf);
  const next = new Map<string, string[]>();
  for (const i of imports) next.set(i.file, [...next.get(i.file) ?? [], i.from]);
  const loops: string[] = [];
  for (const start of next.keys()) {
    const seen = new Set<string>();
    const walk = (file: string, path: string[]) => {
      for (const to of next.get(file) ?? []) {
        if (to === start) loops.push([...path, to].join(" -> "));
        else if (!seen.has(to)) {
          seen.add(to);
          walk(to, [...path, to]);
        }
      }
    };
    walk(start, [start]);
  }
  assert.deepEqual(loops, []);
});
