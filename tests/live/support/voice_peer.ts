/**
 * A room page's voice played by a real wrtc peer, in a process of its own (wrtc crashes a process
 * that ends by running out of work): it opens the room's voice socket with its session cookie
 * and joins as `speak:HZ` (a tone as its microphone), `webrtc` (a listener with a connection of
 * its own) or `stream` (a listener asking to listen, and decoding the room's Opus batches). Like a
 * page behind a load balancer, it opens the socket again when it closes with anything but 1000,
 * and joins again; when that fails, it tries the next of its origins (comma-separated).
 *
 * Every 10 ms frame it hears is kept with the time it arrived. On standard input it takes JSON
 * lines and answers each on standard output:
 * - `{"op":"tone","hz":440,"ms":300}`: `{"amplitude"}` of `hz` over the last `ms` it heard;
 * - `{"op":"silentFrom","hz":440,"after":EPOCH_MS}`: `{"at"}`, the arrival time of the first frame
 *   after `after` from which `hz` is absent from every later frame (null if heard in the last);
 * - `{"op":"heardFrom","hz":440,"after":EPOCH_MS}`: `{"at"}`, when `hz` was first heard after
 *   `after` (null if not yet);
 * - `{"op":"batches","after":EPOCH_MS}`: `{"firstSequences","arrivals"}` of the stream's batches
 *   received after `after` (stream mode);
 * - `{"op":"state"}`: `{"joins","joinedAt","origin"}` (joins counts reconnections plus one).
 * It prints `{"ready":true}` once it first joined and sends or receives, and hangs up when its
 * standard input closes.
 *
 * @example
 * deno run -A tests/live/support/voice_peer.ts http://10.0.0.11:8000 /rooms/abc 'palabre_session=...' speak:440
 */
import { Decoder } from "@evan/opus";
import { decodeBatch } from "../../../media/broadcast.ts";
import type { SignalMessage } from "../../../media/room_media.ts";
import { jsonLine, jsonLines } from "../../../media/json_lines.ts";
import { TestClient } from "../../media/support/test_client.ts";
import { toneAmplitude } from "../../media/support/tones.ts";

const presentAmplitude = 0.05;
const joinTimeoutMs = 30_000;

interface Heard {
  at: number;
  pcm: Int16Array;
}

const [origins, roomPath, cookie, mode] = Deno.args;
const originList = origins.split(",");
const toneHz = mode.startsWith("speak:") ? Number(mode.slice(6)) : undefined;
const heard: Heard[] = [];
const batches: { firstSequence: number; at: number }[] = [];
let joins = 0;
let joinedAt = 0;
let origin = originList[0];
let stopping = false;
let current: { socket: WebSocket; client?: TestClient } | null = null;

