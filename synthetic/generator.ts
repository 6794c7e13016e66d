/**
 * `generateCommunity`, and how it makes the community up, step by step: taste groups, members, hosts,
 * rooms with their stages, listening, then picks and follows. Every step draws from one
 * seeded `Random` in a fixed order, so a seed always gives the same community. Times are whole
 * seconds in here; the community carries them as milliseconds.
 */
import {
  type CatalogueTopic,
  checkCommunityOptions,
  type Community,
  communityDefaults,
  type CommunityMember,
  type CommunityOptions,
  type CommunityProgress,
  type CommunityRoom,
  type FollowChange,
  type TasteGroup,
  type TopicPick,
} from "./community.ts";
import { Random, WeightedChoice } from "./random.ts";
import { localHourActivity, roomTitles, seededName, timeZones } from "./names_and_hours.ts";
import {
  emptySessions,
  listenerRole,
  type ListeningSessions,
  moderatorRole,
  reorderSessions,
  speakerRole,
  stageByRoom,
  timeOrder,
} from "./listening_sessions.ts";

/**
 * Makes up a community; see synthetic/community.ts's module comment for what it looks like.
 *
 * @example
 * const community = generateCommunity({ topics: syntheticCatalogue(), now: Date.now(), seed: 7 });
 * community.members.length; // 500
 */
export function generateCommunity(options: CommunityOptions): Community {
  checkCommunityOptions(options);
  return new Draft({
    seed: options.seed ?? communityDefaults.seed,
    members: options.members ?? communityDefaults.members,
    listens: options.listens ?? communityDefaults.listens,
    days: options.days ?? communityDefaults.days,
    topics: options.topics,
    nowSec: Math.floor(options.now / 1000),
    onProgress: options.onProgress ?? (() => {}),
  }).generate();
}

interface DraftSettings {
  topics: CatalogueTopic[];
  seed: number;
  members: number;
  listens: number;
  days: number;
  nowSec: number;
  onProgress: (progress: CommunityProgress) => void;
}

const secondsPerHour = 3_600;
const secondsPerDay = 86_400;

// The community's shape: sizes follow the options, these are the proportions.
const membersPerGroup = 40;
const minGroups = 4;
const maxGroups = 24;
const sessionsPerRoom = 20;
const roomsPerHostPerDay = 0.4;
const maxHostShare = 0.3;
/** The r-th most popular host of a group draws audiences in proportion to 1 / r^this. */
const hostZipfExponent = 1.2;
/** Popular hosts also host more often, but far less than in proportion. */
const hostingRateExponent = 0.35;
/** Members there from the first day; the others join along the way. */
const foundingShare = 0.7;
const homeZoneShare = 0.6;
/** Listening that goes to a favourite host's rooms; to any group's rooms (noise). */
const favoriteShare = 0.3;
const noiseShare = 0.07;
const followFavoriteChance = 0.75;
const followOtherSpeakerChance = 0.01;
const unfollowChance = 0.04;
const repickChance = 0.15;
const pickCounts = [3, 4, 5, 6, 7, 8];
/** Picks come from the member's own group, else their second group, else anywhere. */
const pickFromGroupChance = 0.8;
const pickFromSecondGroupChance = 0.12;
const roomMedianSeconds = 50 * 60;
const sessionMedianSeconds = 20 * 60;
/** Spread of members' log-normal activity, and the cap on the busiest relative to the mean. */
const activitySpread = 0.9;
const maxRelativeActivity = 8;

const hourChoice = new WeightedChoice(localHourActivity);
const zoneChoice = new WeightedChoice(timeZones.map((z) => z.weight));
const peakActivity = Math.max(...localHourActivity);

/** Everything made so far; `generate` runs the steps in order. */
class Draft {
  readonly random: Random;
  readonly settings: DraftSettings;
  readonly startSec: number;
  readonly groups: TasteGroup[] = [];
  readonly groupTopicChoice: WeightedChoice[] = [];
  readonly groupHomeZone: number[] = [];
  readonly membersOfGroup: number[][] = [];
  readonly members: CommunityMember[] = [];
  readonly activity: Float64Array;
  /** Share of listening that goes to the second group at first, and how much it grows. */
  readonly secondShare: Float64Array;
  readonly drift: Float64Array;
  readonly hostsOfGroup: number[][] = [];
  /** Per group, its hosts drawn by how often they host, and by how popular they are. */
  readonly hostingChoice: WeightedChoice[] = [];
  readonly popularityChoice: WeightedChoice[] = [];
  readonly specialty = new Map<number, number[]>();
  favoriteHosts: number[][] = [];
  rooms: CommunityRoom[] = [];
  historyRoomCount = 0;
  sessions: ListeningSessions;
  /** Per member, the times they are in rooms as [from, to, from, to...] in seconds. */
  readonly busy: number[][];

