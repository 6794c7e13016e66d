/**
 * A parent for the orphan test in tests/media/media_process_test.ts: opens `rooms` rooms on
 * `MediaProcesses` (one media process each), prints the media processes' ids as one JSON line,
 * then waits to be killed.
 *
 * @example
 * deno run -A tests/media/support/media_parent.ts 2
 */
import { MediaProcesses } from "../../../media/media_processes.ts";

const rooms = Number(Deno.args[0] ?? 1);
const media = new MediaProcesses({ processes: rooms, iceServers: [] });
const handles = Array.from({ length: rooms }, () => media.openRoom({ onSpeaking: () => {} }));
// A call answered means the process has started and holds its room.
await Promise.all(handles.map((room) => room.stats()));
console.log(JSON.stringify({ pids: media.pids }));
// Until killed.
setInterval(() => {}, 60_000);
