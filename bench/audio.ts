/**
 * Voice at room scale: one live room on Palabre with ten speakers on stage and a rising number
 * of listeners, every one of them a real wrtc peer on the room's voice socket, in two processes
 * (bench/audio_speakers.ts, bench/audio_listeners.ts) pinned to the other core. Per listener
 * count: frames delivered, click latency from a speaker's source to a listener's sink (mouth to
 * ear) and to the other speakers' sinks, Palabre's CPU per listener and its memory; the largest
 * count that still delivers 99.5% of frames with the clients on the same machine; the same for
 * listeners of the room's stream; and 100 listeners as Palabre serves them by default.
 *
 * @example
 * deno task bench audio
 */
import { defaultWebrtcListenersPerRoom } from "../config.ts";
import { openDatabase } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";
import { hashPassword } from "../db/passwords.ts";
import { act } from "../db/room_actions.ts";
import { joinRoom, publicRoomId, roomSnapshot, startRoom } from "../db/rooms.ts";
import { startSession } from "../db/sessions.ts";
import { insertMember } from "../db/users.ts";
import {
  type Click,
  clickLatencies,
  type Latencies,
  latencies,
  speakerCount,
} from "./audio_clicks.ts";
import type {
  ListenersPlan,
  ListenersResult,
  StepRecord,
  StreamStepRecord,
  Window,
} from "./audio_listeners.ts";
import { connectTimeoutMs } from "./audio_voice.ts";
import {
  mixedSettleMs,
  sampledStreamListeners,
  streamKeptUp,
  streamProcesses,
} from "./audio_listeners.ts";
import type { SpeakersPlan, SpeakersResult } from "./audio_speakers.ts";
import { packetMs, packetsPerBatch, streamFormat } from "../media/stream_format.ts";
import { ClientProcess } from "./client_process.ts";
import { cpuPinning, startServer, temporaryDirectory } from "./processes.ts";
import { type BenchSection, count, markdownTable, ms, percent, progress } from "./report.ts";

const name = "audio";
const maxListeners = Number(Deno.env.get("BENCH_AUDIO_MAX_LISTENERS") ?? 400);
const steps = [0, 10, 25, 50, 100, 150, 200, 300, 400, 600, 800, 1000]
  .filter((n) => n <= maxListeners);
const maxStream = Number(Deno.env.get("BENCH_AUDIO_MAX_STREAM") ?? 5000);
const streamSteps = [100, 1000, 2000, 3000, 5000].filter((n) => n <= maxStream);
const seatedListeners = Math.max(maxListeners, maxStream);
const deliveredGoal = 0.995;
/** Each step settles this long after its listeners joined, then is measured for `windowMs`. */
const warmupMs = 3_000;
const windowMs = 10_000;
const goals = { listeners: 100, speakerToSpeakerP95Ms: 150, mouthToEarP95Ms: 250 };
/** One room on this machine, every listener by the room's stream (issue 15). */
const streamGoals = { listeners: 5000, mouthToEarP95Ms: 400 };
/**
 * The listeners' process yields the clients' core to the speakers' when both want it. Real
 * speakers are browsers on machines of their own, whose audio threads run at real-time
 * priority; here a burst of work in the listeners' process (a hundred joins) held the speakers'
 * process back, what they sent arrived unevenly, and the server's jitter buffers kept ~17 ms
 * more delay on every voice for the rest of the run (33 -> 50 ms; at nice 10: 29-36 ms).
 */
const listenersNiceness = 10;
const repoRoot = new URL("..", import.meta.url).pathname;

