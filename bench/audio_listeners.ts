/**
 * The listeners of bench/audio.ts, in a process of their own: a rising number of wrtc peers in
 * the room's audience, then pages listening by the room's stream, each reaching Palabre through
 * the room's voice socket as a page would. Every listener notes the clicks it hears
 * (bench/audio_clicks.ts) and counts frames; the bench matches those clicks with the ones the
 * speakers' process sent. Runs the plan given as its argument once the speakers' process id
 * comes on stdin after the plan, prints progress on stderr and the results as JSON on stdout.
 *
 * @example
 * echo '{"origin":"http://127.0.0.1:8123", ...}' | deno run -A bench/audio_listeners.ts
 */
import { defaultWebrtcListenersPerRoom } from "../config.ts";
import type { PeerConnection } from "../media/wrtc.ts";
import { jsonLines } from "../media/json_lines.ts";
import { packetMs } from "../media/stream_format.ts";
import { type Click, wallClockMs } from "./audio_clicks.ts";
import {
  type FromStreamListeners,
  StreamListener,
  type StreamListenersPlan,
  type ToStreamListeners,
} from "./audio_stream_listeners.ts";
import { ClientProcess } from "./client_process.ts";
import {
  hangUp,
  joinListeners,
  joinVoice,
  pause,
  untilConnected,
  type VoiceClient,
} from "./audio_voice.ts";
import { cpuSeconds, residentMiB, treeCpuSeconds, treeResidentMiB } from "./processes.ts";
import { LagWatch } from "./lag_watch.ts";

export interface ListenersPlan {
  origin: string;
  /** The room's public id, as its URLs carry it. */
  publicId: string;
  /** Palabre's process, for its CPU time and memory. */
  serverPid: number;
  /** The speakers' process, whose CPU counts with the clients'. */
  speakersPid: number;
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

/** The wall-clock span a step measured, in which speakers' and listeners' clicks count. */
export interface Window {
  from: number;
  to: number;
}

export interface StepRecord {
  listeners: number;
  window: Window;
  /** Audio listeners played that came from the server, not made up by packet-loss concealment. */
  delivered: number;
  /** The listener with the least, same unit. */
  deliveredWorst: number;
  /** RTP packets lost on the way to listeners, as a fraction of those expected. */
  packetsLost: number;
  /** Listeners' average jitter buffer delay (WebRTC stats), ms. */
  jitterBufferMs: number;
  /** Clicks WebRTC listeners heard during the window. */
  heard: Click[];
  /** Clicks the sampled stream listeners heard, as a page would play them (page_playout.ts). */
  streamHeard: Click[];
  /** Cores Palabre (with its media processes) kept busy during the window. */
  serverCores: number;
  /** Cores both client processes kept busy. */
  clientCores: number;
  serverMiB: number;
  clientMiB: number;
  /** The longest this process was late on a timer in the window (see `LagWatch`), ms. */
  clientLagMs: number;
  /** Connections that never reached "connected" for this step. */
  failedConnections: number;
}

export interface StreamStepRecord {
  listeners: number;
  window: Window;
  /** Opus packets listeners got, as a fraction of those sent (one per `packetMs`) each. */
  delivered: number;
  deliveredWorst: number;
  /** Clicks the sampled listeners heard, as a page would play them (page_playout.ts). */
  heard: Click[];
  sampled: number;
  serverCores: number;
  clientCores: number;
  serverMiB: number;
  clientMiB: number;
  /** As in `StepRecord`. */
  clientLagMs: number;
  /** Listeners that asked and were not given the stream within 30 s, for this step. */
  failedConnections: number;
  /** Text frames (speaking rings) each listener got a second, besides the audio. */
  textsPerSecond: number;
}

/** 100 listeners as Palabre serves them by default: the first ones by WebRTC, the rest by stream. */
export interface MixedRecord {
  webrtcListeners: number;
  streamListeners: number;
  /** Measured from `warmupMs` after the last one joined. */
  justJoined: StepRecord;
  /** The same room measured again, once jitter buffers have forgotten the joins. */
  settled: StepRecord;
}

export interface ListenersResult {
  steps: StepRecord[];
  mixed: MixedRecord | null;
  streamSteps: StreamStepRecord[];
}

/** Palabre's default `WEBRTC_LISTENERS_PER_ROOM`, and the room size the goals name. */
const mixedWebrtc = defaultWebrtcListenersPerRoom;
const mixedTotal = 100;
/** Processes that only count stream packets, besides the one whose listeners decode. */
const streamCountingProcesses = 3;
/** Processes of stream listeners in all. */
export const streamProcesses = 1 + streamCountingProcesses;
/** After the first measure of the default mix, before the second (see `mixedStep`). */
export const mixedSettleMs = 10_000;
/** Stream listeners that decode what they get, to time the clicks; the rest only count. */
export const sampledStreamListeners = 20;

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
    // The count is "expected less received" from RTP sequence numbers: packets that come late,
    // after being counted lost, take it down again, so a window can read below zero. Only
    // losses count here; late packets show as concealment in `delivered`.
    lost: Math.max(0, after.lost - before.lost),
    jitterBufferSeconds: after.jitterBufferSeconds - before.jitterBufferSeconds,
    emitted: after.emitted - before.emitted,
  };
}