  constructor(settings: DraftSettings) {
    this.settings = settings;
    this.random = new Random(settings.seed);
    this.startSec = settings.nowSec - settings.days * secondsPerDay;
    this.sessions = emptySessions(settings.listens);
    this.activity = new Float64Array(settings.members + 1);
    this.secondShare = new Float64Array(settings.members + 1);
    this.drift = new Float64Array(settings.members + 1);
    // One flat array per member: checking a member's times reads contiguous memory.
    this.busy = Array.from({ length: settings.members + 1 }, () => []);
  }

  generate(): Community {
    this.makeGroups();
    this.makeMembers();
    this.makeHosts();
    this.makeRooms();
    this.makeLiveAudience();
    this.makeFavorites();
    this.makeAudience();
    this.renumberRooms();
    this.sessions = reorderSessions(
      this.sessions,
      timeOrder(this.sessions.startAt, this.sessions.count, this.startSec * 1000),
    );
    const picks = this.makePicks();
    const follows = this.makeFollows();
    return {
      seed: this.settings.seed,
      startAt: this.startSec * 1000,
      now: this.settings.nowSec * 1000,
      topics: this.settings.topics,
      groups: this.groups,
      members: this.members,
      rooms: this.rooms,
      sessions: this.sessions,
      picks,
      follows,
      demoMember: this.busiestListener(),
    };
  }

  member(id: number): CommunityMember {
    return this.members[id - 1];
  }

  progress(phase: CommunityProgress["phase"], done: number, total: number): void {
    this.settings.onProgress({ phase, done, total });
  }

  /** Each group likes a few topics in one or two home categories, and one to three elsewhere. */
  makeGroups(): void {
    const { random, settings } = this;
    const count = clamp(Math.round(settings.members / membersPerGroup), minGroups, maxGroups);
    const categories = [...new Set(settings.topics.map((t) => t.categoryId))];
    for (let g = 0; g < count; g++) {
      const home = random.shuffle([...categories]).slice(0, random.chance(0.6) ? 1 : 2);
      const inHome = random.shuffle(settings.topics.filter((t) => home.includes(t.categoryId)));
      const elsewhere = random.shuffle(settings.topics.filter((t) => !home.includes(t.categoryId)));
      const liked = random.shuffle([
        ...inHome.slice(0, random.between(3, 5)),
        ...elsewhere.slice(0, random.between(1, 3)),
      ]);
      const raw = liked.map((_, rank) => 1 / (rank + 1) ** 0.7);
      const total = raw.reduce((a, b) => a + b, 0);
      this.groups.push({ topics: liked.map((t) => t.id), weights: raw.map((w) => w / total) });
      this.groupTopicChoice.push(new WeightedChoice(raw));
      this.groupHomeZone.push(timeZones[zoneChoice.draw(random)].utcOffsetMinutes);
      this.membersOfGroup.push([]);
    }
  }

  makeMembers(): void {
    const { random, settings, startSec } = this;
    const groupCount = this.groups.length;
    const groupChoice = new WeightedChoice(this.groups.map(() => 0.5 + random.next()));
    const lateJoinSpan = Math.max(1, settings.nowSec - startSec - 1.5 * secondsPerDay);
    for (let id = 1; id <= settings.members; id++) {
      // The first members found every group, so that none is empty.
      const group = id <= groupCount ? id - 1 : groupChoice.draw(random);
      let secondGroup = random.below(groupCount - 1);
      if (secondGroup >= group) secondGroup++;
      const founding = id <= groupCount || random.chance(foundingShare);
      const joinedSec = founding
        ? startSec + random.below(secondsPerDay / 2)
        : startSec + secondsPerDay / 2 + random.below(lateJoinSpan);
      const utcOffsetMinutes = random.chance(homeZoneShare)
        ? this.groupHomeZone[group]
        : timeZones[zoneChoice.draw(random)].utcOffsetMinutes;
      this.members.push({
        id,
        ...seededName(random, id),
        group,
        secondGroup,
        utcOffsetMinutes,
        joinedAt: joinedSec * 1000,
        onboardedAt: (joinedSec + random.between(60, 600)) * 1000,
        hostPopularity: 0,
      });
      this.membersOfGroup[group].push(id);
      // Log-normal with mean 1: a few members listen far more than most.
      const activity = Math.exp(activitySpread * random.normal() - activitySpread ** 2 / 2);
      this.activity[id] = Math.min(maxRelativeActivity, activity);
      this.secondShare[id] = 0.08 + 0.12 * random.next();
      this.drift[id] = 0.05 + 0.15 * random.next();
      if (id % 10_000 === 0) this.progress("members", id, settings.members);
    }
    this.progress("members", settings.members, settings.members);
  }

