/**
 * The administrators' tools under /admin: suspend or lift, revoke a member's invites, make or
 * unmake administrators, end any room, resolve a report, and the audit log (/admin/log, and
 * /admin/log.csv). Each handler reads the form and calls one db function, which checks the
 * actor inside its transaction; a refusal shows the admin page again with its message.
 *
 * @example
 * admin.route("/", adminTools(adminPage));
 */
import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import {
  type Ctx,
  type Form,
  readForm,
  redirectAfterPost,
  refusalMessage,
  render,
  statusOf,
  text,
} from "./http.tsx";
import type { MemberEnv } from "./session.tsx";
import { Refusal } from "../db/errors.ts";
import {
  liftSuspension,
  suspend,
  suspensionEnd,
  type SuspensionLength,
} from "../db/suspensions.ts";
import { endRoomAsAdministrator, revokeInvitesOf, setAdministrator } from "../db/admin_tools.ts";
import { isResolution, resolveReport } from "../db/report_resolutions.ts";
import { adminActions, adminLog, parseAdminLogFilter } from "../db/admin_log.ts";
import type { FieldErrors } from "../views/form.tsx";
import { AdminLogView } from "../views/admin_log.tsx";
import { adminLogCsv } from "../views/admin_log_csv.ts";

/** Renders the admin page with a message (routes/admin.tsx's page). */
export type AdminPage = (
  c: Ctx<MemberEnv>,
  view: { errors?: FieldErrors; status?: ContentfulStatusCode },
) => Response | Promise<Response>;

/**
 * @example
 * admin.route("/", adminTools(adminPage));
 */
export function adminTools(adminPage: AdminPage): Hono<MemberEnv> {
  const tools = new Hono<MemberEnv>();

  /** Runs `act`, then goes back to the admin page saying `done`, or shows it with the refusal. */
  async function acting(c: Ctx<MemberEnv>, done: string, act: (form: Form) => Promise<unknown>) {
    const form = await readForm(c);
    try {
      await act(form);
      return redirectAfterPost(c, `/admin?done=${done}`);
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      return await adminPage(c, {
        errors: { _form: refusalMessage(c, error) },
        status: statusOf(error),
      });
    }
  }

  tools.post(
    "/members/:handle/suspend",
    (c) =>
      acting(
        c,
        "suspended",
        (form) =>
          suspend(c.get("sql"), c.get("member").id, c.req.param("handle"), {
            reason: text(form, "reason"),
            endsAt: suspensionEnd(suspensionLength(form)),
          }),
      ),
  );

  tools.post(
    "/members/:handle/lift",
    (c) =>
      acting(
        c,
        "lifted",
        () => liftSuspension(c.get("sql"), c.get("member").id, c.req.param("handle")),
      ),
  );

  tools.post(
    "/members/:handle/revoke-invites",
    (c) =>
      acting(
        c,
        "invites_revoked",
        () => revokeInvitesOf(c.get("sql"), c.get("member").id, c.req.param("handle")),
      ),
  );

  tools.post("/members/:handle/admin", (c) =>
    acting(c, "admin_changed", (form) => {
      const admin = text(form, "admin");
      if (admin !== "yes" && admin !== "no") {
        throw new Refusal("invalid", "refusal.admin.make_or_unmake", "admin");
      }
      return setAdministrator(
        c.get("sql"),
        c.get("member").id,
        c.req.param("handle"),
        admin === "yes",
      );
    }));

  tools.post(
    "/rooms/:publicId/end",
    (c) =>
      acting(c, "room_ended", (form) =>
        endRoomAsAdministrator(
          c.get("sql"),
          c.get("member").id,
          c.req.param("publicId"),
          text(form, "note"),
        )),
  );

  tools.post("/reports/:id/resolve", (c) =>
    acting(c, "resolved", (form) => {
      const id = Number(c.req.param("id"));
      if (!Number.isSafeInteger(id) || id < 1) {
        throw new Refusal("not_found", "refusal.report.unknown");
      }
      const resolution = text(form, "resolution");
      if (!isResolution(resolution)) {
        throw new Refusal("invalid", "refusal.report.resolution", "resolution");
      }
      return resolveReport(c.get("sql"), c.get("member").id, id, {
        resolution,
        note: text(form, "note"),
        suspension: resolution === "suspended"
          ? { reason: text(form, "reason"), endsAt: suspensionEnd(suspensionLength(form)) }
          : undefined,
      });
    }));

  tools.get("/log", async (c) => {
    const { sql, member } = c.var;
    const query = c.req.query();
    const page = Math.max(1, Math.min(10_000, Math.floor(Number(query.page ?? "1")) || 1));
    try {
      const filter = parseAdminLogFilter(query);
      const { entries, more } = await adminLog(sql, member.id, filter, { page });
      return render(c, {
        title: c.get("words").t("admin.log.title"),
        body: (
          <AdminLogView
            actions={adminActions}
            entries={entries}
            query={query}
            page={page}
            more={more}
            errors={{}}
          />
        ),
      });
    } catch (error) {
      if (!(error instanceof Refusal) || error.code !== "invalid") throw error;
      return render(c, {
        title: c.get("words").t("admin.log.title"),
        status: statusOf(error),
        body: (
          <AdminLogView
            actions={adminActions}
            entries={[]}
            query={query}
            page={1}
            more={false}
            errors={{ [error.field ?? "_form"]: refusalMessage(c, error) }}
          />
        ),
      });
    }
  });

  tools.get("/log.csv", async (c) => {
    const { sql, member } = c.var;
    const filter = parseAdminLogFilter(c.req.query());
    const { entries } = await adminLog(sql, member.id, filter, { all: true });
    const day = new Date().toISOString().slice(0, 10);
    return c.body(adminLogCsv(entries, c.get("words").t), 200, {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="palabre-admin-log-${day}.csv"`,
      "Cache-Control": "no-store",
    });
  });

  return tools;
}

function suspensionLength(form: Form): SuspensionLength {
  const length = text(form, "length");
  if (length !== "hours" && length !== "days" && length !== "until" && length !== "for_good") {
    throw new Refusal("invalid", "refusal.suspension.length", "length");
  }
  return { length, amount: text(form, "amount"), until: text(form, "until") };
}
