/**
 * Deciding from received audio whether a tone is there, and waiting (with a generous deadline)
 * until it is or is not.
 */
import type { MediaLab } from "./lab.ts";
import { toneTrack } from "./tones.ts";

/** A frame holds a tone when its amplitude is above this (the tones are sent at 0.3). */
export const presentAmplitude = 0.05;
/** Frames looked at to decide what someone hears now. */
const recentFrames = 30;

/** Whether `hz` is in (nearly) every one of the frames (or absent from every one). */
export function holds(pcm: Int16Array, hz: number, present: boolean): boolean {
  const track = toneTrack(pcm, hz);
  if (track.length === 0) return false;
  return present
    ? track.filter((a) => a > presentAmplitude).length >= track.length * 0.9
    : track.every((a) => a <= presentAmplitude);
}

/** What `sessionId` received in its last 300 ms. */
export async function recent(lab: MediaLab, sessionId: string): Promise<Int16Array> {
  const count = await lab.frameCount(sessionId);
  return lab.received(sessionId, Math.max(0, count - recentFrames));
}

/** Waits until `sessionId`'s last 300 ms hold `hz` (or until they hold none of it). */
export async function waitFor(
  lab: MediaLab,
  sessionId: string,
  hz: number,
  present: boolean,
  deadlineMs = 10_000,
): Promise<void> {
  const until = performance.now() + deadlineMs;
  while (performance.now() < until) {
    if (holds(await recent(lab, sessionId), hz, present)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${sessionId} still ${present ? "does not hear" : "hears"} ${hz} Hz`);
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
