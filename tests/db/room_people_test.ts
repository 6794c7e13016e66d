/**
 * Two rules about people in a room that more than one side reads: who the room hears (voice),
 * and who may share a closed room's link (the room's page).
 */
import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import { cast, openRoom } from "./rooms_support.ts";
import { act } from "../../db/room_actions.ts";
import { follow } from "../../db/profiles.ts";
import {
  findVisibleRoom,
  isHeard,
  joinRoom,
  publicRoomId,
  roomSnapshot,
  scheduleEvent,
  shareableLinkKey,
} from "../../db/rooms.ts";

Deno.test("the room hears people on stage who are not muted, and nobody in the audience", () => {
  assert.equal(isHeard({ role: "moderator", muted: false }), true);
  assert.equal(isHeard({ role: "speaker", muted: false }), true);
  assert.equal(isHeard({ role: "moderator", muted: true }), false);
  assert.equal(isHeard({ role: "speaker", muted: true }), false);
  assert.equal(isHeard({ role: "listener", muted: false }), false);
  assert.equal(isHeard({ role: "listener", muted: true }), false);
});

dbTest("a live closed room's link is shared by its moderators only", async (sql) => {
  const { ada, grace, alan } = await cast(sql, "ada", "grace", "alan");
  const roomId = await openRoom(sql, ada.id, { kind: "closed" });
  const open = await roomSnapshot(sql, roomId);
  const key = open!.room.linkKey;
  for (const member of [grace, alan]) {
    await findVisibleRoom(sql, await publicRoomId(sql, roomId), member.id, { linkKey: key });
    await joinRoom(sql, member.id, roomId);
  }
  await act(sql, ada.id, roomId, { type: "invite_to_speak", target: "grace" });
  await act(sql, grace.id, roomId, { type: "accept_invite" });
  const snapshot = (await roomSnapshot(sql, roomId))!;
  const outsider = { hostsEvent: false };
  assert.equal(shareableLinkKey(snapshot, ada.id, outsider), key, "the moderator");
  assert.equal(shareableLinkKey(snapshot, grace.id, outsider), null, "a speaker");
  assert.equal(shareableLinkKey(snapshot, alan.id, outsider), null, "a listener");
});

dbTest("an open room has no link to share, even for its moderator", async (sql) => {
  const { ada } = await cast(sql, "ada");
  const snapshot = (await roomSnapshot(sql, await openRoom(sql, ada.id)))!;
  assert.equal(shareableLinkKey(snapshot, ada.id, { hostsEvent: false }), null);
});

dbTest("a closed event's link is shared by its hosts before it opens", async (sql) => {
  const { ada } = await cast(sql, "ada", "grace");
  const roomId = await scheduleEvent(sql, ada.id, {
    title: "Secret jam",
    description: "",
    topics: ["jazz"],
    kind: "closed",
    startsAt: new Date(Date.now() + 86_400_000),
    cohosts: ["grace"],
  });
  const snapshot = (await roomSnapshot(sql, roomId))!;
  assert.equal(shareableLinkKey(snapshot, ada.id, { hostsEvent: true }), snapshot.room.linkKey);
  assert.equal(shareableLinkKey(snapshot, ada.id, { hostsEvent: false }), null);
});

dbTest("the audience marks whom someone on stage in this room follows", async (sql) => {
  const { ada, grace, alan, lin, bob } = await cast(sql, "ada", "grace", "alan", "lin", "bob");
  const roomId = await openRoom(sql, ada.id);
  for (const member of [grace, alan, lin]) await joinRoom(sql, member.id, roomId);
  // Bob is on the stage of another room: his follows count there, not here.
  await openRoom(sql, bob.id);
  await follow(sql, ada.id, "alan");
  await follow(sql, grace.id, "lin");
  await follow(sql, bob.id, "grace");
  const followed = async () =>
    Object.fromEntries(
      (await roomSnapshot(sql, roomId))!.participants
        .filter((p) => p.role === "listener")
        .map((p) => [p.handle, p.followedByStage]),
    );
  // Alan by the moderator; Lin only by a listener; Grace only from another room's stage.
  assert.deepEqual(await followed(), { grace: false, alan: true, lin: false });
  await act(sql, ada.id, roomId, { type: "invite_to_speak", target: "grace" });
  await act(sql, grace.id, roomId, { type: "accept_invite" });
  assert.deepEqual(await followed(), { alan: true, lin: true });
});
