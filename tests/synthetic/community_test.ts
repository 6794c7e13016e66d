import assert from "node:assert/strict";
import {
  type Community,
  type CommunityOptions,
  syntheticCatalogue,
} from "../../synthetic/community.ts";
import { communitySignals } from "../../synthetic/community_signals.ts";
import { generateCommunity } from "../../synthetic/generator.ts";
import { listenerRole, moderatorRole } from "../../synthetic/listening_sessions.ts";

// An evening in the past (UTC), so that every run makes the same communities.
const now = Date.UTC(2025, 4, 20, 19, 30);
const small: CommunityOptions = {
  topics: syntheticCatalogue(),
  now,
  members: 300,
  listens: 8_000,
  days: 14,
};

let largeCommunity: Community | undefined;
/** Big enough for shares and shapes to show: 10,000 members, 200,000 sessions. */
function large(): Community {
  largeCommunity ??= generateCommunity({ ...small, members: 10_000, listens: 200_000, days: 30 });
  return largeCommunity;
}

/** Seconds of a session heard up to the community's now. */
function heard(c: Community, s: number): number {
  return (Math.min(c.sessions.endAt[s], c.now) - c.sessions.startAt[s]) / 1000;
}

function localHour(at: number, utcOffsetMinutes: number): number {
  const minutes = Math.floor(at / 60_000) + utcOffsetMinutes;
  return Math.floor((((minutes % 1440) + 1440) % 1440) / 60);
}

Deno.test("the same seed makes the same community", () => {
  const a = generateCommunity({ ...small, seed: 5 });
  const b = generateCommunity({ ...small, seed: 5 });
  assert.deepEqual(a, b);
  assert.deepEqual(communitySignals(a), communitySignals(b));
});

Deno.test("another seed makes another community", () => {
  const a = generateCommunity({ ...small, seed: 5 });
  const b = generateCommunity({ ...small, seed: 6 });
  assert.notDeepEqual(a.members.map((m) => m.handle), b.members.map((m) => m.handle));
  assert.notDeepEqual(a.sessions.member, b.sessions.member);
});

Deno.test("the community has the members and listening sessions asked for", () => {
  const c = generateCommunity({ ...small, members: 450, listens: 9_000 });
  assert.deepEqual(c.members.map((m) => m.id), Array.from({ length: 450 }, (_, i) => i + 1));
  assert.equal(c.sessions.count, 9_000);
  assert.equal(c.sessions.member.length, 9_000);
  assert.equal(c.now - c.startAt, 14 * 86_400_000);
  assert.deepEqual(c.rooms.map((r) => r.id), c.rooms.map((_, i) => i + 1));
});

Deno.test("sizes outside the limits are refused", () => {
  for (
    const wrong of [
      { members: 5 },
      { members: 100_001 },
      { listens: 10 },
      { days: 1 },
      { days: 2.5 },
      { seed: 0.5 },
      { topics: syntheticCatalogue().slice(0, 5) },
    ]
  ) {
    assert.throws(
      () => generateCommunity({ ...small, ...wrong }),
      RangeError,
      JSON.stringify(wrong),
    );
  }
});

Deno.test("sessions happen inside their rooms, after members joined, and before now", () => {
  const c = generateCommunity(small);
  const s = c.sessions;
  for (let i = 0; i < s.count; i++) {
    const room = c.rooms[s.room[i] - 1];
    const member = c.members[s.member[i] - 1];
    assert.notEqual(room.state, "scheduled");
    assert.ok(
      room.startAt <= s.startAt[i] && s.startAt[i] < s.endAt[i] && s.endAt[i] <= room.endAt,
    );
    assert.ok(member.onboardedAt <= s.startAt[i] && s.startAt[i] < c.now);
    // Only members in a room live now are still listening.
    if (s.endAt[i] > c.now) assert.equal(room.state, "live");
  }
  for (let i = 1; i < s.count; i++) assert.ok(s.startAt[i - 1] <= s.startAt[i]);
});

Deno.test("nobody is in two rooms at once", () => {
  const c = generateCommunity(small);
  const s = c.sessions;
  const lastEnd = new Map<number, number>();
  // Sessions are in order of start: each must begin after the member's previous one ended.
  for (let i = 0; i < s.count; i++) {
    assert.ok((lastEnd.get(s.member[i]) ?? 0) <= s.startAt[i], `session ${i}`);
    lastEnd.set(s.member[i], s.endAt[i]);
  }
});

