/**
 * Live-test tools: Palabre started as a real separate process, and a page's socket as a test
 * client that remembers every frame it was sent.
 *
 * @example
 * const palabre = await startProcess(db.url!);
 * const socket = await LiveSocket.open(palabre.origin, "/hallway/live", cookie);
 * await socket.waitFor((html) => html.includes("Live now (1)"));
 */
import type { Sql } from "../../db/client.ts";
import { loadConfig } from "../../config.ts";
import { LiveHub } from "../../live/live_hub.ts";
import { buildApp } from "../../routes/app.tsx";
import type { TestDatabase } from "../support/databases.ts";
import { joinRoom, publicRoomId, startRoom } from "../../db/rooms.ts";
import { startSession } from "../../db/sessions.ts";
import { setPicks } from "../../db/topics.ts";
import { firstAdmin, invitedMember } from "../db/support.ts";

const mainModule = new URL("../../main.ts", import.meta.url);

export interface ServedHere {
  origin: string;
  hub: LiveHub;
  /** Stops the hub and the server; the database is the caller's to close. */
  stop(): Promise<void>;
}

/**
 * Palabre served from this test's own process on `db`, with a started live hub: what a test
 * needs when it calls db/ directly beside the pages' sockets (one process, both databases).
 *
 * @example
 * const served = await serveHere(db);
 * const bell = await LiveSocket.open(served.origin, "/notifications/live", cookie);
 * await served.stop();
 */
export async function serveHere(db: TestDatabase): Promise<ServedHere> {
  const config = await loadConfig({ SECRET_KEY: "x", DATA_DIR: "/nonexistent" });
  const hub = new LiveHub({ sql: db.sql, config, events: db.events });
  hub.start();
  const app = buildApp({ sql: db.sql, config, hub, events: db.events });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request, info) => app.fetch(request, info),
  );
  return {
    origin: `http://127.0.0.1:${server.addr.port}`,
    hub,
    async stop() {
      await hub.stop();
      await server.shutdown();
    },
  };
}

export interface RoomWorld {
  roomId: number;
  /** The id the room's URLs carry. */
  publicId: string;
  ids: { ada: number; grace: number };
  adaCookie: string;
  graceCookie: string;
}

/** Ada (administrator) moderates an open room titled `title`; Grace listens. Both signed in. */
export async function seedRoom(sql: Sql, title: string): Promise<RoomWorld> {
  const ada = await firstAdmin(sql);
  const grace = await invitedMember(sql, ada.id, "grace");
  for (const m of [ada, grace]) await setPicks(sql, m.id, ["jazz", "chess", "film"]);
  const roomId = await startRoom(sql, ada.id, {
    title,
    description: "",
    topics: ["jazz"],
    kind: "open",
  });
  await joinRoom(sql, grace.id, roomId);
  const cookie = async (id: number) =>
    `palabre_session=${await startSession(sql, id, { ttlMs: 3_600_000 })}`;
  return {
    roomId,
    publicId: await publicRoomId(sql, roomId),
    ids: { ada: ada.id, grace: grace.id },
    adaCookie: await cookie(ada.id),
    graceCookie: await cookie(grace.id),
  };
}