/** Frames of the voice socket, and a wait for the first of a type. */
function framesOf(socket: WebSocket) {
  const frames: Record<string, unknown>[] = [];
  let wake = () => {};
  socket.addEventListener("message", (event) => {
    if (typeof event.data !== "string") return;
    frames.push(JSON.parse(event.data));
    wake();
  });
  socket.addEventListener("close", () => wake());
  return {
    async next(type: string): Promise<Record<string, unknown>> {
      const deadline = Date.now() + joinTimeoutMs;
      while (true) {
        const at = frames.findIndex((f) => f.type === type);
        if (at >= 0) return frames.splice(at, 1)[0];
        const error = frames.find((f) => f.type === "error");
        if (error) throw new Error(`Voice socket error: ${error.message}`);
        if (socket.readyState >= WebSocket.CLOSING) throw new Error("Voice socket closed");
        if (Date.now() > deadline) throw new Error(`No ${type} frame`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 100);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    },
  };
}

async function join(): Promise<void> {
  const url = origin.replace(/^http/, "ws") + `${roomPath}/voice`;
  const socket = new WebSocket(url, { headers: { Origin: origin, Cookie: cookie } });
  socket.binaryType = "arraybuffer";
  const frames = framesOf(socket);
  await new Promise<void>((resolve, reject) => {
    // A node that stopped answering accepts the connection and says nothing: a balancer would
    // have taken it out, so the peer moves on.
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`Voice socket to ${url} did not open`));
    }, 5_000);
    socket.onopen = () => {
      clearTimeout(timer);
      resolve();
    };
    socket.onerror = () => {
      clearTimeout(timer);
      reject(new Error(`Voice socket to ${url} failed`));
    };
  });
  const me: { socket: WebSocket; client?: TestClient } = { socket };
  current = me;
  socket.addEventListener("close", (event) => {
    me.client?.close();
    if (current !== me || stopping || event.code === 1000) return;
    current = null;
    // As a page does: open the socket again and join again (on another node if this one fails).
    setTimeout(() => rejoin(), 200);
  });
  try {
    await frames.next("state");
    if (mode === "stream") {
      socket.send(JSON.stringify({ type: "listen" }));
      await frames.next("stream");
      const decoder = new Decoder({ channels: 1, sample_rate: 48_000 });
      socket.addEventListener("message", (event) => {
        if (typeof event.data === "string") return;
        const at = Date.now();
        const batch = decodeBatch(new Uint8Array(event.data));
        batches.push({ firstSequence: batch.firstSequence, at });
        for (const packet of batch.packets) {
          const bytes = decoder.decode(packet);
          const pcm = new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
          for (let i = 0; i + 480 <= pcm.length; i += 480) {
            heard.push({ at, pcm: pcm.slice(i, i + 480) });
          }
        }
      });
    } else {
      const room = {
        async handleSignal(_sessionId: string, message: SignalMessage): Promise<SignalMessage[]> {
          socket.send(JSON.stringify(message));
          if (message.type !== "offer") return [];
          const answer = await frames.next("answer");
          return [{ type: "answer", sdp: String(answer.sdp) }];
        },
      };
      const client = await TestClient.connect(room, "peer", { toneHz });
      me.client = client;
      let seen = 0;
      const keep = setInterval(() => {
        if (current !== me) return clearInterval(keep);
        const now = Date.now();
        for (; seen < client.frames.length; seen++) {
          heard.push({ at: now, pcm: client.frames[seen] });
        }
      }, 20);
      const deadline = Date.now() + joinTimeoutMs;
      while (client.connectionState !== "connected") {
        if (Date.now() > deadline) throw new Error(`Not connected: ${client.connectionState}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  } catch (error) {
    // A join that failed half-way leaves nothing open behind it.
    if (current === me) current = null;
    me.client?.close();
    socket.close(1000);
    throw error;
  }
  joins++;
  joinedAt = Date.now();
}

async function rejoin(): Promise<void> {
  while (!stopping) {
    try {
      await join();
      return;
    } catch (error) {
      console.error("voice peer: joining again failed:", (error as Error).message);
      origin = originList[(originList.indexOf(origin) + 1) % originList.length];
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

function holds(frame: Heard, hz: number): boolean {
  return toneAmplitude(frame.pcm, hz) > presentAmplitude;
}

function answer(request: Record<string, unknown>): unknown {
  const hz = Number(request.hz);
  const after = Number(request.after ?? 0);
  switch (request.op) {
    case "tone": {
      const since = Date.now() - Number(request.ms ?? 300);
      const frames = heard.filter((f) => f.at >= since);
      if (frames.length === 0) return { amplitude: 0, frames: 0 };
      const amplitudes = frames.map((f) => toneAmplitude(f.pcm, hz)).sort((a, b) => a - b);
      return { amplitude: amplitudes[Math.floor(amplitudes.length / 2)], frames: frames.length };
    }
    case "silentFrom": {
      const frames = heard.filter((f) => f.at > after);
      if (frames.length < 10 || holds(frames[frames.length - 1], hz)) return { at: null };
      let at = frames.length - 1;
      while (at > 0 && !holds(frames[at - 1], hz)) at--;
      return { at: frames[at].at };
    }
    case "heardFrom": {
      const first = heard.find((f) => f.at > after && holds(f, hz));
      return { at: first?.at ?? null };
    }
    case "batches": {
      const since = batches.filter((b) => b.at > after);
      return {
        firstSequences: since.map((b) => b.firstSequence),
        arrivals: since.map((b) => b.at),
      };
    }
    case "state":
      return { joins, joinedAt, origin };
    default:
      return { error: `unknown op ${request.op}` };
  }
}

if (import.meta.main) {
  await rejoin();
  // Ready once audio flows: a speaker's tone is sent, a listener hears frames.
  const deadline = Date.now() + joinTimeoutMs;
  while (mode !== "stream" && toneHz === undefined && heard.length < 10) {
    if (Date.now() > deadline) throw new Error("Heard nothing");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  console.log(JSON.stringify({ ready: true }));
  const out = Deno.stdout.writable.getWriter();
  for await (const request of jsonLines(Deno.stdin.readable)) {
    await out.write(jsonLine(answer(request as Record<string, unknown>)));
  }
  stopping = true;
  const last = current as { socket: WebSocket; client?: TestClient } | null;
  last?.client?.close();
  last?.socket.close(1000);
  // wrtc crashes a process that ends by running out of work (media/wrtc.ts).
  Deno.exit(0);
}
