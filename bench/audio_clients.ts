/**
 * The clients' side of bench/audio.ts, in a process of its own: ten speakers and a rising number
 * of listeners, each a real wrtc peer reaching Palabre through the room's voice socket as a page
 * would. Speakers send a quiet tone with a loud click of their own pitch once a second, each in
 * its own tenth of the second; every peer listens to what the server sends it, times each click
 * from the moment its speaker's source took it to the moment the click came out of the receiving
 * sink, and counts frames. Runs the plan given as its argument, prints progress on stderr and the
 * results as JSON on stdout.
 *
 * @example
 * deno run -A bench/audio_clients.ts '{"origin":"http://127.0.0.1:8123", ...}'
 */
import { defaultWebrtcListenersPerRoom } from "../config.ts";
import { FrameClock } from "../media/clock.ts";
import { frameSamples, measure, sampleRateHz, toMono48k } from "../media/pcm.ts";
import {
  type AudioSink,
  type AudioSource,
  createAudioSink,
  createAudioSource,
  createPeerConnection,
  type PeerConnection,
} from "../media/wrtc.ts";
import { Decoder } from "@evan/opus";
import { decodeBatch } from "../media/broadcast.ts";
import { toneAmplitude } from "../tests/media/support/tones.ts";
import { cpuSeconds, residentMiB, treeCpuSeconds, treeResidentMiB } from "./processes.ts";

export interface AudioPlan {
  origin: string;
  roomId: number;
  /** Palabre's process, for its CPU time and memory. */
  serverPid: number;
  /** One per speaker, all on stage and unmuted. */
  speakerCookies: string[];
  /** At least as many as the last step. */
  listenerCookies: string[];
  /** WebRTC listener counts to measure, rising. */
  steps: number[];
  /** Then stream listener counts (the room's stream on the voice socket), rising. */
  streamSteps: number[];
  warmupMs: number;
  windowMs: number;
  /** Frames a listener must get (fraction of those expected) for a step to pass. */
  deliveredGoal: number;
}

export interface Latencies {
  p50: number;
  p95: number;
  max: number;
  count: number;
}

export interface StepResult {
  listeners: number;
  /** Audio listeners played that came from the server, not made up by packet-loss concealment. */
  delivered: number;
  /** The listener with the least, same unit. */
  deliveredWorst: number;
  /** RTP packets lost on the way to listeners, as a fraction of those expected. */
  packetsLost: number;
  /** Listeners' average jitter buffer delay (WebRTC stats), ms. */
  jitterBufferMs: number;
  /** Clicks heard by listeners, as a fraction of those sent during the window. */
  clicksHeard: number;
  mouthToEarMs: Latencies;
  speakerToSpeakerMs: Latencies;
  /** Cores Palabre (with its media processes) kept busy during the window. */
  serverCores: number;
  /** Cores this process (every client) kept busy. */
  clientCores: number;
  serverMiB: number;
  clientMiB: number;
  /** Connections that never reached "connected" for this step. */
  failedConnections: number;
}

export interface StreamStepResult {
  listeners: number;
  /** Opus packets listeners got, as a fraction of 50 a second each. */
  delivered: number;
  deliveredWorst: number;
  /** Clicks heard by the sampled listeners, as a fraction of those sent. */
  clicksHeard: number;
  /** From a speaker's source to a sampled listener decoding the packet on arrival. */
  arrivalMs: Latencies;
  sampled: number;
  serverCores: number;
  clientCores: number;
  serverMiB: number;
  clientMiB: number;
}

/** 100 listeners as Palabre serves them by default: the first ones by WebRTC, the rest by stream. */
export interface MixedResult {
  webrtcListeners: number;
  streamListeners: number;
  mouthToEarMs: Latencies;
  speakerToSpeakerMs: Latencies;
  streamArrivalMs: Latencies;
  delivered: number;
  serverCores: number;
}

export interface AudioResult {
  steps: StepResult[];
  mixed: MixedResult | null;
  streamSteps: StreamStepResult[];
}

