/**
 * The voice socket of a room page, against a real `main.ts` process (which loads wrtc): it
 * refuses other sites, answers bad input with an error frame and stays open, follows the
 * member's place in the database, and lets go when the room ends.
 */
import assert from "node:assert/strict";
import { Decoder } from "@evan/opus";
import { act } from "../../db/room_actions.ts";
import { publicRoomId, startRoom } from "../../db/rooms.ts";
import { processTree } from "../../bench/processes.ts";
import { decodeBatch } from "../../media/broadcast.ts";
import { packetsPerBatch } from "../../media/stream_format.ts";
import { databaseKinds, freshDatabase, type TestDatabase } from "../support/databases.ts";
import {
  audioOffer,
  LiveSocket,
  type PalabreProcess,
  type RoomWorld,
  seedRoom,
  startProcess,
} from "./support.ts";

const ignore = !databaseKinds.includes("postgres");

function voiceTest(
  name: string,
  fn: (world: RoomWorld, palabre: PalabreProcess, db: TestDatabase) => Promise<void>,
  env: Record<string, string> = {},
): void {
  Deno.test({
    name: `${name} [postgres]`,
    ignore,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const db = await freshDatabase("postgres");
      let palabre: PalabreProcess | undefined;
      try {
        const world = await seedRoom(db.sql, "Voice checks");
        palabre = await startProcess(db.url!, { env });
        await fn(world, palabre, db);
      } finally {
        await palabre?.stop();
        await db.close();
      }
    },
  });
}

function frame(text: string): Record<string, unknown> {
  return JSON.parse(text);
}

voiceTest("a voice socket from another site is refused", async (world, palabre) => {
  const url = palabre.origin.replace(/^http/, "ws") + `/rooms/${world.publicId}/voice`;
  const socket = new WebSocket(url, {
    headers: { Origin: "http://elsewhere.example", Cookie: world.graceCookie },
  });
  const outcome = await new Promise<string>((resolve) => {
    socket.onopen = () => resolve("open");
    socket.onerror = () => resolve("refused");
  });
  socket.close();
  assert.equal(outcome, "refused");
});

voiceTest(
  "a voice socket to a room the member may not see is closed like one to no room",
  async (world, palabre, db) => {
    const ended = await startRoom(db.sql, world.ids.ada, {
      title: "Over now",
      description: "",
      topics: ["chess"],
      kind: "closed",
    });
    await act(db.sql, world.ids.ada, ended, { type: "end" });
    /** How Grace's voice socket to the room ends, with whatever it was sent first. */
    const visit = async (publicId: string) => {
      const url = palabre.origin.replace(/^http/, "ws") + `/rooms/${publicId}/voice`;
      const socket = new WebSocket(url, {
        headers: { Origin: palabre.origin, Cookie: world.graceCookie },
      });
      const frames: string[] = [];
      socket.onmessage = (event) => frames.push(String(event.data));
      return await new Promise((resolve) => {
        socket.onclose = (event) => resolve({ code: event.code, reason: event.reason, frames });
      });
    };
    const none = await visit("AAAAAAAAAAAAAAAAAAAAAA");
    assert.deepEqual(none, { code: 1000, reason: "Not in this room", frames: [] });
    // An ended room one took no part in does not even say that it ended.
    assert.deepEqual(await visit(await publicRoomId(db.sql, ended)), none);
  },
);

voiceTest(
  "bad voice messages get an error frame and the socket stays open",
  async (world, palabre) => {
    const socket = await LiveSocket.open(
      palabre.origin,
      `/rooms/${world.publicId}/voice`,
      world.graceCookie,
    );
    try {
      await socket.waitFor((f) => frame(f).type === "state");
      socket.send("not json");
      await socket.waitFor((f) => frame(f).message === "That message was not valid JSON");
      socket.send({ type: "offer", sdp: 42 });
      await socket.waitFor((f) =>
        frame(f).message === "Expected an offer, a candidate or a listen"
      );
      socket.send({
        type: "candidate",
        candidate: { candidate: "candidate:1 1 udp 1 1.2.3.4 9 typ host" },
      });
      await socket.waitFor((f) => frame(f).message === "Candidate before offer");
      socket.send({ type: "offer", sdp: "v=0 nonsense" });
      await socket.waitFor((f) =>
        frame(f).type === "error" && frame(f).message !== "Candidate before offer"
      );
    } finally {
      socket.close();
    }
  },
);

