/**
 * Reads shared by everyone who asks at about the same time, and never older than the asking:
 * a caller gets a read that starts after its call. While one read of a key runs, every caller
 * waits for the single read that follows it; so a thousand pages opening together cost two
 * reads, not a thousand, and a page whose member joined just before it opened still finds them.
 *
 * @example
 * const snapshots = new FreshReads((roomId: number) => roomSnapshot(sql, roomId));
 * const snapshot = await snapshots.read(roomId);
 */
export class FreshReads<K, V> {
  #load: (key: K) => Promise<V>;
  #queues = new Map<K, { running: Promise<V> | null; next: Promise<V> | null }>();

  constructor(load: (key: K) => Promise<V>) {
    this.#load = load;
  }

  read(key: K): Promise<V> {
    let queue = this.#queues.get(key);
    if (!queue) {
      queue = { running: null, next: null };
      this.#queues.set(key, queue);
    }
    // Not started yet, so it starts after this call: share it.
    if (queue.next) return queue.next;
    const q = queue;
    const started = (q.running ?? Promise.resolve()).catch(() => {}).then(() => {
      q.next = null;
      const running = this.#load(key);
      q.running = running;
      running.catch(() => {}).finally(() => {
        if (q.running !== running) return;
        q.running = null;
        if (!q.next) this.#queues.delete(key);
      });
      return running;
    });
    q.next = started;
    return started;
  }
}
