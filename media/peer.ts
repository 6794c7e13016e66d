/**
 * One participant's WebRTC connection to the server: made from their offer, with a single
 * audio transceiver that carries their voice in and a mix out. What goes out is swapped with
 * `replaceTrack` (no renegotiation); their voice is read through an `RTCAudioSink` only while
 * they may be heard, so the server decodes nothing for listeners or muted speakers.
 *
 * @example
 * const { peer, answer } = await Peer.answer(offer, {
 *   iceServers: [],
 *   outgoing: roomMixTrack,
 *   gatheringTimeoutMs: 2000,
 *   onAudio: (pcm) => mixer.push(id, toMono48k(pcm)),
 *   onGone: () => forget(peer),
 * });
 */
import { MediaError } from "./errors.ts";
import { OneAtATime } from "./one_at_a_time.ts";
import { withPacketTime } from "./sdp.ts";
import {
  type AudioData,
  type AudioSink,
  type AudioTrack,
  createAudioSink,
  createPeerConnection,
  type IceCandidate,
  type IceServer,
  type PeerConnection,
  type RtpTransceiver,
  type SessionDescription,
} from "./wrtc.ts";

export interface PeerOptions {
  iceServers: IceServer[];
  /** The track sent to the participant from the start. */
  outgoing: AudioTrack;
  /** How long to wait for our ICE candidates before answering with those found so far. */
  gatheringTimeoutMs: number;
  /** Decoded audio from the participant, 10 ms at a time, while listening. */
  onAudio: (pcm: AudioData) => void;
  /** The connection failed or was closed by the far side. */
  onGone: () => void;
}

/**
 * Every connection of this process shares libwebrtc's threads. Negotiating many at once blocks
 * them for hundreds of milliseconds, incoming packets wait, and every voice's jitter buffer
 * takes the wait for network jitter and keeps that much more delay for tens of seconds
 * (measured: 20 connections set up together, +350 ms on an open one for 20 s; the same 20 one
 * after the other, in the same total time, changed nothing). So answers are made in turn.
 */
const negotiations = new OneAtATime();

/**
 * What our answers ask browsers to send: 10 ms Opus packets, for a shorter way to the mix. The
 * server itself keeps libwebrtc's 20 ms towards browsers: sending 10 ms packets too (the offer
 * applied as if it asked for them) doubles its packets, and in bench/audio.ts a room with 25
 * WebRTC listeners then saturated the server's core (0.66 of it with 20 ms packets).
 */
const askedPacketMs = 10;

export class Peer {
  #pc: PeerConnection;
  #audio: RtpTransceiver;
  #onAudio: (pcm: AudioData) => void;
  #sink: AudioSink | null = null;
  #closed = false;

  private constructor(pc: PeerConnection, audio: RtpTransceiver, options: PeerOptions) {
    this.#pc = pc;
    this.#audio = audio;
    this.#onAudio = options.onAudio;
    pc.onconnectionstatechange = () => {
      const state = pc.connectionState;
      if (!this.#closed && (state === "failed" || state === "closed")) options.onGone();
    };
  }

  /**
   * Answers `offer` (which must carry an audio section) and returns the peer with the answer,
   * our ICE candidates included, so the exchange is one message each way.
   */
  static async answer(
    offer: SessionDescription,
    options: PeerOptions,
  ): Promise<{ peer: Peer; answer: SessionDescription }> {
    const { pc, audio, gathered } = await negotiations.run(() => negotiate(offer, options));
    await gathered;
    return { peer: new Peer(pc, audio, options), answer: pc.localDescription! };
  }

  get connectionState(): string {
    return this.#pc.connectionState;
  }

  get listening(): boolean {
    return this.#sink !== null;
  }

  /** Sends `track` to the participant from now on. */
  async send(track: AudioTrack): Promise<void> {
    if (!this.#closed) await this.#audio.sender.replaceTrack(track);
  }

  /** Starts or stops decoding the participant's voice. */
  listen(on: boolean): void {
    if (on && !this.#sink && !this.#closed) {
      const sink = createAudioSink(this.#audio.receiver.track);
      sink.ondata = (pcm) => {
        if (this.#sink === sink) this.#onAudio(pcm);
      };
      this.#sink = sink;
    } else if (!on && this.#sink) {
      this.#sink.ondata = null;
      this.#sink.stop();
      this.#sink = null;
    }
  }

  addCandidate(candidate: IceCandidate | null): Promise<void> {
    return this.#pc.addIceCandidate(candidate);
  }

  close(): void {
    if (this.#closed) return;
    this.listen(false);
    this.#closed = true;
    this.#pc.onconnectionstatechange = null;
    this.#pc.close();
  }
}

/** A connection from `offer`, its audio transceiver, and our answer set (gathering goes on). */
async function negotiate(offer: SessionDescription, options: PeerOptions) {
  const pc = createPeerConnection({ iceServers: options.iceServers });
  try {
    await pc.setRemoteDescription(offer).catch((error) => {
      throw new MediaError("bad_signal", `Offer was refused: ${error?.message ?? error}`);
    });
    const audio = pc.getTransceivers().find((t) => t.receiver.track.kind === "audio");
    if (!audio) throw new MediaError("bad_signal", "Offer has no audio");
    for (const other of pc.getTransceivers()) {
      if (other !== audio) other.direction = "inactive";
    }
    audio.direction = "sendrecv";
    await audio.sender.replaceTrack(options.outgoing);
    const gathered = gatheringDone(pc, options.gatheringTimeoutMs);
    const answer = await pc.createAnswer();
    await pc.setLocalDescription({
      type: "answer",
      sdp: withPacketTime(answer.sdp, askedPacketMs),
    });
    return { pc, audio, gathered };
  } catch (error) {
    pc.close();
    throw error;
  }
}

function gatheringDone(pc: PeerConnection, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      pc.onicegatheringstatechange = null;
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    pc.onicegatheringstatechange = () => {
      if (pc.iceGatheringState === "complete") done();
    };
  });
}
