/**
 * The baseline: a bare `Deno.serve` answering "hello" on `PORT`, started as its own process by
 * `bench/http.ts` so that it is loaded exactly as Palabre is.
 *
 * @example
 * PORT=8001 deno run --allow-net=127.0.0.1 --allow-env=PORT bench/hello_server.ts
 */
const port = Number(Deno.env.get("PORT") ?? 8001);

const server = Deno.serve(
  { hostname: "127.0.0.1", port, onListen: () => {} },
  () => new Response("hello"),
);

Deno.addSignalListener("SIGTERM", async () => {
  await server.shutdown();
  Deno.exit(0);
});
