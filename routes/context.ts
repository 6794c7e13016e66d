/**
 * What every route can read from the request context: the database, the configuration and
 * the signed-in member (null for a guest; behind `requireMember`, an area's `MemberEnv` types it
 * as present). Read them with `c.get("member")`, not `c.var.member`:
 * Hono builds a fresh object of every variable on each `c.var` access, a measurable share of a
 * cached page's CPU time (bench/http.ts).
 *
 * @example
 * const app = new Hono<AppEnv>();
 * app.get("/", (c) => c.text(c.get("member")?.handle ?? "guest"));
 */
import type { Config } from "../config.ts";
import type { Sql } from "../db/client.ts";
import type { Reads } from "../db/read_cache.ts";
import type { Member } from "../db/users.ts";
import type { Warning } from "../db/warnings.ts";
import type { LiveHub } from "../live/live_hub.ts";
import type { VoiceRooms } from "../live/voice_rooms.ts";
import type { AppliedModel } from "../recommend/applied_model.ts";
import type { Trainer } from "../recommend/training.ts";
import type { Words } from "../i18n/translate.ts";

export interface AppEnv {
  Variables: {
    sql: Sql;
    /** The reads pages make on every request, cached when the app has change events. */
    reads: Reads;
    config: Config;
    member: Member | null;
    /** The member's warnings from administrators not dismissed yet; undefined when none. */
    warnings?: Warning[];
    /** The words this request is answered in (routes/language.tsx picks the language). */
    words: Words;
    sessionToken: string | undefined;
    hub: LiveHub;
    /** Voice signalling for this process's rooms; undefined when the app was built without. */
    voice: VoiceRooms | undefined;
    /** Trains model versions in this process (admin page). */
    trainer: Trainer;
    /** The applied model and ranking weights, kept in memory (the hallway ranks with them). */
    appliedModel: AppliedModel;
  };
  /** Deno.serve's connection info, passed by `app.fetch(request, info)`. */
  Bindings: { remoteAddr?: { hostname: string } };
}
