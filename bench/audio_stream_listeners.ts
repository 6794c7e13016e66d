/**
 * Pages listening to a room by its stream, as cheap as a client can be so that thousands of them
 * on the clients' core are not what gives out first: each speaks WebSocket over its own TCP
 * connection by hand (the handshake, then frames read in bulk), counts the packets of every
 * batch from its header, and only a sampled few decode them (libopus) and time each click when
 * their page would play it (bench/page_playout.ts). bench/audio_listeners.ts runs a few of these
 * processes side by side, each with its share of the listeners, driven by JSON lines on stdin;
 * a process ends when its stdin closes.
 *
 * @example
 * // stdin: {"origin":"http://127.0.0.1:8123",...}   (its plan)
 * // stdin: {"op":"connect","count":500}  stdout: {"op":"connected","count":500,...}
 * // stdin: {"op":"count"}                stdout: {"op":"counts","packets":[...],...}
 */
import { Decoder } from "@evan/opus";
import { decodeBatch } from "../media/broadcast.ts";
import { jsonLine, jsonLines } from "../media/json_lines.ts";
import { sampleRateHz } from "../media/pcm.ts";
import { streamFormat } from "../media/stream_format.ts";
import { type Click, Ear, wallClockMs } from "./audio_clicks.ts";
import { PagePlayout } from "./page_playout.ts";
import { LagWatch } from "./lag_watch.ts";

export interface StreamListenersPlan {
  origin: string;
  /** The room's public id, as its URLs carry it. */
  publicId: string;
  /** This process's listeners, in the order they connect. */
  cookies: string[];
  /** Whether its listeners decode and time clicks (few of them), or only count packets. */
  sampled: boolean;
}

/** To a stream listeners' process. */
export type ToStreamListeners = { op: "connect"; count: number } | { op: "count" };

/** From it: after `connect` (those that did not connect within the timeout), and `count`. */
export type FromStreamListeners =
  | { op: "connected"; count: number; failed: number; error: string | null }
  | {
    op: "counts";
    /** Packets each listener got so far, in the order they connected. */
    packets: number[];
    /** Text frames all of them got so far. */
    texts: number;
    /** When the counts were read (this machine's wall clock, ms). */
    at: number;
    /** Clicks the sampled listeners played since the last count. */
    heard: Click[];
    /** The longest this process ran late on a 5 ms timer since the last count, ms. */
    lagMs: number;
  };

export const connectTimeoutMs = 30_000;
/** Listeners that connect at the same time, like a crowd arriving. */
const connectBatch = 50;
/** What a listener reads at once: many batches when this process fell behind. */
const readBytes = 16 * 1024;
/**
 * Listeners that only count read this often, everything that came meanwhile at once (the
 * kernel holds it): a read costs this process about as much whatever it holds, and five batches
 * a read instead of one is what lets a few thousand listeners share the clients' core.
 */
const countingReadEveryMs = 200;
/** Before a count, long enough for every counting listener to have read what it held. */
const countDrainMs = 60;

/** When counting listeners read next: every `countingReadEveryMs`, or now when asked. */
class ReadTick {
  #next = Promise.withResolvers<void>();
  #timer = setInterval(() => this.now(), countingReadEveryMs);

  next(): Promise<void> {
    return this.#next.promise;
  }

