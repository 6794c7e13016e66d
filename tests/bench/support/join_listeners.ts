/**
 * Listeners joining a room's voice as bench/audio_listeners.ts joins them, for
 * tests/bench/audio_voice_test.ts; in a process of its own because wrtc must end with
 * `Deno.exit()` (media/wrtc.ts). Prints what `joinListeners` returned as one JSON line.
 *
 * @example
 * deno run -A tests/bench/support/join_listeners.ts http://127.0.0.1:8123 3 300
 */
import { hangUp, joinListeners } from "../../../bench/audio_voice.ts";

const [origin, listeners, timeoutMs] = Deno.args;
const cookies = Array.from({ length: Number(listeners) }, (_, i) => `palabre_session=${i}`);
const { joined, failed, error } = await joinListeners(origin, "room", cookies, {
  timeoutMs: Number(timeoutMs),
});
console.log(JSON.stringify({ joined: joined.length, failed, error }));
hangUp(joined);
Deno.exit(0);