export interface PalabreProcess {
  origin: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/**
 * Starts `main.ts` on `databaseUrl` and waits until it listens; on `port` (to stand for the same
 * server restarted) or a free one.
 */
export async function startProcess(
  databaseUrl: string,
  options: { port?: number; env?: Record<string, string> } = {},
): Promise<PalabreProcess> {
  const port = options.port ?? freePort();
  const dataDir = await Deno.makeTempDir({ prefix: "palabre-process-" });
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", mainModule.pathname],
    env: {
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      DATA_DIR: dataDir,
      SECRET_KEY: "two-process-test",
      ...options.env,
    },
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let output = "";
  const deadline = Date.now() + 60_000;
  while (!output.includes("listening on")) {
    if (Date.now() > deadline) throw new Error(`Palabre did not start:\n${output}`);
    const { value, done } = await lines.read();
    if (done) throw new Error(`Palabre exited before listening:\n${output}`);
    output += value;
  }
  // Keep draining stdout so the child never blocks on a full pipe.
  (async () => {
    while (!(await lines.read()).done) { /* discard */ }
  })().catch(() => {});
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid,
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch {
        // Already gone.
      }
      await child.status;
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}

/** A page's WebSocket: frames are htmx JSON frames; `frames` keeps their HTML content. */
export class LiveSocket {
  readonly frames: string[] = [];
  /** Binary messages (a voice stream's audio batches), as they came. */
  readonly binary: Uint8Array[] = [];
  #socket: WebSocket;
  #waiters = new Set<() => void>();

  /** Resolves with the close code when the socket closes. */
  readonly closed: Promise<number>;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    this.closed = new Promise((resolve) =>
      socket.addEventListener("close", (e) => resolve(e.code))
    );
    socket.binaryType = "arraybuffer";
    socket.onmessage = (event) => {
      if (event.data instanceof ArrayBuffer) {
        this.binary.push(new Uint8Array(event.data));
        for (const wake of this.#waiters) wake();
        return;
      }
      const data = String(event.data);
      let content = data;
      try {
        content = JSON.parse(data).content ?? data;
      } catch {
        // A plain-HTML frame.
      }
      this.frames.push(content);
      for (const wake of this.#waiters) wake();
    };
  }

  static async open(origin: string, path: string, cookie: string): Promise<LiveSocket> {
    const url = origin.replace(/^http/, "ws") + path;
    // Deno's WebSocket takes headers: the server checks Origin and the session cookie.
    const socket = new WebSocket(url, { headers: { Origin: origin, Cookie: cookie } });
    await new Promise<void>((resolve, reject) => {
      socket.onopen = () => resolve();
      socket.onerror = (event) => reject(new Error(`Socket to ${path} failed: ${String(event)}`));
    });
    return new LiveSocket(socket);
  }

  send(message: unknown): void {
    this.#socket.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  /** The first frame, already received or still to come, that satisfies `test`. */
  async waitFor(test: (html: string) => boolean, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let seen = 0;
    while (true) {
      for (; seen < this.frames.length; seen++) {
        if (test(this.frames[seen])) return this.frames[seen];
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `No matching frame in ${timeoutMs} ms; last: ${this.frames.at(-1)?.slice(0, 300)}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        const wake = () => done();
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.#waiters.add(wake);
      }).finally(() => this.#waiters.clear());
    }
  }

  close(): void {
    this.#socket.close();
  }
}

/**
 * An audio offer as a browser makes it, complete enough for the server to answer; nothing
 * ever connects to it.
 */
export const audioOffer = [
  "v=0",
  "o=- 4611731400430051336 2 IN IP4 127.0.0.1",
  "s=-",
  "t=0 0",
  "a=group:BUNDLE 0",
  "a=msid-semantic: WMS",
  "m=audio 9 UDP/TLS/RTP/SAVPF 111",
  "c=IN IP4 0.0.0.0",
  "a=rtcp:9 IN IP4 0.0.0.0",
  "a=ice-ufrag:pLbr",
  "a=ice-pwd:palabrepalabrepalabrepa",
  "a=fingerprint:sha-256 " +
  "3C:4A:AA:C1:0D:3F:1E:56:2A:9B:5E:BE:5E:6B:0F:39:55:93:33:4E:2A:38:98:67:5A:84:C7:47:0C:AA:D9:63",
  "a=setup:actpass",
  "a=mid:0",
  "a=sendrecv",
  "a=rtcp-mux",
  "a=rtpmap:111 opus/48000/2",
  "a=fmtp:111 minptime=10;useinbandfec=1",
  "",
].join("\r\n");
