/**
 * Palabre reaches nothing beyond the machine it runs on. README's start command runs under
 * `strace -f -yy -e trace=connect,sendto,sendmsg,sendmmsg` with a fresh data directory, and the
 * test drives it as people would: the first administrator's set-up, a room, a speaker's real
 * WebRTC voice, a listener on the room's stream, a model training. README's seed command runs
 * under strace too. Then every connection and datagram of any of their processes (npx, deno task,
 * the server, its media process, the training worker, seeding) is read from strace's log
 * (support/outbound.ts says how), and any that went beyond loopback and the machine's own
 * addresses (where the test's participants are), or asked DNS anything, fails the test, listed.
 * ICE_SERVERS is left empty, as it is by default.
 *
 * Without strace the test is skipped with a warning; with `CI=true` it fails instead.
 */
import assert from "node:assert/strict";
import { Decoder } from "@evan/opus";
import { processTree } from "../../bench/processes.ts";
import { decodeBatch } from "../../media/broadcast.ts";
import { LiveSocket } from "../live/support.ts";
import { expectHttpStatus, HttpBrowser } from "../support/http_browser.ts";
import { type Outbound, outboundBeyond, outboundIn, ownAddresses } from "./support/outbound.ts";

/** README's commands, word for word (checked below against README itself). */
const npx = ["npx", "--prefer-offline", "--no-update-notifier", "--yes", "deno@2.9.6"];
const startCommand = [...npx, "task", "start"];
const seedCommand = [...npx, "task", "seed"];

const repository = new URL("../../", import.meta.url).pathname;
const inCi = Deno.env.get("CI") === "true";

