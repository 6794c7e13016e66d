/**
 * The multi-host harness (tests/support/hosts.ts): three Palabre hosts, each with an address of
 * its own in a network namespace, on one PostgreSQL and one nats-server, reachable from here,
 * serving one community; and nothing of theirs left once stopped.
 */
import assert from "node:assert/strict";
import { databaseKinds, freshDatabase } from "../support/databases.ts";
import { expectHttpStatus, HttpBrowser } from "../support/http_browser.ts";
import { type Hosts, startHosts } from "../support/hosts.ts";
import { processRuns } from "../support/processes.ts";
import { LiveSocket, seedRoom } from "./support.ts";
import { findChromium, launchChromium } from "../browser/support.ts";

const inCi = Deno.env.get("CI") === "true";
const natsServer = await which("nats-server");
if (!natsServer && inCi) throw new Error("CI=true but nats-server is not installed");
const missing = [
  ...(databaseKinds.includes("postgres") ? [] : ["TEST_DATABASE_URL"]),
  ...(natsServer ? [] : ["nats-server"]),
];
if (missing.length > 0) {
  console.warn(`\n!!! ${missing.join(" and ")} missing: the multi-host tests are SKIPPED !!!\n`);
}

Deno.test({
  name: "three hosts serve one community, each on an address of its own [postgres]",
  ignore: missing.length > 0,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const db = await freshDatabase("postgres");
    const stale = await staleRunOfDeadProcess();
    let hosts: Hosts | undefined;
    const sockets: LiveSocket[] = [];
    try {
      const world = await seedRoom(db.sql, "Across hosts");
      hosts = await startHosts({ count: 3, databaseUrl: db.url! });
      const [a, b, c] = hosts.hosts;

      await t.step("each host answers on its own address, from here", async () => {
        assert.equal(new Set(hosts!.hosts.map((h) => h.address)).size, 3);
        for (const host of hosts!.hosts) {
          assert.equal(host.origin, `http://${host.address}:${host.port}`);
          const page = await expectHttpStatus(fetch(`${host.origin}/signin`), 200);
          await page.body?.cancel();
        }
        if (stale) {
          // Where this test could make a namespace, the harness must not have fallen back.
          assert.equal(hosts!.isolation, "namespaces");
          for (const host of hosts!.hosts) assert.match(host.address, /^10\.213\.\d+\.1\d$/);
        } else {
          console.warn("!!! hosts ran as loopback processes: namespace checks SKIPPED !!!");
        }
      });

      await t.step("Palabre listens on the host's address only, inside its namespace", async () => {
        for (const host of hosts!.hosts) {
          const listening = await host.run("ss", ["-ltnH"]);
          const ours = listening.split("\n").filter((l) => l.includes(`:${host.port} `));
          assert.equal(ours.length, 1, listening);
          assert.match(
            ours[0],
            new RegExp(` ${host.address.replaceAll(".", "\\.")}:${host.port} `),
          );
          // The pid a host gives is Palabre's own (`ip netns exec` execs), so signals reach it.
          const command = await Deno.readTextFile(`/proc/${host.pid}/cmdline`);
          assert.match(command, /main\.ts/);
          if (hosts!.isolation === "namespaces") {
            const inside = await ip(["netns", "pids", host.namespace!]);
            assert.ok(inside.split("\n").includes(String(host.pid)), inside);
            // A machine of its own: loopback and its one interface, nothing of the root's.
            const addresses = await host.run("ip", ["-4", "-o", "addr", "show"]);
            assert.deepEqual(
              addresses.trim().split("\n").map((l) => l.split(/\s+/).slice(1, 4).join(" ")),
              ["lo inet 127.0.0.1/8", `eth0 inet ${host.address}/24`],
            );
          }
        }
      });

      await t.step("every host reaches the one nats-server", async () => {
        const { hostname, port } = new URL(hosts!.natsUrl);
        for (const host of hosts!.hosts) {
          const greeting = await host.run("bash", [
            "-c",
            `exec 3<>/dev/tcp/${hostname}/${port}; head -c 4 <&3`,
          ]);
          assert.equal(greeting, "INFO");
        }
      });

      await t.step("a member who joins through host A signs in on host C", async () => {
        const ada = new HttpBrowser(a.origin);
        const adaCookie = { Cookie: world.adaCookie };
        await expectHttpStatus(ada.post("/invites", {}, adaCookie), 303);
        const invites = await (await ada.get("/invites", adaCookie)).text();
        const token = /\/join\/([A-Za-z0-9_-]+)/.exec(invites)?.[1];
        assert.ok(token, "no invite link on host A's /invites");
        const joining = new HttpBrowser(a.origin);
        await expectHttpStatus(
          joining.post(`/join/${token}`, {
            handle: "hedy",
            display_name: "Hedy",
            password: "correct horse 3",
          }),
          303,
        );

        const onC = new HttpBrowser(c.origin);
        const signedOut = await expectHttpStatus(onC.get("/topics"), 303);
        assert.equal(signedOut.headers.get("Location"), "/signin?next=%2Ftopics");
        const signedIn = await expectHttpStatus(
          onC.post("/signin", { handle: "hedy", password: "correct horse 3" }),
          303,
        );
        // Hedy has not picked topics yet: that is where her own session takes her.
        assert.equal(signedIn.headers.get("Location"), "/topics");
        const page = await expectHttpStatus(onC.get("/topics"), 200);
        assert.match(await page.text(), /action="\/signout"/);
      });

      await t.step("a room change through host B reaches a page's socket on host A", async () => {
        const socket = await LiveSocket.open(
          a.origin,
          `/rooms/${world.publicId}/live`,
          world.adaCookie,
        );
        sockets.push(socket);
        await socket.waitFor((frame) => handsCount(frame) === 0);
        const grace = new HttpBrowser(b.origin);
        await expectHttpStatus(
          grace.post("/rooms/" + world.publicId + "/act", { action: "raise_hand" }, {
            Cookie: world.graceCookie,
          }),
          303,
        );
        const frame = await socket.waitFor((f) => handsCount(f) === 1);
        assert.match(frame, /class="hand-queue".*Invite to speak: @grace/s);
      });

      await t.step("a wrtc peer here connects to a host's room media", async () => {
        // Ada is on stage: the speaker is ready once its connection to host A's media sends.
        const speaker = await startSpeaker(a.origin, `/rooms/${world.publicId}`, world.adaCookie);
        await speaker.stop();
      });

      await t.step({
        name: "Chromium here opens a host's page as a secure context",
        ignore: !findChromium() && !inCi,
        async fn() {
          const browser = await launchChromium({ args: hosts!.chromiumArgs });
          try {
            const page = await browser.newPage();
            await page.goto(`${c.origin}/signin`);
            await page.getByLabel("Handle").waitFor();
            // Else a page on the host's address would get no microphone.
            assert.equal(await page.evaluate("isSecureContext"), true);
          } finally {
            await browser.close();
          }
        },
      });

      await t.step(
        "a host killed with SIGKILL leaves the others serving; it restarts",
        async () => {
          const killedPid = b.pid!;
          const status = await b.kill("SIGKILL");
          assert.equal(status?.signal, "SIGKILL");
          assert.equal(b.pid, undefined);
          await assert.rejects(fetch(`${b.origin}/signin`));
          for (const host of [a, c]) {
            const page = await expectHttpStatus(fetch(`${host.origin}/signin`), 200);
            await page.body?.cancel();
          }
          // Ada's socket on A still hears the room, now changed through C.
          const socket = sockets[0];
          const heard = socket.frames.length;
          const grace = new HttpBrowser(c.origin);
          await expectHttpStatus(
            grace.post(`/rooms/${world.publicId}/act`, { action: "lower_hand" }, {
              Cookie: world.graceCookie,
            }),
            303,
          );
          await socket.waitFor(() => socket.frames.slice(heard).some((f) => handsCount(f) === 0));
          await b.restart();
          assert.notEqual(b.pid, killedPid);
          const page = await expectHttpStatus(fetch(`${b.origin}/signin`), 200);
          await page.body?.cancel();
        },
      );

      if (stale) {
        await t.step("namespaces and interfaces of a dead run were removed", async () => {
          assert.ok(!(await ip(["netns", "list"])).includes(stale.namespace));
          assert.ok(!(await ip(["-o", "link", "show"])).includes(stale.bridge));
          // What it left running inside (a host of the dead run, say) was ended.
          const ended = await Promise.race([
            stale.process.status,
            new Promise((resolve) => setTimeout(resolve, 15_000, "still running")),
          ]);
          assert.equal((ended as Deno.CommandStatus).signal, "SIGKILL", JSON.stringify(ended));
        });
      }

      const { bridge, namespaces } = hosts.networkNames;
      const pids = hosts.hosts.map((h) => h.pid!);
      if (stale) {
        // What the clean-up must remove is there to begin with: three hosts and nats-server.
        assert.equal(namespaces.length, 4);
        const namespacesMade = await ip(["netns", "list"]);
        for (const namespace of namespaces) assert.ok(namespacesMade.includes(namespace));
        assert.ok((await ip(["-o", "link", "show"])).includes(bridge!));
      }
      await hosts.stop();
      await t.step("after stop, no process, namespace or bridge of the run remains", async () => {
        for (const pid of pids) assert.ok(!processRuns(pid), `pid ${pid} still runs`);
        // Not by connecting: with its route gone, the address would be sought beyond this machine.
        const { hostname, port } = new URL(hosts!.natsUrl);
        assert.deepEqual(await commandLinesWith(`-a\0${hostname}\0-p\0${port}`), []);
        if (!stale) return;
        const namespacesLeft = await ip(["netns", "list"]);
        for (const namespace of namespaces) assert.ok(!namespacesLeft.includes(namespace));
        const links = await ip(["-o", "link", "show"]);
        assert.ok(bridge && !links.includes(bridge));
        assert.ok(!links.includes(`plb${Deno.pid}-`), links);
      });
    } finally {
      for (const socket of sockets) socket.close();
      await hosts?.stop();
      if (stale) kill(stale.process);
      if (stale) await ip(["netns", "del", stale.namespace]).catch(() => {});
      if (stale) await ip(["link", "del", stale.bridge]).catch(() => {});
      await db.close();
    }
  },
});