/** The stream listeners' processes while they run (`StreamCrowd`), whose CPU counts too. */
let streamCrowdPids: number[] = [];

function clientPids(plan: ListenersPlan): number[] {
  return [Deno.pid, plan.speakersPid, ...streamCrowdPids];
}

/** CPU seconds so far of every client process. */
async function clientCpuSeconds(plan: ListenersPlan): Promise<number> {
  let total = 0;
  for (const pid of clientPids(plan)) total += (await cpuSeconds(String(pid))) ?? 0;
  return total;
}

async function clientMiB(plan: ListenersPlan): Promise<number> {
  let total = 0;
  for (const pid of clientPids(plan)) total += (await residentMiB(pid)) ?? 0;
  return total;
}

let lag: LagWatch | null = null;

/** Waits out `plan.windowMs`, and says when it ran and how busy Palabre and the clients were. */
async function measureWindow(
  plan: ListenersPlan,
): Promise<{ window: Window; serverCores: number; clientCores: number; clientLagMs: number }> {
  // CPU time is read over the whole span of its readings: a lagging process takes seconds to
  // read /proc, and CPU spent meanwhile would otherwise count against the window alone (an
  // overloaded step once read 1.47 cores for a server pinned to one).
  const readFrom = wallClockMs();
  const serverBefore = await treeCpuSeconds(plan.serverPid);
  const clientBefore = await clientCpuSeconds(plan);
  const from = wallClockMs();
  lag?.take();
  await pause(plan.windowMs);
  const clientLagMs = lag?.take() ?? 0;
  const to = wallClockMs();
  const serverAfter = await treeCpuSeconds(plan.serverPid);
  const clientAfter = await clientCpuSeconds(plan);
  const seconds = (wallClockMs() - readFrom) / 1000;
  return {
    window: { from, to },
    serverCores: ((serverAfter ?? 0) - (serverBefore ?? 0)) / seconds,
    clientCores: (clientAfter - clientBefore) / seconds,
    clientLagMs,
  };
}

async function measureStep(
  plan: ListenersPlan,
  listeners: VoiceClient[],
  failedConnections: number,
  streamListeners: StreamListener[] = [],
): Promise<StepRecord> {
  await pause(plan.warmupMs);
  for (const client of listeners) client.ear.take();
  for (const listener of streamListeners) listener.ear?.take();
  const receivedBefore = await Promise.all(listeners.map((c) => received(c.pc)));
  const { window, serverCores, clientCores, clientLagMs } = await measureWindow(plan);
  const to = window.to;
  const heard = listeners.flatMap((c) => c.ear.take()).filter((c) => c.at <= to);
  const streamHeard = streamListeners.flatMap((l) => l.ear?.take() ?? [])
    .filter((c) => c.at <= to);
  const receivedAfter = await Promise.all(listeners.map((c) => received(c.pc)));
  const windows = receivedAfter.map((after, i) => since(receivedBefore[i], after));
  const delivered = windows.map((w) => w.samples > 0 ? 1 - w.concealed / w.samples : 0);
  const sum = (pick: (w: Received) => number) => windows.reduce((total, w) => total + pick(w), 0);
  return {
    listeners: listeners.length,
    window,
    delivered: delivered.length ? delivered.reduce((a, b) => a + b, 0) / delivered.length : 1,
    deliveredWorst: delivered.length ? Math.min(...delivered) : 1,
    packetsLost: sum((w) => w.lost) / Math.max(1, sum((w) => w.lost + w.packets)),
    jitterBufferMs: sum((w) => w.jitterBufferSeconds) * 1000 / Math.max(1, sum((w) => w.emitted)),
    heard,
    streamHeard,
    serverCores,
    clientCores,
    serverMiB: (await treeResidentMiB(plan.serverPid)) ?? 0,
    clientMiB: await clientMiB(plan),
    clientLagMs,
    failedConnections,
  };
}

/** The room's stream listeners, shared among a few processes (bench/audio_stream_listeners.ts). */
class StreamCrowd implements AsyncDisposable {
  /** The first holds the sampled listeners, who decode; the others only count. */
  #processes: ClientProcess[];
  /** Each process's listeners, in the order of `plan.listenerCookies`. */
  #shares: string[][];

