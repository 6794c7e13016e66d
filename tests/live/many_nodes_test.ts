/**
 * One room across three Palabre nodes (real main.ts processes) on one PostgreSQL and one
 * nats-server: voice heard from every node whichever node holds the room's media, mutes applied
 * everywhere, the room's counts and one voice per member room-wide, and the room moving to another
 * node when its home is killed. Peers are real wrtc processes carrying tones, found by Goertzel.
 */
import assert from "node:assert/strict";
import { act } from "../../db/room_actions.ts";
import { joinRoom } from "../../db/rooms.ts";
import { startSession } from "../../db/sessions.ts";
import { setPicks } from "../../db/topics.ts";
import { invitedMember } from "../db/support.ts";
import { packetsPerBatch } from "../../media/stream_format.ts";
import { freshDatabase, type TestDatabase } from "../support/databases.ts";
import { manyNodesMissing } from "../support/nats.ts";
import { type Host, type Hosts, startHosts } from "../support/hosts.ts";
import { type Peer, startPeer } from "./support/peers.ts";
import { audioOffer, LiveSocket, type RoomWorld, seedRoom } from "./support.ts";

const missing = manyNodesMissing("many-node tests");

interface Nodes {
  db: TestDatabase;
  world: RoomWorld & { roomPath: string; linusCookie: string; bobCookie: string };
  nodes: Host[];
}

/** Three hosts, each in a network namespace with an address of its own (tests/support/hosts.ts). */
function nodesTest(
  name: string,
  fn: (nodes: Nodes) => Promise<void>,
  env: Record<string, string> = {},
): void {
  Deno.test({
    name,
    ignore: missing !== null,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const db = await freshDatabase("postgres");
      let hosts: Hosts | undefined;
      try {
        const base = await seedRoom(db.sql, "Across nodes");
        const linus = await invitedMember(db.sql, base.ids.ada, "linus");
        const bob = await invitedMember(db.sql, base.ids.ada, "bob");
        for (const m of [linus, bob]) {
          await setPicks(db.sql, m.id, ["jazz", "chess", "film"]);
          await joinRoom(db.sql, m.id, base.roomId);
        }
        const cookie = async (id: number) =>
          `palabre_session=${await startSession(db.sql, id, { ttlMs: 3_600_000 })}`;
        const world = {
          ...base,
          roomPath: `/rooms/${base.publicId}`,
          linusCookie: await cookie(linus.id),
          bobCookie: await cookie(bob.id),
        };
        hosts = await startHosts({
          count: 3,
          databaseUrl: db.url!,
          env: {
            MEDIA_PROCESSES: "1",
            // Peers have no live page socket to keep them present: nobody is swept out.
            PRESENCE_TIMEOUT_SECONDS: "3600",
            ...env,
          },
        });
        await fn({ db, world, nodes: [...hosts.hosts] });
      } finally {
        await hosts?.stop();
        await db.close();
      }
    },
  });
}

const loud = (answer: Record<string, unknown>) => Number(answer.amplitude) > 0.05;
const quiet = (answer: Record<string, unknown>) => Number(answer.amplitude) < 0.01;

async function stopAll(peers: (Peer | undefined)[]): Promise<void> {
  await Promise.all(peers.map((peer) => peer?.stop()));
}

