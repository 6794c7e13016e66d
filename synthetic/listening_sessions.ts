/**
 * Listening sessions in typed arrays: one entry per `listens` row, millions of them without
 * millions of objects. Also the two orderings the recommender needs over them: by time, and
 * who was on stage in each room.
 *
 * @example
 * const order = timeOrder(sessions.startAt, sessions.count, community.startAt);
 * const stage = stageByRoom(sessions, community.rooms.length);
 * // the stage sessions of room r: stage.sessions[stage.start[r] .. stage.start[r + 1])
 */

/** Roles in the order `ListeningSessions.role` codes them (the names of `listens.role`). */
export const sessionRoles = ["moderator", "speaker", "listener"] as const;
export const moderatorRole = 0;
export const speakerRole = 1;
export const listenerRole = 2;

/**
 * Time members spent in rooms, ordered by start. Times are milliseconds since the epoch. A
 * session whose `endAt` is after the community's `now` is still going: the member is in that
 * live room now, and will leave at `endAt`.
 */
export interface ListeningSessions {
  count: number;
  member: Int32Array;
  /** rooms.id */
  room: Int32Array;
  /** Index into `sessionRoles`. */
  role: Uint8Array;
  startAt: Float64Array;
  endAt: Float64Array;
}

export function emptySessions(capacity: number): ListeningSessions {
  return {
    count: 0,
    member: new Int32Array(capacity),
    room: new Int32Array(capacity),
    role: new Uint8Array(capacity),
    startAt: new Float64Array(capacity),
    endAt: new Float64Array(capacity),
  };
}

/** The same sessions, reordered so that entry i is entry `order[i]` of the input. */
export function reorderSessions(sessions: ListeningSessions, order: Int32Array): ListeningSessions {
  return {
    count: order.length,
    member: permuted(sessions.member, order),
    room: permuted(sessions.room, order),
    role: permuted(sessions.role, order),
    startAt: permuted(sessions.startAt, order),
    endAt: permuted(sessions.endAt, order),
  };
}

function permuted<T extends Int32Array | Uint8Array | Float64Array>(
  values: T,
  order: Int32Array,
): T {
  const result = values.slice(0, order.length) as T;
  for (let i = 0; i < order.length; i++) result[i] = values[order[i]];
  return result;
}

/**
 * The sessions on stage (moderators and speakers) in each room, as compressed rows: room r's
 * are `sessions[start[r] .. start[r + 1])`, for room ids 1..rooms.
 */
export function stageByRoom(
  sessions: ListeningSessions,
  rooms: number,
): { start: Int32Array; sessions: Int32Array } {
  const start = new Int32Array(rooms + 2);
  for (let s = 0; s < sessions.count; s++) {
    if (sessions.role[s] !== listenerRole) start[sessions.room[s] + 1]++;
  }
  for (let r = 1; r < start.length; r++) start[r] += start[r - 1];
  const next = start.slice();
  const stage = new Int32Array(start[start.length - 1]);
  for (let s = 0; s < sessions.count; s++) {
    if (sessions.role[s] !== listenerRole) stage[next[sessions.room[s]]++] = s;
  }
  return { start, sessions: stage };
}

/**
 * The order of `count` times (milliseconds, whole seconds, none before `originMs`), earliest
 * first, ties in index order. Packed into numbers and sorted natively, which is far faster
 * than a comparator over millions of entries.
 */
export function timeOrder(times: ArrayLike<number>, count: number, originMs: number): Int32Array {
  const scale = 2 ** Math.max(1, Math.ceil(Math.log2(count + 1)));
  const keys = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const second = (times[i] - originMs) / 1000;
    keys[i] = second * scale + i;
    if (!(second >= 0) || !Number.isInteger(second) || !Number.isSafeInteger(keys[i])) {
      throw new RangeError("Times must be whole seconds from the origin on");
    }
  }
  keys.sort();
  const order = new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = keys[i] % scale;
  return order;
}
