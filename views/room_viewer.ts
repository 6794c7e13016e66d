/**
 * The per-viewer render key of `RoomLive` (views/room.tsx): viewers with the same key see the same
 * HTML, so the page hub (live/page_hub.ts) renders once per key and sends the same parts to all of
 * them. It must name every fact about the viewer that the view varies on, or one member's
 * fragment (a moderator's menus, an invitation) reaches another; tests/views/room_viewer_test.tsx
 * holds the two together. Kept beside the view, so a change to what a viewer sees changes this too.
 *
 * @example
 * const key = viewerKey(snapshot, memberId); // "listener:false:false:false:true"
 */
import type { Participant, RoomSnapshot } from "../db/rooms.ts";

/**
 * What makes one viewer's rendering of `RoomLive` differ from another's.
 *
 * @example
 * rendered.get(viewerKey(snapshot, page.memberId)) ?? render(snapshot, page.memberId);
 */
export function viewerKey(snapshot: RoomSnapshot, viewerId: number): string {
  return viewerKeyOf(snapshot.participants.find((p) => p.userId === viewerId));
}

/**
 * `viewerKey` for a viewer already found among the room's participants (undefined when absent):
 * the page hub looks thousands of viewers up in one room and must not search it for each.
 *
 * @example
 * const key = viewerKeyOf(people.get(page.memberId));
 */
export function viewerKeyOf(me: Participant | undefined): string {
  if (!me) return "absent";
  // Moderators see menus on everyone but themselves: theirs is personal.
  if (me.role === "moderator") return `moderator:${me.userId}`;
  return `${me.role}:${me.muted}:${me.mutedByModerator}:${me.invited}:${me.handRaisedAt !== null}`;
}