voiceTest(
  "a voice socket follows its member onto the stage and lets go when the room ends",
  async (world, palabre, db) => {
    const socket = await LiveSocket.open(
      palabre.origin,
      `/rooms/${world.publicId}/voice`,
      world.graceCookie,
    );
    try {
      await socket.waitFor((f) => frame(f).type === "state" && frame(f).stage === false);
      await act(db.sql, world.ids.ada, world.roomId, { type: "invite_to_speak", target: "grace" });
      await act(db.sql, world.ids.grace, world.roomId, { type: "accept_invite" });
      await socket.waitFor((f) => frame(f).type === "state" && frame(f).stage === true);
      await act(db.sql, world.ids.ada, world.roomId, { type: "end" });
      assert.equal(await socket.closed, 1000);
    } finally {
      socket.close();
    }
  },
);

voiceTest(
  "a voice socket says a moderator muted its member, and not when they muted themselves",
  async (world, palabre, db) => {
    await act(db.sql, world.ids.ada, world.roomId, { type: "invite_to_speak", target: "grace" });
    await act(db.sql, world.ids.grace, world.roomId, { type: "accept_invite" });
    await act(db.sql, world.ids.grace, world.roomId, { type: "unmute_self" });
    const socket = await LiveSocket.open(
      palabre.origin,
      `/rooms/${world.publicId}/voice`,
      world.graceCookie,
    );
    const state = (muted: boolean, mutedByModerator: boolean) => (f: string) => {
      const { type, ...place } = frame(f);
      return type === "state" && place.muted === muted &&
        place.mutedByModerator === mutedByModerator;
    };
    try {
      await socket.waitFor(state(false, false));
      await act(db.sql, world.ids.ada, world.roomId, { type: "mute", target: "grace" });
      await socket.waitFor(state(true, true));
      await act(db.sql, world.ids.grace, world.roomId, { type: "unmute_self" });
      await socket.waitFor(state(false, false));
      await act(db.sql, world.ids.grace, world.roomId, { type: "mute_self" });
      const before = socket.frames.length;
      await socket.waitFor(state(true, false));
      assert.ok(
        !socket.frames.slice(before).some(state(true, true)),
        "her own mute is never reported as a moderator's",
      );
    } finally {
      socket.close();
    }
  },
);

voiceTest(
  "a member's newer page takes their voice from the older one, which can take it back",
  async (world, palabre) => {
    const path = `/rooms/${world.publicId}/voice`;
    const older = await LiveSocket.open(palabre.origin, path, world.adaCookie);
    const newer = await LiveSocket.open(palabre.origin, path, world.adaCookie);
    const grace = await LiveSocket.open(palabre.origin, path, world.graceCookie);
    const is = (type: string) => (f: string) => frame(f).type === type;
    const count = (socket: LiveSocket, type: string) => socket.frames.filter(is(type)).length;
    try {
      for (const socket of [older, newer, grace]) await socket.waitFor(is("state"));
      older.send({ type: "offer", sdp: audioOffer });
      await older.waitFor(is("answer"));
      // Someone else joining audio takes nothing from Ada.
      grace.send({ type: "offer", sdp: audioOffer });
      await grace.waitFor(is("answer"));

      newer.send({ type: "offer", sdp: audioOffer });
      await newer.waitFor(is("answer"));
      await older.waitFor(is("moved"));
      assert.equal(count(newer, "moved"), 0);

      older.send({ type: "offer", sdp: audioOffer });
      await newer.waitFor(is("moved"));
      await older.waitFor(() => count(older, "answer") === 2);
      assert.equal(count(older, "moved"), 1, "taking the voice back moves nothing from itself");
      assert.equal(count(grace, "moved"), 0, "Grace kept her own voice throughout");
      assert.equal(count(grace, "error") + count(older, "error") + count(newer, "error"), 0);
    } finally {
      for (const socket of [older, newer, grace]) socket.close();
    }
  },
);

voiceTest(
  "a listener asking to listen in a small room is told to connect, like a speaker",
  async (world, palabre) => {
    for (const cookie of [world.graceCookie, world.adaCookie]) {
      const socket = await LiveSocket.open(
        palabre.origin,
        `/rooms/${world.publicId}/voice`,
        cookie,
      );
      try {
        await socket.waitFor((f) => frame(f).type === "state");
        socket.send({ type: "listen" });
        await socket.waitFor((f) => frame(f).type === "webrtc");
        assert.equal(socket.binary.length, 0);
      } finally {
        socket.close();
      }
    }
  },
);

