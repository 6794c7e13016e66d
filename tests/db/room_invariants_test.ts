/**
 * Random walks through rooms: members start rooms, schedule and open events, join, leave, raise
 * hands, moderate, block, go stale and get swept, sometimes several at once from two processes.
 * A Refusal is a legitimate answer; any other error fails. After every step the rules that must
 * always hold are checked in SQL, and a refused step must have changed nothing.
 *
 * The seed is printed; rerun one with ROOM_FUZZ_SEED=<seed> (and ROOM_FUZZ_STEPS=<n> for a
 * longer walk). On PGlite a seed replays exactly; on PostgreSQL the concurrent bursts race.
 */
import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import { dayMs } from "./support.ts";
import { cast, roomViolations, twoProcesses } from "./rooms_support.ts";
import type { Sql } from "../../db/client.ts";
import { Refusal } from "../../db/errors.ts";
import {
  joinRoom,
  mayJoin,
  openEvent,
  type RoomKind,
  scheduleEvent,
  setInterest,
  startRoom,
} from "../../db/rooms.ts";
import { act, type ModeratorAction, type SelfAction } from "../../db/room_actions.ts";
import { sweepAbsent, touchPresence } from "../../db/presence.ts";
import { block, unblock } from "../../db/safety.ts";
import { follow } from "../../db/profiles.ts";
import { hallwayFor } from "../../db/hallway.ts";

const seed = Number(
  Deno.env.get("ROOM_FUZZ_SEED") ?? crypto.getRandomValues(new Uint32Array(1))[0],
);
const steps = Number(Deno.env.get("ROOM_FUZZ_STEPS") ?? 300);
console.log(`room invariants: seed ${seed}, ${steps} steps (rerun with ROOM_FUZZ_SEED=${seed})`);

const handles = ["ada", "bob", "cyd", "dan", "eve", "fay", "gus", "hal"];
const maxLiveRooms = 3;
const presenceTimeoutMs = 10 * 60_000;

