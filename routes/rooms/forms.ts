/**
 * What starting a room (/rooms) and scheduling one (/events) share: reading the form, echoing it
 * back beside its errors, and one creation allowance per member.
 *
 * @example
 * await spendRoomCreation(c);
 * await startRoom(sql, member.id, roomInput(form));
 */
import { type Ctx, type Form, text, texts } from "../http.tsx";
import type { MemberEnv } from "../session.tsx";
import { spendAttempt } from "../../db/rate_limits.ts";
import type { NewRoom, RoomKind } from "../../db/rooms.ts";
import type { RoomForm } from "../../views/room_forms.tsx";

/**
 * The room a start or schedule form describes.
 *
 * @example
 * const input = roomInput(await readForm(c));
 */
export function roomInput(form: Form): NewRoom {
  return {
    title: text(form, "title"),
    description: text(form, "description"),
    topics: texts(form, "topics"),
    kind: text(form, "kind") as RoomKind,
    // Absent (a client without the field): db/rooms.ts takes the host's language.
    language: text(form, "language") || undefined,
  };
}

/**
 * The form as posted, to show again beside its errors.
 *
 * @example
 * <NewRoomView form={formEcho(form)} ... />
 */
export function formEcho(form: Form): RoomForm {
  return {
    title: text(form, "title"),
    description: text(form, "description"),
    topics: texts(form, "topics"),
    kind: text(form, "kind"),
    starts_at: text(form, "starts_at"),
    cohosts: text(form, "cohosts"),
    timezone_offset: text(form, "timezone_offset"),
    time_zone: text(form, "time_zone") || undefined,
    language: text(form, "language") || undefined,
  };
}

/**
 * Starting a room and scheduling one share one allowance per member.
 *
 * @example
 * await spendRoomCreation(c); // a rate_limited Refusal past the allowance
 */
export async function spendRoomCreation(c: Ctx<MemberEnv>): Promise<void> {
  await spendAttempt(c.get("sql"), {
    bucket: "room_account",
    key: String(c.get("member").id),
    ...c.get("config").rateLimits.roomsPerAccount,
  });
}
