/**
 * Who the synthetic community's members are and when they are around: names, time zones and
 * the shape of a day. Plain data for `generator.ts`.
 *
 * @example
 * seededHandle("Maya", 17); // "demo_maya_17"
 */
import type { Random } from "./random.ts";

/**
 * Every seeded handle starts with this. It is db/users.ts's `seededHandlePrefix`, which sign-up
 * refuses, so a seeded member never takes a real member's handle (tests/db/seed_test.ts checks
 * the two agree; the generator imports nothing from db/).
 */
export const seededHandlePrefix = "demo_";

// At most 8 letters: "demo_" + name + "_" + a six-digit id stays within a handle's 20.
// deno-fmt-ignore
const firstNames = [
  "Ada", "Amara", "Aiko", "Ana", "Arjun", "Aylin", "Bea", "Bilal", "Bruno", "Camila", "Chen",
  "Chidi", "Dario", "Dina", "Elif", "Emeka", "Eva", "Farah", "Felix", "Grace", "Hana", "Hugo",
  "Ines", "Ingrid", "Ivan", "Jae", "Jonas", "Kenji", "Kofi", "Lars", "Leila", "Leon", "Lin",
  "Lucia", "Malik", "Mateo", "Maya", "Mei", "Nadia", "Nia", "Noor", "Olu", "Omar", "Oskar",
  "Pablo", "Priya", "Rafael", "Rosa", "Sami", "Sara", "Sofia", "Tariq", "Tomas", "Umar", "Vera",
  "Wei", "Yara", "Yusuf", "Zara", "Zeynep",
];

// deno-fmt-ignore
const lastNames = [
  "Adeyemi", "Ali", "Bianchi", "Castillo", "Chen", "Costa", "Dubois", "Fischer", "Garcia",
  "Haddad", "Herrera", "Hoang", "Ibrahim", "Jensen", "Kaya", "Khan", "Kim", "Kowalski",
  "Lindqvist", "Mensah", "Morales", "Moreau", "Ndlovu", "Nguyen", "Novak", "Okafor", "Olsen",
  "Osei", "Park", "Patel", "Petrov", "Reyes", "Rossi", "Sato", "Sharma", "Silva", "Suzuki",
  "Tanaka", "Yilmaz", "Zhou",
];

/** A display name and the matching handle for member `id`. */
export function seededName(random: Random, id: number): { handle: string; displayName: string } {
  const first = random.pick(firstNames);
  return { handle: seededHandle(first, id), displayName: `${first} ${random.pick(lastNames)}` };
}

export function seededHandle(firstName: string, id: number): string {
  return `${seededHandlePrefix}${firstName.toLowerCase()}_${id}`;
}

/** Minutes east of UTC, with roughly how many members live there. */
export const timeZones: { utcOffsetMinutes: number; weight: number }[] = [
  { utcOffsetMinutes: -480, weight: 2 }, // US Pacific
  { utcOffsetMinutes: -300, weight: 3 }, // US East
  { utcOffsetMinutes: -180, weight: 2 }, // Sao Paulo, Buenos Aires
  { utcOffsetMinutes: 0, weight: 2 }, // London, Accra
  { utcOffsetMinutes: 60, weight: 3 }, // Paris, Berlin, Lagos
  { utcOffsetMinutes: 180, weight: 2 }, // Nairobi, Istanbul
  { utcOffsetMinutes: 330, weight: 2 }, // India
  { utcOffsetMinutes: 480, weight: 2 }, // Singapore, Beijing
  { utcOffsetMinutes: 540, weight: 1 }, // Tokyo, Seoul
];

/**
 * How likely someone is to be in a room at each local hour (0-23): quiet at night, a lunch
 * bump, the peak in the evening.
 */
// deno-fmt-ignore
export const localHourActivity = [
  0.35, 0.2, 0.1, 0.06, 0.05, 0.06, 0.12, 0.3, 0.45, 0.5, 0.5, 0.55,
  0.65, 0.6, 0.55, 0.55, 0.6, 0.75, 0.95, 1, 1, 0.95, 0.8, 0.55,
];

/** Room titles; `{topic}` is the room's first topic and `{host}` its host's first name. */
export const roomTitles = [
  "{topic} hour",
  "Deep dive: {topic}",
  "{topic} for beginners",
  "Ask me anything: {topic}",
  "{topic} news and views",
  "Open mic: {topic}",
  "{topic} with {host}",
  "Let's talk {topic}",
  "{host}'s {topic} corner",
  "{topic} circle",
];
