/**
 * Several Palabre hosts on one machine, for tests of one community served by many machines: each
 * host a real `main.ts` in a network namespace of its own (a veth pair into a bridge the test
 * makes, an address of its own), all on one PostgreSQL and one nats-server. Where namespaces
 * cannot be made (not root, no `ip`), hosts are plain processes on loopback addresses of their
 * own, said loudly (in CI too: the tests still run, as processes).
 *
 * @example
 * await using hosts = await startHosts({ count: 3, databaseUrl: db.url! });
 * const [a, b, c] = hosts.hosts;
 * await fetch(`${a.origin}/signin`);
 * await b.kill("SIGKILL");
 */
import { processRuns } from "./processes.ts";

const mainModule = new URL("../../main.ts", import.meta.url);

/** Every name this harness gives a namespace or an interface starts `plb<pid>-`. */
const namePrefix = "plb";
/** Hosts get 10.213.N.(10+i) on a bridge at 10.213.N.1, N claimed per run (see claimSubnet). */
const subnetBase = "10.213";
const subnetClaims = "/tmp/palabre-hosts";
/** Each namespace is its own machine, so every host serves on the same port. */
const namespacePort = 8000;
const startTimeoutMs = 60_000;
const stopGraceMs = 10_000;

let runsInProcess = 0;

export type Isolation = "namespaces" | "loopback";

export interface Host {
  /** `host0`, `host1`, ... */
  readonly name: string;
  /** The host's own address: 10.213.N.(10+i) in a namespace, 127.0.0.(10+i) on loopback. */
  readonly address: string;
  readonly port: number;
  /** The base URL the root namespace (this test) reaches it at. */
  readonly origin: string;
  /** The network namespace it runs in (undefined on loopback). */
  readonly namespace: string | undefined;
  /** The pid of its `main.ts` while it runs. */
  readonly pid: number | undefined;
  /** Sends `signal` (SIGTERM unless said) and waits until the process has ended. */
  kill(signal?: Deno.Signal): Promise<Deno.CommandStatus | undefined>;
  /** Stops it if it runs, starts it again with the same address, port and data, waits for HTTP. */
  restart(): Promise<void>;
  /** Runs a command on the host (inside its namespace) and returns its standard output. */
  run(command: string, args: string[]): Promise<string>;
}

export interface Hosts extends AsyncDisposable {
  readonly isolation: Isolation;
  readonly hosts: Host[];
  /** The nats-server every host is given as NATS_URL. */
  readonly natsUrl: string;
  /** DATABASE_URL as the hosts see it (through a forwarder on the bridge in namespaces). */
  readonly databaseUrl: string;
  /**
   * Flags for Chromium to take the hosts' origins for secure contexts, as it does localhost:
   * without them a page on http://10.213.N.10 gets no microphone and no AudioWorklet.
   */
  readonly chromiumArgs: string[];
  /** The bridge and its namespaces' names (empty on loopback), for tests of the clean-up. */
  readonly networkNames: { bridge: string | undefined; namespaces: string[] };
  /** Ends every host, nats-server and the forwarder; removes namespaces, bridge and data. */
  stop(): Promise<void>;
}

export interface HostsOptions {
  count: number;
  /** A PostgreSQL URL reachable from this process (e.g. a test schema's on TEST_DATABASE_URL). */
  databaseUrl: string;
  /** Added to every host's environment. */
  env?: Record<string, string>;
  /** Forces one kind; by default namespaces, else loopback (and never loopback with CI=true). */
  isolation?: Isolation;
}

/**
 * Starts `count` Palabre hosts on `databaseUrl` and one nats-server, in parallel; resolves once
 * each answers HTTP from here. On any failure, whatever was made is removed before it throws.
 *
 * @example
 * const hosts = await startHosts({ count: 3, databaseUrl });
 * try { ... } finally { await hosts.stop(); }
 */