Deno.test({
  name: "hosts fall back to plain processes on loopback addresses of their own [postgres]",
  ignore: missing.length > 0,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const db = await freshDatabase("postgres");
    const hosts = await startHosts({ count: 2, databaseUrl: db.url!, isolation: "loopback" });
    try {
      assert.equal(hosts.isolation, "loopback");
      assert.deepEqual(hosts.hosts.map((h) => h.address), ["127.0.0.10", "127.0.0.11"]);
      for (const host of hosts.hosts) {
        const page = await expectHttpStatus(fetch(`${host.origin}/signin`), 200);
        await page.body?.cancel();
        // Listening on its own address only: the other host's address does not answer its port.
        const other = hosts.hosts.find((h) => h !== host)!;
        await assert.rejects(fetch(`http://${other.address}:${host.port}/signin`));
      }
      const pids = hosts.hosts.map((h) => h.pid!);
      await hosts.stop();
      for (const pid of pids) assert.ok(!processRuns(pid), `pid ${pid} still runs`);
      const { hostname, port } = new URL(hosts.natsUrl);
      assert.deepEqual(await commandLinesWith(`-a\0${hostname}\0-p\0${port}`), []);
    } finally {
      await hosts.stop();
      await db.close();
    }
  },
});

/**
 * A speaker's wrtc peer (tests/privacy/support/speaker.ts) in a process of its own, in this
 * namespace; resolves once its connection is up and sending.
 */
