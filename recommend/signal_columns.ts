/**
 * The signal log as a few typed arrays, so it can be handed to a Worker by transferring their
 * buffers instead of copying millions of small objects through structured cloning.
 *
 * @example
 * const columns = signalColumns(signals);
 * worker.postMessage({ signals: columns }, columnBuffers(columns));
 * // in the worker:
 * const signals = signalsFromColumns(event.data.signals);
 */
import type { ItemRef, Signal } from "./signals.ts";

/** Signal n is `kind[n]` (see `kinds`) by `user[n]` about item (`itemKind[n]`, `itemId[n]`). */
export interface SignalColumns {
  kind: Uint8Array;
  user: Float64Array;
  /** 0 for a topic, 1 for a person. */
  itemKind: Uint8Array;
  itemId: Float64Array;
  at: Float64Array;
  /** Seconds heard, for a listen; 0 otherwise. */
  seconds: Float64Array;
}

const kinds = ["pick", "unpick", "follow", "unfollow", "listen"] as const;
const kindCode = { pick: 0, unpick: 1, follow: 2, unfollow: 3, listen: 4 } as const;

export function signalColumns(signals: readonly Signal[]): SignalColumns {
  const n = signals.length;
  const columns: SignalColumns = {
    kind: new Uint8Array(n),
    user: new Float64Array(n),
    itemKind: new Uint8Array(n),
    itemId: new Float64Array(n),
    at: new Float64Array(n),
    seconds: new Float64Array(n),
  };
  signals.forEach((signal, i) => {
    columns.kind[i] = kindCode[signal.kind];
    columns.user[i] = signal.user;
    columns.itemKind[i] = signal.item.kind === "topic" ? 0 : 1;
    columns.itemId[i] = signal.item.id;
    columns.at[i] = signal.at;
    columns.seconds[i] = signal.kind === "listen" ? signal.seconds : 0;
  });
  return columns;
}

/** The buffers to transfer along with the columns (the sender can no longer use them). */
export function columnBuffers(columns: SignalColumns): ArrayBuffer[] {
  return Object.values(columns).map((column) => column.buffer as ArrayBuffer);
}

/** The signals back; each item is one shared object, as db/signals.ts makes them. */
export function signalsFromColumns(columns: SignalColumns): Signal[] {
  const refs = [new Map<number, ItemRef>(), new Map<number, ItemRef>()];
  const signals: Signal[] = new Array(columns.kind.length);
  for (let i = 0; i < signals.length; i++) {
    const id = columns.itemId[i];
    const known = refs[columns.itemKind[i]];
    let item = known.get(id);
    if (item === undefined) {
      item = columns.itemKind[i] === 0 ? { kind: "topic", id } : { kind: "person", id };
      known.set(id, item);
    }
    const kind = kinds[columns.kind[i]];
    const user = columns.user[i];
    const at = columns.at[i];
    signals[i] = kind === "listen"
      ? { kind, user, item, at, seconds: columns.seconds[i] }
      : { kind, user, item, at };
  }
  return signals;
}