export async function startHosts(options: HostsOptions): Promise<Hosts> {
  if (options.count < 1 || options.count > 99) throw new Error("Hosts count must be 1 to 99");
  const teardown = new Teardown();
  try {
    const network = await makeNetwork(options, teardown);
    const nats = await startNats(network.nats, teardown);
    const databaseUrl = network.bridge
      ? forwardDatabase(options.databaseUrl, network.bridge.address, teardown)
      : options.databaseUrl;
    const secretKey = `hosts-${Deno.pid}-${crypto.randomUUID()}`;
    const hosts = await Promise.all(
      network.addresses.map(async (address, i) => {
        const host = new PalabreHost({
          name: `host${i}`,
          address,
          port: network.namespaces ? namespacePort : freePort(address),
          namespace: network.namespaces?.[i],
          dataDir: await Deno.makeTempDir({ prefix: "palabre-host-" }),
          env: {
            DATABASE_URL: databaseUrl,
            NATS_URL: nats.url,
            SECRET_KEY: secretKey,
            ALLOWED_HOSTS: address,
            ...options.env,
          },
        });
        teardown.add(`stop ${host.name}`, () => host.end());
        await host.start();
        return host;
      }),
    );
    return {
      isolation: network.namespaces ? "namespaces" : "loopback",
      hosts,
      natsUrl: nats.url,
      databaseUrl,
      chromiumArgs: [
        `--unsafely-treat-insecure-origin-as-secure=${hosts.map((h) => h.origin).join(",")}`,
      ],
      networkNames: {
        bridge: network.bridge?.name,
        namespaces: [network.nats.namespace, ...network.namespaces ?? []]
          .filter((name) => name !== undefined),
      },
      stop: () => teardown.run(),
      [Symbol.asyncDispose]: () => teardown.run(),
    };
  } catch (error) {
    await teardown.run().catch((cleanup) => console.error(cleanup));
    throw error;
  }
}

interface Network {
  addresses: string[];
  /** Where the database forwarder listens; undefined on loopback. */
  bridge: { name: string; address: string } | undefined;
  /** One per host, or undefined on loopback. */
  namespaces: string[] | undefined;
  nats: NatsPlace;
}

/** Where nats-server runs: a machine of its own in namespaces, so a dead run's is removed too. */
interface NatsPlace {
  address: string;
  port: number;
  namespace: string | undefined;
}

async function makeNetwork(options: HostsOptions, teardown: Teardown): Promise<Network> {
  const loopback = (): Network => ({
    addresses: Array.from({ length: options.count }, (_, i) => `127.0.0.${10 + i}`),
    bridge: undefined,
    namespaces: undefined,
    nats: { address: "127.0.0.1", port: freePort("127.0.0.1"), namespace: undefined },
  });
  if (options.isolation === "loopback") return loopback();
  const missing = await namespacesUnavailable();
  if (missing) {
    // The issue this harness serves allows plain processes where namespaces cannot be made (a
    // container without the capability): the tests still run, as processes, and say so.
    if (options.isolation === "namespaces") {
      throw new Error(`Network namespaces are required here but cannot be made: ${missing}`);
    }
    console.warn(
      `\n!!! Network namespaces cannot be made (${missing}): hosts run as plain processes on ` +
        "loopback addresses, NOT as separate machines !!!\n",
    );
    return loopback();
  }
  await removeStaleRuns();
  const subnet = await claimSubnet(teardown);
  const run = `${namePrefix}${Deno.pid}-${(runsInProcess++).toString(36)}`;
  const bridge = `${run}br`;
  const bridgeAddress = `${subnetBase}.${subnet}.1`;
  teardown.add(`remove bridge ${bridge}`, () => ip(["link", "del", bridge], { ifPresent: true }));
  await ip(["link", "add", bridge, "type", "bridge"]);
  await ip(["addr", "add", `${bridgeAddress}/24`, "dev", bridge]);
  await ip(["link", "set", bridge, "up"]);
  const addresses = Array.from(
    { length: options.count },
    (_, i) => `${subnetBase}.${subnet}.${10 + i}`,
  );
  const namespaces = addresses.map((_, i) => `${run}-host${i}`);
  const nats = { address: `${subnetBase}.${subnet}.2`, port: 4222, namespace: `${run}-nats` };
  const machine = { bridge, teardown };
  await Promise.all([
    ...namespaces.map((namespace, i) =>
      addMachine({ ...machine, namespace, address: addresses[i], outside: `${run}v${i}` })
    ),
    addMachine({
      ...machine,
      namespace: nats.namespace,
      address: nats.address,
      outside: `${run}vn`,
    }),
  ]);
  return {
    addresses,
    bridge: { name: bridge, address: bridgeAddress },
    namespaces,
    nats,
  };
}