async function startSpeaker(
  origin: string,
  roomPath: string,
  cookie: string,
): Promise<{ stop(): Promise<void> }> {
  const script = new URL("../privacy/support/speaker.ts", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--cached-only", "--allow-all", "--quiet", script, origin, roomPath, cookie],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const [stdout, stderr] = [child.stdout, child.stderr].map((s) =>
    s.pipeThrough(new TextDecoderStream()).getReader()
  );
  let errors = "";
  (async () => {
    for (let r = await stderr.read(); !r.done; r = await stderr.read()) errors += r.value;
  })();
  let output = "";
  while (!output.includes('{"ready":true}')) {
    const { value, done } = await stdout.read();
    if (done) {
      await child.stdin.close().catch(() => {});
      await child.status;
      throw new Error(`The speaker ended before sending:\n${output}${errors}`);
    }
    output += value;
  }
  return {
    async stop() {
      await child.stdin.close();
      while (!(await stdout.read()).done) { /* drain */ }
      const status = await child.status;
      assert.ok(status.success, `the speaker exited with ${status.code}: ${errors}`);
    },
  };
}

/**
 * The namespace (with a process still running in it) and bridge a test process that died before
 * its clean-up would leave, named after a pid that has ended; undefined where namespaces cannot
 * be made.
 */
async function staleRunOfDeadProcess(): Promise<
  { namespace: string; bridge: string; process: Deno.ChildProcess } | undefined
> {
  if (Deno.uid() !== 0 || !(await which("ip"))) return undefined;
  const ended = new Deno.Command("true").spawn();
  await ended.status;
  const run = `plb${ended.pid}-0`;
  const stale = { namespace: `${run}-host0`, bridge: `${run}br` };
  try {
    await ip(["netns", "add", stale.namespace]);
    await ip(["link", "add", stale.bridge, "type", "bridge"]);
  } catch (error) {
    if (inCi) throw error;
    return undefined;
  }
  const process = new Deno.Command("ip", {
    args: ["netns", "exec", stale.namespace, "sleep", "600"],
    stdin: "null",
  }).spawn();
  while (!(await ip(["netns", "pids", stale.namespace])).includes(String(process.pid))) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return { ...stale, process };
}

function kill(child: Deno.ChildProcess): void {
  try {
    child.kill("SIGKILL");
  } catch {
    // Already ended.
  }
}

/** The count in the moderators' "Raised hands (n)" heading of a room frame. */
function handsCount(html: string): number | undefined {
  const count = /Raised hands <span class="count">\((\d+)\)/.exec(html)?.[1];
  return count === undefined ? undefined : Number(count);
}

async function ip(args: string[]): Promise<string> {
  const result = await new Deno.Command("ip", { args, stdout: "piped", stderr: "piped" }).output();
  if (!result.success) throw new Error(new TextDecoder().decode(result.stderr));
  return new TextDecoder().decode(result.stdout);
}

async function which(command: string): Promise<boolean> {
  const result = await new Deno.Command("sh", { args: ["-c", `command -v ${command}`] }).output();
  return result.success;
}

/** The command lines of running processes that contain `text` (arguments joined by NUL). */
async function commandLinesWith(text: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const line = await Deno.readTextFile(`/proc/${entry.name}/cmdline`).catch(() => "");
    if (line.includes(text)) found.push(line);
  }
  return found;
}
