/**
 * A media process (see media_processes.ts): the `RoomMedia` of every room given to it, driven
 * by JSON lines on stdin, in the order they were written, answering on stdout. It ends when its
 * stdin closes, which is also what happens when the web server's process goes.
 *
 * @example
 * deno run --allow-read --allow-env --allow-ffi --allow-sys media/media_process.ts
 */
import { encodeBatch } from "./broadcast.ts";
import { MediaError } from "./errors.ts";
import { jsonLine, jsonLines } from "./json_lines.ts";
import type { FromMedia, ToMedia } from "./media_processes.ts";
import { RoomMedia } from "./room_media.ts";

const rooms = new Map<number, RoomMedia>();
// Writes one after another: a line is never interleaved with another.
let writing = Promise.resolve();

function post(message: FromMedia): void {
  const line = jsonLine(message);
  writing = writing.then(async () => {
    let written = 0;
    while (written < line.length) written += await Deno.stdout.write(line.subarray(written));
  });
}

function refusal(call: number, error: unknown): FromMedia {
  return error instanceof MediaError
    ? { op: "refused", call, code: error.code, message: error.message }
    : { op: "refused", call, code: "failed", message: String((error as Error)?.message ?? error) };
}

function roomOf(room: number): RoomMedia {
  const media = rooms.get(room);
  if (!media) throw new MediaError("room_closed", "Room has ended");
  return media;
}

function receive(message: ToMedia): void {
  switch (message.op) {
    case "open":
      rooms.set(
        message.room,
        new RoomMedia({
          iceServers: message.iceServers,
          onSpeaking: (sessionIds) => post({ op: "speaking", room: message.room, sessionIds }),
          onBroadcast: (first, packets) =>
            post({
              op: "audio",
              room: message.room,
              batch: encodeBatch(first, packets).toBase64(),
            }),
          onError: (error) =>
            post({
              op: "error",
              room: message.room,
              message: String((error as Error)?.stack ?? error),
            }),
        }),
      );
      return;
    case "signal": {
      const { call } = message;
      Promise.resolve()
        .then(() => roomOf(message.room).handleSignal(message.sessionId, message.message))
        .then(
          (result) => post({ op: "answer", call, result }),
          (error) => post(refusal(call, error)),
        );
      return;
    }
    case "role":
      rooms.get(message.room)?.setRole(message.sessionId, message.role);
      return;
    case "heard":
      rooms.get(message.room)?.setHeard(message.sessionId, message.heard);
      return;
    case "leave":
      rooms.get(message.room)?.leave(message.sessionId);
      return;
    case "broadcast":
      rooms.get(message.room)?.setBroadcast(message.on);
      return;
    case "stats":
      try {
        post({ op: "answer", call: message.call, result: roomOf(message.room).stats() });
      } catch (error) {
        post(refusal(message.call, error));
      }
      return;
    case "close":
      rooms.get(message.room)?.close();
      rooms.delete(message.room);
      return;
  }
}

for await (const message of jsonLines(Deno.stdin.readable)) {
  try {
    receive(message as ToMedia);
  } catch (error) {
    console.error("Media process: a message failed:", error);
  }
}
for (const room of rooms.values()) room.close();
await writing;
// wrtc crashes a process that ends by running out of work (see wrtc.ts).
Deno.exit(0);