export async function run(): Promise<BenchSection> {
  await using dataDir = await temporaryDirectory("palabre-bench-audio-");
  progress(name, `seeding a room: ${speakerCount} speakers, ${seatedListeners} listeners`);
  const seeded = await seed(dataDir.path);
  const pinning = await cpuPinning();

  progress(name, "starting Palabre");
  const env = Deno.env.toObject();
  delete env.DATABASE_URL;
  delete env.ICE_SERVERS;
  await using palabre = await startServer({
    name: "Palabre",
    args: ["run", "--allow-all", "main.ts"],
    cwd: repoRoot,
    env: {
      ...env,
      DATA_DIR: dataDir.path,
      HOST: "127.0.0.1",
      // Nobody here opens the live socket that keeps presence: seats must outlast the run.
      PRESENCE_TIMEOUT_SECONDS: "7200",
      // Every listener who asks to listen gets the stream; the WebRTC listeners offer directly.
      WEBRTC_LISTENERS_PER_ROOM: "0",
    },
    cpu: pinning?.server,
  });

  progress(name, `listeners ${steps.join(", ")}, until frames fall under 99.5%`);
  const result = await clients({
    origin: `http://127.0.0.1:${palabre.port}`,
    publicId: seeded.publicId,
    serverPid: palabre.pid,
    speakerCookies: seeded.speakerCookies,
    listenerCookies: seeded.listenerCookies,
  }, pinning?.client);
  const died = palabre.exited() ? ["Palabre exited during the run (its output is above)"] : [];
  return section(result, pinning !== null, died);
}

interface Seeded {
  publicId: string;
  speakerCookies: string[];
  listenerCookies: string[];
}

/** A live room with `speakerCount` people on stage and unmuted, and listeners in the audience. */
async function seed(dataDir: string): Promise<Seeded> {
  const db = await openDatabase({ dataDir });
  try {
    await migrate(db.sql);
    const hash = await hashPassword("bench password");
    const member = (handle: string, invitedBy: number | null) =>
      db.sql.begin((tx) =>
        insertMember(tx, { handle, displayName: handle, password: "" }, hash, {
          isAdmin: invitedBy === null,
          invitedBy,
        })
      );
    const session = async (id: number) =>
      `palabre_session=${await startSession(db.sql, id, { ttlMs: 86_400_000 })}`;
    const host = await member("host", null);
    const roomId = await startRoom(db.sql, host.id, {
      title: "A room full of voices",
      description: "",
      topics: ["jazz"],
      kind: "open",
    });
    await act(db.sql, host.id, roomId, { type: "unmute_self" });
    const speakerCookies = [await session(host.id)];
    for (let i = 1; i < speakerCount; i++) {
      const speaker = await member(`speaker${i}`, host.id);
      await joinRoom(db.sql, speaker.id, roomId);
      await act(db.sql, host.id, roomId, { type: "invite_to_speak", target: `speaker${i}` });
      await act(db.sql, speaker.id, roomId, { type: "accept_invite" });
      await act(db.sql, speaker.id, roomId, { type: "unmute_self" });
      speakerCookies.push(await session(speaker.id));
    }
    const listenerCookies: string[] = [];
    for (let i = 0; i < seatedListeners; i++) {
      const listener = await member(`listener${i}`, host.id);
      await joinRoom(db.sql, listener.id, roomId);
      listenerCookies.push(await session(listener.id));
      if ((i + 1) % 500 === 0) progress(name, `  ${i + 1} listeners seated`);
    }
    const snapshot = await roomSnapshot(db.sql, roomId);
    const heard = snapshot!.participants.filter((p) => p.role !== "listener" && !p.muted);
    if (heard.length !== speakerCount) {
      throw new Error(`${heard.length} speakers, not ${speakerCount}`);
    }
    return { publicId: await publicRoomId(db.sql, roomId), speakerCookies, listenerCookies };
  } finally {
    await db.close();
  }
}

/** A step's figures, with the clicks matched across the client processes. */
export interface StepResult extends Omit<StepRecord, "heard" | "streamHeard"> {
  /** Clicks heard by listeners, as a fraction of those sent during the window. */
  clicksHeard: number;
  mouthToEarMs: Latencies;
  speakerToSpeakerMs: Latencies;
  /** From a speaker's source to a sampled stream listener's page playing it (page_playout.ts). */
  streamMouthToEarMs: Latencies;
}

export interface StreamStepResult extends Omit<StreamStepRecord, "heard"> {
  /** Clicks heard by the sampled listeners, as a fraction of those sent. */
  clicksHeard: number;
  /** From a speaker's source to a sampled listener's page playing it (page_playout.ts). */
  mouthToEarMs: Latencies;
}

interface AudioResult {
  steps: StepResult[];
  mixed: {
    webrtcListeners: number;
    streamListeners: number;
    justJoined: StepResult;
    settled: StepResult;
  } | null;
  streamSteps: StreamStepResult[];
}

interface Seats {
  origin: string;
  publicId: string;
  serverPid: number;
  speakerCookies: string[];
  listenerCookies: string[];
}