const speakerCount = 10;
const clickPeriodFrames = 100; // each speaker clicks once a second...
const clickSlotFrames = clickPeriodFrames / speakerCount; // ...in its own tenth of it
const clickFrames = 3;
const clickAmplitude = 0.5;
const bedAmplitude = 0.01;
const onsetRms = 0.12;
const quietRms = 0.05;
/** A click heard later than this is taken for a stray, not a measurement. */
const maxLatencyMs = 900;
const connectBatch = 10;
/** Palabre's default `WEBRTC_LISTENERS_PER_ROOM`, and the room size the goals name. */
const mixedWebrtc = defaultWebrtcListenersPerRoom;
const mixedTotal = 100;
const streamConnectBatch = 50;
/** Stream listeners that decode what they get, to time the clicks; the rest only count. */
const sampledStreamListeners = 20;
const connectTimeoutMs = 30_000;

/** Speaker `i` clicks at this pitch, so a receiver knows whose click it heard. */
function clickHz(i: number): number {
  return 600 + 200 * i;
}

/** Speaker `i`'s quiet bed under the clicks: the encoder always has voice-like work. */
function bedHz(i: number): number {
  return 130 + 17 * i;
}

/** When each speaker's latest click went into its source (performance.now), by speaker. */
const clickSentAt: number[] = new Array(speakerCount).fill(NaN);

/** What one peer heard: click latencies while measuring. */
class Ear {
  latencies: number[] = [];
  #loud = false;
  #pending = new Float32Array(0);

  constructor(readonly speaker: number | null) {}

  hear(mono: Float32Array): void {
    let buffered = mono;
    if (this.#pending.length > 0) {
      buffered = new Float32Array(this.#pending.length + mono.length);
      buffered.set(this.#pending);
      buffered.set(mono, this.#pending.length);
    }
    let at = 0;
    for (; at + frameSamples <= buffered.length; at += frameSamples) {
      this.#frame(buffered.subarray(at, at + frameSamples));
    }
    this.#pending = buffered.slice(at);
  }

  reset(): void {
    this.latencies = [];
  }

  #frame(frame: Float32Array): void {
    const { rms } = measure(frame);
    if (this.#loud) {
      if (rms < quietRms) this.#loud = false;
      return;
    }
    if (rms < onsetRms) return;
    this.#loud = true;
    let loudest = -1;
    let best = 0;
    for (let i = 0; i < speakerCount; i++) {
      const amplitude = toneAmplitude(frame, clickHz(i));
      if (amplitude > best) [best, loudest] = [amplitude, i];
    }
    const latency = performance.now() - clickSentAt[loudest];
    if (loudest !== this.speaker && latency >= 0 && latency < maxLatencyMs) {
      this.latencies.push(latency);
    }
  }
}

interface Client {
  pc: PeerConnection;
  socket: WebSocket;
  sink: AudioSink;
  ear: Ear;
}

async function connect(
  plan: AudioPlan,
  cookie: string,
  speaker: { index: number; source: AudioSource } | null,
): Promise<Client> {
  const url = `${plan.origin.replace(/^http/, "ws")}/rooms/${plan.roomId}/voice`;
  const socket = new WebSocket(url, { headers: { Origin: plan.origin, Cookie: cookie } });
  const frames: Record<string, unknown>[] = [];
  let onFrame = () => {};
  socket.onmessage = (event) => {
    const frame = JSON.parse(String(event.data));
    if (frame.type === "error") console.error(`voice socket error: ${frame.message}`);
    frames.push(frame);
    onFrame();
  };
  const frameOf = (type: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`No ${type} frame`)), connectTimeoutMs);
      onFrame = () => {
        const found = frames.find((f) => f.type === type);
        if (found) {
          clearTimeout(timer);
          resolve(found);
        }
      };
      onFrame();
    });
  socket.onclose = (event) => {
    if (event.code !== 1000) console.error(`voice socket closed: ${event.code} ${event.reason}`);
  };
  const state = await frameOf("state");
  if ((state.stage === true) !== (speaker !== null)) {
    throw new Error(`Seeded place is wrong: ${JSON.stringify(state)}`);
  }

  const pc = createPeerConnection({ iceServers: [] });
  const audio = pc.addTransceiver("audio", { direction: "sendrecv" });
  if (speaker) await audio.sender.replaceTrack(speaker.source.createTrack());
  const gathered = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 2000);
    pc.onicegatheringstatechange = () => {
      if (pc.iceGatheringState === "complete") {
        clearTimeout(timer);
        resolve();
      }
    };
  });
  await pc.setLocalDescription(await pc.createOffer());
  await gathered;
  socket.send(JSON.stringify({ type: "offer", sdp: pc.localDescription!.sdp }));
  const answer = await frameOf("answer");
  await pc.setRemoteDescription({ type: "answer", sdp: answer.sdp as string });

  const ear = new Ear(speaker?.index ?? null);
  const sink = createAudioSink(audio.receiver.track);
  sink.ondata = (data) => ear.hear(toMono48k(data));
  return { pc, socket, sink, ear };
}