  now(): void {
    this.#next.resolve();
    this.#next = Promise.withResolvers<void>();
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

/** Shared by this process's counting listeners. */
let readTick: ReadTick | null = null;

/** A page listening by stream over a hand-made WebSocket: counts packets; a sampled one hears. */
export class StreamListener {
  packets = 0;
  /** Text frames since the stream began (the speaking rings' updates, mostly). */
  texts = 0;
  readonly ear: Ear | null;
  #conn: Deno.TcpConn;
  #decoder: Decoder | null;
  #playout: PagePlayout | null;
  #streaming = Promise.withResolvers<void>();
  #listening = false;

  private constructor(conn: Deno.TcpConn, sampled: boolean) {
    this.#conn = conn;
    this.ear = sampled ? new Ear(null) : null;
    this.#decoder = sampled ? new Decoder({ channels: 1, sample_rate: sampleRateHz }) : null;
    this.#playout = sampled ? new PagePlayout(streamFormat) : null;
  }

  /**
   * Opens the room's voice socket with `cookie`, asks to listen, and resolves once the stream
   * is coming; throws (having closed the connection) if it is not within `timeoutMs`.
   */
  static async connect(
    origin: string,
    publicId: string,
    cookie: string,
    { sampled = false, timeoutMs = connectTimeoutMs } = {},
  ): Promise<StreamListener> {
    const url = new URL(origin);
    const conn = await Deno.connect({ hostname: url.hostname, port: Number(url.port) });
    const listener = new StreamListener(conn, sampled);
    const timer = setTimeout(
      () => listener.#streaming.reject(new Error("No stream frame")),
      timeoutMs,
    );
    try {
      const key = new Uint8Array(16);
      crypto.getRandomValues(key);
      await listener.#write(new TextEncoder().encode(
        `GET /rooms/${publicId}/voice HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\n` +
          `Connection: Upgrade\r\nSec-WebSocket-Key: ${key.toBase64()}\r\n` +
          `Sec-WebSocket-Version: 13\r\nOrigin: ${origin}\r\nCookie: ${cookie}\r\n\r\n`,
      ));
      listener.#read().then(
        () => listener.#streaming.reject(new Error("The voice socket closed")),
        (error) => listener.#streaming.reject(error),
      );
      await listener.#streaming.promise;
      return listener;
    } catch (error) {
      listener.close();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    try {
      this.#conn.close();
    } catch {
      // Already closed.
    }
  }

  /** Reads frames until the connection ends; the handshake's answer comes first. */
  async #read(): Promise<void> {
    let buffer = new Uint8Array(readBytes);
    let start = 0;
    let end = 0;
    let upgraded = false;
    while (true) {
      if (end === buffer.length) {
        // Keep what is not yet read at the front; grow only for a frame larger than the buffer.
        const next = start === 0 ? new Uint8Array(buffer.length * 2) : buffer;
        next.set(buffer.subarray(start, end));
        end -= start;
        start = 0;
        buffer = next;
      }
      // Until the stream comes, and for those who time clicks, as it comes.
      if (this.#listening && !this.#decoder && readTick) await readTick.next();
      const read = await this.#conn.read(buffer.subarray(end));
      if (read === null) return;
      end += read;
      if (!upgraded) {
        const headerEnd = findHeaderEnd(buffer, end);
        if (headerEnd < 0) continue;
        const status = new TextDecoder().decode(buffer.subarray(0, 12));
        if (!status.startsWith("HTTP/1.1 101")) {
          throw new Error(`The voice socket was refused: ${status.trim()}`);
        }
        upgraded = true;
        start = headerEnd;
      }
      start = this.#frames(buffer, start, end);
      if (start === end) start = end = 0;
    }
  }