/**
 * Starts the speakers' process, then, once they are on air, the listeners' process with the
 * steps; both on the clients' core. Matches every click heard with the click sent.
 */
async function clients(seats: Seats, cpu: string | undefined): Promise<AudioResult> {
  const listenersPlan: Omit<ListenersPlan, "speakersPid"> = {
    origin: seats.origin,
    publicId: seats.publicId,
    serverPid: seats.serverPid,
    listenerCookies: seats.listenerCookies,
    steps,
    streamSteps,
    warmupMs,
    windowMs,
    deliveredGoal,
  };
  const speakersPlan: SpeakersPlan = {
    origin: seats.origin,
    publicId: seats.publicId,
    speakerCookies: seats.speakerCookies,
    warmupMs,
  };
  await using listeners = new ClientProcess("audio_listeners.ts", listenersPlan, {
    cpu,
    niceness: listenersNiceness,
  });
  await listeners.next("ready");
  await using speakers = new ClientProcess("audio_speakers.ts", speakersPlan, { cpu });
  await speakers.next("ready");
  await listeners.send({ speakersPid: speakers.pid });
  const listened = await listeners.next("results") as ListenersResult;
  await speakers.endInput();
  const spoken = await speakers.next("clicks") as SpeakersResult;
  const step = (record: StepRecord) => stepResult(record, spoken);
  return {
    steps: listened.steps.map(step),
    mixed: listened.mixed && {
      webrtcListeners: listened.mixed.webrtcListeners,
      streamListeners: listened.mixed.streamListeners,
      justJoined: step(listened.mixed.justJoined),
      settled: step(listened.mixed.settled),
    },
    streamSteps: listened.streamSteps.map((record) => streamStepResult(record, spoken.sent)),
  };
}

function within(clicks: Click[], window: Window): Click[] {
  return clicks.filter((c) => c.at >= window.from && c.at <= window.to);
}

function stepResult(record: StepRecord, spoken: SpeakersResult): StepResult {
  const { heard, streamHeard, ...figures } = record;
  const heardMs = clickLatencies(heard, spoken.sent);
  const sentInWindow = within(spoken.sent, record.window).length;
  return {
    ...figures,
    clicksHeard: record.listeners > 0 ? heardMs.length / (sentInWindow * record.listeners) : 1,
    mouthToEarMs: latencies(heardMs),
    speakerToSpeakerMs: latencies(clickLatencies(within(spoken.heard, record.window), spoken.sent)),
    streamMouthToEarMs: latencies(clickLatencies(streamHeard, spoken.sent)),
  };
}

function streamStepResult(record: StreamStepRecord, sent: Click[]): StreamStepResult {
  const { heard, ...figures } = record;
  const heardMs = clickLatencies(heard, sent);
  const sentInWindow = within(sent, record.window).length;
  return {
    ...figures,
    clicksHeard: heardMs.length / Math.max(1, sentInWindow * record.sampled),
    mouthToEarMs: latencies(heardMs),
  };
}