nodesTest(
  "speakers on two nodes are heard on every node, by WebRTC and by stream, and a mute holds everywhere",
  async ({ db, world, nodes: [a, b, c] }) => {
    let ada, bob, grace, linus: Peer | undefined;
    try {
      await act(db.sql, world.ids.ada, world.roomId, { type: "invite_to_speak", target: "bob" });
      await act(db.sql, await idOf(db, "bob"), world.roomId, { type: "accept_invite" });
      await act(db.sql, await idOf(db, "bob"), world.roomId, { type: "unmute_self" });
      await act(db.sql, world.ids.ada, world.roomId, { type: "unmute_self" });
      ada = await startPeer(a.origin, world.roomPath, world.adaCookie, "speak:440");
      bob = await startPeer(b.origin, world.roomPath, world.bobCookie, "speak:660");
      grace = await startPeer(b.origin, world.roomPath, world.graceCookie, "webrtc");
      linus = await startPeer(c.origin, world.roomPath, world.linusCookie, "stream");
      for (const hz of [440, 660]) {
        await grace.waitFor({ op: "tone", hz, ms: 300 }, loud);
        await linus.waitFor({ op: "tone", hz, ms: 300 }, loud);
      }
      // Each speaker hears the other, across nodes, and not themselves.
      await ada.waitFor({ op: "tone", hz: 660, ms: 300 }, loud);
      await bob.waitFor({ op: "tone", hz: 440, ms: 300 }, loud);
      assert.ok(quiet(await ada.ask({ op: "tone", hz: 440, ms: 300 })), "Ada hears herself");

      const mutedAt = Date.now();
      await act(db.sql, world.ids.ada, world.roomId, { type: "mute", target: "bob" });
      const silences: Record<string, number> = {};
      for (const [who, peer] of Object.entries({ ada, grace, linus })) {
        const { at } = await peer.waitFor(
          { op: "silentFrom", hz: 660, after: mutedAt },
          (answer) => answer.at !== null,
        );
        silences[who] = Number(at) - mutedAt;
      }
      // Ada's voice goes on everywhere.
      await grace.waitFor({ op: "tone", hz: 440, ms: 300 }, loud);
      await linus.waitFor({ op: "tone", hz: 440, ms: 300 }, loud);
      console.log(
        `Bob's mute, from the commit to silence on each node (ms): ${JSON.stringify(silences)}`,
      );
    } finally {
      await stopAll([ada, bob, grace, linus]);
    }
  },
  { WEBRTC_LISTENERS_PER_ROOM: "1" },
);

nodesTest(
  "the WebRTC quota and one voice per member hold across nodes",
  async ({ world, nodes: [a, b, c] }) => {
    const voice = `/rooms/${world.publicId}/voice`;
    const type = (t: string) => (f: string) => JSON.parse(f).type === t;
    const graceOnB = await LiveSocket.open(b.origin, voice, world.graceCookie);
    const graceOnC = await LiveSocket.open(c.origin, voice, world.graceCookie);
    const linusOnA = await LiveSocket.open(a.origin, voice, world.linusCookie);
    try {
      for (const socket of [graceOnB, graceOnC, linusOnA]) await socket.waitFor(type("state"));
      // Grace takes the room's one WebRTC listener place on B...
      graceOnB.send({ type: "listen" });
      await graceOnB.waitFor(type("webrtc"));
      graceOnB.send({ type: "offer", sdp: audioOffer });
      await graceOnB.waitFor(type("answer"));
      // ...so Linus, on A, hears the stream.
      linusOnA.send({ type: "listen" });
      await linusOnA.waitFor(type("stream"));
      // Grace's page on C takes her voice from her page on B.
      graceOnC.send({ type: "offer", sdp: audioOffer });
      await graceOnC.waitFor(type("answer"));
      await graceOnB.waitFor(type("moved"));
      assert.equal(graceOnC.frames.filter(type("moved")).length, 0);
    } finally {
      for (const socket of [graceOnB, graceOnC, linusOnA]) socket.close();
    }
  },
  { WEBRTC_LISTENERS_PER_ROOM: "1" },
);

nodesTest(
  "when the room's home is killed, another node takes the room and every page hears again",
  async ({ db, world, nodes }) => {
    const [a, b, c] = nodes;
    const all = (first: Host) => originsFrom(first, nodes);
    let ada, grace, linus: Peer | undefined;
    try {
      await act(db.sql, world.ids.ada, world.roomId, { type: "unmute_self" });
      // Ada's first offer reaches A: the room's media lives there.
      ada = await startPeer(all(a), world.roomPath, world.adaCookie, "speak:440");
      grace = await startPeer(all(b), world.roomPath, world.graceCookie, "webrtc");
      linus = await startPeer(all(c), world.roomPath, world.linusCookie, "stream");
      await grace.waitFor({ op: "tone", hz: 440, ms: 300 }, loud);
      await linus.waitFor({ op: "tone", hz: 440, ms: 300 }, loud);
      const [home] = await db.sql`select node_id from room_homes where room_id = ${world.roomId}`;
      assert.ok(home, "the room has a home");

      const killedAt = Date.now();
      Deno.kill(a.pid!, "SIGKILL");
      nodes.splice(nodes.indexOf(a), 1);
      const back: Record<string, number> = {};
      for (const [who, peer] of Object.entries({ grace, linus })) {
        back[who] = await heardAgain(peer, 440, killedAt) - killedAt;
      }
      const [moved] = await db.sql`select node_id from room_homes where room_id = ${world.roomId}`;
      assert.notEqual(moved?.node_id, home.node_id, "the room moved to a live node");
      console.log(`From SIGKILL of the home to audio heard again (ms): ${JSON.stringify(back)}`);
    } finally {
      await stopAll([ada, grace, linus]);
    }
  },
  // Whoever reconnects first, Linus hears by stream (Grace's page offers without asking).
  { WEBRTC_LISTENERS_PER_ROOM: "0" },
);

