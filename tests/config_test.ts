/** `ICE_SERVERS`: empty by default (no third party), a checked JSON list otherwise. */
import assert from "node:assert/strict";
import { iceServers } from "../config.ts";

Deno.test("without ICE_SERVERS voice asks no third party", () => {
  assert.deepEqual(iceServers(undefined), []);
  assert.deepEqual(iceServers(""), []);
});

Deno.test("ICE_SERVERS takes a JSON list of STUN and TURN servers", () => {
  const value = '[{"urls":"stun:stun.example.org:3478"},' +
    '{"urls":["turn:turn.example.org:3478"],"username":"u","credential":"p","extra":1}]';
  assert.deepEqual(iceServers(value), [
    { urls: "stun:stun.example.org:3478" },
    { urls: ["turn:turn.example.org:3478"], username: "u", credential: "p" },
  ]);
});

Deno.test("a malformed ICE_SERVERS stops the start with a readable message", () => {
  assert.throws(() => iceServers("stun:x"), /ICE_SERVERS must be a JSON list/);
  assert.throws(() => iceServers('[{"url":"stun:x"}]'), /ICE_SERVERS must be a JSON list/);
});