/** A listener's receiving counters, from WebRTC's own stats (`inbound-rtp`). */
interface Received {
  samples: number;
  concealed: number;
  packets: number;
  lost: number;
  jitterBufferSeconds: number;
  emitted: number;
}

async function received(pc: PeerConnection): Promise<Received> {
  const totals: Received = {
    samples: 0,
    concealed: 0,
    packets: 0,
    lost: 0,
    jitterBufferSeconds: 0,
    emitted: 0,
  };
  for (const stats of (await pc.getStats()).values()) {
    if (stats.type !== "inbound-rtp" || stats.kind !== "audio") continue;
    totals.samples += Number(stats.totalSamplesReceived ?? 0);
    totals.concealed += Number(stats.concealedSamples ?? 0);
    totals.packets += Number(stats.packetsReceived ?? 0);
    totals.lost += Number(stats.packetsLost ?? 0);
    totals.jitterBufferSeconds += Number(stats.jitterBufferDelay ?? 0);
    totals.emitted += Number(stats.jitterBufferEmittedCount ?? 0);
  }
  return totals;
}

function since(before: Received, after: Received): Received {
  return {
    samples: after.samples - before.samples,
    concealed: after.concealed - before.concealed,
    packets: after.packets - before.packets,
    lost: after.lost - before.lost,
    jitterBufferSeconds: after.jitterBufferSeconds - before.jitterBufferSeconds,
    emitted: after.emitted - before.emitted,
  };
}

async function untilConnected(clients: Client[]): Promise<number> {
  const deadline = performance.now() + connectTimeoutMs;
  while (performance.now() < deadline) {
    if (clients.every((c) => c.pc.connectionState === "connected")) return 0;
    await pause(100);
  }
  return clients.filter((c) => c.pc.connectionState !== "connected").length;
}

/** Ten sources, one clock: a quiet bed always, and each speaker's click in its slot. */
function startSpeaking(sources: AudioSource[]): FrameClock {
  const phases = new Float64Array(speakerCount);
  const clickPhases = new Float64Array(speakerCount);
  let frame = 0;
  const clock = new FrameClock(() => {
    const slot = frame % clickPeriodFrames;
    for (let i = 0; i < speakerCount; i++) {
      const intoClick = slot - i * clickSlotFrames;
      const clicking = intoClick >= 0 && intoClick < clickFrames;
      const samples = new Int16Array(frameSamples);
      const bedStep = 2 * Math.PI * bedHz(i) / sampleRateHz;
      const clickStep = 2 * Math.PI * clickHz(i) / sampleRateHz;
      for (let n = 0; n < frameSamples; n++) {
        let x = bedAmplitude * Math.sin(phases[i]);
        phases[i] += bedStep;
        if (clicking) {
          x += clickAmplitude * Math.sin(clickPhases[i]);
          clickPhases[i] += clickStep;
        }
        samples[n] = Math.round(x * 32767);
      }
      phases[i] %= 2 * Math.PI;
      clickPhases[i] %= 2 * Math.PI;
      if (intoClick === 0) clickSentAt[i] = performance.now();
      sources[i].onData({ samples, sampleRate: sampleRateHz, bitsPerSample: 16, channelCount: 1 });
    }
    frame++;
  });
  clock.start();
  return clock;
}