voiceTest(
  "once a room's WebRTC listeners are taken, a listener hears the room's stream of Opus batches",
  async (world, palabre) => {
    const grace = await LiveSocket.open(
      palabre.origin,
      `/rooms/${world.publicId}/voice`,
      world.graceCookie,
    );
    const ada = await LiveSocket.open(
      palabre.origin,
      `/rooms/${world.publicId}/voice`,
      world.adaCookie,
    );
    try {
      await grace.waitFor((f) => frame(f).type === "state");
      grace.send({ type: "listen" });
      const format = frame(await grace.waitFor((f) => frame(f).type === "stream"));
      assert.deepEqual(format, {
        type: "stream",
        codec: "opus",
        sampleRate: 48_000,
        channels: 1,
        packetMs: 20,
        startMs: 80,
        floorMs: 40,
        maxMs: 300,
      });
      // On stage, Ada must send: she is told to connect whatever the room's size.
      await ada.waitFor((f) => frame(f).type === "state");
      ada.send({ type: "listen" });
      await ada.waitFor((f) => frame(f).type === "webrtc");

      const deadline = Date.now() + 10_000;
      while (grace.binary.length < 10 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.ok(grace.binary.length >= 10, `only ${grace.binary.length} batches in 10 s`);
      assert.equal(ada.binary.length, 0, "a page that did not get the stream gets no audio");
      const batches = grace.binary.slice(0, 10).map(decodeBatch);
      const decoder = new Decoder({ channels: 1, sample_rate: 48_000 });
      batches.forEach((batch, i) => {
        assert.equal(batch.packets.length, packetsPerBatch);
        if (i > 0) {
          assert.equal(batch.firstSequence, batches[i - 1].firstSequence + packetsPerBatch);
        }
        for (const packet of batch.packets) {
          // 20 ms of 16-bit mono: 960 samples.
          assert.equal(decoder.decode(packet).byteLength, 960 * 2);
        }
      });
    } finally {
      grace.close();
      ada.close();
    }
  },
  { WEBRTC_LISTENERS_PER_ROOM: "0" },
);

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Waited ${ms} ms for ${what}`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Palabre's media processes: those under it running media/media_process.ts. */
async function mediaProcesses(palabre: PalabreProcess): Promise<number[]> {
  const pids: number[] = [];
  for (const pid of await processTree(palabre.pid)) {
    const command = await Deno.readTextFile(`/proc/${pid}/cmdline`).catch(() => "");
    if (command.includes("media_process.ts")) pids.push(pid);
  }
  return pids;
}

voiceTest(
  "when a room's media process dies, its connected pages are told to reconnect and connect again",
  async (world, palabre) => {
    const path = `/rooms/${world.publicId}/voice`;
    const is = (type: string) => (f: string) => frame(f).type === type;
    const connected = await LiveSocket.open(palabre.origin, path, world.graceCookie);
    const watching = await LiveSocket.open(palabre.origin, path, world.adaCookie);
    let again: LiveSocket | undefined;
    try {
      await connected.waitFor(is("state"));
      await watching.waitFor(is("state"));
      connected.send({ type: "offer", sdp: audioOffer });
      await connected.waitFor(is("answer"));
      const [media] = await mediaProcesses(palabre);
      assert.ok(media, "the room's media runs in a process of its own");
      Deno.kill(media, "SIGKILL");
      // 1012 "service restart": the page's socket reconnects and offers again.
      assert.equal(await within(connected.closed, 15_000, "the socket to close"), 1012);

      again = await LiveSocket.open(palabre.origin, path, world.graceCookie);
      await again.waitFor(is("state"));
      again.send({ type: "offer", sdp: audioOffer });
      await again.waitFor(is("answer"));
      assert.ok(!(await mediaProcesses(palabre)).includes(media));
      // A page that had no connection in the lost media keeps its socket.
      watching.send({ type: "listen" });
      await watching.waitFor(is("webrtc"));
      assert.equal(watching.frames.filter(is("error")).length, 0);
    } finally {
      for (const socket of [connected, watching, again]) socket?.close();
    }
  },
);
