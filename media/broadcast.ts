/**
 * A room's mix encoded once for everyone who listens by stream rather than by their own WebRTC
 * connection: 10 ms frames in, Opus packets of 20 ms out, handed on in batches of two (one
 * WebSocket message per listener every 40 ms). libwebrtc encodes once per connection; this
 * encodes once per room, so a listener costs a message send instead of an encoder.
 *
 * @example
 * const broadcast = new Broadcast((first, packets) => send(first, packets));
 * broadcast.push(mix); // every 10 ms, 480 samples of 48 kHz mono
 */
import { Encoder } from "@evan/opus";
import { frameSamples, sampleRateHz } from "./pcm.ts";
import { packetsPerBatch } from "./stream_format.ts";

/** 20 ms: the usual Opus packet for speech. */
export const packetSamples = 2 * frameSamples;
const bitrate = 32_000;

export type OnBatch = (firstSequence: number, packets: Uint8Array[]) => void;

export class Broadcast {
  #encoder: Encoder;
  #onBatch: OnBatch;
  #pcm = new Int16Array(packetSamples);
  #filled = 0;
  #batch: Uint8Array[] = [];
  /** The sequence number of the next packet; a listener counts gaps from it. */
  #sequence = 0;

  constructor(onBatch: OnBatch) {
    this.#onBatch = onBatch;
    this.#encoder = new Encoder({ channels: 1, sample_rate: sampleRateHz, application: "voip" });
    this.#encoder.bitrate = bitrate;
    this.#encoder.signal = "voice";
  }

  /** Takes the next 10 ms of the room's mix. */
  push(frame: Int16Array): void {
    this.#pcm.set(frame, this.#filled);
    this.#filled += frame.length;
    if (this.#filled < packetSamples) return;
    this.#filled = 0;
    // The encoder's result is a view into its own memory: keep a copy.
    this.#batch.push(this.#encoder.encode(this.#pcm).slice());
    if (this.#batch.length < packetsPerBatch) return;
    const first = this.#sequence;
    this.#sequence += this.#batch.length;
    const batch = this.#batch;
    this.#batch = [];
    this.#onBatch(first, batch);
  }
}

/**
 * One WebSocket message for a batch: version (1), packet count, the first packet's sequence
 * number (u32, big-endian), then each packet as a u16 length and its bytes. Built once per batch,
 * sent to every streaming listener.
 */
export function encodeBatch(firstSequence: number, packets: Uint8Array[]): Uint8Array {
  const size = 6 + packets.reduce((sum, p) => sum + 2 + p.length, 0);
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, 1);
  view.setUint8(1, packets.length);
  view.setUint32(2, firstSequence >>> 0);
  let at = 6;
  for (const packet of packets) {
    view.setUint16(at, packet.length);
    bytes.set(packet, at + 2);
    at += 2 + packet.length;
  }
  return bytes;
}

/** The reverse of `encodeBatch` (for tests and the benchmark's listeners). */
export function decodeBatch(bytes: Uint8Array): { firstSequence: number; packets: Uint8Array[] } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 6 || view.getUint8(0) !== 1) throw new Error("Not an audio batch");
  const count = view.getUint8(1);
  const firstSequence = view.getUint32(2);
  const packets: Uint8Array[] = [];
  let at = 6;
  for (let i = 0; i < count; i++) {
    const length = view.getUint16(at);
    if (at + 2 + length > bytes.length) throw new Error("Not an audio batch: cut short");
    packets.push(bytes.subarray(at + 2, at + 2 + length));
    at += 2 + length;
  }
  return { firstSequence, packets };
}