async function measureStep(
  plan: AudioPlan,
  speakers: Client[],
  listeners: Client[],
  failedConnections: number,
  streamListeners: StreamListener[] = [],
): Promise<StepResult & { streamArrivalMs: Latencies }> {
  await pause(plan.warmupMs);
  for (const client of [...speakers, ...listeners]) client.ear.reset();
  for (const listener of streamListeners) listener.ear?.reset();
  const receivedBefore = await Promise.all(listeners.map((c) => received(c.pc)));
  const serverBefore = await treeCpuSeconds(plan.serverPid);
  const clientBefore = await cpuSeconds(String(Deno.pid));
  const startedAt = performance.now();
  await pause(plan.windowMs);
  const seconds = (performance.now() - startedAt) / 1000;
  const serverAfter = await treeCpuSeconds(plan.serverPid);
  const clientAfter = await cpuSeconds(String(Deno.pid));
  const heardMs = listeners.flatMap((c) => c.ear.latencies);
  const stageMs = speakers.flatMap((c) => c.ear.latencies);
  const streamMs = streamListeners.flatMap((l) => l.ear?.latencies ?? []);
  const receivedAfter = await Promise.all(listeners.map((c) => received(c.pc)));
  const windows = receivedAfter.map((after, i) => since(receivedBefore[i], after));
  const delivered = windows.map((w) => w.samples > 0 ? 1 - w.concealed / w.samples : 0);
  const sum = (pick: (w: Received) => number) => windows.reduce((total, w) => total + pick(w), 0);
  const heard = heardMs.length;
  const clicksSent = seconds * speakerCount * listeners.length;
  return {
    listeners: listeners.length,
    delivered: delivered.length ? delivered.reduce((a, b) => a + b, 0) / delivered.length : 1,
    deliveredWorst: delivered.length ? Math.min(...delivered) : 1,
    packetsLost: sum((w) => w.lost) / Math.max(1, sum((w) => w.lost + w.packets)),
    jitterBufferMs: sum((w) => w.jitterBufferSeconds) * 1000 / Math.max(1, sum((w) => w.emitted)),
    clicksHeard: clicksSent > 0 ? heard / clicksSent : 1,
    mouthToEarMs: latencies(heardMs),
    speakerToSpeakerMs: latencies(stageMs),
    serverCores: ((serverAfter ?? 0) - (serverBefore ?? 0)) / seconds,
    clientCores: ((clientAfter ?? 0) - (clientBefore ?? 0)) / seconds,
    serverMiB: (await treeResidentMiB(plan.serverPid)) ?? 0,
    clientMiB: (await residentMiB(Deno.pid)) ?? 0,
    failedConnections,
    streamArrivalMs: latencies(streamMs),
  };
}

function latencies(values: number[]): Latencies {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN;
  return { p50: at(0.5), p95: at(0.95), max: sorted.at(-1) ?? NaN, count: sorted.length };
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A page listening by the room's stream: counts packets; a sampled one decodes and times. */
interface StreamListener {
  socket: WebSocket;
  packets: number;
  ear: Ear | null;
}

async function connectStream(
  plan: AudioPlan,
  cookie: string,
  sampled: boolean,
): Promise<StreamListener> {
  const url = `${plan.origin.replace(/^http/, "ws")}/rooms/${plan.roomId}/voice`;
  const socket = new WebSocket(url, { headers: { Origin: plan.origin, Cookie: cookie } });
  socket.binaryType = "arraybuffer";
  const listener: StreamListener = { socket, packets: 0, ear: sampled ? new Ear(null) : null };
  const decoder = sampled ? new Decoder({ channels: 1, sample_rate: sampleRateHz }) : null;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("No stream frame")), connectTimeoutMs);
    socket.onmessage = (event) => {
      if (event.data instanceof ArrayBuffer) {
        const { packets } = decodeBatch(new Uint8Array(event.data));
        listener.packets += packets.length;
        if (!decoder) return;
        for (const packet of packets) {
          const bytes = decoder.decode(packet);
          const pcm = new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
          listener.ear!.hear(Float32Array.from(pcm, (x) => x / 32768));
        }
        return;
      }
      const frame = JSON.parse(String(event.data));
      if (frame.type === "state") socket.send(JSON.stringify({ type: "listen" }));
      if (frame.type === "webrtc") reject(new Error("Palabre offered WebRTC, not its stream"));
      if (frame.type === "stream") {
        clearTimeout(timer);
        resolve();
      }
    };
  });
  return listener;
}