  historyRoomTarget(): number {
    return Math.max(2 * this.groups.length, Math.round(this.settings.listens / sessionsPerRoom));
  }

  /** Founding members host; within a group, popularity falls as a power of rank. */
  makeHosts(): void {
    const { random, settings } = this;
    const wanted = clamp(
      Math.round(this.historyRoomTarget() / (settings.days * roomsPerHostPerDay)),
      this.groups.length,
      Math.floor(settings.members * maxHostShare),
    );
    const firstDayEnd = (this.startSec + secondsPerDay / 2) * 1000;
    this.groups.forEach((group, g) => {
      const founders = this.membersOfGroup[g].filter((id) =>
        this.member(id).joinedAt < firstDayEnd
      );
      const share = this.membersOfGroup[g].length / settings.members;
      const hosts = random.shuffle(founders).slice(0, Math.max(1, Math.round(wanted * share)));
      hosts.forEach((id, rank) => {
        this.member(id).hostPopularity = 1 / (rank + 1) ** hostZipfExponent;
        const topics = distinctDraws(random, this.groupTopicChoice[g], random.between(2, 4));
        this.specialty.set(id, topics.map((t) => group.topics[t]));
      });
      this.hostsOfGroup.push(hosts);
      const popularity = hosts.map((id) => this.member(id).hostPopularity);
      this.popularityChoice.push(new WeightedChoice(popularity));
      this.hostingChoice.push(new WeightedChoice(popularity.map((p) => p ** hostingRateExponent)));
    });
  }

  /** Is the member in no room during [fromSec, toSec)? Nobody is in two rooms at once. */
  isFree(member: number, fromSec: number, toSec: number): boolean {
    const busy = this.busy[member];
    for (let i = 0; i < busy.length; i += 2) {
      if (busy[i] < toSec && fromSec < busy[i + 1]) return false;
    }
    return true;
  }

  /** Could the member be in a room from `fromSec` (joined, picked topics, not elsewhere)? */
  isAvailable(member: number, fromSec: number, toSec: number): boolean {
    return this.member(member).onboardedAt <= fromSec * 1000 && this.isFree(member, fromSec, toSec);
  }

  addSession(member: number, room: number, role: number, fromSec: number, toSec: number): void {
    const s = this.sessions.count++;
    this.sessions.member[s] = member;
    this.sessions.room[s] = room;
    this.sessions.role[s] = role;
    this.sessions.startAt[s] = fromSec * 1000;
    this.sessions.endAt[s] = toSec * 1000;
    this.busy[member].push(fromSec, toSec);
  }

  /** A time on the UTC day `day` (0: the day history starts in), at a likely local hour. */
  likelyTimeOn(day: number, utcOffsetMinutes: number): number {
    const firstMidnight = Math.floor(this.startSec / secondsPerDay) * secondsPerDay;
    const local = hourChoice.draw(this.random) * secondsPerHour + this.random.below(secondsPerHour);
    return firstMidnight + day * secondsPerDay + local - utcOffsetMinutes * 60;
  }

