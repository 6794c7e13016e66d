/**
 * Voice peers (tests/live/support/voice_peer.ts) started from a test: each a process of its own,
 * asked what it hears over JSON lines.
 *
 * @example
 * const ada = await startPeer(nodeA.origin, world.roomPath, world.adaCookie, "speak:440");
 * const { amplitude } = await ada.ask({ op: "tone", hz: 660, ms: 300 });
 * await ada.stop();
 */
import { jsonLine, jsonLines } from "../../../media/json_lines.ts";

export interface Peer {
  pid: number;
  ask(request: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Waits until `check` holds on the answer to `request`, polling; throws after `deadlineMs`. */
  waitFor(
    request: Record<string, unknown>,
    check: (answer: Record<string, unknown>) => boolean,
    deadlineMs?: number,
  ): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

const script = new URL("./voice_peer.ts", import.meta.url).pathname;

/** `mode`: `speak:HZ`, `webrtc` or `stream`; resolves once the peer joined and audio flows. */
export async function startPeer(
  origin: string,
  roomPath: string,
  cookie: string,
  mode: string,
): Promise<Peer> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--cached-only",
      "--allow-all",
      "--quiet",
      script,
      origin,
      roomPath,
      cookie,
      mode,
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const answers = jsonLines(child.stdout);
  const first = await answers.next();
  if (first.done || !(first.value as { ready?: boolean }).ready) {
    await child.stdin.close().catch(() => {});
    await child.status;
    throw new Error(`The ${mode} peer ended before it joined`);
  }
  const writer = child.stdin.getWriter();
  // One question at a time: answers come back in order.
  let asking: Promise<unknown> = Promise.resolve();
  const ask = (request: Record<string, unknown>) => {
    const answered = asking.then(async () => {
      await writer.write(jsonLine(request));
      const next = await answers.next();
      if (next.done) throw new Error(`The ${mode} peer ended`);
      return next.value as Record<string, unknown>;
    });
    asking = answered.catch(() => {});
    return answered;
  };
  return {
    pid: child.pid,
    ask,
    async waitFor(request, check, deadlineMs = 20_000) {
      const deadline = Date.now() + deadlineMs;
      while (true) {
        const answer = await ask(request);
        if (check(answer)) return answer;
        if (Date.now() > deadline) {
          throw new Error(
            `The ${mode} peer: still ${JSON.stringify(answer)} for ${JSON.stringify(request)}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async stop() {
      await writer.close().catch(() => {});
      const status = await child.status;
      if (!status.success) throw new Error(`The ${mode} peer exited with ${status.code}`);
    },
  };
}
