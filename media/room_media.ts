/**
 * One live room's media: everyone's peer connection, the mixer, the clock that drives it, and
 * the tracks that carry the mix out. Participants are opaque per-session ids; who may be heard
 * is whatever the room controller last said through `setRole` and `setHeard`, applied from the
 * next 10 ms frame whatever anyone's browser sends.
 *
 * Each participant's connection has one audio transceiver, negotiated once from their offer.
 * Listeners all receive the same track (one `RTCAudioSource` with the room's full mix); a
 * speaker's sender is switched with `replaceTrack` to their own mix-minus source, and back when
 * they leave the stage. Signalling is request/response: `handleSignal` returns the replies, and
 * the server never needs to start a negotiation.
 *
 * @example
 * const room = new RoomMedia({ onSpeaking: (ids) => hub.speaking(roomId, ids) });
 * const replies = await room.handleSignal(sessionId, { type: "offer", sdp }); // [{ type: "answer", sdp }]
 * room.setRole(sessionId, "speaker");
 * room.setHeard(sessionId, true); // on stage and unmuted
 * room.close();
 */
import { Broadcast, type OnBatch } from "./broadcast.ts";
import { FrameClock, type FrameClockOptions } from "./clock.ts";
import { MediaError } from "./errors.ts";
import { Mixer, type MixerOptions } from "./mixer.ts";
import { Peer } from "./peer.ts";
import { frameSamples, sampleRateHz, toMono48k } from "./pcm.ts";
import {
  type AudioData,
  type AudioSource,
  type AudioTrack,
  createAudioSource,
  type IceCandidate,
  type IceServer,
} from "./wrtc.ts";

export type Role = "speaker" | "listener";

/** What travels between a page and `handleSignal`, as plain JSON-ready objects. */
export type SignalMessage =
  | { type: "offer"; sdp: string }
  | { type: "answer"; sdp: string }
  | { type: "candidate"; candidate: IceCandidate | null };

export interface RoomMediaOptions {
  /** STUN/TURN servers for the server's side; empty (the default) means host candidates only. */
  iceServers?: IceServer[];
  /** Called with every speaking id (sorted) each time that set changes. */
  onSpeaking?: (sessionIds: string[]) => void;
  /** The room mix as Opus batches, while `setBroadcast(true)` (see broadcast.ts). */
  onBroadcast?: OnBatch;
  /** Errors no caller is waiting for (a failed track switch); the default logs them. */
  onError?: (error: unknown) => void;
  /** How long an answer waits for the server's ICE candidates. */
  iceGatheringTimeoutMs?: number;
  mixer?: MixerOptions;
  clock?: Partial<FrameClockOptions>;
}

export interface RoomMediaStats {
  participants: number;
  /** Live peer connections. */
  connections: number;
  /** Connections whose voice is being decoded (heard speakers). */
  listening: number;
  /** Mix-minus sources (speakers). */
  mixMinus: number;
  /** Whether the room's clock is running (it stops when the last participant leaves). */
  ticking: boolean;
  frames: number;
  skippedFrames: number;
}

interface Participant {
  role: Role;
  /** What the controller said; only counts while on stage. */
  heard: boolean;
  peer: Peer | null;
  mixMinus: { source: AudioSource; track: AudioTrack } | null;
  /** Signalling for this session, one message at a time. */
  signals: Promise<unknown>;
}

const maxSdpChars = 64 * 1024;

export class RoomMedia {
  #iceServers: IceServer[];
  #gatheringTimeoutMs: number;
  #onSpeaking: (sessionIds: string[]) => void;
  #onError: (error: unknown) => void;
  #mixer: Mixer;
  #clock: FrameClock;
  #participants = new Map<string, Participant>();
  #full: { source: AudioSource; track: AudioTrack };
  #onBroadcast: OnBatch;
  #broadcast: Broadcast | null = null;
  #closed = false;