async function measureStreamStep(
  plan: AudioPlan,
  listeners: StreamListener[],
): Promise<StreamStepResult> {
  await pause(plan.warmupMs);
  const sampled = listeners.filter((l) => l.ear);
  for (const listener of sampled) listener.ear!.reset();
  const packetsBefore = listeners.map((l) => l.packets);
  const serverBefore = await treeCpuSeconds(plan.serverPid);
  const clientBefore = await cpuSeconds(String(Deno.pid));
  const startedAt = performance.now();
  await pause(plan.windowMs);
  const seconds = (performance.now() - startedAt) / 1000;
  const delivered = listeners.map((l, i) => (l.packets - packetsBefore[i]) / (seconds * 50));
  const heardMs = sampled.flatMap((l) => l.ear!.latencies);
  const serverAfter = await treeCpuSeconds(plan.serverPid);
  const clientAfter = await cpuSeconds(String(Deno.pid));
  return {
    listeners: listeners.length,
    delivered: delivered.reduce((a, b) => a + b, 0) / Math.max(1, delivered.length),
    deliveredWorst: Math.min(...delivered),
    clicksHeard: heardMs.length / Math.max(1, seconds * speakerCount * sampled.length),
    arrivalMs: latencies(heardMs),
    sampled: sampled.length,
    serverCores: ((serverAfter ?? 0) - (serverBefore ?? 0)) / seconds,
    clientCores: ((clientAfter ?? 0) - (clientBefore ?? 0)) / seconds,
    serverMiB: (await treeResidentMiB(plan.serverPid)) ?? 0,
    clientMiB: (await residentMiB(Deno.pid)) ?? 0,
  };
}

async function streamSteps(plan: AudioPlan): Promise<StreamStepResult[]> {
  const listeners: StreamListener[] = [];
  const results: StreamStepResult[] = [];
  for (const target of plan.streamSteps) {
    while (listeners.length < target) {
      const from = listeners.length;
      const batch = plan.listenerCookies.slice(from, Math.min(target, from + streamConnectBatch));
      listeners.push(
        ...await Promise.all(
          batch.map((cookie, i) => connectStream(plan, cookie, from + i < sampledStreamListeners)),
        ),
      );
    }
    const step = await measureStreamStep(plan, listeners);
    results.push(step);
    console.error(
      `[audio] ${step.listeners} stream listeners: ${(step.delivered * 100).toFixed(2)}% ` +
        `packets (worst ${(step.deliveredWorst * 100).toFixed(2)}%), clicks ${
          (step.clicksHeard * 100).toFixed(1)
        }%, arrival p95 ${step.arrivalMs.p95.toFixed(0)} ms, server ${
          step.serverCores.toFixed(2)
        } cores, clients ${step.clientCores.toFixed(2)} cores, server ${
          step.serverMiB.toFixed(0)
        } MiB`,
    );
    if (step.delivered < plan.deliveredGoal) break;
  }
  for (const listener of listeners) listener.socket.close();
  return results;
}