Deno.test("rooms live now have their host on stage, and events are in the coming week", () => {
  const c = generateCommunity(small);
  const live = c.rooms.filter((r) => r.state === "live");
  assert.ok(live.length >= 3);
  for (const room of live) {
    const hostHere = [...c.sessions.room.keys()].some((i) =>
      c.sessions.room[i] === room.id && c.sessions.member[i] === room.host &&
      c.sessions.role[i] === moderatorRole && c.sessions.endAt[i] > c.now
    );
    assert.ok(hostHere, `room ${room.id}`);
  }
  const events = c.rooms.filter((r) => r.state === "scheduled");
  assert.ok(events.length >= 4);
  for (const event of events) {
    assert.ok(event.startAt > c.now && event.startAt < c.now + 9 * 86_400_000);
    assert.ok(!event.cohosts.includes(event.host) && !event.interested.includes(event.host));
  }
  for (const room of c.rooms.filter((r) => r.state === "ended")) assert.ok(room.endAt <= c.now);
});

Deno.test("a few hosts draw a large share of the listening", () => {
  const c = large();
  const byHost = new Map<number, number>();
  for (let i = 0; i < c.sessions.count; i++) {
    if (c.sessions.role[i] !== listenerRole) continue;
    const host = c.rooms[c.sessions.room[i] - 1].host;
    byHost.set(host, (byHost.get(host) ?? 0) + heard(c, i));
  }
  const hosts = c.members.filter((m) => m.hostPopularity > 0);
  const seconds = hosts.map((h) => byHost.get(h.id) ?? 0).sort((a, b) => b - a);
  const total = seconds.reduce((a, b) => a + b, 0);
  const shareOfTop = (fraction: number) =>
    seconds.slice(0, Math.ceil(seconds.length * fraction)).reduce((a, b) => a + b, 0) / total;
  assert.ok(hosts.length >= 500);
  // An even spread would give them 1% and 10%.
  assert.ok(shareOfTop(0.01) > 0.08, `top 1% of hosts: ${shareOfTop(0.01)}`);
  assert.ok(shareOfTop(0.1) > 0.4, `top 10% of hosts: ${shareOfTop(0.1)}`);
});

Deno.test("members listen mostly to their group's topics, many of them never picked", () => {
  const c = large();
  const picked = new Map<number, Set<number>>();
  for (const p of c.picks) {
    const topics = picked.get(p.member) ?? new Set();
    if (p.kind === "pick") topics.add(p.topic);
    else topics.delete(p.topic);
    picked.set(p.member, topics);
  }
  let total = 0;
  let ownGroup = 0;
  let ownGroupUnpicked = 0;
  for (const signal of communitySignals(c)) {
    if (signal.kind !== "listen" || signal.item.kind !== "topic") continue;
    const group = c.groups[c.members[signal.user - 1].group];
    total += signal.seconds;
    if (!group.topics.includes(signal.item.id)) continue;
    ownGroup += signal.seconds;
    if (!picked.get(signal.user)!.has(signal.item.id)) ownGroupUnpicked += signal.seconds;
  }
  // A group likes 4 to 8 of 68 topics: by chance it would get about a tenth.
  assert.ok(ownGroup / total > 0.7, `own group: ${ownGroup / total}`);
  assert.ok(ownGroupUnpicked / total > 0.15, `own group, not picked: ${ownGroupUnpicked / total}`);
});

Deno.test("taste groups are distinct", () => {
  const c = large();
  for (const [i, a] of c.groups.entries()) {
    for (const b of c.groups.slice(i + 1)) {
      assert.notDeepEqual([...a.topics].sort(), [...b.topics].sort());
    }
  }
  // Members of one group listen to rooms of that group far more than to any other group's.
  const byGroup = c.groups.map(() => c.groups.map(() => 0));
  for (let i = 0; i < c.sessions.count; i++) {
    if (c.sessions.role[i] !== listenerRole) continue;
    const member = c.members[c.sessions.member[i] - 1];
    byGroup[member.group][c.rooms[c.sessions.room[i] - 1].group] += heard(c, i);
  }
  byGroup.forEach((row, g) => {
    const others = row.filter((_, h) => h !== g);
    assert.ok(row[g] > 3 * Math.max(...others), `group ${g}: ${row}`);
  });
});

Deno.test("taste drifts towards each member's second group", () => {
  const c = large();
  const span = c.now - c.startAt;
  const second = [0, 0];
  const all = [0, 0];
  for (let i = 0; i < c.sessions.count; i++) {
    const at = (c.sessions.startAt[i] - c.startAt) / span;
    if (at > 1 / 3 && at < 2 / 3) continue;
    const half = at <= 1 / 3 ? 0 : 1;
    const member = c.members[c.sessions.member[i] - 1];
    all[half] += heard(c, i);
    if (c.rooms[c.sessions.room[i] - 1].group === member.secondGroup) second[half] += heard(c, i);
  }
  const [early, late] = [second[0] / all[0], second[1] / all[1]];
  assert.ok(late > early + 0.02, `second group: ${early} early, ${late} late`);
});

