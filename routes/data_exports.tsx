/**
 * /settings/export: a member asks for an export of their data, watches it being prepared, and
 * downloads it as JSON or as a page to read. Exports are built off the request path
 * (live/export_worker.ts); every address here answers only the export's own member, and
 * anyone else's export is a 404 like one that never existed.
 *
 * @example
 * app.route("/settings/export", dataExports);
 */
import { Hono } from "hono";
import {
  type Ctx,
  idParam,
  isFragmentRequest,
  redirectAfterPost,
  render,
  spoken,
} from "./http.tsx";
import { type MemberEnv, requireMember } from "./session.tsx";
import { Refusal } from "../db/errors.ts";
import { exportDocument, exportOf, exportsOf, requestExport } from "../db/data_exports.ts";
import { DataExportPage, ExportDocumentView, ExportStatus } from "../views/data_export.tsx";

export const dataExports = new Hono<MemberEnv>();

dataExports.use(requireMember());

const dayMs = 86_400_000;

async function exportPage(c: Ctx<MemberEnv>) {
  const config = c.get("config").dataExports;
  return render(c, {
    title: c.get("words").t("export.title"),
    body: (
      <DataExportPage
        exports={await exportsOf(c.get("sql"), c.get("member").id)}
        perDay={config.perMember.max}
        keepDays={Math.round(config.keepMs / dayMs)}
      />
    ),
  });
}

dataExports.get("/", (c) => exportPage(c));

dataExports.post("/", async (c) => {
  const id = await requestExport(c.get("sql"), c.get("member").id, c.get("config").dataExports);
  return redirectAfterPost(c, `/settings/export#export-${id}`);
});

/** The member's own export named in the path, or a 404. */
function ownExportId(c: Ctx<MemberEnv>): number {
  const id = idParam(c, "id");
  if (id === null) throw new Refusal("not_found", "refusal.export.unknown");
  return id;
}

// Polled while the export is prepared: its list item alone, or the whole page without htmx.
dataExports.get("/:id", async (c) => {
  const found = await exportOf(c.get("sql"), c.get("member").id, ownExportId(c));
  if (!found) throw new Refusal("not_found", "refusal.export.unknown");
  if (!isFragmentRequest(c)) return await exportPage(c);
  return c.html(spoken(c, <ExportStatus export={found} />));
});

dataExports.get("/:id/palabre-export.json", async (c) => {
  const document = await exportDocument(c.get("sql"), c.get("member").id, ownExportId(c));
  if (!document) throw new Refusal("not_found", "refusal.export.unknown");
  c.header("Content-Type", "application/json; charset=utf-8");
  c.header("Content-Disposition", `attachment; filename="${fileName(document, "json")}"`);
  return c.body(JSON.stringify(document, null, 2));
});

dataExports.get("/:id/palabre-export.html", async (c) => {
  const document = await exportDocument(c.get("sql"), c.get("member").id, ownExportId(c));
  if (!document) throw new Refusal("not_found", "refusal.export.unknown");
  c.header("Content-Disposition", `attachment; filename="${fileName(document, "html")}"`);
  return c.html("<!doctype html>" + spoken(c, <ExportDocumentView document={document} />));
});

/** `palabre-export-mallory-2026-12-03.json`: handles are letters, digits and underscores only. */
function fileName(
  document: { exported_at: string; member: { handle: string | null } },
  ext: string,
) {
  return `palabre-export-${document.member.handle ?? "member"}-${
    document.exported_at.slice(0, 10)
  }.${ext}`;
}