  makeRooms(): void {
    const { random, settings } = this;
    const target = this.historyRoomTarget();
    const groupChoice = new WeightedChoice(this.membersOfGroup.map((m) => m.length));
    for (let attempts = 0; this.rooms.length < target; attempts++) {
      if (attempts > 100 * target) {
        throw new Error(`Could not fit ${target} rooms into ${settings.days} days`);
      }
      const group = groupChoice.draw(random);
      const host = this.hostsOfGroup[group][this.hostingChoice[group].draw(random)];
      const duration = logNormal(random, roomMedianSeconds, 0.5, 15 * 60, 180 * 60);
      const start = this.likelyTimeOn(
        random.below(settings.days + 1),
        this.member(host).utcOffsetMinutes,
      );
      const end = start + duration;
      if (
        start < this.startSec || end > settings.nowSec - 60 || !this.isAvailable(host, start, end)
      ) {
        continue;
      }
      this.openRoom(group, host, start, end, "ended");
      if (this.rooms.length % 10_000 === 0) this.progress("rooms", this.rooms.length, target);
    }
    this.historyRoomCount = this.rooms.length;
    this.makeLiveRooms();
    this.makeEvents();
    this.progress("rooms", target, target);
  }

  /** A few rooms going on now, by popular hosts, so that a demo has somewhere to go. */
  makeLiveRooms(): void {
    const { random, settings } = this;
    const count = clamp(Math.round(this.historyRoomCount / 400), 3, 24);
    const groups = random.shuffle([...this.groups.keys()]);
    for (let made = 0, tries = 0; made < count && tries < 50 * count; tries++) {
      const group = groups[made % groups.length];
      const host = this.hostsOfGroup[group][this.popularityChoice[group].draw(random)];
      const start = settings.nowSec - random.between(5, 50) * 60;
      const end = settings.nowSec + random.between(15, 90) * 60;
      if (!this.isAvailable(host, start, end)) continue;
      this.openRoom(group, host, start, end, "live");
      made++;
    }
  }

  /** Events scheduled in the coming week, with co-hosts and interested members. */
  makeEvents(): void {
    const { random, settings } = this;
    const count = clamp(Math.round(this.historyRoomCount / 200), 4, 40);
    const today = Math.floor((settings.nowSec - this.startSec) / secondsPerDay);
    for (let made = 0; made < count;) {
      const group = random.below(this.groups.length);
      const hosts = this.hostsOfGroup[group];
      const host = hosts[this.popularityChoice[group].draw(random)];
      const start = this.likelyTimeOn(
        today + random.between(1, 7),
        this.member(host).utcOffsetMinutes,
      );
      if (start < settings.nowSec + secondsPerHour) continue;
      const room = this.openRoom(group, host, start, start + secondsPerHour, "scheduled");
      room.cohosts = distinctDraws(random, this.popularityChoice[group], random.between(1, 3))
        .map((i) => hosts[i])
        .filter((id) => id !== host);
      const wanted = random.between(0, 5 + Math.round(30 * this.member(host).hostPopularity));
      room.interested = random.shuffle([...this.membersOfGroup[group]])
        .filter((id) => id !== host && !room.cohosts.includes(id))
        .slice(0, wanted)
        .sort((a, b) => a - b);
      made++;
    }
  }

  /**
   * Adds a room with its topics and title and, unless it is only scheduled, its stage: the
   * host for the whole room, speakers for part of it. Until `renumberRooms`, a room's id is
   * its position in `rooms` plus one.
   */
  openRoom(
    group: number,
    host: number,
    startSec: number,
    endSec: number,
    state: CommunityRoom["state"],
  ): CommunityRoom {
    const { random } = this;
    const specialty = this.specialty.get(host)!;
    // The host's first specialty comes up most; one topic is the commonest room.
    const topicChoice = new WeightedChoice(specialty.map((_, i) => 1 / (i + 1)));
    const topics = distinctDraws(random, topicChoice, random.pick([1, 1, 1, 2, 2, 3]))
      .map((i) => specialty[i]);
    const room: CommunityRoom = {
      id: this.rooms.length + 1,
      title: this.title(topics[0], host),
      group,
      host,
      topics,
      speakers: [],
      cohosts: [],
      interested: [],
      state,
      startAt: startSec * 1000,
      endAt: endSec * 1000,
    };
    this.rooms.push(room);
    if (state === "scheduled") return room;
    this.addSession(host, room.id, moderatorRole, startSec, endSec);
    const wanted = random.pick([0, 0, 0, 1, 1, 1, 2, 2, 2, 3]) + (state === "live" ? 1 : 0);
    const hosts = this.hostsOfGroup[group];
    for (let tries = 0; room.speakers.length < wanted && tries < 5 * wanted; tries++) {
      // Mostly other hosts of the group; now and then a listener brought up.
      const speaker = random.chance(0.8)
        ? hosts[this.popularityChoice[group].draw(random)]
        : random.pick(this.membersOfGroup[group]);
      // Nobody comes on stage after now, not even in a room that goes on.
      const lastStart = Math.min(endSec, this.settings.nowSec - 60);
      const from = random.chance(0.5)
        ? startSec
        : startSec + random.below((lastStart - startSec) * 0.4);
      const to = state === "live" || random.chance(0.7)
        ? endSec
        : from + Math.round((endSec - from) * (0.3 + 0.7 * random.next()));
      if (speaker === host || room.speakers.includes(speaker)) continue;
      if (!this.isAvailable(speaker, from, to)) continue;
      room.speakers.push(speaker);
      this.addSession(speaker, room.id, speakerRole, from, to);
    }
    return room;
  }

