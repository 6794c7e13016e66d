/**
 * A room's media with real wrtc clients, run in a child process (`lab_process.ts`) and driven
 * from a test: join people with a tone as their microphone, change roles, read back exactly what
 * each of them received.
 *
 * @example
 * await using lab = await MediaLab.start();
 * await lab.join("a", { role: "speaker", heard: true, toneHz: 440 });
 * await lab.join("l", { role: "listener" });
 * const pcm = await lab.received("l"); // 48 kHz mono, 16-bit
 */
import { Buffer } from "node:buffer";
import type { Role, RoomMediaStats, SignalMessage } from "../../../media/room_media.ts";
import { jsonLine, jsonLines } from "../../../media/json_lines.ts";

/** Per client, the number of frames it had received when a change was made. */
export type Marks = Record<string, number>;

export class MediaLab {
  #child: Deno.ChildProcess;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #pending = new Map<number, { resolve: (value: unknown) => void; reject: (e: Error) => void }>();
  #nextId = 1;
  #reading: Promise<void>;
  #closed = false;

  private constructor(child: Deno.ChildProcess) {
    this.#child = child;
    this.#writer = child.stdin.getWriter();
    this.#reading = this.#read();
  }

  /**
   * With `mediaProcess`, the room's media runs in a media process of its own (as in main.ts).
   * `frameTimerMs` sets how often the room's clock ticks when no voice leads it (10 ms); it
   * applies to a room in the lab's own process only. `env` is added to the lab's environment
   * (its media process inherits it). The lab runs from what is installed (`--cached-only`), as
   * media processes do, so nothing it does asks the npm registry.
   */
  static start(
    options: { mediaProcess?: boolean; frameTimerMs?: number; env?: Record<string, string> } = {},
  ): MediaLab {
    const script = new URL("./lab_process.ts", import.meta.url).pathname;
    const config = new URL("../../../deno.json", import.meta.url).pathname;
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--cached-only",
        "--allow-all",
        "--quiet",
        "--config",
        config,
        script,
        ...(options.mediaProcess ? ["--media-process"] : []),
        ...(options.frameTimerMs ? [`--frame-timer-ms=${options.frameTimerMs}`] : []),
      ],
      env: options.env,
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    return new MediaLab(child);
  }

  /**
   * Sets the server's view of `sessionId`, then connects their client. With `toneHz` the client
   * sends that tone as its microphone, from the start or (`micOn: false`) from `startMic`. With
   * `trickle` it offers before gathering and sends its ICE candidates as separate messages.
   */
  join(
    sessionId: string,
    options: { role: Role; heard?: boolean; toneHz?: number; micOn?: boolean; trickle?: boolean },
  ): Promise<void> {
    return this.#call("join", { sessionId, heard: false, ...options }) as Promise<void>;
  }

  /** `sessionId`'s client starts sending its tone, on the transceiver it already has. */
  startMic(sessionId: string): Promise<void> {
    return this.#call("startMic", { sessionId }) as Promise<void>;
  }

  setRole(sessionId: string, role: Role): Promise<Marks> {
    return this.#call("setRole", { sessionId, role }) as Promise<Marks>;
  }

  setHeard(sessionId: string, heard: boolean): Promise<Marks> {
    return this.#call("setHeard", { sessionId, heard }) as Promise<Marks>;
  }

  /** RTP packets `sessionId`'s client has sent, and 10 ms frames of tone it was given. */
  sending(sessionId: string): Promise<{ packets: number; frames: number }> {
    return this.#call("sending", { sessionId }) as Promise<{ packets: number; frames: number }>;
  }

  /** What `sessionId`'s client has received from frame `from` on. */
  async received(sessionId: string, from = 0): Promise<Int16Array> {
    const { base64 } = await this.#call("received", { sessionId, from }) as { base64: string };
    const bytes = Buffer.from(base64, "base64");
    return new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
  }

  frameCount(sessionId: string): Promise<number> {
    return this.#call("frameCount", { sessionId }) as Promise<number>;
  }

  /** Kills `sessionId`'s client connection without telling the server. */
  drop(sessionId: string): Promise<void> {
    return this.#call("drop", { sessionId }) as Promise<void>;
  }

  /** Connects `sessionId` again: a new peer connection and a new offer for the same session. */
  rejoin(sessionId: string): Promise<void> {
    return this.#call("rejoin", { sessionId }) as Promise<void>;
  }

  /** Hands `message` to the room as `sessionId`'s page would; a refusal comes back as its code. */
  signal(
    sessionId: string,
    message: unknown,
  ): Promise<{ replies?: SignalMessage[]; refused?: string; message?: string }> {
    return this.#call("signal", { sessionId, message }) as Promise<
      { replies?: SignalMessage[]; refused?: string }
    >;
  }

  /** A valid offer with a data channel and no audio. */
  dataOnlyOffer(): Promise<string> {
    return this.#call("dataOnlyOffer", {}) as Promise<string>;
  }

  /** Every speaking set the room reported, in order. */
  speaking(): Promise<string[][]> {
    return this.#call("speaking", {}) as Promise<string[][]>;
  }

  stats(): Promise<RoomMediaStats> {
    return this.#call("stats", {}) as Promise<RoomMediaStats>;
  }

  /**
   * Media processes of a lab started with `mediaProcess`: how many run, their pids, and how many
   * times the room was told its process was lost.
   */
  mediaProcesses(): Promise<{ running: number; pids: number[]; lost: number }> {
    return this.#call("mediaProcesses", {}) as Promise<
      { running: number; pids: number[]; lost: number }
    >;
  }

  /** A new room in place of a lost one (clients must join it again). */
  openAgain(): Promise<void> {
    return this.#call("openAgain", {}) as Promise<void>;
  }

  /**
   * Closes the room and the clients, ends the child; returns the room's stats after closing
   * (null with a media process, which ends with its room).
   */
  async close(): Promise<RoomMediaStats | null> {
    if (this.#closed) throw new Error("Lab is closed");
    const stats = await this.#call("close", {}) as RoomMediaStats | null;
    await this.#shutdown();
    return stats;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.#closed) await this.#shutdown();
  }

  async #shutdown(): Promise<void> {
    this.#closed = true;
    await this.#writer.close().catch(() => {/* the child may already be gone */});
    const status = await this.#child.status;
    await this.#reading;
    if (!status.success) throw new Error(`Media lab exited with ${status.code}`);
  }

  #call(method: string, params: Record<string, unknown>): Promise<unknown> {
    const id = this.#nextId++;
    const answered = new Promise((resolve, reject) => this.#pending.set(id, { resolve, reject }));
    return this.#writer.write(jsonLine({ id, method, params })).then(() => answered);
  }

  async #read(): Promise<void> {
    for await (const line of jsonLines(this.#child.stdout)) {
      const { id, result, error } = line as { id: number; result?: unknown; error?: string };
      const pending = this.#pending.get(id);
      this.#pending.delete(id);
      if (error) pending?.reject(new Error(error));
      else pending?.resolve(result);
    }
    for (const pending of this.#pending.values()) pending.reject(new Error("Media lab ended"));
    this.#pending.clear();
  }
}
