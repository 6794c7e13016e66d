/**
 * The one door to `@roamhq/wrtc` (libwebrtc for Node, run under Deno), typed with the part of
 * the API Palabre uses: the package's own types leave peer connections as `any`.
 *
 * A process that has created an `RTCAudioSource` crashes while tearing down if it ends by
 * running out of work (wrtc's finalizers run in the wrong order then); end it with
 * `Deno.exit()` after closing the rooms, which skips that teardown.
 *
 * @example
 * const pc = createPeerConnection({ iceServers: [] });
 * const source = createAudioSource();
 * pc.addTransceiver("audio", { direction: "sendrecv" }).sender.replaceTrack(source.createTrack());
 */
import wrtc from "@roamhq/wrtc";

export interface AudioData {
  samples: Int16Array;
  sampleRate: number;
  bitsPerSample?: number;
  channelCount?: number;
  numberOfFrames?: number;
}

export interface AudioTrack {
  readonly id: string;
  readonly kind: string;
  enabled: boolean;
  stop(): void;
}

/** `nonstandard.RTCAudioSource`: 10 ms of PCM at a time into a track. */
export interface AudioSource {
  createTrack(): AudioTrack;
  onData(data: AudioData): void;
}

/** `nonstandard.RTCAudioSink`: a track's decoded audio, 10 ms at a time. */
export interface AudioSink {
  ondata: ((data: AudioData) => void) | null;
  readonly stopped: boolean;
  stop(): void;
}

export interface RtpSender {
  readonly track: AudioTrack | null;
  replaceTrack(track: AudioTrack | null): Promise<void>;
}

export interface RtpReceiver {
  readonly track: AudioTrack;
}

export type TransceiverDirection = "sendrecv" | "sendonly" | "recvonly" | "inactive" | "stopped";

export interface RtpTransceiver {
  readonly mid: string | null;
  direction: TransceiverDirection;
  readonly currentDirection: TransceiverDirection | null;
  readonly sender: RtpSender;
  readonly receiver: RtpReceiver;
}

export interface SessionDescription {
  type: "offer" | "answer" | "pranswer" | "rollback";
  sdp: string;
}

export interface IceCandidate {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
}

/** A STUN or TURN server, as in the browser's `RTCIceServer`. */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

export type ConnectionState =
  | "new"
  | "connecting"
  | "connected"
  | "disconnected"
  | "failed"
  | "closed";

export interface PeerConnection {
  readonly connectionState: ConnectionState;
  readonly iceGatheringState: "new" | "gathering" | "complete";
  readonly signalingState: string;
  readonly localDescription: SessionDescription | null;
  onconnectionstatechange: (() => void) | null;
  onicegatheringstatechange: (() => void) | null;
  onicecandidate: ((event: { candidate: IceCandidate | null }) => void) | null;
  createDataChannel(label: string): unknown;
  addTransceiver(kind: "audio", init?: { direction?: TransceiverDirection }): RtpTransceiver;
  getTransceivers(): RtpTransceiver[];
  createOffer(): Promise<SessionDescription>;
  createAnswer(): Promise<SessionDescription>;
  setLocalDescription(description: SessionDescription): Promise<void>;
  setRemoteDescription(description: SessionDescription): Promise<void>;
  addIceCandidate(candidate: IceCandidate | null): Promise<void>;
  /** The standard stats report: one record per object, keyed by id. */
  getStats(): Promise<Map<string, Record<string, unknown> & { type: string }>>;
  close(): void;
}

export function createPeerConnection(config: { iceServers: IceServer[] }): PeerConnection {
  return new wrtc.RTCPeerConnection(config) as PeerConnection;
}

export function createAudioSource(): AudioSource {
  return new wrtc.nonstandard.RTCAudioSource() as unknown as AudioSource;
}

export function createAudioSink(track: AudioTrack): AudioSink {
  // deno-lint-ignore no-explicit-any
  return new wrtc.nonstandard.RTCAudioSink(track as any) as unknown as AudioSink;
}