function section(result: AudioResult, pinned: boolean, problems: string[]): BenchSection {
  const measured = result.steps;
  const quiet = measured.find((s) => s.listeners === 0);
  const passing = measured.filter((s) => s.delivered >= deliveredGoal && s.failedConnections === 0);
  const largest = passing.at(-1)?.listeners ?? 0;
  const atGoal = measured.find((s) => s.listeners === goals.listeners);
  if (!quiet) problems.push("the run without listeners was not measured");
  // The last step may be the overload that ends the ramp: silence there is its result.
  if (passing.some((s) => s.speakerToSpeakerMs.count === 0)) {
    problems.push("a step that delivered its frames, but where no speaker heard another's click");
  }
  const perListener = (s: StepResult) =>
    quiet && s.listeners > 0 ? (s.serverCores - quiet.serverCores) / s.listeners : NaN;

  const rows = measured.map((s) => [
    count(s.listeners) + (s.failedConnections > 0 ? ` (${count(s.failedConnections)} failed)` : ""),
    percent(s.delivered),
    percent(s.deliveredWorst),
    percent(s.packetsLost),
    ms(s.jitterBufferMs),
    percent(s.clicksHeard),
    latencyCells(s.mouthToEarMs),
    latencyCells(s.speakerToSpeakerMs),
    s.serverCores.toFixed(2),
    Number.isNaN(perListener(s)) ? "" : `${(perListener(s) * 100).toFixed(2)}%`,
    s.clientCores.toFixed(2),
    ms(s.clientLagMs),
    count(s.serverMiB),
  ]);
  const goalLine = atGoal
    ? `At ${goals.listeners} listeners: speaker to speaker p95 ${
      ms(atGoal.speakerToSpeakerMs.p95)
    } ms (goal < ${goals.speakerToSpeakerP95Ms}: **${
      atGoal.speakerToSpeakerMs.p95 < goals.speakerToSpeakerP95Ms ? "met" : "not met"
    }**), mouth to ear p95 ${ms(atGoal.mouthToEarMs.p95)} ms (goal < ${goals.mouthToEarP95Ms}: **${
      atGoal.mouthToEarMs.p95 < goals.mouthToEarP95Ms ? "met" : "not met"
    }**).`
    : `With every listener on WebRTC, ${goals.listeners} listeners were not reached (the ` +
      "largest room that delivered its frames is below): the goals are **not met** that way. " +
      "libwebrtc encodes the mix once per connection, so every WebRTC listener costs the " +
      "server a share of a core (the table), and that is why Palabre serves the listeners " +
      `beyond the first ${defaultWebrtcListenersPerRoom} of a room by its stream.`;
  const mixed = result.mixed;
  const mixedLines = mixed
    ? [
      `As Palabre serves ${goals.listeners} listeners by default (the first ` +
      `${mixed.webrtcListeners} by WebRTC, ${mixed.streamListeners} by the room's stream), ` +
      `measured once the room had settled (from ${
        (2 * warmupMs + windowMs + mixedSettleMs) / 1000
      } s after the last listener joined): ${goalCells(mixed.settled)}; the listeners' ` +
      `process was late by up to ${ms(mixed.settled.clientLagMs)} ms.`,
      "",
      `Right after those ${goals.listeners} joined (from ${warmupMs / 1000} s): ` +
      `${goalCells(mixed.justJoined)}; the listeners' process was late by up to ${
        ms(mixed.justJoined.clientLagMs)
      } ms. A burst of joins delays some frames and every jitter buffer keeps the extra depth ` +
      "for some 20 s.",
    ].join("\n")
    : "The default mix of WebRTC and stream listeners was not measured.";
  const body = [
    goalLine,
    "",
    mixedLines,
    "",
    `Largest listener count with at least 99.5% of frames delivered: **${count(largest)}**` +
    (largest === measured.at(-1)?.listeners && measured.at(-1)?.listeners === maxListeners
      ? ` (the most this run tried; \`BENCH_AUDIO_MAX_LISTENERS\` tries more).`
      : "."),
    "",
    markdownTable(
      [
        "Listeners",
        "frames",
        "worst listener",
        "packets lost",
        "jitter buffer ms",
        "clicks heard",
        "mouth to ear p50/p95/max ms",
        "speaker to speaker p50/p95/max ms",
        "server cores",
        "server per listener",
        "client cores",
        "client late ms",
        "server MiB",
      ],
      rows,
      new Array(13).fill("right"),
    ),
    "",
    `One live room on Palabre (embedded PGlite), ${speakerCount} speakers on stage and unmuted, ` +
    "listeners added in steps; every participant is a real wrtc peer that joined through the " +
    "room's voice socket with its own session, like a page; listeners join one after the " +
    `other. A listener whom the server did not answer within ${connectTimeoutMs / 1000} s ` +
    "(an overload) ends the ramp: the rest of that step are not tried, and it is measured with " +
    "those who joined, the others counted as failed. Each step: 3 s to settle, then 10 s " +
    "measured. The speakers run in a process of " +
    `their own (like browsers, nothing the listeners' process does delays what they send; ` +
    `the listeners' process runs at \`nice ${listenersNiceness}\` so the speakers' gets the ` +
    "clients' core first, as a browser's real-time audio threads would) and " +
    "send a quiet tone and, once a second each in its own tenth of the second, a 30 ms click " +
    "at a pitch of their own, named from the first whole frame of the click; both processes " +
    "note times on this machine's clock. Latency runs from the moment the click's " +
    "first frame enters the speaker's `RTCAudioSource` to the frame in which the receiver's " +
    "`RTCAudioSink` hears it (Opus encode, network, jitter buffer and decode on both sides, " +
    "and the server's mixing); a browser adds its capture and output buffers to that. Frames " +
    "delivered are the share of the audio each listener played that came from the server rather " +
    "than from packet-loss concealment (WebRTC's own `inbound-rtp` stats, over the window); " +
    "clicks heard count clicks identified by pitch against clicks sent. Client late is the " +
    "longest the listeners' process ran behind a timer due every 5 ms during the window: while " +
    "it is behind, the arrivals and clicks it notes are noted late (a listener's latency " +
    "then includes this process's own backlog). Server per listener is " +
    "the server's CPU above the run without listeners, divided by the listeners; the server " +
    "is Palabre's whole process tree (the web process and its media processes).",
    "",
    "",
    "### Stream listeners (large audiences)",
    "",
    streamBody(result.streamSteps, quiet),
    "",
    pinned
      ? "Palabre (and its media processes) ran pinned to one core and all the clients to the " +
        "other (`taskset`)."
      : "The processes were not pinned (no `taskset`).",
  ].join("\n");
  const s100 = atGoal
    ? `at ${goals.listeners} listeners speaker to speaker p95 ${
      ms(atGoal.speakerToSpeakerMs.p95)
    } ms, mouth to ear p95 ${ms(atGoal.mouthToEarMs.p95)} ms; `
    : "";
  const streamPassing = result.streamSteps.filter(streamPassed);
  return {
    title: "Voice: one room, 10 speakers, rising listeners",
    summary:
      `${s100}${
        mixed
          ? `100 listeners as served by default, settled: speaker to speaker p95 ${
            ms(mixed.settled.speakerToSpeakerMs.p95)
          } ms, WebRTC listener p95 ${ms(mixed.settled.mouthToEarMs.p95)} ms, stream listener p95 ${
            ms(mixed.settled.streamMouthToEarMs.p95)
          } ms; `
          : ""
      }largest room with 99.5% frames: ${count(largest)} WebRTC listeners` +
      (quiet && passing.at(-1)?.listeners
        ? ` (${(perListener(passing.at(-1)!) * 100).toFixed(2)}% of a core each)`
        : "") +
      `, ${count(streamPassing.at(-1)?.listeners ?? 0)} stream listeners`,
    body,
    problems,
  };
}

