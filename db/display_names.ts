/**
 * What a display name may be. A name is what people read first, so it must not be able to pass
 * for someone else: no invisible or direction-changing characters, no "@" that would fake a
 * handle next to it, and not another member's name or handle. Pages still show the @handle
 * next to the name wherever identity matters; that is the last word on who is who.
 *
 * @example
 * const name = displayNameFrom(" Ada\u00a0 Lovelace "); // "Ada Lovelace"
 * await refuseTakenDisplayName(tx, name, memberId);
 */
import type { Tx } from "./client.ts";
import { Refusal } from "./errors.ts";

export const displayNameMaxLength = 50;

// Serialises the "is this name free" check with the write that takes the name.
const displayNameLockKey = 7_246_913;

/**
 * The name as it will be stored (NFC, trimmed, runs of spaces as one), or a refusal that says
 * what is wrong with it.
 */
export function displayNameFrom(raw: string): string {
  // Refused before normalising: NFC and trimming must not hide what was sent.
  // Cc: controls; Cf: format characters (bidi overrides such as U+202E, zero-width spaces and
  // joiners, soft hyphens); Zl, Zp: line and paragraph separators.
  if (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(raw)) {
    throw new Refusal(
      "invalid",
      "refusal.display_name.invisible",
      "display_name",
    );
  }
  const name = raw.normalize("NFC").replace(/\p{Zs}+/gu, " ").trim();
  if (name.length === 0) {
    throw new Refusal("invalid", "refusal.display_name.required", "display_name");
  }
  if ([...name].length > displayNameMaxLength) {
    throw new Refusal("invalid", "refusal.display_name.too_long", {
      field: "display_name",
      params: { count: displayNameMaxLength },
    });
  }
  if (name.includes("@")) {
    throw new Refusal(
      "invalid",
      "refusal.display_name.at",
      "display_name",
    );
  }
  return name;
}

/**
 * Refuses a name another member already shows, or another member's handle, whatever the case.
 * Call it in the transaction that writes the name; it holds a lock until that transaction ends,
 * so two people cannot take one name at the same moment.
 */
export async function refuseTakenDisplayName(tx: Tx, name: string, memberId: number) {
  await tx`select pg_advisory_xact_lock(${displayNameLockKey})`;
  const [taken] = await tx`
    select handle from users
    where id <> ${memberId}
      and (lower(display_name) = lower(${name}) or lower(handle) = lower(${name}))
    limit 1`;
  if (taken) {
    throw new Refusal(
      "invalid",
      "refusal.display_name.taken",
      "display_name",
    );
  }
}
