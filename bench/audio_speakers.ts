/**
 * The speakers of bench/audio.ts, in a process of their own: ten wrtc peers on the room's stage
 * sending the click track (bench/audio_clicks.ts) and hearing each other. Real speakers are ten
 * browsers on ten machines, so nothing the listeners' process does (opening a hundred
 * connections at once) may delay what they send. Prints `ready` on stdout once connected and
 * settled; when its standard input closes, prints every click sent and heard as JSON and ends.
 *
 * @example
 * echo '{"origin":"http://127.0.0.1:8123","publicId":"rQbZDUnRRoyXr-_PJrOrUA",...}' |
 *   deno run -A bench/audio_speakers.ts
 */
import { FrameClock } from "../media/clock.ts";
import { jsonLines } from "../media/json_lines.ts";
import { sampleRateHz } from "../media/pcm.ts";
import { createAudioSource } from "../media/wrtc.ts";
import { type Click, ClickTrack } from "./audio_clicks.ts";
import { hangUp, joinVoice, pause, untilConnected, type VoiceClient } from "./audio_voice.ts";

export interface SpeakersPlan {
  origin: string;
  /** The room's public id, as its URLs carry it. */
  publicId: string;
  /** One per speaker, all on stage and unmuted. */
  speakerCookies: string[];
  warmupMs: number;
}

export interface SpeakersResult {
  sent: Click[];
  /** Every click one speaker heard from another. */
  heard: Click[];
}

async function main(
  plan: SpeakersPlan,
  input: AsyncGenerator<unknown>,
): Promise<SpeakersResult> {
  const sources = plan.speakerCookies.map(() => createAudioSource());
  const track = new ClickTrack();
  const clock = new FrameClock(() => {
    for (const [i, samples] of track.next().entries()) {
      sources[i].onData({ samples, sampleRate: sampleRateHz, bitsPerSample: 16, channelCount: 1 });
    }
  });
  clock.start();
  const speakers: VoiceClient[] = [];
  for (const [index, cookie] of plan.speakerCookies.entries()) {
    speakers.push(
      await joinVoice(plan.origin, plan.publicId, cookie, { index, source: sources[index] }),
    );
  }
  const failed = await untilConnected(speakers);
  if (failed > 0) throw new Error(`${failed} speakers did not connect`);
  // Jitter buffers settle in the first seconds of a connection.
  await pause(plan.warmupMs);
  console.error(`[audio] ${speakers.length} speakers connected`);
  console.log(JSON.stringify({ ready: true }));

  // Until the bench closes our standard input.
  for await (const _ of input);
  clock.stop();
  const heard = speakers.flatMap((s) => s.ear.take());
  hangUp(speakers);
  return { sent: track.sent, heard };
}

if (import.meta.main) {
  const input = jsonLines(Deno.stdin.readable);
  const { value: plan } = await input.next();
  const result = await main(plan as SpeakersPlan, input);
  console.log(JSON.stringify(result));
  // wrtc crashes a process that ends by running out of work (media/wrtc.ts).
  Deno.exit(0);
}
