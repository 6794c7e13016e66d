import assert from "node:assert/strict";
import { adminLogCsv, csvCell } from "../../views/admin_log_csv.ts";
import { english, wordsFor } from "../../i18n/translate.ts";
import type { AdminLogEntry } from "../../db/admin_log.ts";

function entry(overrides: Partial<AdminLogEntry>): AdminLogEntry {
  return {
    id: 1,
    at: new Date("2026-12-03T10:00:00Z"),
    actor: "ada",
    actorDeleted: false,
    action: "suspend",
    member: "mallory",
    memberDeleted: false,
    roomTitle: null,
    roomPublicId: null,
    roomForgotten: false,
    reportId: null,
    note: "",
    details: {},
    ...overrides,
  };
}

Deno.test("a CSV cell is quoted, its quotes doubled", () => {
  assert.equal(csvCell('She said "stop", then left'), '"She said ""stop"", then left"');
  assert.equal(csvCell("two\nlines"), '"two\nlines"');
});

Deno.test("a CSV cell a spreadsheet would run as a formula starts with an apostrophe", () => {
  for (const formula of ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"]) {
    assert.equal(csvCell(formula), `"'${formula}"`);
  }
  assert.equal(csvCell("a=1"), '"a=1"');
});

Deno.test("the log's CSV has a header and a row per entry, deleted members named as such", () => {
  const csv = adminLogCsv([
    entry({ note: '=HYPERLINK("http://evil")', details: { until: null } }),
    entry({ actor: null, actorDeleted: true, action: "end_room", member: null, roomTitle: "Jazz" }),
  ], english.t);
  assert.equal(
    csv,
    '"When (UTC)","Who","What","Whom","Room","Report","Note","Details"\r\n' +
      '"2026-12-03T10:00:00.000Z","ada","Suspended","mallory","","",' +
      '"\'=HYPERLINK(""http://evil"")","{""until"":null}"\r\n' +
      '"2026-12-03T10:00:00.000Z","a deleted member","Ended a room","","Jazz","","",""\r\n',
  );
});

Deno.test("the log's CSV speaks the administrator's language", () => {
  const csv = adminLogCsv([entry({ actor: null, actorDeleted: true })], wordsFor("fr").t);
  assert.match(csv, /^"Quand \(UTC\)","Qui",/);
  assert.match(csv, /"un membre supprimé","Suspension"/);
});

Deno.test("a room retention forgot reads as such in the log's CSV, in each language", () => {
  const forgotten = entry({ action: "end_room", member: null, roomForgotten: true });
  assert.match(adminLogCsv([forgotten], english.t), /"Ended a room","","a room since forgotten/);
  assert.match(
    adminLogCsv([forgotten], wordsFor("fr").t),
    /"un salon dont les détails sont oubliés \(conservation\)"/,
  );
});
