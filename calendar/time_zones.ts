/**
 * IANA time zones from the runtime's own data (Intl), with no tz library: a zone's offset at an
 * instant, the instant a wall-clock time in a zone names, and where a zone's offset changes.
 *
 * @example
 * offsetMinutes("Europe/Paris", new Date("2027-07-15T18:00:00Z")); // 120
 * instantOf("2027-07-15T20:00", "Europe/Paris").toISOString(); // "2027-07-15T18:00:00.000Z"
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/**
 * Every zone the runtime knows, as a select offers them (UTC included, which some runtimes
 * leave out of the list).
 *
 * @example
 * timeZones().includes("America/New_York"); // true
 */
export function timeZones(): string[] {
  const known = Intl.supportedValuesOf("timeZone");
  return known.includes("UTC") ? known : ["UTC", ...known];
}

/**
 * Whether `zone` is an IANA zone name the runtime knows, by any of its names: the list above
 * holds one name per zone ("Asia/Calcutta"), while browsers may say another ("Asia/Kolkata").
 *
 * @example
 * isTimeZone("Europe/Paris"); // true
 * isTimeZone("Mars/Olympus"); // false
 */
export function isTimeZone(zone: string): boolean {
  // A name, not an offset such as "+05:00", which Intl also takes.
  if (zone.length > 64 || !/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(zone)) return false;
  try {
    formatterOf(zone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock fields of `instant` in `zone`. */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/**
 * What a clock in `zone` reads at `instant`.
 *
 * @example
 * wallTime(new Date("2027-01-15T18:00:00Z"), "America/New_York").hour; // 13
 */
export function wallTime(instant: Date, zone: string): WallTime {
  const fields: Record<string, number> = {};
  for (const part of formatterOf(zone).formatToParts(instant)) {
    if (part.type !== "literal") fields[part.type] = Number(part.value);
  }
  return {
    year: fields.year,
    month: fields.month,
    day: fields.day,
    hour: fields.hour,
    minute: fields.minute,
    second: fields.second,
  };
}

/**
 * Minutes `zone` is ahead of UTC at `instant` (negative west of Greenwich).
 *
 * @example
 * offsetMinutes("America/New_York", new Date("2027-01-15T18:00:00Z")); // -300
 */
export function offsetMinutes(zone: string, instant: Date): number {
  const w = wallTime(instant, zone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  const whole = Math.floor(instant.getTime() / 1000) * 1000;
  return Math.round((asUtc - whole) / 60_000);
}

/**
 * The instant a wall-clock time (`YYYY-MM-DDTHH:MM`, as a `datetime-local` input gives it) names
 * in `zone`. A time skipped when clocks go forward is read with the offset before the change (it
 * lands an hour later); a time lived twice when they go back is its first occurrence.
 *
 * @example
 * instantOf("2027-01-15T13:00", "America/New_York").toISOString(); // "2027-01-15T18:00:00.000Z"
 */
export function instantOf(local: string, zone: string): Date {
  const asUtc = Date.parse(`${local}:00Z`);
  const before = offsetMinutes(zone, new Date(asUtc - 86_400_000));
  const first = asUtc - before * 60_000;
  const after = offsetMinutes(zone, new Date(first));
  if (after === before) return new Date(first);
  const second = asUtc - after * 60_000;
  // The offset after the change applies only if the time read with it is past the change.
  return offsetMinutes(zone, new Date(second)) === after ? new Date(second) : new Date(first);
}

/** One change of a zone's offset. */
export interface Transition {
  /** The first instant of the new offset. */
  at: Date;
  fromMinutes: number;
  toMinutes: number;
}

const dayMs = 86_400_000;

/**
 * The offset changes of `zone` between two instants, found by stepping a day at a time and
 * narrowing each change to the minute (zones change offsets on whole minutes).
 *
 * @example
 * transitions("Europe/Paris", new Date("2027-01-01"), new Date("2028-01-01")).length; // 2
 */
export function transitions(zone: string, from: Date, to: Date): Transition[] {
  const found: Transition[] = [];
  // On a whole minute, so that the search below steps in whole minutes.
  let previous = Math.floor(from.getTime() / 60_000) * 60_000;
  let previousOffset = offsetMinutes(zone, new Date(previous));
  while (previous < to.getTime()) {
    const next = Math.min(previous + dayMs, Math.ceil(to.getTime() / 60_000) * 60_000);
    const nextOffset = offsetMinutes(zone, new Date(next));
    if (nextOffset !== previousOffset) {
      let low = previous / 60_000;
      let high = next / 60_000;
      while (high - low > 1) {
        const middle = Math.floor((low + high) / 2);
        if (offsetMinutes(zone, new Date(middle * 60_000)) === previousOffset) low = middle;
        else high = middle;
      }
      found.push({
        at: new Date(high * 60_000),
        fromMinutes: previousOffset,
        toMinutes: nextOffset,
      });
    }
    previous = next;
    previousOffset = nextOffset;
  }
  return found;
}