/** mulberry32: a tiny seeded PRNG, uniform in [0, 1). */
function mulberry32(state: number): () => number {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface World {
  rooms: { id: number; state: string; kind: RoomKind; linkKey: string; hosts: number[] }[];
  seats: { roomId: number; userId: number; role: string; hand: boolean; invited: boolean }[];
}

interface Move {
  /** What kind of step, for the tally: "raise_hand", "join", "sweep"... */
  kind: string;
  label: string;
  run(sql: Sql): Promise<unknown>;
}

async function look(sql: Sql): Promise<World> {
  const rooms = await sql`
    select id, state, kind, link_key,
           array(select user_id from room_hosts h where h.room_id = r.id order by user_id) as hosts
    from rooms r order by id`;
  const seats = await sql`
    select room_id, user_id, role, hand_raised_at is not null as hand,
           invited_at is not null as invited
    from participants order by room_id, user_id`;
  return {
    rooms: rooms.map((r) => ({
      id: r.id,
      state: r.state,
      kind: r.kind,
      linkKey: r.link_key,
      hosts: r.hosts.map(Number),
    })),
    seats: seats.map((s) => ({
      roomId: s.room_id,
      userId: s.user_id,
      role: s.role,
      hand: s.hand,
      invited: s.invited,
    })),
  };
}

/** Everything a refused step must leave as it was (presence times excepted). */
async function digest(sql: Sql): Promise<string> {
  const [row] = await sql`
    select concat_ws('|',
      (select string_agg(concat_ws(':', room_id, user_id, role, muted, hand_raised_at, invited_at,
                                   joined_at, on_stage_since), ',' order by room_id, user_id)
         from participants),
      (select string_agg(concat_ws(':', id, state, hands_enabled, ended_at), ',' order by id)
         from rooms),
      (select count(*) from room_bans), (select count(*) from room_access),
      (select count(*) from room_hosts), (select count(*) from event_interest),
      (select count(*) from moderation_log), (select count(*) from listens),
      (select count(*) from listens where ended_at is null)) as state`;
  return row.state;
}

dbTest("rooms keep their invariants through random actions", async (sql, db) => {
  const random = mulberry32(seed);
  const chance = (p: number) => random() < p;
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
  const people = await cast(sql, ...handles);
  const ids = handles.map((h) => people[h].id);
  const handleOf = new Map(handles.map((h) => [people[h].id, h]));
  const { first, second, close } = await twoProcesses(sql, db);
  const history: string[] = [];
  const tally: Record<string, { done: number; refused: number; why: Record<string, number> }> = {};

  /**
   * One random step. Actors and targets are mostly the ones the action makes sense for (a
   * moderator moderating, an invited listener accepting), now and then anyone at all, so that
   * both the paths that go through and the refusals get exercised.
   */
  function plan(world: World): Move {
    const live = world.rooms.filter((r) => r.state === "live");
    const room = live.length > 0 && chance(0.9) ? pick(live) : pick(world.rooms);
    const inRoom = world.seats.filter((s) => s.roomId === room?.id);
    const anyone = () => pick(ids);
    /** Mostly someone in the room matching `fits`; else someone in the room; rarely anyone. */
    const someone = (fits: (s: World["seats"][number]) => boolean) => {
      const fitting = inRoom.filter(fits);
      const r = random();
      if (fitting.length > 0 && r < 0.8) return pick(fitting).userId;
      return inRoom.length > 0 && r < 0.92 ? pick(inRoom).userId : anyone();
    };
    const name = (id: number) => handleOf.get(id)!;
    const onStage = (s: { role: string }) => s.role !== "listener";
    const roll = random();

    if (!room || (live.length < maxLiveRooms && roll < 0.06)) {
      const actorId = anyone();
      const kind = pick<RoomKind>(["open", "open", "open", "social", "closed"]);
      return {
        kind: "start",
        label: `${name(actorId)} starts a ${kind} room`,
        run: (sql) =>
          startRoom(sql, actorId, { title: "Jam", description: "", topics: ["jazz"], kind }),
      };
    }
    if (roll >= 0.06 && roll < 0.075) {
      const actorId = anyone();
      const cohosts = handles.filter(() => chance(0.15));
      return {
        kind: "schedule",
        label: `${name(actorId)} schedules an event with [${cohosts}]`,
        run: (sql) =>
          scheduleEvent(sql, actorId, {
            title: "Book club",
            description: "",
            topics: ["books"],
            kind: pick<RoomKind>(["open", "social"]),
            startsAt: new Date(Date.now() + dayMs),
            cohosts,
          }),
      };
    }
    if (roll >= 0.06 && roll < 0.1) {
      const scheduled = world.rooms.filter((r) => r.state === "scheduled");
      const event = scheduled.length > 0 ? pick(scheduled) : room;
      const actorId = event.hosts.length > 0 && chance(0.7) ? pick(event.hosts) : anyone();
      if (chance(0.4)) {
        const interested = chance(0.7);
        return {
          kind: "interest",
          label: `${name(actorId)} ${interested ? "is" : "is not"} interested in room ${event.id}`,
          run: (sql) => setInterest(sql, actorId, event.id, interested),
        };
      }
      return {
        kind: "open_event",
        label: `${name(actorId)} opens event ${event.id}`,
        run: (sql) => openEvent(sql, actorId, event.id),
      };
    }
    if (roll < 0.27) {
      const outside = ids.filter((id) => !inRoom.some((s) => s.userId === id));
      const memberId = outside.length > 0 && chance(0.85) ? pick(outside) : anyone();
      const linkKey = room.kind === "closed" && chance(0.5) ? room.linkKey : undefined;
      return {
        kind: "join",
        label: `${name(memberId)} joins room ${room.id}${linkKey ? " with the link" : ""}`,
        run: (sql) => joinRoom(sql, memberId, room.id, { linkKey }),
      };
    }
    if (roll < 0.55) {
      const type = pick<SelfAction>([
        "raise_hand",
        "raise_hand",
        "lower_hand",
        "accept_invite",
        "accept_invite",
        "accept_invite",
        "decline_invite",
        "mute_self",
        "unmute_self",
        "unmute_self",
        "leave",
      ]);
      const actorId = ({
        raise_hand: () => someone((s) => s.role === "listener" && !s.hand),
        lower_hand: () => someone((s) => s.hand),
        accept_invite: () => someone((s) => s.invited),
        decline_invite: () => someone((s) => s.invited),
        mute_self: () => someone(onStage),
        unmute_self: () => someone(onStage),
        leave: () => someone(() => true),
      })[type]();
      return {
        kind: type,
        label: `${name(actorId)} does ${type} in room ${room.id}`,
        run: (sql) => act(sql, actorId, room.id, { type }),
      };
    }
    const moderatorId = someone((s) => s.role === "moderator");
    if (roll < 0.86) {
      const type = pick<ModeratorAction>([
        "invite_to_speak",
        "invite_to_speak",
        "invite_to_speak",
        "move_to_audience",
        "mute",
        "make_moderator",
        "make_moderator",
        "unmake_moderator",
        "unmake_moderator",
        "remove",
      ]);
      const targetId = ({
        invite_to_speak: () => someone((s) => s.role === "listener" && !s.invited),
        move_to_audience: () => someone(onStage),
        mute: () => someone(onStage),
        make_moderator: () => someone((s) => s.role === "speaker"),
        unmake_moderator: () => someone((s) => s.role === "moderator" && s.userId !== moderatorId),
        remove: () => someone((s) => s.userId !== moderatorId),
      })[type]();
      return {
        kind: type,
        label: `${name(moderatorId)} does ${type} @${name(targetId)} in room ${room.id}`,
        run: (sql) => act(sql, moderatorId, room.id, { type, target: name(targetId) }),
      };
    }
    if (roll < 0.87) {
      return {
        kind: "end",
        label: `${name(moderatorId)} ends room ${room.id}`,
        run: (sql) => act(sql, moderatorId, room.id, { type: "end" }),
      };
    }
    if (roll < 0.9) {
      const enabled = chance(0.5);
      return {
        kind: "hands",
        label: `${name(moderatorId)} turns hands ${enabled ? "on" : "off"} in room ${room.id}`,
        run: (sql) => act(sql, moderatorId, room.id, { type: "hands", enabled }),
      };
    }
    if (roll < 0.93) {
      const gone = world.seats.length > 0 ? pick(world.seats) : undefined;
      return {
        kind: "sweep",
        label: `${gone ? name(gone.userId) : "nobody"} goes stale, then a sweep`,
        run: async (sql) => {
          if (gone) {
            await sql`update participants set last_seen_at = now() - interval '1 hour'
                      where room_id = ${gone.roomId} and user_id = ${gone.userId}`;
          }
          return await sweepAbsent(sql, { timeoutMs: presenceTimeoutMs });
        },
      };
    }
    if (roll < 0.95) {
      const seen = world.seats.filter(() => chance(0.5));
      return {
        kind: "presence",
        label: `presence of ${seen.length} seats`,
        run: (sql) => touchPresence(sql, seen),
      };
    }
    const actorId = anyone();
    const other = pick(handles.filter((h) => h !== name(actorId)));
    if (roll < 0.965) {
      const blocking = chance(0.6);
      return {
        kind: blocking ? "block" : "unblock",
        label: `${name(actorId)} ${blocking ? "blocks" : "unblocks"} @${other}`,
        run: (sql) => blocking ? block(sql, actorId, other) : unblock(sql, actorId, other),
      };
    }
    return {
      kind: "follow",
      label: `${name(actorId)} follows @${other}`,
      run: (sql) => follow(sql, actorId, other),
    };
  }

  function fail(step: number, message: string): never {
    throw new Error(
      `${message}\nseed ${seed}, step ${step}; last steps:\n  ${history.slice(-15).join("\n  ")}`,
    );
  }

  try {
    for (let step = 0; step < steps; step++) {
      const world = await look(sql);
      // Now and then two or three members act at the same moment, from both processes.
      const moves = chance(0.12)
        ? [plan(world), plan(world), plan(world)].slice(0, pick([2, 3]))
        : [
          plan(world),
        ];
      const before = moves.length === 1 ? await digest(sql) : undefined;
      const results = await Promise.allSettled(
        moves.map((move, i) => move.run(i % 2 === 0 ? first : second)),
      );
      for (const [i, result] of results.entries()) {
        const move = moves[i];
        const count = tally[move.kind] ??= { done: 0, refused: 0, why: {} };
        if (result.status === "fulfilled") {
          count.done++;
          history.push(`${step}: ${move.label}`);
        } else if (result.reason instanceof Refusal) {
          count.refused++;
          const why = result.reason.message.replace(/@\w+/g, "@x");
          count.why[why] = (count.why[why] ?? 0) + 1;
          history.push(`${step}: ${move.label} -> ${result.reason.code}: ${result.reason.message}`);
          if (before !== undefined && await digest(sql) !== before) {
            fail(step, `"${move.label}" was refused but changed the database`);
          }
        } else {
          history.push(`${step}: ${move.label} -> ${result.reason}`);
          fail(step, `"${move.label}" failed with a non-Refusal error: ${result.reason}`);
        }
      }
      const violations = await roomViolations(sql);
      if (violations.length > 0) fail(step, `Broken invariants:\n  ${violations.join("\n  ")}`);
      if (step % 20 === 0) {
        const viewer = pick(ids);
        for (const listed of (await hallwayFor(sql, viewer)).live) {
          const room = (await look(sql)).rooms.find((r) => r.id === listed.id);
          if (room?.state !== "live" || !(await mayJoin(sql, listed.id, viewer))) {
            fail(step, `the hallway of ${handleOf.get(viewer)} lists room ${listed.id} wrongly`);
          }
        }
      }
    }
  } finally {
    await close();
  }
  const done = Object.values(tally).reduce((n, t) => n + t.done, 0);
  const refused = Object.values(tally).reduce((n, t) => n + t.refused, 0);
  console.log(
    `seed ${seed} on ${db.kind}: ${done} done, ${refused} refused\n` +
      Object.entries(tally).sort().map(([kind, t]) =>
        `  ${kind}: ${t.done} done, ${t.refused} refused` +
        Object.entries(t.why).map(([why, n]) => `\n      ${n} × ${why}`).join("")
      ).join("\n"),
  );
  // A walk where nearly everything is refused would check little.
  assert.ok(done > steps / 3, `only ${done} of ${steps} steps went through`);
});
