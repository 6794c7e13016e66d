/**
 * The benchmark's voice clients (bench/audio_voice.ts) against a server too busy to answer: the
 * step records who could not join instead of ending the benchmark.
 */
import assert from "node:assert/strict";

Deno.test("listeners a server never answers count as failed, and the rest are not tried", async () => {
  let opened = 0;
  let offers = 0;
  // Says where the listener is, as Palabre does, then never answers the offer.
  await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.onopen = () => {
      opened++;
      socket.send(JSON.stringify({ type: "state", stage: false }));
    };
    socket.onmessage = () => offers++;
    return response;
  });
  const script = new URL("./support/join_listeners.ts", import.meta.url).pathname;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", script, `http://127.0.0.1:${server.addr.port}`, "3", "300"],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  assert.ok(output.success, "joining listeners ended the process");
  const result = JSON.parse(new TextDecoder().decode(output.stdout));
  assert.deepEqual(result, { joined: 0, failed: 3, error: "No answer frame" });
  // The first listener waited in vain; the others were not tried on an overloaded server.
  assert.deepEqual({ opened, offers }, { opened: 1, offers: 1 });
});
