/**
 * The reading of strace's lines that tests/privacy/no_network_test.ts relies on: what counts as
 * reaching beyond the machine and what does not. The lines are as Debian's strace 6 printed them
 * for Palabre, npx and Deno's update check (a few made up where noted).
 */
import assert from "node:assert/strict";
import { outboundBeyond, outboundIn } from "./support/outbound.ts";

const own = new Set(["192.0.2.2", "fd00::2", "fe80::fc:ff:fe00:1"]);

const lines = {
  updateCheckDns:
    '7168  connect(20<UDP:[6054]>, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.255.255.53")}, 16) = 0',
  updateCheckQuery:
    '7168  sendmmsg(20<UDP:[192.0.2.2:41000->10.255.255.53:53]>, [{msg_hdr={msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base="\\x12\\x34\\1\\0\\0\\1", iov_len=32}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, msg_len=32}], 1, MSG_NOSIGNAL) = 1',
  registry:
    '9627  connect(23<TCP:[60012]>, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("203.0.113.80")}, 16) = -1 EINPROGRESS (Operation now in progress)',
  pglite:
    '8609  connect(67<TCP:[58899]>, {sa_family=AF_INET, sin_port=htons(39005), sin_addr=inet_addr("127.0.0.1")}, 16) = -1 EINPROGRESS (Operation now in progress)',
  pgliteQuery:
    '8609  sendto(67<TCP:[127.0.0.1:33546->127.0.0.1:39005]>, "Q\\0\\0\\0\\vbegin \\0", 12, MSG_NOSIGNAL, NULL, 0) = 12',
  page:
    '8609  sendto(120<TCP:[127.0.0.1:41269->127.0.0.1:51774]>, "HTTP/1.1 303 See Other\\r\\nlocation"..., 733, MSG_NOSIGNAL, NULL, 0) = 733',
  // libwebrtc learning which local address routes outward: connected, never sent on.
  routeProbe:
    '21777 connect(44<UDP:[60540]>, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("8.8.8.8")}, 16) = 0',
  routeProbe6:
    '21777 connect(44<UDPv6:[60542]>, {sa_family=AF_INET6, sin6_port=htons(53), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2001:4860:4860::8888", &sin6_addr), sin6_scope_id=0}, 28) = 0',
  // Voice to a participant on this machine's own addresses.
  rtp6:
    '21777 sendto(44<UDPv6:[[fd00::2]:50159]>, "\\220o}t\\256\\7"..., 73, MSG_NOSIGNAL, {sa_family=AF_INET6, sin6_port=htons(57978), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "fd00::2", &sin6_addr), sin6_scope_id=0}, 28) = 73',
  stunCheck:
    '21777 sendto(45<UDP:[192.0.2.2:47945]>, "\\0\\1\\0L!\\22\\244B"..., 96, MSG_NOSIGNAL, {sa_family=AF_INET, sin_port=htons(36586), sin_addr=inet_addr("192.0.2.2")}, 16) = 96',
  // Made up: a STUN server's binding request, a datagram with no connect before it.
  stunServer:
    '21777 sendto(45<UDP:[192.0.2.2:47945]>, "\\0\\1\\0\\0!\\22\\244B"..., 20, MSG_NOSIGNAL, {sa_family=AF_INET, sin_port=htons(3478), sin_addr=inet_addr("198.51.100.9")}, 16) = 20',
  // Made up: a datagram whose data happens to spell an address.
  dataLikeAddress:
    '21777 sendto(45<UDP:[127.0.0.1:5000]>, "inet_addr(\\"198.51.100.9\\")", 26, 0, {sa_family=AF_INET, sin_port=htons(5001), sin_addr=inet_addr("127.0.0.1")}, 16) = 26',
  loopbackResolver:
    '8700  connect(30<TCP:[7001]>, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("127.0.0.53")}, 16) = 0',
  unix:
    '8609  connect(12<UNIX-STREAM:[4242]>, {sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}, 110) = -1 ENOENT',
  netlink:
    "22452 sendto(18<NETLINK:[ROUTE:22452]>, [{nlmsg_len=20, nlmsg_type=RTM_GETLINK, nlmsg_flags=NLM_F_REQUEST|NLM_F_DUMP, nlmsg_seq=1, nlmsg_pid=0}, {ifi_family=AF_UNSPEC, ...}], 20, 0, {sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}, 12) = 20",
  unspec: '8700  connect(30<UDP:[7002]>, {sa_family=AF_UNSPEC, sa_data="\\0\\0\\0\\0"}, 16) = 0',
  ipv6Loopback:
    '8701  connect(31<TCPv6:[7003]>, {sa_family=AF_INET6, sin6_port=htons(8000), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28) = 0',
  ipv6Mapped:
    '8701  connect(32<TCPv6:[7004]>, {sa_family=AF_INET6, sin6_port=htons(8000), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::ffff:127.0.0.1", &sin6_addr), sin6_scope_id=0}, 28) = 0',
  ipv6Outside:
    '8702  connect(33<TCPv6:[7005]>, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2001:db8::1", &sin6_addr), sin6_scope_id=0}, 28 <unfinished ...>',
  resumed: "8702  <... connect resumed>) = -1 EINPROGRESS (Operation now in progress)",
  ipv6MappedOutside:
    '8702  connect(34<TCPv6:[7006]>, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::ffff:198.51.100.7", &sin6_addr), sin6_scope_id=0}, 28) = 0',
  connectedPeerOutside:
    '8702  sendto(35<UDPv6:[[fd00::2]:4000->[2001:db8::7]:443]>, "\\1\\2", 2, 0, NULL, 0) = 2',
  unreadable: "8704  connect(36, 0x7ffd5c8a1b20, 16) = -1 EFAULT (Bad address)",
  unknownDatagram: '8704  sendto(37<UDP:[9001]>, "\\1\\2", 2, 0, NULL, 0) = 2',
  exit: "8704  +++ exited with 0 +++",
};

