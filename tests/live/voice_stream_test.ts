/**
 * The room's stream as one node fans it out: the real home and edge of one process (a real media
 * process making the batches, the in-process bus), with pages standing in for sockets whose
 * unsent bytes the test decides.
 */
import assert from "node:assert/strict";
import type { WSContext } from "hono/ws";
import { markNodeSeen, randomKey } from "../../db/room_homes.ts";
import { english } from "../../i18n/translate.ts";
import { LocalBus } from "../../live/bus.ts";
import { VoiceHomes } from "../../live/voice_homes.ts";
import { VoiceRooms, type VoiceSocket } from "../../live/voice_rooms.ts";
import { MediaProcesses } from "../../media/media_processes.ts";
import { databaseKinds, freshDatabase, type TestDatabase } from "../support/databases.ts";
import { invitedMember } from "../db/support.ts";
import { joinRoom } from "../../db/rooms.ts";
import { seedRoom } from "./support.ts";

/** A page's socket: what it was sent, how it was closed, and how much it has not read yet. */
class PageSocket {
  sent: unknown[] = [];
  closed: number | null = null;
  raw = { bufferedAmount: 0 };
  send(data: unknown): void {
    if (this.closed !== null) throw new Error("closed");
    this.sent.push(data);
  }
  close(code: number): void {
    this.closed ??= code;
  }
  get batches(): number {
    return this.sent.filter((data) => data instanceof ArrayBuffer).length;
  }
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Still waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** One node's voice, home and edge, on a fresh database: what each test below runs on. */
interface OneNode {
  db: TestDatabase;
  voice: VoiceRooms;
}

function oneNodeTest(
  name: string,
  options: { leaseMs: number; stuckStreamMs?: number },
  fn: (node: OneNode) => Promise<void>,
): void {
  for (const kind of databaseKinds) {
    Deno.test({
      name: `${name} [${kind}]`,
      sanitizeOps: false,
      sanitizeResources: false,
      async fn() {
        const db = await freshDatabase(kind);
        const media = new MediaProcesses({ processes: 1, iceServers: [] });
        const bus = new LocalBus();
        const nodeId = randomKey();
        const homes = new VoiceHomes({
          sql: db.sql,
          bus,
          nodeId,
          leaseMs: options.leaseMs,
          createMedia: (callbacks) => media.openRoom(callbacks),
          webrtcListenersPerRoom: 0,
        });
        const voice = new VoiceRooms({ sql: db.sql, bus, nodeId, ...options });
        try {
          await markNodeSeen(db.sql, nodeId);
          homes.start();
          voice.start();
          await fn({ db, voice });
        } finally {
          voice.stop();
          await homes.stop();
          await media.stop();
          await db.close();
        }
      },
    });
  }
}

oneNodeTest(
  "a stream listener too far behind skips batches, and is let go once stuck",
  { leaseMs: 5000, stuckStreamMs: 1000 },
  async ({ db, voice }) => {
    const world = await seedRoom(db.sql, "Stream fan-out");
    const page = (memberId: number) => {
      const ws = new PageSocket();
      const socket: VoiceSocket = {
        ws: ws as unknown as WSContext,
        memberId,
        words: english,
        roomId: world.roomId,
        mediaId: crypto.randomUUID(),
        inMedia: false,
      };
      return { ws, socket };
    };
    const linus = await invitedMember(db.sql, world.ids.ada, "linus");
    await joinRoom(db.sql, linus.id, world.roomId);
    const keeping = page(world.ids.grace);
    const stuck = page(linus.id);
    for (const { socket } of [keeping, stuck]) {
      await voice.open(socket);
      await voice.receive(socket, JSON.stringify({ type: "listen" }));
    }
    await until(() => keeping.ws.batches >= 5 && stuck.ws.batches >= 5, "the stream");

    // Linus's page stops reading: his socket's unsent bytes pile up past a second of audio.
    stuck.ws.raw.bufferedAmount = 64 * 1024;
    const sentWhileBehind = stuck.ws.batches;
    const keptBefore = keeping.ws.batches;
    await until(() => stuck.ws.closed !== null, "the stuck page to be let go");
    assert.equal(stuck.ws.closed, 1013);
    assert.equal(stuck.ws.batches, sentWhileBehind, "nothing more was queued for him");
    // Grace's page heard every batch meanwhile: more than a second of them, 25 a second.
    assert.ok(keeping.ws.batches - keptBefore >= 20, `${keeping.ws.batches - keptBefore}`);
    assert.equal(keeping.ws.closed, null);
    voice.close(keeping.socket);
  },
);

// Renewals every fifth of this: a lapse the node recovers from within a test.
const leaseMs = 1000;

oneNodeTest(
  "a home late to renew its lease keeps its room when nobody took it",
  { leaseMs },
  async ({ db, voice }) => {
    const world = await seedRoom(db.sql, "A busy node");
    const ws = new PageSocket();
    const socket: VoiceSocket = {
      ws: ws as unknown as WSContext,
      memberId: world.ids.grace,
      words: english,
      roomId: world.roomId,
      mediaId: crypto.randomUUID(),
      inMedia: false,
    };
    await voice.open(socket);
    await voice.receive(socket, JSON.stringify({ type: "listen" }));
    await until(() => ws.batches >= 5, "the stream");

    // As if this node's event loop had been too busy to renew for a while.
    await db.sql`update room_homes set lease_until = now() - interval '1 second'`;
    const before = ws.batches;
    await new Promise((resolve) => setTimeout(resolve, 3 * leaseMs));
    const [row] = await db.sql`
      select lease_until > statement_timestamp() as live from room_homes`;
    assert.equal(row?.live, true, "the lease was renewed");
    assert.equal(ws.closed, null, "the page kept its stream");
    assert.ok(ws.batches - before >= 50, `${ws.batches - before} batches in 3 s`);
    voice.close(socket);
  },
);
