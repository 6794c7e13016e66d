/**
 * A speaker's page played by a real wrtc peer, in a process of its own (wrtc crashes a process
 * that ends by running out of work): it opens the room's voice socket with its session cookie,
 * connects with a tone as its microphone, prints `{"ready":true}` once the connection is up and
 * sending, and hangs up when its standard input closes.
 *
 * @example
 * deno run -A tests/privacy/support/speaker.ts http://127.0.0.1:8123 /rooms/1 'palabre_session=...'
 */
import type { SignalMessage } from "../../../media/room_media.ts";
import { TestClient } from "../../media/support/test_client.ts";

const connectTimeoutMs = 30_000;

/** The voice socket's frames as they come, and a wait for the first of a type. */
class VoiceSocket {
  readonly socket: WebSocket;
  #frames: Record<string, unknown>[] = [];
  #wake = () => {};

  constructor(socket: WebSocket) {
    this.socket = socket;
    socket.onmessage = (event) => {
      this.#frames.push(JSON.parse(String(event.data)));
      this.#wake();
    };
  }

  static async open(origin: string, path: string, cookie: string): Promise<VoiceSocket> {
    const url = origin.replace(/^http/, "ws") + path;
    const socket = new WebSocket(url, { headers: { Origin: origin, Cookie: cookie } });
    await new Promise<void>((resolve, reject) => {
      socket.onopen = () => resolve();
      socket.onerror = () => reject(new Error(`Voice socket ${path} failed`));
    });
    return new VoiceSocket(socket);
  }

  /** The first frame of `type` not taken yet; an error frame fails it. */
  async next(type: string): Promise<Record<string, unknown>> {
    const deadline = Date.now() + connectTimeoutMs;
    while (true) {
      const error = this.#frames.find((f) => f.type === "error");
      if (error) throw new Error(`Voice socket error: ${error.message}`);
      const at = this.#frames.findIndex((f) => f.type === type);
      if (at >= 0) return this.#frames.splice(at, 1)[0];
      if (Date.now() > deadline) throw new Error(`No ${type} frame`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}

async function main(origin: string, roomPath: string, cookie: string): Promise<void> {
  const voice = await VoiceSocket.open(origin, `${roomPath}/voice`, cookie);
  const state = await voice.next("state");
  if (state.stage !== true) throw new Error(`Not on stage: ${JSON.stringify(state)}`);
  // The page's side of signalling: the offer goes over the socket, the answer comes back on it.
  const room = {
    async handleSignal(_sessionId: string, message: SignalMessage): Promise<SignalMessage[]> {
      voice.socket.send(JSON.stringify(message));
      if (message.type !== "offer") return [];
      const answer = await voice.next("answer");
      return [{ type: "answer", sdp: String(answer.sdp) }];
    },
  };
  const client = await TestClient.connect(room, "speaker", { toneHz: 440 });
  const deadline = Date.now() + connectTimeoutMs;
  while (client.connectionState !== "connected" || (await client.sending()).packets < 25) {
    if (Date.now() > deadline) throw new Error(`Not sending: ${client.connectionState}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  console.log(JSON.stringify({ ready: true }));
  // Until the test closes our standard input.
  for await (const _ of Deno.stdin.readable);
  client.close();
  voice.socket.close();
}

if (import.meta.main) {
  const [origin, roomPath, cookie] = Deno.args;
  await main(origin, roomPath, cookie);
  // wrtc crashes a process that ends by running out of work (media/wrtc.ts).
  Deno.exit(0);
}
