/**
 * The child process behind `MediaLab`: one `RoomMedia` and its test clients, all real wrtc
 * peers, driven by JSON lines on stdin, answering on stdout. wrtc lives here and not in the
 * test runner because a process that created an `RTCAudioSource` crashes in its teardown unless
 * it ends with `Deno.exit()` (see media/wrtc.ts), which a test runner cannot do.
 */
import { Buffer } from "node:buffer";
import { MediaError } from "../../../media/errors.ts";
import { jsonLine, jsonLines } from "../../../media/json_lines.ts";
import { MediaProcesses } from "../../../media/media_processes.ts";
import {
  type Role,
  RoomMedia,
  type RoomMediaStats,
  type SignalMessage,
} from "../../../media/room_media.ts";
import { createPeerConnection } from "../../../media/wrtc.ts";
import { TestClient } from "./test_client.ts";

const speaking: string[][] = [];
const lost: number[] = [];
// With `--media-process`, the room lives in a media process of its own, as in main.ts.
const media = Deno.args.includes("--media-process")
  ? new MediaProcesses({ processes: 1, iceServers: [] })
  : null;
// The room's own clock, when a test slows it (RoomMedia's default otherwise).
const frameTimer = Deno.args.find((arg) => arg.startsWith("--frame-timer-ms="))?.split("=")[1];
let room: RoomLike = media
  ? media.openRoom({ onSpeaking: (ids) => speaking.push(ids), onLost: () => lost.push(1) })
  : new RoomMedia({
    onSpeaking: (ids) => speaking.push(ids),
    clock: frameTimer ? { frameMs: Number(frameTimer) } : undefined,
  });
const clients = new Map<string, TestClient>();
const tones = new Map<string, number | undefined>();
const micsOn = new Map<string, boolean>();
const trickles = new Map<string, boolean>();

/** What the lab needs of a room, whichever process its media is in. */
type RoomLike = Pick<RoomMedia, "handleSignal" | "setRole" | "setHeard" | "leave" | "close"> & {
  stats(): RoomMediaStats | Promise<RoomMediaStats>;
};

/** For every client, how many frames it had received when a change was made. */
function marks(): Record<string, number> {
  return Object.fromEntries([...clients].map(([id, client]) => [id, client.frames.length]));
}

async function connect(sessionId: string) {
  clients.get(sessionId)?.close();
  clients.set(
    sessionId,
    await TestClient.connect(room, sessionId, { toneHz: tones.get(sessionId) }),
  );
}

type Params = Record<string, unknown>;
const methods: Record<string, (params: Params) => unknown> = {
  async join({ sessionId, role, heard, toneHz, micOn, trickle }) {
    room.setRole(sessionId as string, role as Role);
    room.setHeard(sessionId as string, heard as boolean);
    tones.set(sessionId as string, toneHz as number | undefined);
    micsOn.set(sessionId as string, micOn !== false);
    trickles.set(sessionId as string, trickle === true);
    await connect(sessionId as string);
  },
  setRole({ sessionId, role }) {
    const before = marks();
    room.setRole(sessionId as string, role as Role);
    return before;
  },
  setHeard({ sessionId, heard }) {
    const before = marks();
    room.setHeard(sessionId as string, heard as boolean);
    return before;
  },
  async startMic({ sessionId }) {
    micsOn.set(sessionId as string, true);
    await clients.get(sessionId as string)?.startMic();
  },
  received({ sessionId, from }) {
    const frames = clients.get(sessionId as string)?.frames.slice(from as number) ?? [];
    const pcm = new Int16Array(frames.length * 480);
    frames.forEach((frame, i) => pcm.set(frame, i * 480));
    return { from, base64: Buffer.from(pcm.buffer).toString("base64") };
  },
  sending({ sessionId }) {
    return clients.get(sessionId as string)?.sending();
  },
  frameCount({ sessionId }) {
    return clients.get(sessionId as string)?.frames.length ?? 0;
  },
  drop({ sessionId }) {
    clients.get(sessionId as string)?.close();
    clients.delete(sessionId as string);
  },
  rejoin({ sessionId }) {
    return connect(sessionId as string);
  },
  async signal({ sessionId, message }) {
    try {
      return { replies: await room.handleSignal(sessionId as string, message as SignalMessage) };
    } catch (error) {
      if (error instanceof MediaError) return { refused: error.code, message: error.message };
      throw error;
    }
  },
  async dataOnlyOffer() {
    const pc = createPeerConnection({ iceServers: [] });
    pc.createDataChannel("chat");
    await pc.setLocalDescription(await pc.createOffer());
    const sdp = pc.localDescription!.sdp;
    pc.close();
    return sdp;
  },
  speaking() {
    return speaking;
  },
  stats() {
    return room.stats();
  },
  async close() {
    for (const client of clients.values()) client.close();
    clients.clear();
    room.close();
    if (!media) return room.stats();
    await media.stop();
    return null;
  },
  mediaProcesses() {
    return { running: media?.running ?? 0, pids: media?.pids ?? [], lost: lost.length };
  },
  openAgain() {
    if (!media) throw new Error("Only with a media process");
    room = media.openRoom({ onSpeaking: (ids) => speaking.push(ids), onLost: () => lost.push(1) });
  },
};

async function reply(message: unknown) {
  await Deno.stdout.write(jsonLine(message));
}

for await (const line of jsonLines(Deno.stdin.readable)) {
  const { id, method, params } = line as { id: number; method: string; params?: Params };
  try {
    await reply({ id, result: await methods[method](params ?? {}) });
  } catch (error) {
    await reply({ id, error: String((error as Error)?.stack ?? error) });
  }
  if (method === "close") Deno.exit(0);
}
Deno.exit(0);
