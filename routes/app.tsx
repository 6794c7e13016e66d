/**
 * Builds the whole web application from its areas, with the middleware every request passes:
 * security headers, a body size limit, the cross-site check and the session.
 *
 * @example
 * const app = buildApp({ sql: db.sql, config });
 * Deno.serve({ port: config.port }, app.fetch);
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Config } from "../config.ts";
import type { Sql } from "../db/client.ts";
import type { EventHub } from "../db/events.ts";
import { directReads, ReadCache } from "../db/read_cache.ts";
import { HallwayRanker } from "../recommend/hallway.ts";
import { Refusal } from "../db/errors.ts";
import { english } from "../i18n/translate.ts";
import type { AppEnv } from "./context.ts";
import { refusalPage, render, wordsOf } from "./http.tsx";
import { refuseCrossSite, refuseUnknownHost, securityHeaders } from "./security.ts";
import { loadMember } from "./session.tsx";
import { chooseWords, language } from "./language.tsx";
import { assets } from "./static.ts";
import { auth } from "./auth.tsx";
import { hallway } from "./hallway.tsx";
import { topics } from "./topics.tsx";
import { profiles } from "./profiles.tsx";
import { memberSettings } from "./member_settings.tsx";
import { dataExports } from "./data_exports.tsx";
import { invites } from "./invites.tsx";
import { admin } from "./admin.tsx";
import { loadWarnings, warnings } from "./warnings.tsx";
import { ErrorView } from "../views/errors.tsx";
import { LiveHub } from "../live/live_hub.ts";
import type { VoiceRooms } from "../live/voice_rooms.ts";
import { rooms } from "./rooms/index.tsx";
import { events } from "./events.tsx";
import { notifications } from "./notifications.tsx";
import { calendar } from "./calendar.tsx";
import { search } from "./search.tsx";
import { AppliedModel } from "../recommend/applied_model.ts";
import { Trainer } from "../recommend/training.ts";

export interface AppDeps {
  sql: Sql;
  config: Config;
  /**
   * Change events from every process sharing the database. Given, page reads are cached in
   * this process and kept right by these events (db/read_cache.ts); left out, every read is a
   * query.
   */
  events?: EventHub;
  /** The process's live hub; tests that use no sockets may leave it out. */
  hub?: LiveHub;
  /** Voice for live rooms (main.ts makes it with wrtc); left out, `/rooms/:id/voice` is a 503. */
  voice?: VoiceRooms;
  /** Orders hallways (with the applied model in production); boosts only when left out. */
  ranker?: HallwayRanker;
  /** The process's trainer; left out, one that logs nowhere and sweeps nothing is made. */
  trainer?: Trainer;
  /** The process's applied model; left out, one is made on `events` (loaded on first use). */
  appliedModel?: AppliedModel;
}

const maxBodyBytes = 64 * 1024;
const safeMethods = new Set(["GET", "HEAD", "OPTIONS"]);
const unsafeMethods = ["POST", "PUT", "PATCH", "DELETE"];

export function buildApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const hub = deps.hub ?? new LiveHub({ sql: deps.sql, config: deps.config });
  const trainer = deps.trainer ?? new Trainer(deps.sql, deps.config.modelTraining);
  const appliedModel = deps.appliedModel ??
    new AppliedModel(deps.sql, { events: deps.events });
  const ranker = deps.ranker ??
    new HallwayRanker(deps.sql, { setup: () => appliedModel.current() });
  const hallwayOf = (memberId: number) => ranker.hallwayFor(memberId);
  const direct = directReads(deps.sql, hallwayOf);
  const cache = deps.events ? new ReadCache(deps.sql, hallwayOf, deps.events) : undefined;
  app.use(securityHeaders(), refuseUnknownHost(deps.config));
  app.route("/static", assets);
  app.use(async (c, next) => {
    c.set("sql", deps.sql);
    c.set("config", deps.config);
    c.set("hub", hub);
    c.set("voice", deps.voice);
    c.set("trainer", trainer);
    c.set("appliedModel", appliedModel);
    // Requests that may write read the database itself; pages read through the cache.
    const writes = !safeMethods.has(c.req.method);
    c.set("reads", cache && !writes ? cache : direct);
    await next();
    // Pages carry personal data: no shared or browser cache keeps them. Set on the finished
    // response, as the security headers are (routes/security.ts), unless the handler chose.
    const headers = c.res.headers;
    if (!headers.has("Cache-Control")) headers.set("Cache-Control", "no-store");
    // What this request changed is dropped here at once; other processes hear it by NOTIFY.
    const member = c.get("member");
    if (cache && writes && member) cache.forget({ members: [member.id] });
  });
  // Only requests that may write carry a body or need the cross-site check: pages skip both.
  app.on(
    unsafeMethods,
    "*",
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: (c) => c.text(english.t("error.too_large"), 413),
    }),
    refuseCrossSite(),
  );
  app.use(loadMember(), chooseWords(), loadWarnings());

  app.route("/", language);
  // The URL tree: each prefix is one area's file (or folder).
  app.route("/", hallway);
  app.route("/rooms", rooms);
  app.route("/events", events);
  app.route("/calendar", calendar);
  app.route("/", auth);
  app.route("/", profiles);
  app.route("/topics", topics);
  app.route("/settings/export", dataExports);
  app.route("/settings", memberSettings);
  app.route("/invites", invites);
  app.route("/admin", admin);
  app.route("/warnings", warnings);
  app.route("/notifications", notifications);
  app.route("/search", search);

  app.notFound((c) => {
    const { t } = wordsOf(c);
    return render(c, {
      title: t("error.not_found.title"),
      status: 404,
      body: <ErrorView title={t("error.not_found.title")} message={t("error.not_found.message")} />,
    });
  });
  app.onError((error, c) => {
    if (error instanceof Refusal) return refusalPage(c, error);
    console.error(`${c.req.method} ${new URL(c.req.url).pathname} failed:`, error);
    // Words may be missing if the failure came before they were chosen.
    const { t, language } = wordsOf(c);
    return c.html(
      `<!doctype html><html lang="${language}"><title>${t("error.server.title")}</title>` +
        `<p>${t("error.server.message")}</p>`,
      500,
    );
  });
  return app;
}
