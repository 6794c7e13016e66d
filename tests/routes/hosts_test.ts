/**
 * Which Host a request may name. Without PUBLIC_ORIGIN the request's own origin is what the
 * cross-site check expects, so a Host Palabre was not told to answer must be refused first.
 */
import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import { loadConfig, originNotice } from "../../config.ts";
import { buildApp } from "../../routes/app.tsx";
import type { Sql } from "../../db/client.ts";

async function appWith(sql: Sql, env: Record<string, string> = {}) {
  const config = await loadConfig({ SECRET_KEY: "x", DATA_DIR: "/nonexistent", ...env });
  return { app: buildApp({ sql, config }), config };
}

const signIn = (origin: string) => ({
  method: "POST",
  headers: { Origin: origin, "Content-Type": "application/x-www-form-urlencoded" },
  body: "handle=ada&password=correct+horse+1",
});

dbTest("a forged Host is refused on pages, forms, sockets and files", async (sql) => {
  const { app } = await appWith(sql);
  const requests: [string, RequestInit][] = [
    ["http://evil.example/signin", signIn("http://evil.example")],
    ["http://evil.example/", {}],
    ["http://evil.example/hallway/live", {
      headers: { Upgrade: "websocket", Origin: "http://evil.example" },
    }],
    ["http://evil.example/static/app.css", {}],
  ];
  for (const [url, init] of requests) {
    const response = await app.request(url, init);
    assert.equal(response.status, 421, `${url} answered ${response.status}`);
    assert.match(await response.text(), /does not answer to the host "evil\.example"/);
  }
});

dbTest("a forged Host cannot pass the cross-site check on a real socket", async (sql) => {
  const { app } = await appWith(sql);
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, app.fetch);
  try {
    const connection = await Deno.connect({ port: server.addr.port, hostname: "127.0.0.1" });
    const body = "handle=ada&password=correct+horse+1";
    const request = [
      "POST /signin HTTP/1.1",
      "Host: evil.example",
      "Origin: http://evil.example",
      "Content-Type: application/x-www-form-urlencoded",
      `Content-Length: ${body.length}`,
      "Connection: close",
      "",
      body,
    ].join("\r\n");
    await connection.write(new TextEncoder().encode(request));
    const answer = new TextDecoder().decode(
      await new Response(connection.readable).bytes(),
    );
    assert.match(answer, /^HTTP\/1\.1 421 /);
    assert.doesNotMatch(answer, /set-cookie/i);
  } finally {
    await server.shutdown();
  }
});

dbTest("loopback names and this machine's own addresses are answered", async (sql) => {
  const { app, config } = await appWith(sql);
  const hosts = ["localhost:8000", "127.0.0.1:8000", "[::1]:8000", "palabre.localhost"];
  hosts.push(...config.machineAddresses.filter((a) => !a.startsWith("127.") && a !== "[::1]"));
  for (const host of hosts) {
    const response = await app.request(`http://${host}/signin`);
    assert.equal(response.status, 200, `${host} answered ${response.status}`);
  }
  // The same-origin form still works on an answered host.
  const response = await app.request(
    "http://localhost:8000/signin",
    signIn("http://localhost:8000"),
  );
  assert.equal(response.status, 401);
});

dbTest("ALLOWED_HOSTS and PUBLIC_ORIGIN's host are answered, and nothing else", async (sql) => {
  const { app } = await appWith(sql, { ALLOWED_HOSTS: "palabre.lan, Voice.Lan" });
  for (const host of ["palabre.lan", "voice.lan:8000"]) {
    assert.equal((await app.request(`http://${host}/signin`)).status, 200, host);
  }
  assert.equal((await app.request("http://other.lan/signin")).status, 421);

  const proxied = await appWith(sql, { PUBLIC_ORIGIN: "https://palabre.example.org" });
  assert.equal((await proxied.app.request("https://palabre.example.org/signin")).status, 200);
  assert.equal(
    (await proxied.app.request(
      "https://palabre.example.org/signin",
      signIn("https://palabre.example.org"),
    )).status,
    401,
  );
  // Behind a proxy the Host may be loopback, but the origin expected is the public one.
  const local = await proxied.app.request(
    "http://127.0.0.1:8000/signin",
    signIn("http://127.0.0.1:8000"),
  );
  assert.equal(local.status, 403);
});

Deno.test("ALLOWED_HOSTS with a scheme or a port is refused at start with a clear message", async () => {
  for (const value of ["https://palabre.lan", "palabre.lan:8000"]) {
    await assert.rejects(
      loadConfig({ SECRET_KEY: "x", ALLOWED_HOSTS: value }),
      /ALLOWED_HOSTS must list host names without scheme or port/,
    );
  }
  await assert.rejects(
    loadConfig({ SECRET_KEY: "x", PUBLIC_ORIGIN: "ftp://palabre.lan" }),
    /PUBLIC_ORIGIN must start with https:\/\/ or http:\/\//,
  );
});

Deno.test("start-up says which origin is in force and warns beyond loopback", async () => {
  const local = await loadConfig({ SECRET_KEY: "x", HOST: "127.0.0.1" });
  assert.match(originNotice(local).line, /taken from each request's Host/);
  assert.equal(originNotice(local).warning, undefined);

  const everywhere = await loadConfig({ SECRET_KEY: "x", HOST: "0.0.0.0" });
  assert.match(originNotice(everywhere).warning ?? "", /without PUBLIC_ORIGIN/);

  const proxied = await loadConfig({
    SECRET_KEY: "x",
    HOST: "0.0.0.0",
    PUBLIC_ORIGIN: "https://palabre.example.org/",
  });
  assert.equal(originNotice(proxied).line, "Origin: https://palabre.example.org (PUBLIC_ORIGIN)");
  assert.equal(originNotice(proxied).warning, undefined);
});
