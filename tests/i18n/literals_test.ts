/**
 * No view or route holds words a person reads outside the catalogues: a scan of the source
 * for JSX text, for words in the attributes people read or hear (aria-label, placeholder,
 * title, alt, and our components' label and hint), and for sentences in string literals.
 * Operators' log lines (console.*) and thrown programming errors are English by design.
 */
import assert from "node:assert/strict";

// vocabulary/ too: its knob descriptors hold numbers and keys, their words are the catalogues'.
const folders = ["views", "routes", "vocabulary"];

/**
 * Lines whose strings nobody reads on a page: WebSocket close reasons (protocol, never shown),
 * media errors (logged; the page gets "voice.failed"), and the unknown-host answer, which only
 * an operator setting up a host sees, before any language is chosen.
 */
const notForPeople = /\.close\(|closeSocket\(|MediaError\(|does not answer to the host/;

/** Words that are not words to translate: the product's name, units, key names. */
const notWords = new Set(["Palabre", "UTC", "T", "Ctrl+C"]);

/** Files allowed to refuse with an untranslated message, and why. */
const untranslatedRefusals = new Set([
  // `deno task seed` speaks to an operator in a terminal.
  "db/seed.ts",
  // Where it is defined.
  "db/errors.ts",
]);

async function sources(folder: string): Promise<{ path: string; text: string }[]> {
  const found = [];
  for await (const entry of Deno.readDir(folder)) {
    if (!entry.isFile || !/\.tsx?$/.test(entry.name)) continue;
    const path = `${folder}/${entry.name}`;
    found.push({ path, text: await Deno.readTextFile(path) });
  }
  return found;
}

/** The source without comments, line numbers kept. */
function withoutComments(text: string): string {
  return text
    .replace(/\{\s*\/\*[\s\S]*?\*\/\s*\}/g, (m) => m.replace(/[^\n]/g, " "))
    .replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, " "))
    .replace(
      /(^|[^:"'`])\/\/[^\n]*/g,
      (m, before) => before + " ".repeat(m.length - before.length),
    );
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split("\n").length;
}

function hasWords(text: string): boolean {
  const words = text.match(/[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'’+]*/g) ?? [];
  return words.some((word) => !notWords.has(word));
}

/** Places in one file where a person would read English that no catalogue holds. */
export function literalsIn(path: string, source: string): string[] {
  const text = withoutComments(source);
  const found: string[] = [];
  const report = (index: number, what: string) =>
    found.push(`${path}:${lineOf(text, index)}: ${what.trim().slice(0, 80)}`);
  // JSX text: after a tag, up to the next tag or expression.
  for (const tag of text.matchAll(/<\/?[A-Za-z][\w.:-]*(?:\s[^<>]*?)?\/?>/g)) {
    // `Ctx<E>`, `function f<E extends AppEnv>`: type arguments follow a name; JSX never does.
    if (/[\w$]/.test(text[tag.index! - 1] ?? "")) continue;
    const after = text.slice(tag.index! + tag[0].length);
    const run = after.match(/^[^<>{}]*/)![0];
    if (hasWords(run) && !/[;=()|&]/.test(run)) report(tag.index! + tag[0].length, run);
  }
  // Attributes people read or hear, and our components' props that carry words.
  for (
    const attribute of text.matchAll(
      /\s(aria-label|placeholder|title|alt|label|hint|summary)="([^"]*)"/g,
    )
  ) {
    if (hasWords(attribute[2])) report(attribute.index!, attribute[0]);
  }
  // Sentences in string and template literals ("Not interested", `Invite ${name}`).
  for (const literal of text.matchAll(/"((?:[^"\\\n]|\\.)*)"|`((?:[^`\\]|\\.)*)`/g)) {
    const value = literal[1] ?? literal[2];
    const line = text.slice(text.lastIndexOf("\n", literal.index!) + 1, literal.index!);
    const wholeLine = text.slice(
      text.lastIndexOf("\n", literal.index!) + 1,
      text.indexOf("\n", literal.index!),
    );
    if (/console\.|new Error\(|Refusal\.untranslated|import |from $/.test(line)) continue;
    if (notForPeople.test(wholeLine)) continue;
    if (/\b[A-Z][a-z]+,? [a-z]+/.test(value.replace(/\$\{[^}]*\}/g, "x"))) {
      report(literal.index!, literal[0]);
    }
  }
  return found;
}

Deno.test("no view or route holds user-facing English outside the catalogue", async () => {
  const found = [];
  for (const folder of folders) {
    for (const { path, text } of await sources(folder)) {
      found.push(...literalsIn(path, text));
    }
  }
  assert.deepEqual(found, []);
});

Deno.test("refusals carry catalogue keys, outside a short list of files", async () => {
  const found = [];
  for (const folder of ["db", "routes"]) {
    for (const { path, text } of await sources(folder)) {
      if (untranslatedRefusals.has(path)) continue;
      for (const m of withoutComments(text).matchAll(/Refusal\.untranslated\(/g)) {
        found.push(`${path}:${lineOf(text, m.index!)}`);
      }
    }
  }
  assert.deepEqual(found, []);
});

Deno.test("the literal check finds English in a view", () => {
  const view = `export function X(p: { n: string }) {
  return (
    <section aria-label="Your controls">
      <h1>Hallway</h1>
      <Field label="Display name" />
      <p>{p.n ? "Not interested" : t("a.b")}</p>
      <p>{t("room.hand.raise")}</p>
    </section>
  );
}`;
  const lines = new Set(literalsIn("views/x.tsx", view).map((f) => Number(f.split(":")[1])));
  assert.deepEqual([...lines].sort(), [3, 4, 5, 6]);
});
