/**
 * The baseline for bench/live.ts: a bare Deno WebSocket server that, on `POST /broadcast`,
 * sends the same bytes Palabre sent for that state to every socket. No database, no rendering:
 * what is left is the cost of the sockets themselves.
 *
 * @example
 * PORT=9001 FRAMES=/tmp/frames.json deno run -A bench/live_baseline.ts
 */
const frames: [string, string] = JSON.parse(await Deno.readTextFile(Deno.env.get("FRAMES")!));
const sockets = new Set<WebSocket>();

Deno.serve({
  hostname: "127.0.0.1",
  port: Number(Deno.env.get("PORT")),
  onListen: ({ port }) => console.log(`baseline listening on ${port}`),
}, async (request) => {
  const url = new URL(request.url);
  if (url.pathname === "/ws") {
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.onopen = () => {
      sockets.add(socket);
      socket.send(frames[1]);
    };
    socket.onclose = () => sockets.delete(socket);
    return response;
  }
  if (url.pathname === "/broadcast" && request.method === "POST") {
    const frame = frames[Number(await request.text()) % 2];
    for (const socket of sockets) socket.send(frame);
    return new Response(null, { status: 204 });
  }
  return new Response("Not found", { status: 404 });
});
