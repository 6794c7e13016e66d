/**
 * Reads what `strace -f -yy -e trace=connect,sendto,sendmsg,sendmmsg -o LOG` wrote and picks out
 * everything that reached, or set out to reach, beyond this machine: a TCP connection, or a
 * datagram, to an address that is neither loopback nor one of the machine's own. A DNS question
 * (anything to port 53) counts wherever it goes, a resolver on loopback included.
 *
 * Connecting a UDP socket sends nothing (libwebrtc connects one to 8.8.8.8:53 only to learn which
 * local address routes outward): it passes, and what is then sent on that socket is read like any
 * other datagram, its peer shown by `-yy`. Unix and netlink sockets are not network. A line whose
 * destination cannot be read counts against it: only what is understood passes.
 *
 * @example
 * const beyond = outboundBeyond(await Deno.readTextFile(log), ownAddresses());
 * // [{ pid: 7168, call: "sendto", address: "10.255.255.53", port: 53, line: "7168 sendto(..." }]
 */

export interface Outbound {
  pid: number;
  call: string;
  /** An address as strace printed it; empty when the line could not be read. */
  address: string;
  port: number | null;
  line: string;
}

type Destination = Pick<Outbound, "address" | "port">;

/** This machine's own interface addresses (packets to them never leave it). */
export function ownAddresses(): Set<string> {
  return new Set(Deno.networkInterfaces().map((i) => i.address.replace(/%.*$/, "")));
}

/** Everything in the log that went, or set out to go, beyond loopback and `own` addresses. */
export function outboundBeyond(log: string, own: Set<string>): Outbound[] {
  return outboundIn(log).filter((o) => !staysHere(o, own));
}

/** Every connection and datagram in the log with a network destination, as far as it can be read. */
export function outboundIn(log: string): Outbound[] {
  const found: Outbound[] = [];
  for (const line of log.split("\n")) {
    // `strace -f` prints a call interrupted by another thread's as "<unfinished ...>", then
    // "<... connect resumed>" with only the result: the arguments are on the first of the two.
    const call = line.match(/^(\d+)\s+(connect|sendto|sendmsg|sendmmsg)\((.*)$/);
    if (!call) continue;
    const [, pid, name, args] = call;
    const socket = args.match(/^\d+<([A-Za-z0-9-]+):\[(.*?)\]>/);
    const kind = socket?.[1] ?? "";
    if (/^(UNIX|NETLINK)/.test(kind)) continue;
    const family = args.match(/sa_family=(\w+)/)?.[1];
    if (family && !family.startsWith("AF_INET")) continue;
    const destinations = sockaddrs(args);
    const peer = socket?.[2].split("->")[1];
    if (peer) destinations.push(hostAndPort(peer));
    if (name === "connect") {
      // Connecting a datagram socket sends nothing; what it sends is read below.
      if (kind.startsWith("UDP")) continue;
    } else if (destinations.length === 0 && kind.startsWith("TCP")) {
      // A TCP socket's peer was read when it connected (or, for a page's, it called us).
      continue;
    }
    if (destinations.length === 0) destinations.push({ address: "", port: null });
    for (const { address, port } of destinations) {
      found.push({ pid: Number(pid), call: name, address, port, line });
    }
  }
  return found;
}

/** The socket addresses written out in a call's arguments (a send's data never matches). */
function sockaddrs(args: string): Destination[] {
  const found: Destination[] = [];
  const ipv4 = /sin_port=htons\((\d+)\), sin_addr=inet_addr\("([^"]+)"\)/g;
  const ipv6 = /sin6_port=htons\((\d+)\),[^}]*?inet_pton\(AF_INET6, "([^"]+)"/g;
  for (const [, port, address] of args.matchAll(ipv4)) found.push({ address, port: Number(port) });
  for (const [, port, address] of args.matchAll(ipv6)) found.push({ address, port: Number(port) });
  return found;
}

/** `127.0.0.1:8000` or `[::1]:8000`, as `-yy` shows a socket's peer. */
function hostAndPort(text: string): Destination {
  const match = text.match(/^\[?(.*?)\]?:(\d+)$/);
  return match ? { address: match[1], port: Number(match[2]) } : { address: "", port: null };
}

function staysHere({ address, port }: Outbound, own: Set<string>): boolean {
  if (port === 53) return false;
  const ipv4 = address.replace(/^::ffff:/i, "");
  return /^127\.\d+\.\d+\.\d+$/.test(ipv4) || address === "::1" ||
    (address !== "" && (own.has(address) || own.has(ipv4)));
}
