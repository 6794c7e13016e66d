/**
 * A bench client joining a room's voice as a page does: the voice socket with its own session
 * cookie, an offer with one audio transceiver, the answer, and a sink on what the server sends,
 * heard by an `Ear`. Used by both of bench/audio.ts's client processes.
 *
 * @example
 * const client = await joinVoice(origin, publicId, cookie, { index: 0, source });
 * hangUp([client]);
 */
import { toMono48k } from "../media/pcm.ts";
import {
  type AudioSink,
  type AudioSource,
  createAudioSink,
  createPeerConnection,
  type PeerConnection,
} from "../media/wrtc.ts";
import { Ear } from "./audio_clicks.ts";

export interface VoiceClient {
  pc: PeerConnection;
  socket: WebSocket;
  sink: AudioSink;
  ear: Ear;
}

export const connectTimeoutMs = 30_000;

/**
 * `speaker`: the index and source of a speaker on stage; null for a listener. Throws when the
 * server does not say where they are or does not answer their offer within `timeoutMs`, having
 * closed what it opened.
 */
export async function joinVoice(
  origin: string,
  /** The room's public id, as its URLs carry it. */
  publicId: string,
  cookie: string,
  speaker: { index: number; source: AudioSource } | null,
  { timeoutMs = connectTimeoutMs }: { timeoutMs?: number } = {},
): Promise<VoiceClient> {
  const url = `${origin.replace(/^http/, "ws")}/rooms/${publicId}/voice`;
  const socket = new WebSocket(url, { headers: { Origin: origin, Cookie: cookie } });
  // What to close if the server never gets as far as answering.
  const opened: { pc: PeerConnection | null } = { pc: null };
  try {
    return await negotiate(socket, opened, speaker, timeoutMs);
  } catch (error) {
    opened.pc?.close();
    socket.close();
    throw error;
  }
}

async function negotiate(
  socket: WebSocket,
  opened: { pc: PeerConnection | null },
  speaker: { index: number; source: AudioSource } | null,
  timeoutMs: number,
): Promise<VoiceClient> {
  const frames: Record<string, unknown>[] = [];
  let onFrame = () => {};
  socket.onmessage = (event) => {
    const frame = JSON.parse(String(event.data));
    if (frame.type === "error") console.error(`voice socket error: ${frame.message}`);
    frames.push(frame);
    onFrame();
  };
  const frameOf = (type: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`No ${type} frame`)), timeoutMs);
      onFrame = () => {
        const found = frames.find((f) => f.type === type);
        if (found) {
          clearTimeout(timer);
          resolve(found);
        }
      };
      onFrame();
    });
  socket.onclose = (event) => {
    if (event.code !== 1000) console.error(`voice socket closed: ${event.code} ${event.reason}`);
  };
  const state = await frameOf("state");
  if ((state.stage === true) !== (speaker !== null)) {
    throw new Error(`Seeded place is wrong: ${JSON.stringify(state)}`);
  }

  const pc = createPeerConnection({ iceServers: [] });
  opened.pc = pc;
  const audio = pc.addTransceiver("audio", { direction: "sendrecv" });
  if (speaker) await audio.sender.replaceTrack(speaker.source.createTrack());
  const gathered = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 2000);
    pc.onicegatheringstatechange = () => {
      if (pc.iceGatheringState === "complete") {
        clearTimeout(timer);
        resolve();
      }
    };
  });
  await pc.setLocalDescription(await pc.createOffer());
  await gathered;
  socket.send(JSON.stringify({ type: "offer", sdp: pc.localDescription!.sdp }));
  const answer = await frameOf("answer");
  await pc.setRemoteDescription({ type: "answer", sdp: answer.sdp as string });

  const ear = new Ear(speaker?.index ?? null);
  const sink = createAudioSink(audio.receiver.track);
  sink.ondata = (data) => ear.hear(toMono48k(data));
  return { pc, socket, sink, ear };
}

/** Listeners that joined, and how many of those asked for did not (with the first error). */
export interface Joined {
  joined: VoiceClient[];
  failed: number;
  error: string | null;
}

/**
 * Joins a listener for each of `cookies`, one after the other like browsers that do not share
 * libwebrtc's threads (media/peer.ts). A server too busy to answer one within `timeoutMs` is
 * overloaded: the rest are not tried, and count as failed with it.
 *
 * @example
 * const { joined, failed } = await joinListeners(origin, publicId, cookies.slice(50, 100));
 */
export async function joinListeners(
  origin: string,
  publicId: string,
  cookies: string[],
  { timeoutMs = connectTimeoutMs }: { timeoutMs?: number } = {},
): Promise<Joined> {
  const joined: VoiceClient[] = [];
  for (const cookie of cookies) {
    try {
      joined.push(await joinVoice(origin, publicId, cookie, null, { timeoutMs }));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { joined, failed: cookies.length - joined.length, error: message };
    }
  }
  return { joined, failed: 0, error: null };
}

/** Resolves with the number of `clients` not connected when `connectTimeoutMs` ran out. */
export async function untilConnected(clients: VoiceClient[]): Promise<number> {
  const deadline = performance.now() + connectTimeoutMs;
  while (performance.now() < deadline) {
    if (clients.every((c) => c.pc.connectionState === "connected")) return 0;
    await pause(100);
  }
  return clients.filter((c) => c.pc.connectionState !== "connected").length;
}

export function hangUp(clients: VoiceClient[]): void {
  for (const client of clients.splice(0)) {
    client.sink.ondata = null;
    client.sink.stop();
    client.pc.close();
    client.socket.close();
  }
}

export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