function straceFound(): boolean {
  try {
    return new Deno.Command("strace", { args: ["-V"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

function ignored(): boolean {
  if (straceFound() || inCi) return false;
  console.warn(
    "\n!!! strace not found (apt-get install strace): the no-network test is SKIPPED !!!\n",
  );
  return true;
}

/** Our environment without what would change Palabre's or npm's defaults. */
function cleanEnvironment(): Record<string, string> {
  const env = Deno.env.toObject();
  for (
    const name of [
      "DATABASE_URL",
      "ICE_SERVERS",
      "HOST",
      "PORT",
      "DATA_DIR",
      // The command itself must turn these off, not the shell it happens to run in.
      "DENO_NO_UPDATE_CHECK",
      "npm_config_offline",
      "npm_config_prefer_offline",
      "npm_config_update_notifier",
      "NPM_CONFIG_OFFLINE",
      "NPM_CONFIG_PREFER_OFFLINE",
      "NPM_CONFIG_UPDATE_NOTIFIER",
    ]
  ) delete env[name];
  return env;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/**
 * `command` under strace, following every process and thread it starts, into `log`: every
 * connect and send, with the socket each is on (`-yy`: its kind, and its peer once connected).
 */
function traced(
  command: string[],
  options: { log: string; env: Record<string, string>; stdout: "piped" | "null" },
): Deno.ChildProcess {
  return new Deno.Command("strace", {
    // --seccomp-bpf stops only at connect: the voice mixing keeps its pace under the trace.
    args: [
      "-f",
      "--seccomp-bpf",
      "-yy",
      "-e",
      "trace=connect,sendto,sendmsg,sendmmsg",
      "-o",
      options.log,
      ...command,
    ],
    cwd: repository,
    clearEnv: true,
    env: { ...cleanEnvironment(), ...options.env },
    stdin: "null",
    stdout: options.stdout,
    stderr: "inherit",
  }).spawn();
}

/** The processes under `root` whose command line includes `script`. */
async function processesRunning(root: number, script: string): Promise<number[]> {
  const found: number[] = [];
  for (const pid of await processTree(root)) {
    const command = await Deno.readTextFile(`/proc/${pid}/cmdline`).catch(() => "");
    if (command.split("\0").some((arg) => arg.endsWith(script))) found.push(pid);
  }
  return found;
}

async function pause(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Where a 303 sends the browser; its body is dropped. */
async function redirected(response: Promise<Response>): Promise<string> {
  const r = await expectHttpStatus(response, 303);
  await r.body?.cancel();
  return r.headers.get("Location")!;
}

function describe(outbound: Outbound[]): string {
  return outbound.map((o) => `  ${o.line.slice(0, 400)}`).join("\n");
}

/** The first administrator's set-up, a room started, Grace invited and in it. */
async function setUpRoom(origin: string): Promise<
  { ada: HttpBrowser; grace: HttpBrowser; roomPath: string }
> {
  const ada = new HttpBrowser(origin);
  assert.equal(await redirected(ada.get("/")), "/setup");
  await expectHttpStatus(ada.get("/setup"), 200).then((r) => r.body?.cancel());
  await redirected(
    ada.post("/setup", { handle: "ada", display_name: "Ada", password: "correct horse 1" }),
  );
  await redirected(ada.post("/topics", { topic: ["jazz", "chess", "film"] }));
  // The room's address comes from the redirect: whatever form room ids take.
  const roomPath = new URL(
    await redirected(
      ada.post("/rooms", {
        title: "Nothing leaves",
        description: "",
        topics: "jazz",
        kind: "open",
      }),
    ),
    origin,
  ).pathname;
  await expectHttpStatus(ada.get(roomPath), 200).then((r) => r.body?.cancel());
  await redirected(ada.post(`${roomPath}/act`, { action: "unmute_self" }));

  await redirected(ada.post("/invites"));
  const invites = await (await expectHttpStatus(ada.get("/invites"), 200)).text();
  const token = invites.match(/\/join\/([A-Za-z0-9_-]+)/)?.[1];
  assert.ok(token, "an invite link on /invites");
  const grace = new HttpBrowser(origin);
  await redirected(
    grace.post(`/join/${token}`, {
      handle: "grace",
      display_name: "Grace",
      password: "correct horse 2",
    }),
  );
  await redirected(grace.post("/topics", { topic: ["jazz", "film", "running"] }));
  await expectHttpStatus(grace.get(roomPath), 200).then((r) => r.body?.cancel());
  return { ada, grace, roomPath };
}

/** Ada's voice from a real wrtc peer in a process of its own; resolves once it is sending. */
async function startSpeaker(
  origin: string,
  roomPath: string,
  cookie: string,
): Promise<{ stop(): Promise<void> }> {
  const script = new URL("./support/speaker.ts", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--cached-only", "--allow-all", "--quiet", script, origin, roomPath, cookie],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let output = "";
  while (!output.includes('{"ready":true}')) {
    const { value, done } = await lines.read();
    if (done) {
      await child.stdin.close().catch(() => {});
      await child.status;
      throw new Error(`The speaker ended before sending:\n${output}`);
    }
    output += value;
  }
  return {
    async stop() {
      await child.stdin.close();
      while (!(await lines.read()).done) { /* drain */ }
      const status = await child.status;
      assert.ok(status.success, `the speaker exited with ${status.code}`);
    },
  };
}

/** The loudest sample in the stream's batches so far. */
function peak(batches: Uint8Array[]): number {
  const decoder = new Decoder({ channels: 1, sample_rate: 48_000 });
  let loudest = 0;
  for (const batch of batches) {
    for (const packet of decodeBatch(batch).packets) {
      const bytes = decoder.decode(packet);
      const pcm = new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
      for (const sample of pcm) loudest = Math.max(loudest, Math.abs(sample));
    }
  }
  return loudest;
}

/** Grace listens on the room's stream until she hears Ada's tone. */
async function hearStream(origin: string, roomPath: string, cookie: string): Promise<void> {
  const socket = await LiveSocket.open(origin, `${roomPath}/voice`, cookie);
  try {
    const type = (f: string) => JSON.parse(f).type;
    await socket.waitFor((f) => type(f) === "state");
    socket.send({ type: "listen" });
    await socket.waitFor((f) => type(f) === "stream");
    const deadline = Date.now() + 20_000;
    // Ada's tone is at 0.3 of full scale (9,830); silence and comfort noise stay far below.
    while (peak(socket.binary) < 3_000) {
      if (Date.now() > deadline) {
        throw new Error(`The stream carried no voice in ${socket.binary.length} batches`);
      }
      await pause(100);
    }
  } finally {
    socket.close();
  }
}

/** Trains a model as Ada does on the page, and waits until it is no longer training. */
async function trainModel(ada: HttpBrowser): Promise<string> {
  const page = "/admin/recommendations";
  await redirected(
    ada.post(`${page}/train`, {
      factors: "4",
      regularization: "0.1",
      alpha: "10",
      unobserved_weight: "1",
      regularization_exponent: "0",
      iterations: "2",
      weight_pick: "2",
      weight_follow: "3",
      weight_listen: "1",
    }),
  );
  const deadline = Date.now() + 60_000;
  while (true) {
    const card = await (await expectHttpStatus(
      ada.get(`${page}/training`, { "HX-Request": "true" }),
      200,
    )).text();
    if (!card.includes('hx-trigger="every 1s"')) return card;
    if (Date.now() > deadline) throw new Error("Still training after 60 s");
    await pause(200);
  }
}

/** Stops the server the way an operator does (SIGTERM) and waits for every traced process. */
async function stopServer(child: Deno.ChildProcess, serverPid: number): Promise<void> {
  Deno.kill(serverPid, "SIGTERM");
  const deadline = Date.now() + 30_000;
  const ended = await Promise.race([
    child.status.then(() => true),
    (async () => {
      while (Date.now() < deadline) await pause(200);
      return false;
    })(),
  ]);
  if (!ended) {
    for (const pid of (await processTree(child.pid)).reverse()) {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
    await child.status;
    throw new Error("Palabre did not stop within 30 s of SIGTERM");
  }
}

Deno.test({
  name: "README's start and seed commands reach nothing beyond this machine",
  ignore: ignored(),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    if (!straceFound()) throw new Error("strace not found: apt-get install strace");
    const readme = await Deno.readTextFile(`${repository}README.md`);
    for (const command of [startCommand, seedCommand]) {
      assert.ok(readme.includes(command.join(" ")), `README gives ${command.join(" ")}`);
    }
    const work = await Deno.makeTempDir({ prefix: "palabre-no-network-" });
    try {
      const port = freePort();
      const origin = `http://127.0.0.1:${port}`;
      const startLog = `${work}/start.strace`;
      const server = traced(startCommand, {
        log: startLog,
        env: {
          DATA_DIR: `${work}/data`,
          PORT: String(port),
          // Every listener beyond the first hears the room's stream.
          WEBRTC_LISTENERS_PER_ROOM: "0",
        },
        stdout: "piped",
      });
      const lines = server.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let output = "";
      const startDeadline = Date.now() + 120_000;
      while (!output.includes("listening on")) {
        if (Date.now() > startDeadline) throw new Error(`Palabre did not start:\n${output}`);
        const { value, done } = await lines.read();
        if (done) throw new Error(`Palabre exited before listening:\n${output}`);
        output += value;
      }
      (async () => {
        while (!(await lines.read()).done) { /* keep the pipe flowing */ }
      })().catch(() => {});

      const [serverPid] = await processesRunning(server.pid, "main.ts");
      let mediaPids: number[] = [];
      try {
        assert.ok(serverPid, "the server runs under strace");
        const { ada, grace, roomPath } = await setUpRoom(origin);
        const speaker = await startSpeaker(origin, roomPath, ada.cookieHeader());
        try {
          mediaPids = await processesRunning(server.pid, "media_process.ts");
          await hearStream(origin, roomPath, grace.cookieHeader());
        } finally {
          await speaker.stop();
        }
        const card = await trainModel(ada);
        assert.match(card, /Model #1 was trained in/, "the training ran to its end");
      } finally {
        if (serverPid) await stopServer(server, serverPid);
        else server.kill("SIGKILL");
        await server.status;
      }

      const seedLog = `${work}/seed.strace`;
      const seeding = traced([...seedCommand, "--members", "20", "--listens", "200"], {
        log: seedLog,
        env: { DATA_DIR: `${work}/seeded` },
        stdout: "null",
      });
      assert.ok((await seeding.status).success, "seeding succeeded");

      const started = await Deno.readTextFile(startLog);
      // The trace followed the server and its media process, not just npx.
      assert.ok(mediaPids.length > 0, "voice ran in a media process");
      for (const pid of [serverPid, ...mediaPids]) {
        assert.match(started, new RegExp(`^${pid} `, "m"), `process ${pid} is in the trace`);
      }
      assert.ok(outboundIn(started).length > 0, "the trace recorded what was sent");
      const own = ownAddresses();
      const beyond = [
        ...outboundBeyond(started, own),
        ...outboundBeyond(await Deno.readTextFile(seedLog), own),
      ];
      assert.equal(beyond.length, 0, `sent beyond this machine:\n${describe(beyond)}`);
    } finally {
      await Deno.remove(work, { recursive: true });
    }
  },
});