async function main(plan: AudioPlan): Promise<AudioResult> {
  const sources = plan.speakerCookies.map(() => createAudioSource());
  const clock = startSpeaking(sources);
  const speakers: Client[] = [];
  for (const [index, cookie] of plan.speakerCookies.entries()) {
    speakers.push(await connect(plan, cookie, { index, source: sources[index] }));
  }
  const failed = await untilConnected(speakers);
  if (failed > 0) throw new Error(`${failed} speakers did not connect`);
  console.error(`[audio] ${speakers.length} speakers connected`);
  // Jitter buffers settle in the first seconds of a connection.
  await pause(plan.warmupMs);

  // The WebRTC ramp goes until the server cannot keep up, and an overload leaves the speakers'
  // jitter buffers deep for a long while: everything else is measured before it.
  const steps: StepResult[] = [];
  const listeners: Client[] = [];
  if (plan.steps.includes(0)) steps.push(report(await measureStep(plan, speakers, [], 0)));
  const mixed = await mixedStep(plan, speakers, listeners);
  hangUp(listeners);
  await pause(2000);
  const streamed = await streamSteps(plan);
  await pause(2000);

  for (const target of plan.steps.filter((n) => n > 0)) {
    const added: Client[] = [];
    while (listeners.length < target) {
      const batch = plan.listenerCookies.slice(
        listeners.length,
        Math.min(target, listeners.length + connectBatch),
      );
      const clients = await Promise.all(batch.map((cookie) => connect(plan, cookie, null)));
      listeners.push(...clients);
      added.push(...clients);
    }
    const failed = await untilConnected(added);
    const step = report(await measureStep(plan, speakers, listeners, failed));
    steps.push(step);
    if (step.delivered < plan.deliveredGoal || failed > 0) break;
  }
  clock.stop();
  hangUp([...listeners, ...speakers]);
  return { steps, mixed, streamSteps: streamed };
}

function hangUp(clients: Client[]): void {
  for (const client of clients.splice(0)) {
    client.sink.ondata = null;
    client.sink.stop();
    client.pc.close();
    client.socket.close();
  }
}

function report(step: StepResult): StepResult {
  console.error(
    `[audio] ${step.listeners} listeners: ${(step.delivered * 100).toFixed(2)}% frames ` +
      `(worst ${(step.deliveredWorst * 100).toFixed(2)}%), lost ${
        (step.packetsLost * 100).toFixed(2)
      }%, jitter buffer ${step.jitterBufferMs.toFixed(0)} ms, clicks ${
        (step.clicksHeard * 100).toFixed(1)
      }%, mouth-to-ear p95 ${step.mouthToEarMs.p95.toFixed(0)} ms, speaker-to-speaker p95 ${
        step.speakerToSpeakerMs.p95.toFixed(0)
      } ms, server ${step.serverCores.toFixed(2)} cores, clients ${
        step.clientCores.toFixed(2)
      } cores, server ${step.serverMiB.toFixed(0)} MiB` +
      (step.failedConnections > 0 ? `, ${step.failedConnections} connections failed` : ""),
  );
  return step;
}

/** The default mix: the first `mixedWebrtc` listeners by WebRTC, the rest of 100 by stream. */
async function mixedStep(
  plan: AudioPlan,
  speakers: Client[],
  listeners: Client[],
): Promise<MixedResult | null> {
  while (listeners.length < mixedWebrtc) {
    listeners.push(await connect(plan, plan.listenerCookies[listeners.length], null));
  }
  if (await untilConnected(listeners) > 0) return null;
  const streamListeners = await Promise.all(
    plan.listenerCookies.slice(mixedWebrtc, mixedTotal).map((cookie) =>
      connectStream(plan, cookie, true)
    ),
  );
  // A hundred connections opening at once make jitter buffers deepen; they shrink slowly.
  await pause(3 * plan.warmupMs);
  const step = await measureStep(plan, speakers, listeners, 0, streamListeners);
  for (const listener of streamListeners) listener.socket.close();
  console.error(
    `[audio] ${mixedWebrtc} WebRTC + ${streamListeners.length} stream listeners: ` +
      `mouth-to-ear p95 ${step.mouthToEarMs.p95.toFixed(0)} ms, speaker-to-speaker p95 ${
        step.speakerToSpeakerMs.p95.toFixed(0)
      } ms, stream arrival p95 ${step.streamArrivalMs.p95.toFixed(0)} ms`,
  );
  return {
    webrtcListeners: listeners.length,
    streamListeners: streamListeners.length,
    mouthToEarMs: step.mouthToEarMs,
    speakerToSpeakerMs: step.speakerToSpeakerMs,
    streamArrivalMs: step.streamArrivalMs,
    delivered: step.delivered,
    serverCores: step.serverCores,
  };
}

if (import.meta.main) {
  const result = await main(JSON.parse(Deno.args[0]));
  console.log(JSON.stringify(result));
  // wrtc crashes a process that ends by running out of work (media/wrtc.ts).
  Deno.exit(0);
}
