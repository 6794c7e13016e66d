/**
 * The room's stream: the mix encoded once as Opus, batched for the socket, and what a listener
 * decodes from it is the mix's tone (Goertzel, not metadata).
 */
import assert from "node:assert/strict";
import { Decoder } from "@evan/opus";
import { Broadcast, decodeBatch, encodeBatch } from "../../media/broadcast.ts";
import { packetsPerBatch } from "../../media/stream_format.ts";
import { Tone, toneAmplitude } from "./support/tones.ts";

Deno.test("the room's stream carries the mix as numbered Opus packets, two to a batch", () => {
  const batches: { first: number; packets: Uint8Array[] }[] = [];
  const broadcast = new Broadcast((first, packets) => batches.push({ first, packets }));
  const tone = new Tone(440, 0.3);
  // One second of 10 ms frames: 50 packets of 20 ms, 25 batches of two.
  for (let i = 0; i < 100; i++) broadcast.push(tone.next());
  assert.equal(packetsPerBatch, 2);
  assert.equal(batches.length, 25);
  batches.forEach((batch, i) => {
    assert.equal(batch.first, i * packetsPerBatch);
    assert.equal(batch.packets.length, packetsPerBatch);
  });

  const decoder = new Decoder({ channels: 1, sample_rate: 48_000 });
  const decoded = batches.flatMap((batch) => {
    const { firstSequence, packets } = decodeBatch(encodeBatch(batch.first, batch.packets));
    assert.equal(firstSequence, batch.first);
    return packets.map((packet) => {
      const bytes = decoder.decode(packet);
      return new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    });
  });
  assert.equal(decoded.length, 50);
  // Past the codec's first packets, every 20 ms holds the tone and not another one.
  for (const pcm of decoded.slice(5)) {
    assert.ok(toneAmplitude(pcm, 440) > 0.2, `440 Hz at ${toneAmplitude(pcm, 440)}`);
    assert.ok(toneAmplitude(pcm, 660) < 0.02, `660 Hz at ${toneAmplitude(pcm, 660)}`);
  }
});

Deno.test("a batch that is not ours is refused", () => {
  assert.throws(() => decodeBatch(new Uint8Array([2, 0, 0, 0, 0, 0])), /Not an audio batch/);
  assert.throws(() => decodeBatch(new Uint8Array([1])), /Not an audio batch/);
});
