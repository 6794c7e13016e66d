/**
 * Views render the domain's own types, not copies of them that could drift: each assertion below
 * is checked by the type checker (`deno check`, `deno test`), and fails to compile if a view's
 * props become a type of its own again.
 */
import assert from "node:assert/strict";
import type { RoomSnapshot } from "../../db/rooms.ts";
import type { MemberRow } from "../../db/admin.ts";
import type { ReportEntry } from "../../db/safety.ts";
import type { ModerationEntry } from "../../db/room_actions.ts";
import type { WaitlistEntry } from "../../db/waitlist.ts";
import type { ModelVersion } from "../../db/models.ts";
import type { RankedHallway } from "../../recommend/hallway.ts";
import type { RoomLive } from "../../views/room.tsx";
import type { HallwayLists } from "../../views/hallway.tsx";
import type { AdminView } from "../../views/admin.tsx";
import type { RecommendationsView } from "../../views/admin_recommend.tsx";

/** True only when A and B are the same type, not merely assignable one way. */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true
  : false;

type Props<F> = F extends (props: infer P) => unknown ? P : never;
type AdminProps = Props<typeof AdminView>;

const sameTypes: true[] = [
  true satisfies Same<Props<typeof RoomLive>["data"], RoomSnapshot>,
  true satisfies Same<Props<typeof HallwayLists>["hallway"], RankedHallway>,
  true satisfies Same<AdminProps["members"], MemberRow[]>,
  true satisfies Same<AdminProps["waitlist"], WaitlistEntry[]>,
  true satisfies Same<AdminProps["reports"], ReportEntry[]>,
  true satisfies Same<AdminProps["moderation"], ModerationEntry[]>,
  true satisfies Same<Props<typeof RecommendationsView>["versions"], ModelVersion[]>,
];

Deno.test("views take the room, the hallway, the admin lists and model versions as db/ and recommend/ type them", () => {
  assert.equal(sameTypes.length, 7);
});
