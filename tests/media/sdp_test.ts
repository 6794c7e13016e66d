import assert from "node:assert/strict";
import { withPacketTime } from "../../media/sdp.ts";

const sdp = [
  "v=0",
  "o=- 1 2 IN IP4 127.0.0.1",
  "s=-",
  "t=0 0",
  "m=audio 9 UDP/TLS/RTP/SAVPF 111",
  "a=rtpmap:111 opus/48000/2",
  "a=ptime:20",
  "m=application 9 UDP/DTLS/SCTP webrtc-datachannel",
  "a=mid:1",
  "",
].join("\r\n");

Deno.test("the packet time is asked for once in every audio section and nowhere else", () => {
  const edited = withPacketTime(sdp, 10);
  assert.equal(edited.match(/a=ptime:/g)?.length, 1);
  const [, audio, application] = edited.split(/(?=^m=)/m);
  assert.match(audio, /a=ptime:10\r\n$/);
  assert.doesNotMatch(application, /ptime/);
  assert.ok(edited.endsWith("a=mid:1\r\n"));
});
