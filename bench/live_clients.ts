/**
 * Member sockets for bench/live.ts, run as processes of their own so that thousands of pages are
 * spread over several: each opens one WebSocket per cookie of its plan, then answers the
 * coordinator's commands (one JSON a line on stdin, one a line on stdout): arm for a change,
 * report when each page received the frame that shows it, close. Times are read on the clock
 * every process shares (`performance.timeOrigin + performance.now()`), so the coordinator can
 * subtract the moment it sent the change.
 *
 * @example
 * deno run -A bench/live_clients.ts '{"origin":"http://127.0.0.1:9000", ...}'
 * // stdin: {"expect":"Raise hand"}  stdout: {"armed":true} ... {"arrived":[...],"bytes":[...]}
 */

export interface ClientPlan {
  origin: string;
  /** The socket path every member opens, e.g. "/rooms/rQbZDUnRRoyXr-_PJrOrUA/live". */
  socketPath: string;
  /** One cookie header per member socket. */
  cookies: string[];
  /** Sockets opened and kept but not timed (the host's own page). */
  watchers: string[];
}

/** What a client process says, one a line. */
export type ClientReport =
  | { opened: number; openMs: number }
  | { armed: true }
  | {
    /** When each page received the frame with the marker (shared clock, ms), null if never. */
    arrived: (number | null)[];
    /** That frame's size in bytes (UTF-16 code units of the JSON text), per page. */
    bytes: (number | null)[];
    /** The first page's frame with the marker, to replay in the baseline. */
    sample: string;
  };

/** What the coordinator asks, one a line. */
export type ClientCommand = { expect: string; timeoutMs: number } | { close: true };

/** Now, on the clock every process on this machine reads alike. */
export function sharedNow(): number {
  return performance.timeOrigin + performance.now();
}

// Sockets opened together.
const openBatch = 100;

interface Expectation {
  marker: string;
  arrived: (number | null)[];
  bytes: (number | null)[];
  sample: string;
  remaining: number;
  done: () => void;
}

async function main(plan: ClientPlan): Promise<void> {
  const url = plan.origin.replace(/^http/, "ws") + plan.socketPath;
  const sockets: WebSocket[] = [];
  let expectation: Expectation | null = null;
  // Checked as each frame arrives, so the timing is the arrival, not a later poll.
  const onFrame = (i: number, text: string) => {
    const at = sharedNow();
    const e = expectation;
    if (!e || e.arrived[i] !== null || !text.includes(e.marker)) return;
    e.arrived[i] = at;
    e.bytes[i] = text.length;
    if (i === 0) e.sample = text;
    if (--e.remaining === 0) e.done();
  };
  const openedAt = performance.now();
  const open = (cookie: string, i: number) =>
    new Promise<void>((resolve, reject) => {
      const socket = new WebSocket(url, { headers: { Origin: plan.origin, Cookie: cookie } });
      socket.onmessage = (event) => {
        onFrame(i, String(event.data));
        resolve();
      };
      socket.onerror = () => reject(new Error(`socket ${i} failed`));
      sockets[i] = socket;
    });
  // A batch at a time: a thousand opening at once pipelines a thousand presence writes on the
  // server's one PGlite connection, where postgres.js 3.4.9 can lose a transaction's connection
  // (a TypeError in `begin`); pages arriving at once are not what this measures.
  for (let from = 0; from < plan.cookies.length; from += openBatch) {
    await Promise.all(
      plan.cookies.slice(from, from + openBatch).map((cookie, i) => open(cookie, from + i)),
    );
  }
  say({ opened: sockets.length, openMs: performance.now() - openedAt });
  for (const cookie of plan.watchers) {
    sockets.push(new WebSocket(url, { headers: { Origin: plan.origin, Cookie: cookie } }));
  }

  const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  for (;;) {
    const { value, done } = await lines.read();
    if (done) break;
    buffered += value;
    let end;
    while ((end = buffered.indexOf("\n")) >= 0) {
      const command: ClientCommand = JSON.parse(buffered.slice(0, end));
      buffered = buffered.slice(end + 1);
      if ("close" in command) {
        for (const socket of sockets) socket.close();
        return;
      }
      const arrived: (number | null)[] = plan.cookies.map(() => null);
      const finished = new Promise<void>((resolve) => {
        expectation = {
          marker: command.expect,
          arrived,
          bytes: plan.cookies.map(() => null),
          sample: "",
          remaining: arrived.length,
          done: resolve,
        };
      });
      const e = expectation!;
      say({ armed: true });
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<void>((resolve) => timer = setTimeout(resolve, command.timeoutMs));
      // Not awaited: the coordinator sends its next command only after this report.
      Promise.race([finished, late]).then(() => {
        clearTimeout(timer);
        expectation = null;
        say({ arrived: e.arrived, bytes: e.bytes, sample: e.sample });
      });
    }
  }
}

function say(report: ClientReport): void {
  console.log(JSON.stringify(report));
}

if (import.meta.main) {
  const plan: ClientPlan = JSON.parse(Deno.args[0]);
  await main(plan);
}