nodesTest(
  "a killed home that no page is asking is found by the other nodes' pings, long before its lease",
  async ({ db, world, nodes }) => {
    const [a, b, c] = nodes;
    const all = (first: Host) => originsFrom(first, nodes);
    let ada, grace, linus: Peer | undefined;
    try {
      await act(db.sql, world.ids.ada, world.roomId, { type: "unmute_self" });
      // Linus's page places the room on A, then goes: no page is left on A to reconnect and ask.
      linus = await startPeer(all(a), world.roomPath, world.linusCookie, "webrtc");
      ada = await startPeer(all(b), world.roomPath, world.adaCookie, "speak:440");
      grace = await startPeer(all(c), world.roomPath, world.graceCookie, "webrtc");
      await grace.waitFor({ op: "tone", hz: 440, ms: 300 }, loud);
      await linus.stop();
      linus = undefined;
      const [home] = await db.sql`select node_id from room_homes where room_id = ${world.roomId}`;

      const killedAt = Date.now();
      Deno.kill(a.pid!, "SIGKILL");
      // A 60 s lease would keep the pages waiting past this wait's 30 s deadline.
      const back = await heardAgain(grace, 440, killedAt) - killedAt;
      const [moved] = await db.sql`select node_id from room_homes where room_id = ${world.roomId}`;
      assert.notEqual(moved.node_id, home.node_id);
      console.log(`From SIGKILL of a home nobody was asking to audio heard again (ms): ${back}`);
    } finally {
      await stopAll([ada, grace, linus]);
    }
  },
  // Pings go every fifth of a lease: 12 s here.
  { WEBRTC_LISTENERS_PER_ROOM: "5", HOME_LEASE_SECONDS: "60" },
);

nodesTest(
  "a home that stalls past its lease loses the room to a live node, and lets go of it when it wakes",
  async ({ db, world, nodes }) => {
    const [a, b, c] = nodes;
    const all = (first: Host) => originsFrom(first, nodes);
    let ada, grace, linus: Peer | undefined;
    try {
      await act(db.sql, world.ids.ada, world.roomId, { type: "unmute_self" });
      // Linus joins first, on A: the room's media lives there. Ada speaks from B, Grace hears on C.
      linus = await startPeer(all(a), world.roomPath, world.linusCookie, "webrtc");
      const [home] = await db.sql`select node_id from room_homes where room_id = ${world.roomId}`;
      ada = await startPeer(all(b), world.roomPath, world.adaCookie, "speak:440");
      grace = await startPeer(all(c), world.roomPath, world.graceCookie, "webrtc");
      await grace.waitFor({ op: "tone", hz: 440, ms: 300 }, loud);

      // A machine that stops answering keeps its connections open: nothing tells the others
      // but its lease running out.
      const stalledAt = Date.now();
      Deno.kill(a.pid!, "SIGSTOP");
      let back: number;
      try {
        back = await heardAgain(grace, 440, stalledAt) - stalledAt;
      } finally {
        Deno.kill(a.pid!, "SIGCONT");
      }
      const [moved] = await db.sql`select node_id from room_homes where room_id = ${world.roomId}`;
      assert.notEqual(moved.node_id, home.node_id, "the room moved off the stalled node");
      // Woken, A finds its lease gone and lets its page go: Linus joins the room where it is now.
      const wokeAt = Date.now();
      await linus.waitFor({ op: "state" }, (state) => Number(state.joinedAt) > wokeAt, 30_000);
      await linus.waitFor({ op: "tone", hz: 440, ms: 300 }, loud, 30_000);
      const [still] = await db.sql`select node_id from room_homes where room_id = ${world.roomId}`;
      assert.equal(still.node_id, moved.node_id, "one home, the new one");
      console.log(`From a stalled home to audio heard again (ms): ${back}`);
    } finally {
      await stopAll([ada, grace, linus]);
    }
  },
  { WEBRTC_LISTENERS_PER_ROOM: "5" },
);

