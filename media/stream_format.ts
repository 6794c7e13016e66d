/**
 * The room's stream as pages receive it (media/broadcast.ts makes it, static/voice_stream.js
 * plays it): its packets, its batches, and how much a page holds before playing. Apart from
 * broadcast.ts so that the web process, which only forwards batches, needs no Opus encoder.
 *
 * @example
 * socket.send(JSON.stringify(streamFormat));
 */
import { sampleRateHz } from "./pcm.ts";

/** 20 ms: the usual Opus packet for speech. */
export const packetMs = 20;
/** A batch waits for its packets: two make 20 ms of waiting on average, 40 ms at most. */
export const packetsPerBatch = 2;
/**
 * What a page holds before it plays the stream: a batch, and as much again for one that comes
 * late (static/voice_worklet.js). Each packet then plays some 60 ms after it was encoded, plus
 * its way to the page.
 */
export const playoutStartMs = 2 * packetsPerBatch * packetMs;
/**
 * What a page playing the stream still holds when a batch comes on time. A page that held more
 * than this (and 20 ms of slack) for a whole second, after a late batch made it wait, drops the
 * excess, so one late batch does not delay the room for good.
 */
export const playoutFloorMs = playoutStartMs - packetsPerBatch * packetMs;
/** The most a page holds: beyond it (after a stall) the oldest sound is dropped. */
export const playoutMaxMs = 300;

/** The frame that tells a page the stream is coming, and how to play it. */
export const streamFormat = {
  type: "stream",
  codec: "opus",
  sampleRate: sampleRateHz,
  channels: 1,
  packetMs,
  startMs: playoutStartMs,
  floorMs: playoutFloorMs,
  maxMs: playoutMaxMs,
} as const;
