/**
 * The bus over NATS, for a Palabre of several processes or machines (`NATS_URL`). Chosen because
 * NATS is made for this traffic: one-to-many fan-out of small binary messages (a room's Opus
 * batches), request/reply with an immediate "no responders" when a node's connection is gone
 * (which tells a dead home at once), slow consumers cut by the server rather than slowing others,
 * and clusters or leaf nodes when a Palabre spans regions. The client is the NATS project's own
 * (`@nats-io/transport-node`, the Node transport of nats.js), which runs under Deno's Node layer.
 *
 * @example
 * const bus = await NatsBus.connect("nats://127.0.0.1:4222", "palabre-node-a");
 * bus.publish("palabre.stream.x", batch);
 */
import { connect, type NatsConnection, RequestError, TimeoutError } from "@nats-io/transport-node";
import { reason, StartupError } from "../startup.ts";
import { type Bus, BusError } from "./bus.ts";

export class NatsBus implements Bus {
  #connection: NatsConnection;

  private constructor(connection: NatsConnection) {
    this.#connection = connection;
  }

  /**
   * Connects, retrying for ever once connected (a NATS restart is a pause, not an end); a server
   * that cannot be reached at start is a `StartupError`.
   */
  static async connect(url: string, name: string): Promise<NatsBus> {
    const servers = url.split(",").map((server) => server.trim());
    try {
      return new NatsBus(
        await connect({ servers, name, maxReconnectAttempts: -1, reconnectTimeWait: 250 }),
      );
    } catch (error) {
      // Named without any user or password the URL may hold.
      const where = servers.map((server) => {
        const parsed = new URL(server);
        return `${parsed.protocol}//${parsed.host}`;
      }).join(", ");
      throw new StartupError(`Cannot reach NATS at ${where} (${reason(error)})`);
    }
  }

  publish(subject: string, data: Uint8Array): void {
    if (this.#connection.isClosed()) return;
    this.#connection.publish(subject, data);
  }

  subscribe(subject: string, onMessage: (data: Uint8Array) => void): () => void {
    const subscription = this.#connection.subscribe(subject, {
      callback: (error, message) => {
        if (error) return console.error(`Bus subscription to ${subject} ended:`, error.message);
        // The client's bytes are a view into its read buffer, which it reuses, and a Node Buffer
        // (whose `slice` is another view): a subscriber that keeps them (a WebSocket send finishes
        // later) gets a plain copy of its own, once per message.
        onMessage(new Uint8Array(message.data));
      },
    });
    return () => subscription.unsubscribe();
  }

  async request(subject: string, data: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    try {
      const message = await this.#connection.request(subject, data, { timeout: timeoutMs });
      return message.data;
    } catch (error) {
      if (error instanceof RequestError && error.isNoResponders()) {
        throw new BusError("no_responders", `No one answers ${subject}`);
      }
      if (error instanceof TimeoutError) {
        throw new BusError("timeout", `No answer on ${subject} in ${timeoutMs} ms`);
      }
      throw new BusError("closed", `The bus refused a request: ${(error as Error).message}`);
    }
  }

  reply(subject: string, answer: (data: Uint8Array) => Promise<Uint8Array>): () => void {
    const subscription = this.#connection.subscribe(subject, {
      callback: (error, message) => {
        if (error) return console.error(`Bus replies on ${subject} ended:`, error.message);
        answer(message.data).then(
          (data) => message.respond(data),
          (failure) => console.error(`A request on ${subject} failed:`, failure),
        );
      },
    });
    return () => subscription.unsubscribe();
  }

  async close(): Promise<void> {
    if (!this.#connection.isClosed()) await this.#connection.drain();
  }
}