  title(topicId: number, host: number): string {
    const topic = this.settings.topics.find((t) => t.id === topicId);
    const title = this.random.pick(roomTitles)
      .replace("{topic}", topic?.name ?? `#${topicId}`)
      .replace("{host}", this.member(host).displayName.split(" ")[0]);
    return (title[0].toUpperCase() + title.slice(1)).slice(0, 80);
  }

  /** Listeners in the rooms live now: most are still there, some have left. */
  makeLiveAudience(): void {
    const { random, settings } = this;
    const now = settings.nowSec;
    // At most a fifth of what is left, so that history keeps most of the listening.
    let budget = Math.floor((settings.listens - this.sessions.count) / 5);
    for (const room of this.rooms.filter((r) => r.state === "live")) {
      const wanted = 5 + Math.round(30 * this.member(room.host).hostPopularity);
      const start = room.startAt / 1000;
      const end = room.endAt / 1000;
      for (
        let placed = 0, tries = 0;
        placed < wanted && budget > 0 && tries < 20 * wanted;
        tries++
      ) {
        const member = random.chance(noiseShare)
          ? random.between(1, settings.members)
          : random.pick(this.membersOfGroup[room.group]);
        const from = random.between(start, now - 30);
        const to = random.chance(0.75) || now - from < 120
          ? Math.min(end, now + random.between(5, 60) * 60)
          : random.between(from + 60, now - 1);
        if (!this.isAvailable(member, from, to)) continue;
        this.addSession(member, room.id, listenerRole, from, to);
        placed++;
        budget--;
      }
    }
  }

  /** Two to five hosts of the member's own group (popular ones likelier), sometimes one more. */
  makeFavorites(): void {
    const { random } = this;
    this.favoriteHosts = [[]];
    for (const member of this.members) {
      const hosts = this.hostsOfGroup[member.group];
      const liked = distinctDraws(random, this.popularityChoice[member.group], random.between(2, 5))
        .map((i) => hosts[i]);
      if (random.chance(0.3)) {
        const other = this.hostsOfGroup[member.secondGroup];
        liked.push(other[this.popularityChoice[member.secondGroup].draw(random)]);
      }
      this.favoriteHosts.push([...new Set(liked)].filter((id) => id !== member.id));
    }
  }