function beyond(...keys: (keyof typeof lines)[]): string[] {
  return outboundBeyond(keys.map((key) => lines[key]).join("\n"), own)
    .map((o) => `${o.call} ${o.address} ${o.port}`);
}

Deno.test("a DNS question and a TLS connection to another host reach beyond the machine", () => {
  assert.deepEqual(beyond("updateCheckDns", "updateCheckQuery", "registry"), [
    "sendmmsg 10.255.255.53 53",
    "connect 203.0.113.80 443",
  ]);
});

Deno.test("a DNS question counts even to a resolver on loopback", () => {
  assert.deepEqual(beyond("loopbackResolver"), ["connect 127.0.0.53 53"]);
});

Deno.test("PGlite's connection, its queries and pages sent to the browser stay here", () => {
  assert.deepEqual(beyond("pglite", "pgliteQuery", "page"), []);
});

Deno.test("connecting a UDP socket to find the outward route sends nothing and passes", () => {
  assert.deepEqual(beyond("routeProbe", "routeProbe6"), []);
});

Deno.test("voice to a participant on this machine's own addresses stays here", () => {
  assert.deepEqual(beyond("rtp6", "stunCheck"), []);
});

Deno.test("a datagram to a STUN server counts, though nothing connected first", () => {
  assert.deepEqual(beyond("stunServer"), ["sendto 198.51.100.9 3478"]);
});

Deno.test("a datagram's data is never read as its destination", () => {
  assert.deepEqual(beyond("dataLikeAddress"), []);
});

Deno.test("Unix and netlink sockets and AF_UNSPEC are not network", () => {
  assert.deepEqual(beyond("unix", "netlink", "unspec", "exit", "resumed"), []);
});

Deno.test("::1 and ::ffff:127.0.0.1 stay here; other IPv6 counts, also when interrupted", () => {
  assert.deepEqual(
    beyond("ipv6Loopback", "ipv6Mapped", "ipv6Outside", "resumed", "ipv6MappedOutside"),
    ["connect 2001:db8::1 443", "connect ::ffff:198.51.100.7 443"],
  );
});

Deno.test("a send on a socket connected elsewhere counts by its peer", () => {
  assert.deepEqual(beyond("connectedPeerOutside"), ["sendto 2001:db8::7 443"]);
});

Deno.test("a call whose destination cannot be read counts", () => {
  assert.deepEqual(beyond("unreadable", "unknownDatagram"), ["connect  null", "sendto  null"]);
});

Deno.test("each call keeps its process id", () => {
  const [probe] = outboundIn(lines.routeProbe + "\n" + lines.stunCheck);
  assert.deepEqual({ pid: probe.pid, call: probe.call }, { pid: 21777, call: "sendto" });
});
