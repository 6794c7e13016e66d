import assert from "node:assert/strict";
import type { Participant, RoomSnapshot } from "../../db/rooms.ts";
import { RoomLive, roomLiveParts } from "../../views/room.tsx";
import { viewerKey } from "../../views/room_viewer.ts";

const joinedAt = new Date(Date.UTC(2026, 0, 1));

/** One person in every state the room view knows, and two plain listeners alike. */
function everyone(): Participant[] {
  const people: Participant[] = [];
  for (const role of ["moderator", "speaker", "listener"] as const) {
    for (const mute of ["unmuted", "self", "moderator"] as const) {
      for (const invited of [false, true]) {
        for (const hand of [false, true]) {
          const userId = people.length + 1;
          people.push({
            userId,
            handle: `p${userId}`,
            displayName: `Person ${userId}`,
            role,
            muted: mute !== "unmuted",
            mutedByModerator: mute === "moderator",
            handRaisedAt: hand ? new Date(Date.UTC(2026, 0, 1, 12, 0, userId)) : null,
            handPosition: hand ? userId : null,
            invited,
            followedByStage: userId % 2 === 0,
            joinedAt,
          });
        }
      }
    }
  }
  const listener = (userId: number): Participant => ({
    userId,
    handle: `p${userId}`,
    displayName: `Person ${userId}`,
    role: "listener",
    muted: false,
    mutedByModerator: false,
    handRaisedAt: null,
    handPosition: null,
    invited: false,
    followedByStage: false,
    joinedAt,
  });
  return [...people, listener(people.length + 1), listener(people.length + 2)];
}

function room(state: "live" | "ended", handsEnabled: boolean): RoomSnapshot {
  return {
    room: {
      id: 1,
      publicId: "AAAAAAAAAAAAAAAAAAAAAA",
      creatorId: 1,
      linkKey: "key",
      startedAt: joinedAt,
      endedAt: state === "ended" ? joinedAt : null,
      title: "Keys",
      description: "",
      kind: "open",
      state,
      handsEnabled,
      scheduledFor: null,
    },
    topics: [],
    participants: everyone(),
  };
}

const rooms = [room("live", true), room("live", false), room("ended", true)];

Deno.test("viewers given the same render key see the same room", () => {
  for (const data of rooms) {
    // Everyone in the room, and someone who is not in it.
    const viewers = [...data.participants.map((p) => p.userId), 1000];
    const seen = viewers.map((id) => ({
      id,
      key: viewerKey(data, id),
      html: String(<RoomLive data={data} viewerId={id} />),
    }));
    for (const a of seen) {
      for (const b of seen) {
        if (a.key !== b.key) continue;
        assert.equal(
          a.html,
          b.html,
          `viewers ${a.id} and ${b.id} share the key ${a.key} but see different rooms`,
        );
      }
    }
  }
});

Deno.test("listeners in the same place share one render key", () => {
  const data = rooms[0];
  const [a, b] = data.participants.slice(-2);
  assert.equal(viewerKey(data, a.userId), viewerKey(data, b.userId));
  assert.notEqual(viewerKey(data, a.userId), "absent");
});

/** People as rooms really hold them: listeners muted by the room, hands only in the audience. */
function realisticPeople(): Participant[] {
  const places: Partial<Participant>[] = [
    { role: "moderator", muted: false },
    { role: "moderator", muted: true },
    { role: "speaker", muted: false },
    { role: "speaker", muted: true },
    { role: "speaker", muted: true, mutedByModerator: true },
    { role: "listener" },
    { role: "listener", handRaisedAt: new Date(Date.UTC(2026, 0, 1)) },
    { role: "listener", invited: true },
    { role: "listener", invited: true, handRaisedAt: new Date(Date.UTC(2026, 0, 1)) },
  ];
  // Each place twice, so that people in the same place can be seen to share.
  return [...places, ...places].map((place, i) => ({
    userId: i + 1,
    handle: `p${i + 1}`,
    displayName: `Person ${i + 1}`,
    role: "listener",
    muted: true,
    mutedByModerator: false,
    handRaisedAt: null,
    invited: false,
    followedByStage: false,
    joinedAt,
    ...place,
    handPosition: place.handRaisedAt ? i + 1 : null,
  }));
}

Deno.test("in a live room, viewers in different places get different render keys", () => {
  for (const handsEnabled of [true, false]) {
    const data = { ...room("live", handsEnabled), participants: realisticPeople() };
    const viewers = [...data.participants.map((p) => p.userId), 1000];
    const seen = viewers.map((id) => ({
      id,
      key: viewerKey(data, id),
      html: String(<RoomLive data={data} viewerId={id} />),
    }));
    for (const a of seen) {
      for (const b of seen) {
        assert.equal(
          a.key === b.key,
          a.html === b.html,
          `viewers ${a.id} (${a.key}) and ${b.id} (${b.key}): keys and rooms disagree`,
        );
      }
    }
  }
});

Deno.test("each part of the live room is one element carrying its id, and they make the room", () => {
  for (const data of rooms) {
    for (const id of [...data.participants.map((p) => p.userId), 1000]) {
      const parts = roomLiveParts({ data, viewerId: id }).map((part) => ({
        id: part.id,
        html: String(<>{part.view}</>),
      }));
      // A partial swaps the element whose id is the part's: it must be the part's one element.
      for (const part of parts) {
        assert.match(part.html, new RegExp(`^<section id="${part.id}"[^>]*>.*</section>$`, "s"));
        assert.equal(part.html.match(/<section[ >]/g)?.length, 1, part.id);
      }
      assert.equal(new Set(parts.map((p) => p.id)).size, parts.length);
      assert.equal(
        parts.map((part) => part.html).join(""),
        String(<RoomLive data={data} viewerId={id} />),
      );
    }
  }
});