  constructor(plan: ListenersPlan) {
    const cookies = plan.listenerCookies.slice(0, Math.max(0, ...plan.streamSteps));
    this.#shares = [cookies.slice(0, sampledStreamListeners)];
    for (let i = 0; i < streamCountingProcesses; i++) {
      this.#shares.push(
        cookies.slice(sampledStreamListeners).filter((_, j) => j % streamCountingProcesses === i),
      );
    }
    this.#processes = this.#shares.map((share, i) => {
      const listenersPlan: StreamListenersPlan = {
        origin: plan.origin,
        publicId: plan.publicId,
        cookies: share,
        sampled: i === 0,
      };
      return new ClientProcess("audio_stream_listeners.ts", listenersPlan);
    });
  }

  get pids(): number[] {
    return this.#processes.map((p) => p.pid);
  }

  /** Connects listeners until `total` in all; resolves with those that failed, and why. */
  async connect(total: number): Promise<{ failed: number; error: string | null }> {
    const counts = this.#shares.map(() => 0);
    for (let i = 0; i < total; i++) {
      const share = i < sampledStreamListeners
        ? 0
        : 1 + (i - sampledStreamListeners) % streamCountingProcesses;
      counts[share]++;
    }
    // One process after the other, so that 50 arrive at a time in all: 200 at once (50 from
    // each) crashed Palabre on embedded PGlite (postgres.js `begin` on a full pipeline).
    const replies: (FromStreamListeners & { op: "connected" })[] = [];
    for (const [i, process] of this.#processes.entries()) {
      await process.send({ op: "connect", count: counts[i] } satisfies ToStreamListeners);
      replies.push(await process.next("connected listeners") as typeof replies[number]);
    }
    return {
      failed: replies.reduce((sum, r) => sum + r.failed, 0),
      error: replies.find((r) => r.error)?.error ?? null,
    };
  }

  /** Every listener's packets so far, with when each process read them. */
  async count(): Promise<(FromStreamListeners & { op: "counts" })[]> {
    return await Promise.all(this.#processes.map(async (process) => {
      await process.send({ op: "count" } satisfies ToStreamListeners);
      return await process.next("counts") as FromStreamListeners & { op: "counts" };
    }));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    for (const process of this.#processes) await process.endInput().catch(() => {});
    await Promise.all(this.#processes.map((p) => p[Symbol.asyncDispose]()));
  }
}

async function measureStreamStep(
  plan: ListenersPlan,
  crowd: StreamCrowd,
  failedConnections: number,
): Promise<StreamStepRecord> {
  await pause(plan.warmupMs);
  const before = await crowd.count();
  const { window, serverCores, clientCores, clientLagMs } = await measureWindow(plan);
  const after = await crowd.count();
  // Each process's packets against the time between its own two readings.
  const delivered = after.flatMap((counts, i) => {
    const expected = (counts.at - before[i].at) / packetMs;
    return counts.packets.map((packets, j) => (packets - (before[i].packets[j] ?? 0)) / expected);
  });
  const heard = after.flatMap((counts) => counts.heard).filter((c) => c.at <= window.to);
  const texts = after.reduce((sum, counts, i) => sum + counts.texts - before[i].texts, 0);
  return {
    listeners: delivered.length,
    window,
    delivered: delivered.reduce((a, b) => a + b, 0) / Math.max(1, delivered.length),
    deliveredWorst: Math.min(...delivered),
    heard,
    sampled: after[0]?.packets.length ?? 0,
    serverCores,
    clientCores,
    serverMiB: (await treeResidentMiB(plan.serverPid)) ?? 0,
    clientMiB: await clientMiB(plan),
    clientLagMs: Math.max(clientLagMs, ...after.map((counts) => counts.lagMs)),
    failedConnections,
    textsPerSecond: texts / Math.max(1, delivered.length) / ((window.to - window.from) / 1000),
  };
}

/**
 * Whether a stream step got its packets, and on time: a listeners' process that fell behind
 * counts more than it should in the window (it is working off a backlog), which is no pass.
 */
export function streamKeptUp(step: { delivered: number }, goal: number): boolean {
  return step.delivered >= goal && step.delivered <= 2 - goal;
}

async function streamSteps(plan: ListenersPlan): Promise<StreamStepRecord[]> {
  await using crowd = new StreamCrowd(plan);
  streamCrowdPids = crowd.pids;
  const results: StreamStepRecord[] = [];
  try {
    for (const target of plan.streamSteps) {
      const { failed, error } = await crowd.connect(target);
      if (error) console.error(`[audio] ${failed} stream listeners did not connect: ${error}`);
      const step = await measureStreamStep(plan, crowd, failed);
      results.push(step);
      console.error(
        `[audio] ${step.listeners} stream listeners: ${(step.delivered * 100).toFixed(2)}% ` +
          `packets (worst ${(step.deliveredWorst * 100).toFixed(2)}%), ${step.heard.length} ` +
          `clicks heard, server ${step.serverCores.toFixed(2)} cores, clients ${
            step.clientCores.toFixed(2)
          } cores (late by up to ${step.clientLagMs.toFixed(0)} ms), server ${
            step.serverMiB.toFixed(0)
          } MiB, ${step.textsPerSecond.toFixed(1)} text frames a second each`,
      );
      // Listeners turned away: the server is overloaded (or gone), larger crowds add nothing.
      if (failed > 0) break;
    }
  } finally {
    streamCrowdPids = [];
  }
  return results;
}

