/**
 * The bus between a Palabre's nodes: publish and subscribe for one-to-many (a room's stream and
 * events), request and reply for one-to-one (a page's signalling relayed to its room's home).
 * Payloads are bytes. One interface, two carriers: `LocalBus` inside one process (the default:
 * one machine needs nothing else), and NATS (live/nats_bus.ts) when `NATS_URL` joins processes
 * on one or many machines.
 *
 * @example
 * const bus = new LocalBus();
 * bus.reply("home.a", async (data) => data);
 * const echo = await bus.request("home.a", new Uint8Array([1]), 1000);
 */

export interface Bus {
  /** Sends `data` to every subscriber of `subject`, on any node; nobody listening is fine. */
  publish(subject: string, data: Uint8Array): void;
  /** Hears `subject` until the returned function is called. */
  subscribe(subject: string, onMessage: (data: Uint8Array) => void): () => void;
  /** Asks the one replier of `subject`; refuses with a `BusError` when none or too slow. */
  request(subject: string, data: Uint8Array, timeoutMs: number): Promise<Uint8Array>;
  /** Answers requests to `subject` until the returned function is called. */
  reply(subject: string, answer: (data: Uint8Array) => Promise<Uint8Array>): () => void;
  /** Lets what was sent go out, then disconnects. */
  close(): Promise<void>;
}

/**
 * `no_responders`: nobody replies on that subject (the node is gone: NATS knows at once when a
 * process's connection drops); `timeout`: nobody answered in time (a machine that vanished).
 */
export class BusError extends Error {
  constructor(readonly code: "no_responders" | "timeout" | "closed", message: string) {
    super(message);
    this.name = "BusError";
  }
}

/** The bus of a Palabre that is one process: delivery is a function call. */
export class LocalBus implements Bus {
  #subscribers = new Map<string, Set<(data: Uint8Array) => void>>();
  #repliers = new Map<string, (data: Uint8Array) => Promise<Uint8Array>>();

  publish(subject: string, data: Uint8Array): void {
    for (const onMessage of this.#subscribers.get(subject) ?? []) {
      try {
        onMessage(data);
      } catch (error) {
        // One failing subscriber must not keep the message from the others (NATS would not).
        console.error(`A subscriber of ${subject} failed:`, error);
      }
    }
  }

  subscribe(subject: string, onMessage: (data: Uint8Array) => void): () => void {
    let subscribers = this.#subscribers.get(subject);
    if (!subscribers) this.#subscribers.set(subject, subscribers = new Set());
    // Each subscription is its own, even of the same function.
    const own = (data: Uint8Array) => onMessage(data);
    subscribers.add(own);
    return () => {
      subscribers.delete(own);
      if (subscribers.size === 0 && this.#subscribers.get(subject) === subscribers) {
        this.#subscribers.delete(subject);
      }
    };
  }

  request(subject: string, data: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    const answer = this.#repliers.get(subject);
    if (!answer) return Promise.reject(new BusError("no_responders", `No one answers ${subject}`));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new BusError("timeout", `No answer on ${subject} in ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    return Promise.race([answer(data), late]).finally(() => clearTimeout(timer));
  }

  reply(subject: string, answer: (data: Uint8Array) => Promise<Uint8Array>): () => void {
    this.#repliers.set(subject, answer);
    return () => {
      if (this.#repliers.get(subject) === answer) this.#repliers.delete(subject);
    };
  }

  close(): Promise<void> {
    this.#subscribers.clear();
    this.#repliers.clear();
    return Promise.resolve();
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A message as bytes for the bus. */
export function encodeMessage(message: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(message));
}

/** Bytes from the bus as the message they carry. */
export function decodeMessage<T>(data: Uint8Array): T {
  return JSON.parse(decoder.decode(data)) as T;
}
