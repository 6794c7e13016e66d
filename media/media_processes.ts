/**
 * Rooms' media in processes of their own. libwebrtc encodes Opus for each peer connection on
 * the thread that hands it audio (about 0.13 ms per connection per 10 ms frame here), so a room
 * with fifty listeners in the web server's process would leave its one JavaScript thread little
 * time for pages. Each room's `RoomMedia` lives instead in one of a few media processes
 * (`media_process.ts`), picked by how many rooms each holds; the web side gets a
 * `RoomMediaHandle` with the same methods, answered over JSON lines on the child's stdin and
 * stdout. wrtc is then never loaded by the web server (it cannot be shared with workers: Deno
 * panics when two isolates use it, or when a worker that used it ends).
 *
 * A media process that dies takes its rooms' connections with it: their handles report it
 * through `onLost`, and pages connect again to a fresh process.
 *
 * @example
 * const media = new MediaProcesses({ processes: 2, iceServers: [] });
 * const room = media.openRoom({ onSpeaking: (ids) => console.log(ids), onLost: () => {} });
 * const replies = await room.handleSignal(sessionId, { type: "offer", sdp });
 * room.close();
 */
import { MediaError, type MediaErrorCode } from "./errors.ts";
import { jsonLine, jsonLines } from "./json_lines.ts";
import type { Role, RoomMediaStats, SignalMessage } from "./room_media.ts";
import type { IceServer } from "./wrtc.ts";

/** From the web server to a media process. */
export type ToMedia =
  | { op: "open"; room: number; iceServers: IceServer[] }
  | { op: "signal"; room: number; call: number; sessionId: string; message: SignalMessage }
  | { op: "role"; room: number; sessionId: string; role: Role }
  | { op: "heard"; room: number; sessionId: string; heard: boolean }
  | { op: "leave"; room: number; sessionId: string }
  | { op: "broadcast"; room: number; on: boolean }
  | { op: "stats"; room: number; call: number }
  | { op: "close"; room: number };

/** From a media process back. */
export type FromMedia =
  | { op: "answer"; call: number; result: unknown }
  | { op: "refused"; call: number; code: MediaErrorCode | "failed"; message: string }
  | { op: "speaking"; room: number; sessionIds: string[] }
  /** One batch of the room's stream (broadcast.ts `encodeBatch`), base64. */
  | { op: "audio"; room: number; batch: string }
  | { op: "error"; room: number; message: string };

/**
 * How long a media process has to end once its stdin is closed before it is killed. Closing its
 * rooms takes milliseconds; one found still running at 100 overloaded WebRTC connections had not
 * read its stdin for minutes, and held the web process's output open after it ended.
 */
const defaultStopTimeoutMs = 3_000;

export interface MediaProcessesOptions {
  /** Media processes at most; rooms share them. */
  processes: number;
  iceServers: IceServer[];
  /** How long a stopped media process has to end before it is killed (`defaultStopTimeoutMs`). */
  stopTimeoutMs?: number;
  /** Errors no caller waits for; the default logs them. */
  onError?: (error: unknown) => void;
}

export interface RoomCallbacks {
  onSpeaking: (sessionIds: string[]) => void;
  /** A batch of the room's stream, ready to send as is, while broadcasting. */
  onAudio?: (batch: Uint8Array<ArrayBuffer>) => void;
  /** The process holding this room's media ended: every connection in it is gone. */
  onLost?: () => void;
}

export class MediaProcesses {
  #options: MediaProcessesOptions;
  #children: MediaChild[] = [];
  #nextRoom = 1;
  #stopped = false;

  constructor(options: MediaProcessesOptions) {
    this.#options = options;
  }

