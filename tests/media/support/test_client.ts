/**
 * A participant's side, played by a real wrtc peer (as a browser would): one sendrecv audio
 * transceiver negotiated up front, an optional tone as its "microphone", and a sink that keeps
 * every frame it receives, converted to 48 kHz mono 16-bit.
 */
import { FrameClock } from "../../../media/clock.ts";
import { frameSamples, toMono48k } from "../../../media/pcm.ts";
import type { RoomMedia } from "../../../media/room_media.ts";
import {
  type AudioSink,
  type AudioSource,
  type AudioTrack,
  createAudioSink,
  createAudioSource,
  createPeerConnection,
  type PeerConnection,
  type RtpTransceiver,
} from "../../../media/wrtc.ts";
import { Tone } from "./tones.ts";

interface Mic {
  source: AudioSource;
  track: AudioTrack;
  clock: FrameClock;
}

export class TestClient {
  #pc: PeerConnection;
  #audio: RtpTransceiver;
  #sink: AudioSink;
  #mic: Mic | null;
  /** Received audio, one 480-sample frame per entry. */
  readonly frames: Int16Array[] = [];

  private constructor(pc: PeerConnection, audio: RtpTransceiver, sink: AudioSink, mic: Mic | null) {
    this.#pc = pc;
    this.#audio = audio;
    this.#sink = sink;
    this.#mic = mic;
  }

  static async connect(
    room: Pick<RoomMedia, "handleSignal">,
    sessionId: string,
    options: { toneHz?: number; micOn?: boolean; trickle?: boolean },
  ): Promise<TestClient> {
    const pc = createPeerConnection({ iceServers: [] });
    const audio = pc.addTransceiver("audio", { direction: "sendrecv" });
    let mic: Mic | null = null;
    if (options.toneHz) {
      const source = createAudioSource();
      const track = source.createTrack();
      const tone = new Tone(options.toneHz, 0.3);
      const clock = new FrameClock(() =>
        source.onData({ samples: tone.next(), sampleRate: 48_000 })
      );
      clock.start();
      if (options.micOn !== false) await audio.sender.replaceTrack(track);
      mic = { source, track, clock };
    }
    const gathered = new Promise<void>((resolve) => {
      pc.onicegatheringstatechange = () => {
        if (pc.iceGatheringState === "complete") resolve();
      };
    });
    const trickled: Promise<unknown>[] = [];
    let candidatesSent = 0;
    if (options.trickle) {
      pc.onicecandidate = ({ candidate }) => {
        const plain = candidate && {
          candidate: candidate.candidate,
          sdpMid: candidate.sdpMid,
          sdpMLineIndex: candidate.sdpMLineIndex,
        };
        trickled.push(room.handleSignal(sessionId, { type: "candidate", candidate: plain }));
        candidatesSent++;
      };
    }
    await pc.setLocalDescription(await pc.createOffer());
    if (!options.trickle) await gathered;
    let sdp = pc.localDescription!.sdp;
    // A trickling browser's offer carries no candidates: they all come as messages.
    if (options.trickle) sdp = sdp.replace(/a=(candidate|end-of-candidates).*\r\n/g, "");
    const replies = await room.handleSignal(sessionId, { type: "offer", sdp });
    const answer = replies.find((reply) => reply.type === "answer");
    if (answer?.type !== "answer") throw new Error("No answer");
    await pc.setRemoteDescription({ type: "answer", sdp: answer.sdp });
    await gathered;
    await Promise.all(trickled);
    if (options.trickle && candidatesSent < 2) throw new Error("Nothing was trickled");
    const sink = createAudioSink(audio.receiver.track);
    const client = new TestClient(pc, audio, sink, mic);
    let pending = new Float32Array(0);
    sink.ondata = (data) => {
      const mono = toMono48k(data);
      const joined = new Float32Array(pending.length + mono.length);
      joined.set(pending);
      joined.set(mono, pending.length);
      let at = 0;
      for (; at + frameSamples <= joined.length; at += frameSamples) {
        client.frames.push(Int16Array.from(joined.subarray(at, at + frameSamples), toInt16));
      }
      pending = joined.slice(at);
    };
    return client;
  }

  /** Starts sending the tone on the transceiver negotiated at connection, as a browser would once
   * invited to speak: `replaceTrack`, no new offer. */
  async startMic(): Promise<void> {
    if (!this.#mic) throw new Error("This client has no tone to send");
    await this.#audio.sender.replaceTrack(this.#mic.track);
  }

  /** RTP packets sent so far, and 10 ms frames of tone given to the connection. */
  async sending(): Promise<{ packets: number; frames: number }> {
    let packets = 0;
    for (const stats of (await this.#pc.getStats()).values()) {
      if (stats.type === "outbound-rtp") packets += Number(stats.packetsSent ?? 0);
    }
    return { packets, frames: this.#mic?.clock.frames ?? 0 };
  }

  get connectionState(): string {
    return this.#pc.connectionState;
  }

  /** Hangs up without a word to the server, as a crashed tab or a lost network would. */
  close(): void {
    this.#sink.ondata = null;
    this.#sink.stop();
    this.#mic?.clock.stop();
    this.#mic?.track.stop();
    this.#mic = null;
    this.#pc.close();
  }
}

function toInt16(x: number): number {
  return Math.max(-32768, Math.min(32767, Math.round(x * 32768)));
}
