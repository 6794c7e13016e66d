/**
 * Deciding from received audio whether a tone is there, and waiting (with a generous deadline)
 * until it is or is not.
 *
 * @example
 * await waitUntil(lab, "l", { hears: 440 });
 * assert.ok(lacks(await recent(lab, "a"), 440));
 */
import type { MediaLab } from "./lab.ts";
import { toneTrack } from "./tones.ts";

/** A frame holds a tone when its amplitude is above this (the tones are sent at 0.3). */
export const presentAmplitude = 0.05;
/** Frames looked at to decide what someone hears now. */
const recentFrames = 30;

/** Whether `hz` is in at least 90% of the frames of `pcm`. */
export function contains(pcm: Int16Array, hz: number): boolean {
  const track = toneTrack(pcm, hz);
  return track.length > 0 && track.filter((a) => a > presentAmplitude).length >= track.length * 0.9;
}

/** Whether `hz` is in none of the frames of `pcm`. */
export function lacks(pcm: Int16Array, hz: number): boolean {
  const track = toneTrack(pcm, hz);
  return track.length > 0 && track.every((a) => a <= presentAmplitude);
}

/** What `sessionId` received in its last 300 ms. */
export async function recent(lab: MediaLab, sessionId: string): Promise<Int16Array> {
  const count = await lab.frameCount(sessionId);
  return lab.received(sessionId, Math.max(0, count - recentFrames));
}

/** Waits until `sessionId`'s last 300 ms hold the tone `hears`, or none of the tone `lacks`. */
export async function waitUntil(
  lab: MediaLab,
  sessionId: string,
  { hears, lacks: missing, deadlineMs = 10_000 }: {
    hears?: number;
    lacks?: number;
    deadlineMs?: number;
  },
): Promise<void> {
  const until = performance.now() + deadlineMs;
  while (performance.now() < until) {
    const pcm = await recent(lab, sessionId);
    if (
      (hears === undefined || contains(pcm, hears)) &&
      (missing === undefined || lacks(pcm, missing))
    ) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(
    `${sessionId} did not come to hear ${hears ?? "-"} Hz and lack ${missing ?? "-"} Hz`,
  );
}

/** Frames from the start of `pcm` up to the last one that still holds `hz`. */
export function framesHolding(pcm: Int16Array, hz: number): number {
  const track = toneTrack(pcm, hz);
  let last = -1;
  track.forEach((a, i) => {
    if (a > presentAmplitude) last = i;
  });
  return last + 1;
}