  /** A new room's media, in the process holding the fewest rooms (a new one while allowed). */
  openRoom(callbacks: RoomCallbacks): RoomMediaHandle {
    if (this.#stopped) throw new MediaError("room_closed", "Voice is stopping");
    this.#children = this.#children.filter((child) => child.running);
    let child = this.#children.reduce<MediaChild | null>(
      (least, c) => (least === null || c.rooms.size < least.rooms.size ? c : least),
      null,
    );
    if (!child || (child.rooms.size > 0 && this.#children.length < this.#options.processes)) {
      child = new MediaChild(
        this.#options.onError ?? ((e) => console.error("Media:", e)),
        this.#options.stopTimeoutMs ?? defaultStopTimeoutMs,
      );
      this.#children.push(child);
    }
    const room = this.#nextRoom++;
    child.rooms.set(room, callbacks);
    child.post({ op: "open", room, iceServers: this.#options.iceServers });
    return new RoomMediaHandle(child, room);
  }

  /** Media processes running now. */
  get running(): number {
    return this.#children.filter((child) => child.running).length;
  }

  /** Their process ids, for operators and tests. */
  get pids(): number[] {
    return this.#children.filter((child) => child.running).map((child) => child.pid);
  }

  /**
   * Ends every media process (they also end by themselves when this process goes): each is asked
   * by closing its stdin, and killed if it has not ended `stopTimeoutMs` later.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all(this.#children.map((child) => child.stop()));
    this.#children = [];
  }
}

/**
 * One room's media in a media process, with `RoomMedia`'s methods. Only changes cross the pipe:
 * the web process restates everyone's place whenever anyone's changes, and a hundred pages
 * joining at once made that tens of thousands of messages, which kept the media process's
 * thread (the one that mixes) busy for over 100 ms.
 */
export class RoomMediaHandle {
  #child: MediaChild;
  #room: number;
  /** What the media process was last told of each session, as `RoomMedia` keeps it. */
  #told = new Map<string, { role: Role; heard: boolean }>();
  #broadcast = false;

  constructor(child: MediaChild, room: number) {
    this.#child = child;
    this.#room = room;
  }

  handleSignal(sessionId: string, message: SignalMessage): Promise<SignalMessage[]> {
    if (!this.#open) return Promise.reject(new MediaError("room_closed", "Room has ended"));
    return this.#child.call((call) => ({
      op: "signal",
      room: this.#room,
      call,
      sessionId,
      message,
    })) as Promise<SignalMessage[]>;
  }

  setRole(sessionId: string, role: Role): void {
    const told = this.#toldOf(sessionId);
    if (!this.#open || told.role === role) return;
    told.role = role;
    // Leaving the stage mutes (RoomMedia.setRole).
    if (role === "listener") told.heard = false;
    this.#child.post({ op: "role", room: this.#room, sessionId, role });
  }

  setHeard(sessionId: string, heard: boolean): void {
    const told = this.#toldOf(sessionId);
    if (!this.#open || told.heard === heard) return;
    told.heard = heard;
    this.#child.post({ op: "heard", room: this.#room, sessionId, heard });
  }

  leave(sessionId: string): void {
    this.#told.delete(sessionId);
    if (this.#open) this.#child.post({ op: "leave", room: this.#room, sessionId });
  }

  /** Starts or stops the room's stream for listeners without a connection of their own. */
  setBroadcast(on: boolean): void {
    if (!this.#open || on === this.#broadcast) return;
    this.#broadcast = on;
    this.#child.post({ op: "broadcast", room: this.#room, on });
  }

  /** A session the media process has not heard of is a listener, not heard (RoomMedia). */
  #toldOf(sessionId: string): { role: Role; heard: boolean } {
    let told = this.#told.get(sessionId);
    if (!told) {
      told = { role: "listener", heard: false };
      this.#told.set(sessionId, told);
    }
    return told;
  }

  stats(): Promise<RoomMediaStats> {
    if (!this.#open) return Promise.reject(new MediaError("room_closed", "Room has ended"));
    return this.#child.call((call) => ({ op: "stats", room: this.#room, call })) as Promise<
      RoomMediaStats
    >;
  }

  close(): void {
    if (!this.#open) return;
    this.#child.rooms.delete(this.#room);
    this.#child.post({ op: "close", room: this.#room });
  }

  get #open(): boolean {
    return this.#child.running && this.#child.rooms.has(this.#room);
  }
}

class MediaChild {
  readonly rooms = new Map<number, RoomCallbacks>();
  running = true;
  #process: Deno.ChildProcess;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  // Writes one after another, so messages keep their order.
  #writing: Promise<void> = Promise.resolve();
  #calls = new Map<number, { resolve: (value: unknown) => void; reject: (e: Error) => void }>();
  #nextCall = 1;
  #onError: (error: unknown) => void;
  #stopTimeoutMs: number;
  #ended: Promise<void>;

  constructor(onError: (error: unknown) => void, stopTimeoutMs: number) {
    this.#onError = onError;
    this.#stopTimeoutMs = stopTimeoutMs;
    const script = new URL("./media_process.ts", import.meta.url).pathname;
    const config = new URL("../deno.json", import.meta.url).pathname;
    this.#process = new Deno.Command(Deno.execPath(), {
      // wrtc is a Node-API addon (ffi) in node_modules (read); it opens its own sockets.
      // `--cached-only`: from what the server installed, never the npm registry (without it Deno
      // looks up wrtc and Opus there when its cache lacks their metadata, though node_modules
      // has them).
      args: [
        "run",
        "--cached-only",
        "--quiet",
        "--config",
        config,
        "--allow-read",
        "--allow-env",
        "--allow-ffi",
        "--allow-sys",
        script,
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#writer = this.#process.stdin.getWriter();
    this.#ended = this.#read().catch(this.#onError).finally(() => this.#lost());
  }

  post(message: ToMedia): void {
    if (!this.running) return;
    const line = jsonLine(message);
    this.#writing = this.#writing
      .then(() => this.#writer.write(line))
      .catch(() => {/* the process ended: #lost has told everyone */});
  }

  call(message: (call: number) => ToMedia): Promise<unknown> {
    if (!this.running) return Promise.reject(new MediaError("room_closed", "Voice restarted"));
    const call = this.#nextCall++;
    const answered = new Promise((resolve, reject) => this.#calls.set(call, { resolve, reject }));
    this.post(message(call));
    return answered;
  }

  get pid(): number {
    return this.#process.pid;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.#writer.close().catch(() => {});
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((resolve) => {
      timer = setTimeout(resolve, this.#stopTimeoutMs, "late");
    });
    const ended = await Promise.race([this.#process.status, late]);
    clearTimeout(timer);
    if (ended === "late") {
      this.#onError(
        `Media process ${this.pid} did not end within ${this.#stopTimeoutMs} ms; killed it`,
      );
      try {
        this.#process.kill("SIGKILL");
      } catch {
        // It ended meanwhile.
      }
    }
    await this.#process.status;
    await this.#ended;
  }

  async #read(): Promise<void> {
    for await (const message of jsonLines(this.#process.stdout)) {
      this.#receive(message as FromMedia);
    }
  }

  #receive(message: FromMedia): void {
    switch (message.op) {
      case "answer":
      case "refused": {
        const pending = this.#calls.get(message.call);
        this.#calls.delete(message.call);
        if (message.op === "answer") pending?.resolve(message.result);
        else if (message.code === "failed") pending?.reject(new Error(message.message));
        else pending?.reject(new MediaError(message.code, message.message));
        return;
      }
      case "speaking":
        this.rooms.get(message.room)?.onSpeaking(message.sessionIds);
        return;
      case "audio":
        this.rooms.get(message.room)?.onAudio?.(Uint8Array.fromBase64(message.batch));
        return;
      case "error":
        this.#onError(message.message);
        return;
    }
  }

  #lost(): void {
    const wasRunning = this.running;
    this.running = false;
    for (const pending of this.#calls.values()) {
      pending.reject(new MediaError("room_closed", "Voice restarted"));
    }
    this.#calls.clear();
    const rooms = [...this.rooms.values()];
    this.rooms.clear();
    if (wasRunning) {
      this.#onError("A media process ended; its rooms' voice connections are gone");
      for (const room of rooms) room.onLost?.();
    }
  }
}