/**
 * A namespace plugged into `bridge` like a machine: a veth pair whose inner end is its eth0,
 * with `address`, and loopback up.
 */
async function addMachine(machine: {
  namespace: string;
  address: string;
  /** The veth end left in the root namespace, on the bridge. */
  outside: string;
  bridge: string;
  teardown: Teardown;
}): Promise<void> {
  const { namespace, outside } = machine;
  machine.teardown.add(`remove namespace ${namespace}`, async () => {
    // Deleted here, not left to the kernel's deferred clean-up of the namespace.
    await ip(["link", "del", outside], { ifPresent: true });
    await removeNamespace(namespace);
  });
  await ip(["netns", "add", namespace]);
  await ip(["link", "add", outside, "type", "veth", "peer", "name", "eth0", "netns", namespace]);
  await ip(["link", "set", outside, "master", machine.bridge, "up"]);
  await ip(["-n", namespace, "addr", "add", `${machine.address}/24`, "dev", "eth0"]);
  await ip(["-n", namespace, "link", "set", "eth0", "up"]);
  await ip(["-n", namespace, "link", "set", "lo", "up"]);
}

/** Why namespaces cannot be made here, or undefined when they can. */
async function namespacesUnavailable(): Promise<string | undefined> {
  if (Deno.uid() !== 0) return "not running as root";
  try {
    await ip(["netns", "list"]);
  } catch (error) {
    return error instanceof Deno.errors.NotFound ? "no `ip` command (iproute2)" : String(error);
  }
  return undefined;
}

/**
 * Namespaces, interfaces and subnet claims left by runs whose process is gone (a test process
 * killed before its clean-up): left in place they would hold addresses and routes.
 */
async function removeStaleRuns(): Promise<void> {
  const stale = (name: string) => {
    const pid = new RegExp(`^${namePrefix}(\\d+)-`).exec(name)?.[1];
    return pid !== undefined && Number(pid) !== Deno.pid && !processRuns(Number(pid));
  };
  const namespaces = (await ip(["netns", "list"])).split("\n").map((l) => l.split(" ")[0]);
  for (const namespace of namespaces.filter(stale)) await removeNamespace(namespace);
  const links = (await ip(["-o", "link", "show"])).split("\n")
    .map((line) => /^\d+: ([^:@]+)/.exec(line)?.[1] ?? "");
  for (const link of links.filter(stale)) await ip(["link", "del", link], { ifPresent: true });
  for await (const claim of readDirIfAny(subnetClaims)) {
    const pid = Number(await Deno.readTextFile(`${subnetClaims}/${claim.name}`).catch(() => ""));
    if (pid && pid !== Deno.pid && !processRuns(pid)) {
      await Deno.remove(`${subnetClaims}/${claim.name}`).catch(() => {});
    }
  }
}

/**
 * A /24 under 10.213 that no other run (here or in another worktree's tests) holds: claimed by
 * creating a file named after it, which only one process can do.
 */
async function claimSubnet(teardown: Teardown): Promise<number> {
  await Deno.mkdir(subnetClaims, { recursive: true });
  const used = await ip(["-4", "-o", "addr", "show"]);
  const first = Deno.pid % 250;
  for (let k = 0; k < 250; k++) {
    const subnet = 2 + (first + k) % 250;
    if (used.includes(` ${subnetBase}.${subnet}.`)) continue;
    const claim = `${subnetClaims}/${subnetBase}.${subnet}`;
    try {
      await Deno.writeTextFile(claim, String(Deno.pid), { createNew: true });
    } catch (error) {
      if (error instanceof Deno.errors.AlreadyExists) continue;
      throw error;
    }
    teardown.add(`release ${claim}`, () => Deno.remove(claim));
    return subnet;
  }
  throw new Error(`No free subnet under ${subnetBase}.0.0/16 for test hosts`);
}

/** Ends whatever still runs in `namespace` (media processes too), then deletes it. */
async function removeNamespace(namespace: string): Promise<void> {
  const pids = await ip(["netns", "pids", namespace], { ifPresent: true });
  const running = pids.split("\n").filter(Boolean).map(Number);
  for (const pid of running) {
    try {
      Deno.kill(pid, "SIGKILL");
    } catch {
      // Ended meanwhile.
    }
  }
  // Gone from /proc once reaped: our own children are by their awaited status, others by init.
  const deadline = Date.now() + stopGraceMs;
  while (running.some(processRuns) && Date.now() < deadline) await delay(20);
  await ip(["netns", "del", namespace], { ifPresent: true });
}

