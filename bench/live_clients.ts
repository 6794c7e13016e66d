/**
 * The member side of bench/live.ts, run as its own process: opens one WebSocket per member,
 * triggers room changes over HTTP and times how long each page takes to receive the result.
 * Prints one JSON object on stdout.
 *
 * @example
 * deno run -A bench/live_clients.ts '{"origin":"http://127.0.0.1:9000", ...}'
 */

export interface ClientPlan {
  origin: string;
  /** The socket path every member opens, e.g. "/rooms/rQbZDUnRRoyXr-_PJrOrUA/live". */
  socketPath: string;
  /** One cookie header per member socket. */
  cookies: string[];
  /** Sockets opened and kept but not timed (the host's own page). */
  watchers: string[];
  /** The request that makes change number `i` (the host's action, or the baseline's broadcast). */
  trigger: { path: string; cookie: string; bodies: [string, string] };
  /** A frame that shows change `i` has arrived contains `markers[i % 2]`. */
  markers: [string, string];
  /** Changes timed one at a time. */
  timedChanges: number;
  /** Changes sent back to back to find what the room sustains. */
  burstChanges: number;
}

export interface ClientResult {
  opened: number;
  openMs: number;
  /** Every (change, member) delivery time in ms, from sending the change to the frame. */
  deliveriesMs: number[];
  /** The slowest member per timed change. */
  lastMemberMs: number[];
  missed: number;
  burst: { changes: number; seconds: number };
  frameBytes: number;
  /** What the first page received for each of the two states, to replay in the baseline. */
  frames: [string, string];
}

const deliveryTimeoutMs = 10_000;

/** What the sockets are waiting for: the first frame after `since` containing `marker`. */
interface Expectation {
  marker: string;
  since: number;
  arrived: (number | null)[];
  remaining: number;
  done: () => void;
}

async function main(plan: ClientPlan): Promise<ClientResult> {
  const url = plan.origin.replace(/^http/, "ws") + plan.socketPath;
  const sockets: WebSocket[] = [];
  const lastText: string[] = plan.cookies.map(() => "");
  let expectation: Expectation | null = null;
  // Checked as each frame arrives, so the timing is the arrival, not a later poll.
  const onFrame = (i: number, text: string) => {
    const at = performance.now();
    lastText[i] = text;
    const e = expectation;
    if (!e || e.arrived[i] !== null || at < e.since || !text.includes(e.marker)) return;
    e.arrived[i] = at;
    if (--e.remaining === 0) e.done();
  };
  const openedAt = performance.now();
  await Promise.all(plan.cookies.map((cookie, i) =>
    new Promise<void>((resolve, reject) => {
      const socket = new WebSocket(url, { headers: { Origin: plan.origin, Cookie: cookie } });
      socket.onmessage = (event) => {
        onFrame(i, String(event.data));
        resolve();
      };
      socket.onerror = () => reject(new Error(`socket ${i} failed`));
      sockets.push(socket);
    })
  ));
  const openMs = performance.now() - openedAt;
  for (const cookie of plan.watchers) {
    sockets.push(new WebSocket(url, { headers: { Origin: plan.origin, Cookie: cookie } }));
  }

  /** Runs `act` and resolves with each page's arrival time of `marker` (null if none came). */
  async function expect(marker: string, since: number, act: () => Promise<void>) {
    const arrived: (number | null)[] = plan.cookies.map(() => null);
    const finished = new Promise<void>((resolve) => {
      expectation = { marker, since, arrived, remaining: arrived.length, done: resolve };
    });
    await act();
    await Promise.race([finished, new Promise((r) => setTimeout(r, deliveryTimeoutMs))]);
    expectation = null;
    return arrived;
  }

  let frameBytes = 0;
  const frames: [string, string] = ["", ""];
  const deliveriesMs: number[] = [];
  const lastMemberMs: number[] = [];
  let missed = 0;
  for (let change = 0; change < plan.timedChanges; change++) {
    const sentAt = performance.now();
    const arrived = await expect(plan.markers[change % 2], sentAt, () => send(plan, change));
    missed += arrived.filter((t) => t === null).length;
    const times = arrived.filter((t): t is number => t !== null).map((t) => t - sentAt);
    deliveriesMs.push(...times);
    lastMemberMs.push(Math.max(...times));
    frameBytes = Math.max(frameBytes, ...lastText.map((t) => t.length));
    frames[change % 2] = lastText[0];
  }

  // Back to back: each change as soon as the previous request is answered, then wait until
  // every page shows the last one.
  const burstStart = performance.now();
  const finals = await expect(
    plan.markers[(plan.burstChanges - 1) % 2],
    burstStart,
    async () => {
      for (let change = 0; change < plan.burstChanges; change++) await send(plan, change);
    },
  );
  const burstSeconds = (Math.max(...finals.map((t) => t ?? performance.now())) - burstStart) /
    1000;

  for (const socket of sockets) socket.close();
  return {
    opened: plan.cookies.length,
    openMs,
    deliveriesMs,
    lastMemberMs,
    missed,
    burst: { changes: plan.burstChanges, seconds: burstSeconds },
    frameBytes,
    frames,
  };
}

async function send(plan: ClientPlan, change: number): Promise<void> {
  const response = await fetch(plan.origin + plan.trigger.path, {
    method: "POST",
    redirect: "manual",
    headers: {
      Origin: plan.origin,
      Cookie: plan.trigger.cookie,
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: plan.trigger.bodies[change % 2],
  });
  await response.body?.cancel();
  if (response.status >= 400) throw new Error(`change ${change} refused: ${response.status}`);
}

if (import.meta.main) {
  const plan: ClientPlan = JSON.parse(Deno.args[0]);
  console.log(JSON.stringify(await main(plan)));
}