/** The three latencies the goals name, each with its verdict. */
function goalCells(step: StepResult): string {
  const verdict = (value: number, goal: number) => value < goal ? "met" : "not met";
  const s2s = step.speakerToSpeakerMs.p95;
  const webrtc = step.mouthToEarMs.p95;
  const stream = step.streamMouthToEarMs.p95;
  return `speaker to speaker p95 ${ms(s2s)} ms (**${
    verdict(s2s, goals.speakerToSpeakerP95Ms)
  }**), WebRTC listeners' mouth to ear p95 ${ms(webrtc)} ms (**${
    verdict(webrtc, goals.mouthToEarP95Ms)
  }**), stream listeners' mouth to ear p95 as their pages play it ${ms(stream)} ms (**${
    verdict(stream, goals.mouthToEarP95Ms)
  }**)`;
}

function latencyCells(l: Latencies): string {
  return l.count === 0 ? "none heard" : `${ms(l.p50)} / ${ms(l.p95)} / ${ms(l.max)}`;
}

/** A stream step that got its packets, on time, to every listener who asked. */
function streamPassed(step: StreamStepResult): boolean {
  return streamKeptUp(step, deliveredGoal) && step.failedConnections === 0;
}

function streamBody(steps: StreamStepResult[], quiet: StepResult | undefined): string {
  if (steps.length === 0) return "Not measured.";
  const passing = steps.filter(streamPassed);
  const coresEach = (s: StreamStepResult) =>
    quiet ? (s.serverCores - quiet.serverCores) / s.listeners : NaN;
  const kibEach = (s: StreamStepResult) =>
    quiet ? (s.serverMiB - quiet.serverMiB) * 1024 / s.listeners : NaN;
  const rows = steps.map((s) => [
    count(s.listeners) + (s.failedConnections > 0 ? ` (${count(s.failedConnections)} failed)` : ""),
    percent(s.delivered),
    percent(s.deliveredWorst),
    percent(s.clicksHeard),
    latencyCells(s.mouthToEarMs),
    s.serverCores.toFixed(2),
    Number.isNaN(coresEach(s)) ? "" : `${(coresEach(s) * 100).toFixed(4)}%`,
    count(s.serverMiB),
    Number.isNaN(kibEach(s)) ? "" : kibEach(s).toFixed(0),
    s.textsPerSecond.toFixed(1),
    s.clientCores.toFixed(2),
    ms(s.clientLagMs),
  ]);
  const atGoal = steps.find((s) => s.listeners + s.failedConnections === streamGoals.listeners);
  const verdict = (met: boolean) => met ? "met" : "not met";
  const goalLine = atGoal
    ? `At ${count(streamGoals.listeners)} stream listeners: ${percent(atGoal.delivered)} of ` +
      `packets (goal at least 99.5%: **${verdict(streamPassed(atGoal))}**), mouth to ear p95 ${
        ms(atGoal.mouthToEarMs.p95)
      } ms (goal < ${streamGoals.mouthToEarP95Ms}: **${
        verdict(atGoal.mouthToEarMs.p95 < streamGoals.mouthToEarP95Ms)
      }**); the server spent ${(coresEach(atGoal) * 100).toFixed(4)}% of a core and ${
        kibEach(atGoal).toFixed(0)
      } KiB of memory per listener.`
    : maxStream < streamGoals.listeners
    ? `${count(streamGoals.listeners)} stream listeners were not tried ` +
      "(`BENCH_AUDIO_MAX_STREAM`)."
    : `${count(streamGoals.listeners)} stream listeners were not reached: the steps ended at ${
      count(steps.at(-1)!.listeners + steps.at(-1)!.failedConnections)
    }, where listeners were turned away (goal **not met**).`;
  return [
    goalLine,
    "",
    `Largest stream audience with at least 99.5% of packets delivered: **${
      count(passing.at(-1)?.listeners ?? 0)
    }**` +
    (passing.at(-1)?.listeners === steps.at(-1)?.listeners &&
        steps.at(-1)?.listeners === maxStream
      ? " (the most this run tried; `BENCH_AUDIO_MAX_STREAM` tries more)."
      : ".") +
    " More than 100.5% counts as a failure too: a listeners' process was working off a backlog.",
    "",
    markdownTable(
      [
        "Listeners",
        "packets",
        "worst listener",
        "clicks heard",
        "mouth to ear p50/p95/max ms",
        "server cores",
        "server per listener",
        "server MiB",
        "server KiB per listener",
        "text frames/s each",
        "client cores",
        "client late ms",
      ],
      rows,
      new Array(12).fill("right"),
    ),
    "",
    "The same room and speakers, measured before the WebRTC ramp (whose last step overloads " +
    "the server and leaves jitter buffers deep for a while): listeners that asked to " +
    "listen and were given the room's stream (`WEBRTC_LISTENERS_PER_ROOM=0` here; " +
    `${defaultWebrtcListenersPerRoom} by default), the mix encoded once per room as Opus and ` +
    `sent in batches of ${packetsPerBatch} packets of ${packetMs} ms on each page's voice ` +
    "socket, joining 50 at a time; a step where some were not given the stream within 30 s " +
    "ends the stream steps (the failed ones in brackets). So that the clients are not what gives out first, each " +
    "listener is a WebSocket spoken by hand over its own TCP connection " +
    "(bench/audio_stream_listeners.ts: frames read in bulk, packets counted from each batch's " +
    `header), in ${streamProcesses} processes on the clients' core: one holds the first ` +
    `${sampledStreamListeners}, the others share the rest. Every listener counts packets ` +
    `against ${1000 / packetMs} a second, each process over the time between its own two ` +
    `readings; the first ${sampledStreamListeners} decode them (libopus) and time each click ` +
    "when their page would " +
    `play it: a page's jitter buffer (static/voice_worklet.js) holds ${streamFormat.startMs} ms ` +
    "before it plays, and its rules run on the arrival times (bench/page_playout.ts; the " +
    "browser's output device is left out, as for WebRTC). Server per listener is the server's " +
    "CPU (and resident memory) above the run without listeners (above), divided by the " +
    "listeners; text frames are what else each listener got (the speaking rings' updates, " +
    "sent to every page of the room), a second; client late is the longest any client process " +
    "ran behind a 5 ms timer.",
  ].join("\n");
}