Deno.test("members listen most in their local evening", () => {
  const c = large();
  const byHour = new Array(24).fill(0);
  for (let i = 0; i < c.sessions.count; i++) {
    const member = c.members[c.sessions.member[i] - 1];
    byHour[localHour(c.sessions.startAt[i], member.utcOffsetMinutes)]++;
  }
  const busiest = byHour.indexOf(Math.max(...byHour));
  assert.ok(busiest >= 18 && busiest <= 22, `busiest local hour: ${busiest}`);
  assert.ok(Math.max(...byHour) > 5 * Math.min(...byHour), `${byHour}`);
});

Deno.test("members pick three to eight topics, mostly their group's", () => {
  const c = generateCommunity(small);
  let fromGroup = 0;
  let all = 0;
  for (const member of c.members) {
    const first = c.picks.filter((p) => p.member === member.id && p.at === member.onboardedAt);
    assert.ok(first.length >= 3 && first.length <= 8, `${member.handle}: ${first.length}`);
    all += first.length;
    fromGroup += first.filter((p) => c.groups[member.group].topics.includes(p.topic)).length;
  }
  assert.ok(fromGroup / all > 0.6, `from their group: ${fromGroup / all}`);
});

Deno.test("members mostly follow people they have heard on stage", () => {
  const c = large();
  const heardFrom = new Map<number, Map<number, number>>();
  const stage = new Map<number, number[]>();
  for (let i = 0; i < c.sessions.count; i++) {
    if (c.sessions.role[i] === listenerRole) continue;
    const list = stage.get(c.sessions.room[i]) ?? [];
    list.push(i);
    stage.set(c.sessions.room[i], list);
  }
  for (let i = 0; i < c.sessions.count; i++) {
    const member = c.sessions.member[i];
    const people = heardFrom.get(member) ?? new Map<number, number>();
    for (const t of stage.get(c.sessions.room[i]) ?? []) {
      const from = Math.max(c.sessions.startAt[i], c.sessions.startAt[t]);
      const to = Math.min(c.sessions.endAt[i], c.sessions.endAt[t], c.now);
      const person = c.sessions.member[t];
      if (to > from && person !== member) {
        people.set(person, Math.min(people.get(person) ?? Infinity, from));
      }
    }
    heardFrom.set(member, people);
  }
  const follows = c.follows.filter((f) => f.kind === "follow");
  const afterHearing = follows.filter((f) =>
    (heardFrom.get(f.member)?.get(f.person) ?? Infinity) <= f.at
  );
  assert.ok(follows.length > c.members.length);
  assert.ok(afterHearing.length / follows.length > 0.6, `${afterHearing.length}/${follows.length}`);
});

Deno.test("signals are well formed and in time order", () => {
  const c = generateCommunity(small);
  const signals = communitySignals(c);
  const topics = new Set(c.topics.map((t) => t.id));
  const following = new Set<string>();
  const picked = new Set<string>();
  let listened = 0;
  for (const [i, s] of signals.entries()) {
    assert.ok(i === 0 || signals[i - 1].at <= s.at);
    assert.ok(s.at >= c.startAt && s.at <= c.now && s.at % 1000 === 0);
    assert.ok(s.user >= 1 && s.user <= c.members.length);
    if (s.item.kind === "topic") assert.ok(topics.has(s.item.id));
    else assert.ok(s.item.id >= 1 && s.item.id <= c.members.length && s.item.id !== s.user);
    const pair = `${s.user}:${s.item.id}`;
    // Nobody picks what they picked, or unfollows whom they do not follow.
    switch (s.kind) {
      case "pick":
        assert.ok(!picked.has(pair));
        picked.add(pair);
        break;
      case "unpick":
        assert.ok(picked.delete(pair));
        break;
      case "follow":
        assert.ok(!following.has(pair));
        following.add(pair);
        break;
      case "unfollow":
        assert.ok(following.delete(pair));
        break;
      case "listen":
        assert.ok(s.seconds > 0 && Number.isInteger(s.seconds));
        if (s.item.kind === "topic") listened += s.seconds;
    }
  }
  // Every session gives each of its room's topics all of its seconds.
  let expected = 0;
  for (let i = 0; i < c.sessions.count; i++) {
    expected += heard(c, i) * c.rooms[c.sessions.room[i] - 1].topics.length;
  }
  assert.equal(listened, expected);
});