/** One nats-server, waited for until it greets a client from here. */
async function startNats(place: NatsPlace, teardown: Teardown): Promise<{ url: string }> {
  const { address, port, namespace } = place;
  const nats = ["nats-server", "-a", address, "-p", String(port)];
  const [command, ...args] = namespace ? ["ip", "netns", "exec", namespace, ...nats] : nats;
  const child = new Deno.Command(command, {
    args,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const log = keepTail(child.stderr);
  let exited: Deno.CommandStatus | undefined;
  child.status.then((status) => exited = status);
  teardown.add("stop nats-server", async () => {
    kill(child, "SIGTERM");
    await child.status;
  });
  const deadline = Date.now() + startTimeoutMs;
  while (true) {
    if (exited) throw new Error(`nats-server exited (${exited.code}):\n${log()}`);
    try {
      const conn = await Deno.connect({ hostname: address, port });
      const greeting = new Uint8Array(4);
      await conn.read(greeting);
      conn.close();
      if (new TextDecoder().decode(greeting) === "INFO") break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`nats-server did not start:\n${log()}`);
    await delay(50);
  }
  return { url: `nats://${address}:${port}` };
}

/**
 * A TCP port on the bridge that relays to the database: the root namespace's loopback, where
 * TEST_DATABASE_URL points, cannot be reached from a host's namespace. Returns the URL through it.
 */
function forwardDatabase(
  databaseUrl: string,
  address: string,
  teardown: Teardown,
): string {
  const target = new URL(databaseUrl);
  const listener = Deno.listen({ hostname: address, port: 0 });
  const open = new Set<Deno.Conn>();
  const closeQuietly = (conn: Deno.Conn) => {
    open.delete(conn);
    try {
      conn.close();
    } catch {
      // Already closed by the other side's end.
    }
  };
  const relay = async (client: Deno.Conn) => {
    open.add(client);
    let server: Deno.Conn | undefined;
    try {
      server = await Deno.connect({
        hostname: target.hostname.replace(/^\[|\]$/g, ""),
        port: Number(target.port || 5432),
      });
      open.add(server);
      // Either side ending ends both: a killed host's connections end at PostgreSQL too.
      await Promise.race([
        client.readable.pipeTo(server.writable, { preventClose: true }),
        server.readable.pipeTo(client.writable, { preventClose: true }),
      ]);
    } catch {
      // A reset from either side ends the pair like a close.
    } finally {
      closeQuietly(client);
      if (server) closeQuietly(server);
    }
  };
  const accepting = (async () => {
    for await (const client of listener) relay(client);
  })().catch(() => {/* the listener was closed */});
  teardown.add("close the database forwarder", async () => {
    listener.close();
    await accepting;
    for (const conn of [...open]) closeQuietly(conn);
  });
  const forwarded = new URL(databaseUrl);
  forwarded.hostname = address;
  forwarded.port = String((listener.addr as Deno.NetAddr).port);
  return forwarded.toString();
}

interface HostSetup {
  name: string;
  address: string;
  port: number;
  namespace: string | undefined;
  dataDir: string;
  env: Record<string, string>;
}

class PalabreHost implements Host {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly origin: string;
  readonly namespace: string | undefined;
  #setup: HostSetup;
  #child: Deno.ChildProcess | undefined;

  constructor(setup: HostSetup) {
    this.#setup = setup;
    this.name = setup.name;
    this.address = setup.address;
    this.port = setup.port;
    this.origin = `http://${setup.address}:${setup.port}`;
    this.namespace = setup.namespace;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  async start(): Promise<void> {
    if (this.#child) throw new Error(`${this.name} is already running`);
    const deno = [Deno.execPath(), "run", "--allow-all", mainModule.pathname];
    // `ip netns exec` enters the namespace and then execs, so the pid is Palabre's own.
    const [command, ...args] = this.namespace
      ? ["ip", "netns", "exec", this.namespace, ...deno]
      : deno;
    const child = new Deno.Command(command, {
      args,
      env: {
        ...this.#setup.env,
        PORT: String(this.port),
        HOST: this.address,
        DATA_DIR: this.#setup.dataDir,
        DENO_NO_UPDATE_CHECK: "1",
      },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#child = child;
    const log = keepTail(child.stderr);
    const exited = child.status.then((status) => {
      throw new Error(`${this.name} exited (${status.code}) before answering:\n${log()}`);
    });
    exited.catch(() => {});
    keepTail(child.stdout);
    await Promise.race([exited, this.#answering(log)]);
  }

  /** Waits until a page comes back over HTTP from the root namespace. */
  async #answering(log: () => string): Promise<void> {
    const deadline = Date.now() + startTimeoutMs;
    while (true) {
      try {
        const response = await fetch(`${this.origin}/signin`, {
          signal: AbortSignal.timeout(2_000),
        });
        await response.body?.cancel();
        if (response.status === 200) return;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) {
        throw new Error(`${this.name} did not answer at ${this.origin}:\n${log()}`);
      }
      await delay(100);
    }
  }

  async kill(signal: Deno.Signal = "SIGTERM"): Promise<Deno.CommandStatus | undefined> {
    const child = this.#child;
    if (!child) return undefined;
    kill(child, signal);
    const status = await child.status;
    this.#child = undefined;
    return status;
  }

  async restart(): Promise<void> {
    await this.kill();
    await this.start();
  }

  async run(command: string, args: string[]): Promise<string> {
    const argv = this.namespace ? ["netns", "exec", this.namespace, command, ...args] : args;
    return await output(this.namespace ? "ip" : command, argv);
  }

  /** Ends the process (SIGTERM, then SIGKILL after a grace) and removes its data. */
  async end(): Promise<void> {
    const child = this.#child;
    if (child) {
      const timer = setTimeout(() => kill(child, "SIGKILL"), stopGraceMs);
      await this.kill("SIGTERM").finally(() => clearTimeout(timer));
    }
    await Deno.remove(this.#setup.dataDir, { recursive: true });
  }
}

/** Clean-ups in the reverse order of what they undo; every one runs even when some fail. */
class Teardown {
  #steps: { what: string; undo: () => Promise<unknown> }[] = [];
  #done: Promise<void> | undefined;

  add(what: string, undo: () => Promise<unknown>): void {
    this.#steps.push({ what, undo });
  }

  run(): Promise<void> {
    this.#done ??= (async () => {
      const failures: string[] = [];
      for (const { what, undo } of this.#steps.reverse()) {
        try {
          await undo();
        } catch (error) {
          failures.push(`${what}: ${error instanceof Error ? error.message : error}`);
        }
      }
      if (failures.length > 0) {
        throw new Error(`Test hosts' clean-up failed:\n${failures.join("\n")}`);
      }
    })();
    return this.#done;
  }
}

/**
 * Runs `ip` and returns its output; with `ifPresent`, a "does not exist" answer is no error
 * (clean-up that may find the thing already gone).
 */
async function ip(args: string[], options: { ifPresent?: boolean } = {}): Promise<string> {
  const result = await new Deno.Command("ip", { args, stdout: "piped", stderr: "piped" }).output();
  const stderr = new TextDecoder().decode(result.stderr);
  if (!result.success) {
    if (options.ifPresent && /No such file|Cannot find device|does not exist/i.test(stderr)) {
      return "";
    }
    throw new Error(`ip ${args.join(" ")} failed: ${stderr.trim()}`);
  }
  return new TextDecoder().decode(result.stdout);
}

async function output(command: string, args: string[]): Promise<string> {
  const result = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" })
    .output();
  if (!result.success) {
    throw new Error(
      `${command} ${args.join(" ")} failed: ${new TextDecoder().decode(result.stderr).trim()}`,
    );
  }
  return new TextDecoder().decode(result.stdout);
}

/** Reads `stream` to its end in the background, keeping its last few kilobytes to explain failures. */
function keepTail(stream: ReadableStream<Uint8Array>): () => string {
  let tail = "";
  (async () => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      tail = (tail + chunk).slice(-4_000);
    }
  })().catch(() => {});
  return () => tail;
}

function freePort(hostname: string): number {
  const listener = Deno.listen({ hostname, port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

function kill(child: Deno.ChildProcess, signal: Deno.Signal): void {
  try {
    child.kill(signal);
  } catch {
    // Already ended.
  }
}

async function* readDirIfAny(path: string): AsyncGenerator<Deno.DirEntry> {
  try {
    yield* Deno.readDir(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