  /** Handles every whole frame in `buffer` from `start`; returns where the first partial one begins. */
  #frames(buffer: Uint8Array, start: number, end: number): number {
    while (end - start >= 2) {
      const opcode = buffer[start] & 0x0f;
      let length = buffer[start + 1] & 0x7f;
      let at = start + 2;
      if (length === 126) {
        if (end - at < 2) return start;
        length = (buffer[at] << 8) | buffer[at + 1];
        at += 2;
      } else if (length === 127) {
        if (end - at < 8) return start;
        length = new DataView(buffer.buffer, at + 4, 4).getUint32(0);
        at += 8;
      }
      if (end - at < length) return start;
      this.#frame(opcode, buffer.subarray(at, at + length));
      start = at + length;
    }
    return start;
  }

  #frame(opcode: number, payload: Uint8Array): void {
    if (opcode === 2) {
      // A batch: version, packet count, ... (media/broadcast.ts `encodeBatch`).
      this.packets += payload[1];
      if (this.#decoder) this.#hear(payload);
    } else if (opcode === 1) {
      if (this.#listening) this.texts++;
      const frame = JSON.parse(new TextDecoder().decode(payload));
      if (frame.type === "state") this.#send(1, new TextEncoder().encode('{"type":"listen"}'));
      if (frame.type === "stream") {
        this.#listening = true;
        this.#streaming.resolve();
      }
      if (frame.type === "webrtc") {
        this.#streaming.reject(new Error("Palabre offered WebRTC, not its stream"));
      }
      if (frame.type === "error") console.error(`voice socket error: ${frame.message}`);
    } else if (opcode === 9) {
      this.#send(10, payload.slice());
    } else if (opcode === 8) {
      this.close();
    }
  }

  #hear(payload: Uint8Array): void {
    const arrivedAt = wallClockMs();
    for (const packet of decodeBatch(payload).packets) {
      const bytes = this.#decoder!.decode(packet);
      const pcm = new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
      const mono = Float32Array.from(pcm, (x) => x / 32768);
      for (const { pcm, playsAt } of this.#playout!.push(mono, arrivedAt)) {
        this.ear!.hear(pcm, playsAt);
      }
    }
  }

  /** A client's frame, masked as the protocol asks (the mask itself may be anything). */
  #send(opcode: number, payload: Uint8Array): void {
    if (payload.length > 125) throw new Error("Only short frames are sent");
    const frame = new Uint8Array(6 + payload.length);
    frame[0] = 0x80 | opcode;
    frame[1] = 0x80 | payload.length;
    // An all-zero mask leaves the payload as it is.
    frame.set(payload, 6);
    this.#write(frame).catch(() => {/* closed: its read loop ends */});
  }

  async #write(bytes: Uint8Array): Promise<void> {
    let written = 0;
    while (written < bytes.length) written += await this.#conn.write(bytes.subarray(written));
  }
}

/** Where the HTTP headers in `buffer[0, end)` end (after the blank line), or -1. */
function findHeaderEnd(buffer: Uint8Array, end: number): number {
  for (let i = 3; i < end; i++) {
    if (buffer[i] === 10 && buffer[i - 1] === 13 && buffer[i - 2] === 10 && buffer[i - 3] === 13) {
      return i + 1;
    }
  }
  return -1;
}

/** Connects the next listeners, `connectBatch` at a time, up to `count` in all. */
async function connectUpTo(
  plan: StreamListenersPlan,
  listeners: StreamListener[],
  count: number,
): Promise<FromStreamListeners> {
  let failed = 0;
  let error: string | null = null;
  let next = listeners.length;
  while (next < Math.min(count, plan.cookies.length)) {
    const batch = plan.cookies.slice(next, Math.min(count, next + connectBatch));
    next += batch.length;
    const outcomes = await Promise.allSettled(
      batch.map((cookie) =>
        StreamListener.connect(plan.origin, plan.publicId, cookie, { sampled: plan.sampled })
      ),
    );
    for (const outcome of outcomes) {
      if (outcome.status === "fulfilled") listeners.push(outcome.value);
      else {
        failed++;
        error ??= outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason);
      }
    }
  }
  return { op: "connected", count: listeners.length, failed, error };
}

async function main(): Promise<void> {
  const input = jsonLines(Deno.stdin.readable);
  const plan = (await input.next()).value as StreamListenersPlan;
  const listeners: StreamListener[] = [];
  const lag = new LagWatch();
  if (!plan.sampled) readTick = new ReadTick();
  const post = async (message: FromStreamListeners) => {
    const line = jsonLine(message);
    let written = 0;
    while (written < line.length) written += await Deno.stdout.write(line.subarray(written));
  };
  for await (const message of input) {
    const order = message as ToStreamListeners;
    if (order.op === "connect") await post(await connectUpTo(plan, listeners, order.count));
    if (order.op === "count") {
      // Every counting listener reads what it holds, a batch at most (40 ms) since the last.
      readTick?.now();
      await new Promise((resolve) => setTimeout(resolve, countDrainMs));
      await post({
        op: "counts",
        packets: listeners.map((l) => l.packets),
        texts: listeners.reduce((sum, l) => sum + l.texts, 0),
        heard: listeners.flatMap((l) => l.ear?.take() ?? []),
        at: wallClockMs(),
        lagMs: lag.take(),
      });
    }
  }
  lag.stop();
  readTick?.stop();
  for (const listener of listeners) listener.close();
}

if (import.meta.main) {
  await main();
  Deno.exit(0);
}