  /**
   * The bulk of listening, in ended rooms. Each session goes to a member (by activity) on a
   * day they were around: to a favourite host's room, or to a room of their group (drifting
   * to their second group, now and then any group), rooms drawing listeners by their host's
   * popularity. Members mostly come in their local evening.
   */
  makeAudience(): void {
    const { random, settings, sessions } = this;
    // Days counted from the midnight (UTC) before history starts, as in `likelyTimeOn`.
    const days = settings.days + 1;
    const firstMidnight = Math.floor(this.startSec / secondsPerDay) * secondsPerDay;
    const history = this.rooms.slice(0, this.historyRoomCount);
    const roomsOn = groupDayIndex(history, this.groups.length, days, firstMidnight);
    const pull = roomsOn.map((rooms) =>
      rooms.length === 0
        ? null
        : new WeightedChoice(rooms.map((r) => this.member(history[r].host).hostPopularity))
    );
    const roomsOf = stageRoomsByMember(history, settings.members);
    const memberChoice = new WeightedChoice(
      Array.from(
        this.activity,
        (a, id) => id === 0 ? 0 : a * (settings.nowSec - this.member(id).joinedAt / 1000),
      ),
    );
    const target = settings.listens;
    const maxAttempts = 200 * (target - sessions.count) + 10_000;
    for (let attempts = 0; sessions.count < target; attempts++) {
      if (attempts > maxAttempts) {
        throw new Error(
          `Could not place ${target} listening sessions: give more members or days, or fewer listens`,
        );
      }
      const id = memberChoice.draw(random);
      const member = this.member(id);
      let roomIndex = -1;
      const favorites = this.favoriteHosts[id];
      if (favorites.length > 0 && random.chance(favoriteShare)) {
        const theirs = roomsOf[random.pick(favorites)];
        if (theirs.length > 0) roomIndex = random.pick(theirs);
      }
      if (roomIndex === -1) {
        const joinedDay = Math.floor((member.joinedAt / 1000 - firstMidnight) / secondsPerDay);
        const day = random.between(joinedDay, days - 1);
        const roll = random.next();
        const group = roll < noiseShare
          ? random.below(this.groups.length)
          : roll < noiseShare + this.secondShare[id] + this.drift[id] * day / days
          ? member.secondGroup
          : member.group;
        const choice = pull[group * days + day];
        if (choice === null) continue;
        roomIndex = roomsOn[group * days + day][choice.draw(random)];
      }
      const room = history[roomIndex];
      const roomStart = room.startAt / 1000;
      const roomEnd = room.endAt / 1000;
      // Early arrivals are likelier than late ones.
      const from = roomStart + Math.floor((roomEnd - roomStart) * 0.95 * random.next() ** 1.3);
      const hour = localHour(from, member.utcOffsetMinutes);
      if (!random.chance(localHourActivity[hour] / peakActivity)) continue;
      const length = logNormal(random, sessionMedianSeconds, 0.9, 60, 4 * secondsPerHour);
      const to = Math.min(roomEnd, from + length);
      if (!this.isAvailable(id, from, to)) continue;
      this.addSession(id, room.id, listenerRole, from, to);
      if (sessions.count % 50_000 === 0) this.progress("listening", sessions.count, target);
    }
    this.progress("listening", target, target);
  }

  /** Room ids in order of start, as the database would have given them. */
  renumberRooms(): void {
    const order = [...this.rooms].sort((a, b) => a.startAt - b.startAt || a.id - b.id);
    const newId = new Int32Array(this.rooms.length + 1);
    order.forEach((room, i) => newId[room.id] = i + 1);
    for (const room of order) room.id = newId[room.id];
    this.rooms = order;
    const { room } = this.sessions;
    for (let s = 0; s < this.sessions.count; s++) room[s] = newId[room[s]];
  }

  /** Three to eight topics at onboarding, mostly the group's; some members swap one later. */
  makePicks(): TopicPick[] {
    const { random, settings } = this;
    const picks: TopicPick[] = [];
    const allTopics = settings.topics.map((t) => t.id);
    const fromGroup = (group: number) =>
      this.groups[group].topics[this.groupTopicChoice[group].draw(random)];
    for (const member of this.members) {
      const chosen: number[] = [];
      const wanted = random.pick(pickCounts);
      while (chosen.length < wanted) {
        const roll = random.next();
        const topic = roll < pickFromGroupChance
          ? fromGroup(member.group)
          : roll < pickFromGroupChance + pickFromSecondGroupChance
          ? fromGroup(member.secondGroup)
          : random.pick(allTopics);
        if (!chosen.includes(topic)) chosen.push(topic);
      }
      for (const topic of chosen) {
        picks.push({ kind: "pick", member: member.id, topic, at: member.onboardedAt });
      }
      // Drift shows in picks too: a topic dropped for one of the second group's.
      const earliest = member.onboardedAt / 1000 + secondsPerDay;
      if (!random.chance(repickChance) || earliest >= settings.nowSec - 60) continue;
      const at = random.between(earliest, settings.nowSec - 60);
      const added = fromGroup(member.secondGroup);
      if (chosen.includes(added)) continue;
      const dropped = random.pick(chosen);
      picks.push({ kind: "unpick", member: member.id, topic: dropped, at: at * 1000 });
      picks.push({ kind: "pick", member: member.id, topic: added, at: (at + 30) * 1000 });
    }
    return picks.sort((a, b) => a.at - b.at);
  }

