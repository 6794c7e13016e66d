import assert from "node:assert/strict";
import { MediaLab } from "./support/lab.ts";
import { contains, framesHolding, lacks, recent, waitUntil } from "./support/listening.ts";

const a = 440;
const b = 660;

/** Speakers "a" (440 Hz) and "b" (660 Hz) on stage and unmuted, and listener "l". */
async function roomWithTwoSpeakers(): Promise<MediaLab> {
  const lab = MediaLab.start();
  await lab.join("a", { role: "speaker", heard: true, toneHz: a });
  await lab.join("b", { role: "speaker", heard: true, toneHz: b });
  await lab.join("l", { role: "listener" });
  return lab;
}

async function pause(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

Deno.test("a listener hears both speakers, and each speaker hears the other but not themselves", async () => {
  await using lab = await roomWithTwoSpeakers();
  await waitUntil(lab, "l", { hears: a });
  await waitUntil(lab, "l", { hears: b });
  await waitUntil(lab, "a", { hears: b });
  await waitUntil(lab, "b", { hears: a });
  assert.ok(lacks(await recent(lab, "a"), a), "a hears themselves");
  assert.ok(lacks(await recent(lab, "b"), b), "b hears themselves");
  await lab.close();
});

Deno.test("a muted speaker is gone from everyone's audio within 100 ms", async () => {
  await using lab = await roomWithTwoSpeakers();
  await waitUntil(lab, "l", { hears: a });
  await waitUntil(lab, "b", { hears: a });
  const marks = await lab.setHeard("a", false);
  for (const id of ["l", "b"]) {
    await waitUntil(lab, id, { lacks: a });
    await pause(300);
    const after = await lab.received(id, marks[id]);
    const late = framesHolding(after, a);
    assert.ok(late <= 10, `${id} still heard a for ${late} frames of 10 ms`);
    assert.ok(lacks(after.subarray(late * 480), a), `a came back for ${id}`);
    if (id === "l") assert.ok(contains(await recent(lab, id), b), "l lost b too");
  }
  await lab.close();
});

Deno.test("a speaker moved to the audience stays unheard while still sending, and is heard again once promoted", async () => {
  await using lab = await roomWithTwoSpeakers();
  await waitUntil(lab, "l", { hears: a });
  const marks = await lab.setRole("a", "listener");
  await waitUntil(lab, "l", { lacks: a });
  await waitUntil(lab, "b", { lacks: a });
  await pause(1000);
  const since = await lab.received("l", marks.l);
  const late = framesHolding(since, a);
  assert.ok(late <= 10, `still heard for ${late} frames`);
  assert.ok(since.length / 480 - late >= 90, "watched for at least 900 ms");
  assert.ok(lacks(since.subarray(late * 480), a), "a came back while in the audience");
  assert.ok(lacks(await recent(lab, "b"), a));
  await waitUntil(lab, "a", { hears: b }); // now a listener: the full mix, which holds only b

  await lab.setRole("a", "speaker");
  await lab.setHeard("a", true);
  await waitUntil(lab, "l", { hears: a });
  await waitUntil(lab, "b", { hears: a });
  await waitUntil(lab, "a", { hears: b });
  assert.ok(lacks(await recent(lab, "a"), a), "a hears themselves after promotion");
  await lab.close();
});

Deno.test("a listener invited to speak is heard once their browser sends, without renegotiating", async () => {
  await using lab = MediaLab.start();
  await lab.join("b", { role: "speaker", heard: true, toneHz: b });
  await lab.join("x", { role: "listener", toneHz: a, micOn: false });
  await lab.join("l", { role: "listener" });
  await waitUntil(lab, "x", { hears: b });
  await lab.setRole("x", "speaker");
  await lab.setHeard("x", true);
  await lab.startMic("x");
  await waitUntil(lab, "l", { hears: a });
  await waitUntil(lab, "b", { hears: a });
  await waitUntil(lab, "x", { hears: b, lacks: a });
  await lab.close();
});

Deno.test("a speaker's client sends a packet per 10 ms of voice, as the server's answer asks", async () => {
  await using lab = await roomWithTwoSpeakers();
  await waitUntil(lab, "l", { hears: a });
  const before = await lab.sending("a");
  await pause(1000);
  const after = await lab.sending("a");
  const packets = after.packets - before.packets;
  const frames = after.frames - before.frames;
  // With 20 ms packets (libwebrtc's default) it would be half the frames.
  assert.ok(packets > 0.8 * frames, `${packets} packets for ${frames} frames`);
  await lab.close();
});

Deno.test("the room mixes as its voices' frames arrive, not only on its own clock", async () => {
  // The clock alone would send a frame a second: the listener would hear the tone in 1% of
  // its frames. Led by the voice's arrivals, every frame carries it.
  await using lab = MediaLab.start({ frameTimerMs: 1000 });
  await lab.join("a", { role: "speaker", heard: true, toneHz: a });
  await lab.join("l", { role: "listener" });
  await waitUntil(lab, "l", { hears: a });
  await lab.close();
});

Deno.test("a listener is never heard, whatever the controller or their browser says", async () => {
  await using lab = MediaLab.start();
  await lab.join("b", { role: "speaker", heard: true, toneHz: b });
  await lab.join("x", { role: "listener", heard: true, toneHz: a });
  await lab.join("l", { role: "listener" });
  await waitUntil(lab, "l", { hears: b });
  await lab.setHeard("x", true);
  await pause(500);
  assert.ok(lacks(await lab.received("l"), a));
  assert.ok(lacks(await lab.received("b"), a));
  await lab.close();
});

Deno.test("a dropped speaker comes back with a new offer and their audio resumes both ways", async () => {
  await using lab = await roomWithTwoSpeakers();
  await waitUntil(lab, "l", { hears: a });
  await lab.drop("a");
  await waitUntil(lab, "l", { lacks: a });
  await lab.rejoin("a");
  await waitUntil(lab, "l", { hears: a });
  await waitUntil(lab, "b", { hears: a });
  await waitUntil(lab, "a", { hears: b });
  assert.ok(lacks(await recent(lab, "a"), a));
  const stats = await lab.stats();
  assert.equal(stats.connections, 3, "the old connection was replaced, not kept");
  await lab.close();
});

Deno.test("a dropped listener comes back and hears the room again", async () => {
  await using lab = await roomWithTwoSpeakers();
  await waitUntil(lab, "l", { hears: b });
  await lab.drop("l");
  await pause(200);
  await lab.rejoin("l");
  await waitUntil(lab, "l", { hears: a });
  await waitUntil(lab, "l", { hears: b });
  await lab.close();
});

Deno.test("speaking is reported only when who is speaking changes", async () => {
  await using lab = await roomWithTwoSpeakers();
  await waitUntil(lab, "l", { hears: b });
  await pause(300);
  await lab.setHeard("a", false);
  await pause(300);
  const reports = await lab.speaking();
  assert.deepEqual(reports.at(-1), ["b"]);
  assert.ok(reports.some((ids) => ids.join() === "a,b"));
  for (let i = 1; i < reports.length; i++) {
    assert.notDeepEqual(reports[i], reports[i - 1], "a report without a change");
  }
  await lab.close();
});

Deno.test("a client that trickles its ICE candidates after the offer connects and is heard", async () => {
  await using lab = MediaLab.start();
  await lab.join("a", { role: "speaker", heard: true, toneHz: a, trickle: true });
  await lab.join("l", { role: "listener", trickle: true });
  await waitUntil(lab, "l", { hears: a });
  await lab.close();
});

Deno.test("signalling the room does not understand is refused with a code", async () => {
  await using lab = MediaLab.start();
  assert.equal((await lab.signal("x", { type: "offer", sdp: "not sdp" })).refused, "bad_signal");
  const dataOnly = await lab.dataOnlyOffer();
  assert.equal((await lab.signal("x", { type: "offer", sdp: dataOnly })).refused, "bad_signal");
  assert.equal(
    (await lab.signal("y", { type: "candidate", candidate: null })).refused,
    "bad_signal",
  );
  assert.equal((await lab.signal("y", { type: "hello" })).refused, "bad_signal");
  assert.equal((await lab.signal("y", { type: "candidate", candidate: 7 })).refused, "bad_signal");
  assert.equal((await lab.signal("z", null)).refused, "bad_signal");
  assert.equal((await lab.stats()).connections, 0);
  await lab.close();
});

Deno.test("closing the room leaves no connection, source or timer behind", async () => {
  await using lab = await roomWithTwoSpeakers();
  await waitUntil(lab, "l", { hears: a });
  const before = await lab.stats();
  assert.deepEqual(
    { connections: before.connections, listening: before.listening, mixMinus: before.mixMinus },
    { connections: 3, listening: 2, mixMinus: 2 },
  );
  const after = await lab.close();
  assert.deepEqual(
    { ...after, frames: 0, skippedFrames: 0 },
    {
      participants: 0,
      connections: 0,
      listening: 0,
      mixMinus: 0,
      ticking: false,
      frames: 0,
      skippedFrames: 0,
    },
  );
});