async function main(plan: ListenersPlan): Promise<ListenersResult> {
  // The WebRTC ramp goes until the server cannot keep up, and an overload leaves the speakers'
  // jitter buffers deep for a long while: everything else is measured before it.
  lag = new LagWatch();
  const steps: StepRecord[] = [];
  const listeners: VoiceClient[] = [];
  if (plan.steps.includes(0)) steps.push(report(await measureStep(plan, [], 0)));
  const mixed = await mixedStep(plan, listeners);
  hangUp(listeners);
  await pause(2000);
  const streamed = await streamSteps(plan);
  await pause(2000);

  for (const target of plan.steps.filter((n) => n > 0)) {
    const cookies = plan.listenerCookies.slice(listeners.length, target);
    const { joined, failed: refused, error } = await joinListeners(
      plan.origin,
      plan.publicId,
      cookies,
    );
    listeners.push(...joined);
    if (error) console.error(`[audio] ${refused} of ${target} listeners did not join: ${error}`);
    // An overloaded server is this step's result: measured with those who did join.
    const failed = refused + await untilConnected(joined);
    const step = report(await measureStep(plan, listeners, failed));
    steps.push(step);
    if (step.delivered < plan.deliveredGoal || failed > 0) break;
  }
  hangUp(listeners);
  lag.stop();
  return { steps, mixed, streamSteps: streamed };
}

function report(step: StepRecord): StepRecord {
  console.error(
    `[audio] ${step.listeners} listeners: ${(step.delivered * 100).toFixed(2)}% frames ` +
      `(worst ${(step.deliveredWorst * 100).toFixed(2)}%), lost ${
        (step.packetsLost * 100).toFixed(2)
      }%, jitter buffer ${step.jitterBufferMs.toFixed(0)} ms, ${step.heard.length} clicks ` +
      `heard, server ${step.serverCores.toFixed(2)} cores, clients ${
        step.clientCores.toFixed(2)
      } cores (late by up to ${step.clientLagMs.toFixed(0)} ms), server ${
        step.serverMiB.toFixed(0)
      } MiB` +
      (step.failedConnections > 0 ? `, ${step.failedConnections} connections failed` : ""),
  );
  return step;
}

/** The default mix: the first `mixedWebrtc` listeners by WebRTC, the rest of 100 by stream. */
async function mixedStep(
  plan: ListenersPlan,
  listeners: VoiceClient[],
): Promise<MixedRecord | null> {
  while (listeners.length < mixedWebrtc) {
    const cookie = plan.listenerCookies[listeners.length];
    listeners.push(await joinVoice(plan.origin, plan.publicId, cookie, null));
  }
  if (await untilConnected(listeners) > 0) return null;
  const streamListeners = await Promise.all(
    plan.listenerCookies.slice(mixedWebrtc, mixedTotal).map((cookie, i) =>
      StreamListener.connect(plan.origin, plan.publicId, cookie, {
        sampled: i < sampledStreamListeners,
      })
    ),
  );
  const justJoined = await measureStep(plan, listeners, 0, streamListeners);
  // A burst of joins delays some frames, and jitter buffers keep the extra depth for ~20 s.
  await pause(mixedSettleMs);
  const settled = await measureStep(plan, listeners, 0, streamListeners);
  for (const listener of streamListeners) listener.close();
  console.error(
    `[audio] ${mixedWebrtc} WebRTC + ${streamListeners.length} stream listeners measured`,
  );
  return {
    webrtcListeners: listeners.length,
    streamListeners: streamListeners.length,
    justJoined,
    settled,
  };
}

if (import.meta.main) {
  // Started before the speakers, so that loading this process disturbs nobody's audio: says
  // ready, then waits for the speakers' process id, which starts the plan.
  const input = jsonLines(Deno.stdin.readable);
  const plan = (await input.next()).value as Omit<ListenersPlan, "speakersPid">;
  console.log(JSON.stringify({ ready: true }));
  const { value: go } = await input.next();
  const result = await main({ ...plan, speakersPid: (go as { speakersPid: number }).speakersPid });
  console.log(JSON.stringify(result));
  // wrtc crashes a process that ends by running out of work (media/wrtc.ts).
  Deno.exit(0);
}