  constructor(options: RoomMediaOptions = {}) {
    this.#iceServers = options.iceServers ?? [];
    this.#gatheringTimeoutMs = options.iceGatheringTimeoutMs ?? 2000;
    this.#onSpeaking = options.onSpeaking ?? (() => {});
    this.#onError = options.onError ?? ((error) => console.error("Room media:", error));
    this.#mixer = new Mixer(options.mixer);
    this.#clock = new FrameClock(() => this.#tick(), options.clock);
    this.#full = newMixSource();
    this.#onBroadcast = options.onBroadcast ?? (() => {});
  }

  /**
   * Takes one signalling message from `sessionId`'s page and returns the replies to send back.
   * An offer (re)connects the session: any connection it had is replaced, and its role and
   * heard state carry over. Candidates are trickled into the current connection.
   */
  handleSignal(sessionId: string, message: SignalMessage): Promise<SignalMessage[]> {
    if (this.#closed) return Promise.reject(new MediaError("room_closed", "Room has ended"));
    const participant = this.#participant(sessionId);
    const handled = participant.signals.then(() => this.#signal(sessionId, participant, message));
    // The caller gets the failure through `handled`; the chain only has to go on after it.
    participant.signals = handled.catch(() => {});
    return handled;
  }

  /** Puts `sessionId` on stage (speaker) or in the audience (listener). Leaving the stage mutes. */
  setRole(sessionId: string, role: Role): void {
    if (this.#closed) return;
    const participant = this.#participant(sessionId);
    if (participant.role === role) return;
    participant.role = role;
    if (role === "speaker") {
      const mixMinus = newMixSource();
      participant.mixMinus = mixMinus;
      this.#mixer.addOutput(sessionId);
      this.#send(participant, mixMinus.track);
    } else {
      participant.heard = false;
      this.#applyHeard(sessionId, participant);
      this.#mixer.removeOutput(sessionId);
      const old = participant.mixMinus;
      participant.mixMinus = null;
      this.#send(participant, this.#full.track, old?.track);
    }
  }

  /** Says whether `sessionId` may be heard now (on stage and unmuted); ignored for listeners. */
  setHeard(sessionId: string, heard: boolean): void {
    if (this.#closed) return;
    const participant = this.#participant(sessionId);
    participant.heard = heard;
    this.#applyHeard(sessionId, participant);
  }

  /**
   * Starts or stops encoding the room mix once for listeners by stream. While on, the clock
   * runs even with no peer connection (stream listeners have none).
   */
  setBroadcast(on: boolean): void {
    if (this.#closed || on === (this.#broadcast !== null)) return;
    this.#broadcast = on ? new Broadcast(this.#onBroadcast) : null;
    if (on) this.#clock.start();
    else if (this.#participants.size === 0) this.#clock.stop();
  }

  /** Forgets `sessionId`: closes their connection and everything made for them. */
  leave(sessionId: string): void {
    const participant = this.#participants.get(sessionId);
    if (!participant) return;
    this.#participants.delete(sessionId);
    participant.peer?.close();
    participant.peer = null;
    participant.mixMinus?.track.stop();
    participant.mixMinus = null;
    this.#mixer.remove(sessionId);
    if (this.#participants.size === 0 && !this.#broadcast) this.#clock.stop();
  }

  /** Ends the room's media: every connection, track and timer. */
  close(): void {
    if (this.#closed) return;
    for (const sessionId of [...this.#participants.keys()]) this.leave(sessionId);
    this.#closed = true;
    this.#broadcast = null;
    this.#clock.stop();
    this.#full.track.stop();
  }

  /** The ids speaking now. */
  get speaking(): string[] {
    return [...this.#mixer.speaking].sort();
  }

  stats(): RoomMediaStats {
    let connections = 0;
    let listening = 0;
    let mixMinus = 0;
    for (const participant of this.#participants.values()) {
      if (participant.peer) connections++;
      if (participant.peer?.listening) listening++;
      if (participant.mixMinus) mixMinus++;
    }
    return {
      participants: this.#participants.size,
      connections,
      listening,
      mixMinus,
      ticking: this.#clock.running,
      frames: this.#clock.frames,
      skippedFrames: this.#clock.skipped,
    };
  }

  async #signal(
    sessionId: string,
    participant: Participant,
    message: SignalMessage,
  ): Promise<SignalMessage[]> {
    if (message?.type === "offer" && typeof message.sdp === "string") {
      if (message.sdp.length > maxSdpChars) throw new MediaError("bad_signal", "Offer is too long");
      participant.peer?.close();
      participant.peer = null;
      const { peer, answer } = await Peer.answer({ type: "offer", sdp: message.sdp }, {
        iceServers: this.#iceServers,
        outgoing: this.#outgoing(participant),
        gatheringTimeoutMs: this.#gatheringTimeoutMs,
        onAudio: (pcm) => this.#hear(sessionId, pcm),
        onGone: () => {
          if (participant.peer !== peer) return;
          peer.close();
          participant.peer = null;
        },
      });
      if (this.#participants.get(sessionId) !== participant) {
        peer.close();
        throw new MediaError("room_closed", "Session has left the room");
      }
      participant.peer = peer;
      // The role may have changed while we were answering.
      this.#send(participant, this.#outgoing(participant));
      peer.listen(this.#mixer.isHeard(sessionId));
      return [{ type: "answer", sdp: answer.sdp }];
    }
    if (message?.type === "candidate") {
      const { candidate } = message;
      if (candidate !== null && typeof candidate?.candidate !== "string") {
        throw new MediaError("bad_signal", "Candidate is not valid");
      }
      if (!participant.peer) throw new MediaError("bad_signal", "Candidate before offer");
      await participant.peer.addCandidate(candidate).catch((error) => {
        throw new MediaError("bad_signal", `Candidate was refused: ${error?.message ?? error}`);
      });
      return [];
    }
    throw new MediaError("bad_signal", "Unknown signalling message");
  }

  #participant(sessionId: string): Participant {
    let participant = this.#participants.get(sessionId);
    if (!participant) {
      participant = {
        role: "listener",
        heard: false,
        peer: null,
        mixMinus: null,
        signals: Promise.resolve(),
      };
      this.#participants.set(sessionId, participant);
      this.#clock.start();
    }
    return participant;
  }

  #outgoing(participant: Participant): AudioTrack {
    return participant.mixMinus?.track ?? this.#full.track;
  }

  #applyHeard(sessionId: string, participant: Participant): void {
    const heard = participant.heard && participant.role === "speaker";
    this.#mixer.setHeard(sessionId, heard);
    participant.peer?.listen(heard);
  }

  /** Switches what `participant` receives; stops `retired` once it is off the wire. */
  #send(participant: Participant, track: AudioTrack, retired?: AudioTrack): void {
    const peer = participant.peer;
    if (!peer) {
      retired?.stop();
      return;
    }
    peer.send(track).catch(this.#onError).finally(() => retired?.stop());
  }

  /**
   * A voice's frame, from libwebrtc's audio thread, which hands every connection's frame over
   * each 10 ms together. The room mixes as soon as every voice playing has its frame, rather
   * than on its own timer some milliseconds later (up to a frame, plus a frame of safety);
   * the timer goes on alone only when no voice comes.
   */
  #hear(sessionId: string, pcm: AudioData): void {
    if (this.#mixer.push(sessionId, toMono48k(pcm)) && this.#mixer.ready()) this.#clock.runNow();
  }

  #tick(): void {
    try {
      const frame = this.#mixer.mix();
      this.#full.source.onData(audioData(frame.full));
      this.#broadcast?.push(frame.full);
      for (const [sessionId, pcm] of frame.minus) {
        this.#participants.get(sessionId)?.mixMinus?.source.onData(audioData(pcm));
      }
      if (frame.speakingChanged) this.#onSpeaking(this.speaking);
    } catch (error) {
      this.#onError(error);
    }
  }
}

function newMixSource(): { source: AudioSource; track: AudioTrack } {
  const source = createAudioSource();
  return { source, track: source.createTrack() };
}

function audioData(samples: Int16Array) {
  return {
    samples,
    sampleRate: sampleRateHz,
    bitsPerSample: 16,
    channelCount: 1,
    numberOfFrames: frameSamples,
  };
}