  /**
   * Members follow favourite hosts while hearing them, rarely other speakers, and a friend or
   * two from their group; a few unfollow later.
   */
  makeFollows(): FollowChange[] {
    const { random, settings, sessions } = this;
    const now = settings.nowSec;
    const follows: FollowChange[] = [];
    const following = this.members.map(() => new Set<number>());
    const follow = (member: number, person: number, atSec: number) => {
      if (member === person || following[member - 1].has(person)) return;
      following[member - 1].add(person);
      follows.push({ kind: "follow", member, person, at: atSec * 1000 });
    };
    const stage = stageByRoom(sessions, this.rooms.length);
    for (let s = 0; s < sessions.count; s++) {
      if (s % 100_000 === 0) this.progress("follows", s, sessions.count);
      if (sessions.role[s] !== listenerRole) continue;
      const member = sessions.member[s];
      const room = sessions.room[s];
      const from = sessions.startAt[s] / 1000;
      const to = Math.min(sessions.endAt[s] / 1000, now);
      for (let k = stage.start[room]; k < stage.start[room + 1]; k++) {
        const t = stage.sessions[k];
        const person = sessions.member[t];
        const heardFrom = Math.max(from, sessions.startAt[t] / 1000);
        const heardTo = Math.min(to, sessions.endAt[t] / 1000);
        if (heardTo <= heardFrom || following[member - 1].has(person)) continue;
        const odds = this.favoriteHosts[member].includes(person)
          ? followFavoriteChance
          : followOtherSpeakerChance;
        if (random.chance(odds)) follow(member, person, random.between(heardFrom, heardTo));
      }
    }
    for (const member of this.members) {
      const friends = random.chance(0.5) ? random.between(1, 2) : 0;
      for (let i = 0; i < friends; i++) {
        const friend = this.member(random.pick(this.membersOfGroup[member.group]));
        const since = Math.max(member.onboardedAt, friend.onboardedAt) / 1000;
        if (since < now) follow(member.id, friend.id, random.between(since, now));
      }
    }
    for (const change of [...follows]) {
      const since = change.at / 1000 + 1;
      if (!random.chance(unfollowChance) || since > now) continue;
      const at = random.between(since, now) * 1000;
      follows.push({ kind: "unfollow", member: change.member, person: change.person, at });
    }
    this.progress("follows", sessions.count, sessions.count);
    return follows.sort((a, b) => a.at - b.at);
  }

  /** The member who never hosts with the most listening sessions (ties: the lowest id). */
  busiestListener(): number {
    const count = new Int32Array(this.settings.members + 1);
    for (let s = 0; s < this.sessions.count; s++) count[this.sessions.member[s]]++;
    const listeners = this.members.filter((m) => m.hostPopularity === 0);
    return listeners.reduce((best, m) => count[m.id] > count[best.id] ? m : best, listeners[0]).id;
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** A whole number around `median`, log-normally spread, within [min, max]. */
function logNormal(random: Random, median: number, spread: number, min: number, max: number) {
  return clamp(Math.round(median * Math.exp(spread * random.normal())), min, max);
}

/** `count` distinct indices drawn from `choice` (all of them if it has fewer). */
function distinctDraws(random: Random, choice: WeightedChoice, count: number): number[] {
  const drawn: number[] = [];
  const wanted = Math.min(count, choice.size);
  for (let tries = 0; drawn.length < wanted && tries < 100 * wanted; tries++) {
    const i = choice.draw(random);
    if (!drawn.includes(i)) drawn.push(i);
  }
  return drawn;
}

function localHour(sec: number, utcOffsetMinutes: number): number {
  const local = sec + utcOffsetMinutes * 60;
  return Math.floor((((local % secondsPerDay) + secondsPerDay) % secondsPerDay) / secondsPerHour);
}

/** For each (group, day since history's first midnight), the indices of rooms starting then. */
function groupDayIndex(
  rooms: CommunityRoom[],
  groups: number,
  days: number,
  firstMidnight: number,
): number[][] {
  const index: number[][] = Array.from({ length: groups * days }, () => []);
  rooms.forEach((room, i) => {
    const day = Math.floor((room.startAt / 1000 - firstMidnight) / secondsPerDay);
    index[room.group * days + day].push(i);
  });
  return index;
}

/** For each member, the indices of the rooms they hosted or spoke in. */
function stageRoomsByMember(rooms: CommunityRoom[], members: number): number[][] {
  const index: number[][] = Array.from({ length: members + 1 }, () => []);
  rooms.forEach((room, i) => {
    index[room.host].push(i);
    for (const speaker of room.speakers) index[speaker].push(i);
  });
  return index;
}
