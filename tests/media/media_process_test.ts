/**
 * Rooms' media in a media process of its own, as main.ts runs it: the same audio guarantees
 * through the process boundary, and a media process that dies is reported to its rooms and
 * replaced by a fresh one for the next room.
 */
import assert from "node:assert/strict";
import { processRuns } from "../support/processes.ts";
import { MediaProcesses } from "../../media/media_processes.ts";
import { MediaLab } from "./support/lab.ts";
import { framesHolding, lacks, recent, waitUntil } from "./support/listening.ts";

const a = 440;
const b = 660;

async function pause(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

Deno.test("through a media process, a listener hears both speakers and a muted one is gone within 100 ms", async () => {
  await using lab = MediaLab.start({ mediaProcess: true });
  await lab.join("a", { role: "speaker", heard: true, toneHz: a });
  await lab.join("b", { role: "speaker", heard: true, toneHz: b });
  await lab.join("l", { role: "listener" });
  await waitUntil(lab, "l", { hears: a });
  await waitUntil(lab, "l", { hears: b });
  await waitUntil(lab, "b", { hears: a });
  assert.ok(lacks(await recent(lab, "a"), a), "a hears themselves");
  const processes = await lab.mediaProcesses();
  assert.equal(processes.running, 1);
  assert.notEqual(processes.pids[0], undefined);

  const marks = await lab.setHeard("a", false);
  await waitUntil(lab, "l", { lacks: a });
  await pause(300);
  const after = await lab.received("l", marks.l);
  const late = framesHolding(after, a);
  assert.ok(late <= 10, `l still heard a for ${late} frames of 10 ms`);
  assert.ok(lacks(after.subarray(late * 480), a), "a came back");
  assert.equal(await lab.close(), null);
});

Deno.test("through a media process, a speaker moved to the audience and back is heard again once unmuted", async () => {
  await using lab = MediaLab.start({ mediaProcess: true });
  await lab.join("a", { role: "speaker", heard: true, toneHz: a });
  await lab.join("l", { role: "listener" });
  await waitUntil(lab, "l", { hears: a });
  // The web process restates places it has already sent; only changes may count.
  await lab.setRole("a", "speaker");
  await lab.setHeard("a", true);
  await lab.setRole("a", "listener");
  await waitUntil(lab, "l", { lacks: a });
  // Leaving the stage muted them: back on stage, they wait for their own unmute.
  await lab.setRole("a", "speaker");
  await pause(300);
  assert.ok(lacks(await recent(lab, "l"), a), "a was heard on stage before unmuting");
  await lab.setHeard("a", true);
  await waitUntil(lab, "l", { hears: a });
  assert.equal(await lab.close(), null);
});

Deno.test("a media process that dies is reported to its room, and the next room gets a new one", async () => {
  await using lab = MediaLab.start({ mediaProcess: true });
  await lab.join("a", { role: "speaker", heard: true, toneHz: a });
  await lab.join("l", { role: "listener" });
  await waitUntil(lab, "l", { hears: a });
  const [pid] = (await lab.mediaProcesses()).pids;
  Deno.kill(pid, "SIGKILL");
  const deadline = Date.now() + 10_000;
  while ((await lab.mediaProcesses()).lost === 0 && Date.now() < deadline) await pause(50);
  assert.deepEqual(await lab.mediaProcesses(), { running: 0, pids: [], lost: 1 });
  const refused = await lab.signal("l", { type: "offer", sdp: "v=0" });
  assert.equal(refused.refused, "room_closed", "a lost room refuses signalling");

  await lab.openAgain();
  await lab.join("a", { role: "speaker", heard: true, toneHz: a });
  await lab.join("l", { role: "listener" });
  await waitUntil(lab, "l", { hears: a });
  const again = await lab.mediaProcesses();
  assert.equal(again.running, 1);
  assert.notEqual(again.pids[0], pid);
  await lab.close();
});

Deno.test("a media process starts from what is installed and asks the npm registry nothing", async () => {
  // A registry that answers nothing useful and remembers every question, and a Deno cache
  // without the packages' registry metadata: a media process that looked anything up asks here.
  const asked: string[] = [];
  await using registry = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request) => {
      asked.push(new URL(request.url).pathname);
      return new Response("The registry is out of reach", { status: 503 });
    },
  );
  const denoDir = await Deno.makeTempDir({ prefix: "palabre-deno-dir-" });
  try {
    await using lab = MediaLab.start({
      mediaProcess: true,
      env: {
        DENO_DIR: denoDir,
        NPM_CONFIG_REGISTRY: `http://127.0.0.1:${registry.addr.port}/`,
      },
    });
    await lab.join("a", { role: "speaker", heard: true, toneHz: a });
    await lab.join("l", { role: "listener" });
    await waitUntil(lab, "l", { hears: a });
    assert.deepEqual(asked, [], "the registry was asked");
    assert.equal(await lab.close(), null);
  } finally {
    await Deno.remove(denoDir, { recursive: true });
  }
});

Deno.test("media processes end when the process that started them is killed with SIGKILL", async () => {
  const script = new URL("./support/media_parent.ts", import.meta.url).pathname;
  const parent = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", script, "2"],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = parent.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { done, value } = await reader.read();
    if (done) break;
    text += value;
  }
  const { pids } = JSON.parse(text) as { pids: number[] };
  assert.equal(pids.length, 2);
  for (const pid of pids) assert.ok(processRuns(pid), `media process ${pid} did not start`);

  // SIGKILL runs no handler, no `finally`, no unload: only the kernel closes the parent's pipes.
  parent.kill("SIGKILL");
  await parent.status;
  await reader.cancel();
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && pids.some(processRuns)) {
    await pause(50);
  }
  const orphans = [];
  for (const pid of pids) if (processRuns(pid)) orphans.push(pid);
  for (const pid of orphans) Deno.kill(pid, "SIGKILL");
  assert.deepEqual(orphans, [], "media processes outlived their parent");
});

Deno.test("stopping media processes kills one that does not end when asked", async () => {
  const errors: unknown[] = [];
  const media = new MediaProcesses({
    processes: 1,
    iceServers: [],
    stopTimeoutMs: 300,
    onError: (error) => errors.push(error),
  });
  media.openRoom({ onSpeaking: () => {} });
  const [pid] = media.pids;
  // A stopped process reads nothing, as one whose thread is stuck under load: closing its stdin
  // does not end it.
  Deno.kill(pid, "SIGSTOP");
  await media.stop();
  assert.equal(processRuns(pid), false, `media process ${pid} still runs`);
  assert.deepEqual(errors, [`Media process ${pid} did not end within 300 ms; killed it`]);
});
