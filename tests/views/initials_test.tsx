import assert from "node:assert/strict";
import type { Participant, RoomSnapshot } from "../../db/rooms.ts";
import { initials } from "../../views/initials.ts";
import { type ProfileData, ProfileView } from "../../views/profile.tsx";
import { RoomLive } from "../../views/room.tsx";

Deno.test("initials are the first letters of the first and last words of the name", () => {
  assert.equal(initials("Ada Lovelace", "ada"), "AL");
  assert.equal(initials("Ludwig van Beethoven", "ludwig"), "LB");
  assert.equal(initials("grace", "grace"), "G");
  assert.equal(initials("  Lin   Yutang  ", "lin"), "LY");
});

Deno.test("initials take whole letters, accents and all, in any script", () => {
  // "É" written as E and a combining acute accent: one letter, two code points.
  assert.equal(initials("E\u0301mile Zola", "emile"), "E\u0301Z");
  assert.equal(initials("Émile Zola", "emile"), "ÉZ");
  assert.equal(initials("ßeta øre", "beta"), "SSØ");
  assert.equal(initials("Ἀλέξανδρος Παπαδιαμάντης", "alexandros"), "ἈΠ");
  assert.equal(initials("王 小明", "wang"), "王小");
});

Deno.test("a name without letters falls back to the handle's first letter", () => {
  assert.equal(initials("🎷", "sax"), "S");
  assert.equal(initials("— 🎷 —", "sax"), "S");
  assert.equal(initials("🎷 Jazz", "sax"), "J");
});

Deno.test("a profile and a room tile show the same person with the same initials", () => {
  const profile: ProfileData = {
    handle: "ada",
    displayName: "Ada Lovelace",
    bio: "",
    topics: [],
    followers: 0,
    following: 0,
    followedByViewer: false,
    blockedByViewer: false,
    isViewer: false,
  };
  const when = new Date(Date.UTC(2026, 0, 1));
  const ada: Participant = {
    userId: 1,
    handle: "ada",
    displayName: "Ada Lovelace",
    role: "moderator",
    muted: false,
    mutedByModerator: false,
    handRaisedAt: null,
    handPosition: null,
    invited: false,
    followedByStage: false,
    joinedAt: when,
  };
  const room: RoomSnapshot = {
    room: {
      id: 1,
      publicId: "AAAAAAAAAAAAAAAAAAAAAA",
      creatorId: 1,
      linkKey: "key",
      startedAt: when,
      endedAt: null,
      title: "Engines",
      description: "",
      kind: "open",
      state: "live",
      handsEnabled: true,
      scheduledFor: null,
    },
    topics: [],
    participants: [ada],
  };
  const avatar = /class="avatar"[^>]*>([^<]*)</;
  const onProfile = avatar.exec(String(<ProfileView profile={profile} />))?.[1];
  const onTile = avatar.exec(String(<RoomLive data={room} viewerId={1} />))?.[1];
  assert.equal(onProfile, "AL");
  assert.equal(onTile, "AL");
});
