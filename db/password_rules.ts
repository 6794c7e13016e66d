/**
 * What a new password must be, after NIST SP 800-63B: long enough, not too long to hash, not
 * containing the member's handle, and not one of the most common leaked passwords. Set-up,
 * sign-up and changing a password all check here; nothing else decides.
 *
 * @example
 * await checkNewPassword("correct horse 1", { handle: "ada" }); // passes
 * await checkNewPassword("password123", { handle: "ada" }); // Refusal("invalid", ...)
 */
import { Refusal } from "./errors.ts";

/** Counted in Unicode code points after NFC, as NIST asks: "é" is one character either way. */
export const passwordMinLength = 10;
export const passwordMaxLength = 200;

const commonPasswordsFile = new URL("./password_lists/common_passwords.txt", import.meta.url);
let commonPasswords: Promise<Set<string>> | undefined;

/** The vendored list (db/password_lists/README.md), read once per process on first use. */
function commonPasswordSet(): Promise<Set<string>> {
  commonPasswords ??= Deno.readTextFile(commonPasswordsFile).then((text) =>
    new Set(text.split("\n").filter((line) => line !== ""))
  );
  return commonPasswords;
}

/** How many characters a person typed, the way the length rules count them. */
export function passwordLength(password: string): number {
  return [...password.normalize("NFC")].length;
}

/**
 * Refuses (`invalid`, on the `password` field unless `field` says otherwise) a password that is
 * too short, too long, contains the handle, is one character repeated or is a common one.
 */
export async function checkNewPassword(
  password: string,
  context: { handle: string; field?: string },
): Promise<void> {
  const field = context.field ?? "password";
  const length = passwordLength(password);
  if (length < passwordMinLength) {
    throw new Refusal("invalid", "refusal.password.too_short", {
      field,
      params: { count: passwordMinLength },
    });
  }
  if (length > passwordMaxLength) {
    throw new Refusal("invalid", "refusal.password.too_long", {
      field,
      params: { count: passwordMaxLength },
    });
  }
  const lower = password.normalize("NFC").toLowerCase();
  const handle = context.handle.trim().toLowerCase();
  if (handle !== "" && lower.includes(handle)) {
    throw new Refusal("invalid", "refusal.password.contains_handle", field);
  }
  // Repeated characters are guessed first (NIST names them); the list holds only some of them.
  if (new Set(lower).size === 1) {
    throw new Refusal("invalid", "refusal.password.repeated", field);
  }
  if ((await commonPasswordSet()).has(lower)) {
    throw new Refusal(
      "invalid",
      "refusal.password.common",
      field,
    );
  }
}
