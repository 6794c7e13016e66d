/**
 * /warnings: a member dismisses an administrator's warning; `loadWarnings` reads the member's
 * pending warnings for every page (the layout shows them as banners).
 *
 * @example
 * app.use(loadWarnings());
 * app.route("/warnings", warnings);
 */
import { Hono, type MiddlewareHandler } from "hono";
import type { AppEnv } from "./context.ts";
import { idParam, isFragmentRequest, readForm, redirectAfterPost, text } from "./http.tsx";
import { type MemberEnv, requireMember, samePath } from "./session.tsx";
import { Refusal } from "../db/errors.ts";
import { dismissWarning } from "../db/warnings.ts";

/**
 * For a whole page a member asks for, their warnings not dismissed (none: left undefined).
 *
 * @example
 * app.use(loadMember(), chooseWords(), loadWarnings());
 */
export function loadWarnings(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const member = c.get("member");
    if (member && c.req.method === "GET" && !isFragmentRequest(c)) {
      const pending = await c.get("reads").pendingWarnings(member.id);
      if (pending.length > 0) c.set("warnings", pending);
    }
    await next();
  };
}

export const warnings = new Hono<MemberEnv>();

warnings.use(requireMember());

warnings.post("/:id/dismiss", async (c) => {
  const form = await readForm(c);
  const id = idParam(c, "id");
  if (id === null) throw new Refusal("not_found", "refusal.warning.unknown");
  await dismissWarning(c.get("sql"), c.get("member").id, id);
  return redirectAfterPost(c, samePath(text(form, "back")) ?? "/");
});