nodesTest(
  "a stream listener on one node that stops reading, or a whole node that stalls, does not hold up another node's listeners",
  async ({ db, world, nodes: [a, b, c] }) => {
    let ada, linus: Peer | undefined;
    let stuck: Deno.Conn | undefined;
    try {
      await act(db.sql, world.ids.ada, world.roomId, { type: "unmute_self" });
      ada = await startPeer(a.origin, world.roomPath, world.adaCookie, "speak:440");
      linus = await startPeer(c.origin, world.roomPath, world.linusCookie, "stream");
      await linus.waitFor({ op: "tone", hz: 440, ms: 300 }, loud);
      // Grace's page on B asks for the stream, then never reads another byte.
      stuck = await stuckStreamListener(b.origin, `${world.roomPath}/voice`, world.graceCookie);
      await pause(1_000);

      const stalledAt = Date.now();
      Deno.kill(b.pid!, "SIGSTOP");
      await pause(3_000);
      Deno.kill(b.pid!, "SIGCONT");
      await pause(1_000);
      const { firstSequences, arrivals } = await linus.ask({ op: "batches", after: stalledAt }) as {
        firstSequences: number[];
        arrivals: number[];
      };
      const skipped = firstSequences.slice(1).filter((seq, i) =>
        seq !== firstSequences[i] + packetsPerBatch
      );
      assert.deepEqual(skipped, [], "C's listener missed no batch while B stalled");
      const during = arrivals.filter((at) => at < stalledAt + 3_000).length;
      // 3 s of 40 ms batches is 75: they kept coming while B was stopped, not after it resumed.
      assert.ok(during >= 60, `only ${during} batches reached C while B was stopped`);
      const gaps = arrivals.slice(1).map((at, i) => at - arrivals[i]);
      console.log(
        `C's listener while B stalled: ${during} batches, longest gap ${Math.max(...gaps)} ms`,
      );
    } finally {
      stuck?.close();
      await stopAll([ada, linus]);
    }
  },
  { WEBRTC_LISTENERS_PER_ROOM: "0" },
);

/** Every node's origin, `first` first: a page that fails to reach one goes on to the next. */
function originsFrom(first: Host, nodes: Host[]): string {
  return [first, ...nodes.filter((n) => n !== first)].map((n) => n.origin).join(",");
}

/** When `peer`, having joined again after `since`, first heard `hz` (epoch ms). */
async function heardAgain(peer: Peer, hz: number, since: number): Promise<number> {
  const { joinedAt } = await peer.waitFor(
    { op: "state" },
    (state) => Number(state.joinedAt) > since,
    30_000,
  );
  const { at } = await peer.waitFor(
    { op: "heardFrom", hz, after: joinedAt },
    (answer) => answer.at !== null,
    30_000,
  );
  return Number(at);
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A page's voice socket opened by hand on a raw TCP connection: it asks for the stream and then
 * reads nothing more, as a phone that froze would.
 */
async function stuckStreamListener(
  origin: string,
  path: string,
  cookie: string,
): Promise<Deno.Conn> {
  const url = new URL(origin);
  const conn = await Deno.connect({ hostname: url.hostname, port: Number(url.port) });
  const key = crypto.getRandomValues(new Uint8Array(16)).toBase64();
  const request = [
    `GET ${path} HTTP/1.1`,
    `Host: ${url.host}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    `Sec-WebSocket-Key: ${key}`,
    "Sec-WebSocket-Version: 13",
    `Origin: ${origin}`,
    `Cookie: ${cookie}`,
    "",
    "",
  ].join("\r\n");
  await conn.write(new TextEncoder().encode(request));
  const head = new Uint8Array(4096);
  const read = await conn.read(head);
  const response = new TextDecoder().decode(head.subarray(0, read ?? 0));
  assert.match(response, /^HTTP\/1\.1 101/);
  await pause(300);
  // One masked text frame: {"type":"listen"}.
  const payload = new TextEncoder().encode(JSON.stringify({ type: "listen" }));
  const mask = crypto.getRandomValues(new Uint8Array(4));
  const frame = new Uint8Array(2 + 4 + payload.length);
  frame[0] = 0x81;
  frame[1] = 0x80 | payload.length;
  frame.set(mask, 2);
  payload.forEach((byte, i) => frame[6 + i] = byte ^ mask[i % 4]);
  await conn.write(frame);
  return conn;
}

async function idOf(db: TestDatabase, handle: string): Promise<number> {
  const [row] = await db.sql`select id from users where handle = ${handle}`;
  return Number(row.id);
}
