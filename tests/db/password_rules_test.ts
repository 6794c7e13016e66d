import assert from "node:assert/strict";
import { checkNewPassword, passwordMaxLength } from "../../db/password_rules.ts";
import { Refusal } from "../../db/errors.ts";

/** The refusal's message for `password`, or null when it is accepted. */
async function refusalOf(password: string, handle = "ada"): Promise<string | null> {
  try {
    await checkNewPassword(password, { handle });
    return null;
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    assert.equal(error.code, "invalid");
    assert.equal(error.field, "password");
    return error.message;
  }
}

Deno.test("a long password that is nobody's favourite is accepted", async () => {
  assert.equal(await refusalOf("correct horse 1"), null);
});

Deno.test("the minimum length counts characters, not UTF-16 units", async () => {
  // Five keys are ten UTF-16 units: counted by units, this passed as ten characters.
  assert.equal(await refusalOf("🔑🗝🔑🗝🔑"), "Password must be at least 10 characters");
  assert.equal(await refusalOf("🔑🗝🔑🗝🔑🗝🔑🗝🔑🗝"), null);
  // "é" typed as e + combining accent is one character after NFC.
  assert.equal(
    await refusalOf("cafe\u0301 noir"),
    "Password must be at least 10 characters",
  );
});

Deno.test("passwords of 64 characters and up to the maximum are accepted", async () => {
  const phrase = "the quick brown fox jumps over the lazy dog by the river bank !!";
  assert.equal([...phrase].length, 64);
  assert.equal(await refusalOf(phrase), null);
  const pieces = [..."ñ🎵xz"];
  const longest = Array.from({ length: passwordMaxLength }, (_, i) => pieces[i % 4]).join("");
  assert.equal(await refusalOf(longest), null);
  assert.equal(
    await refusalOf(longest + "x"),
    `Password must be at most ${passwordMaxLength} characters`,
  );
});

Deno.test("a password containing the handle is refused, whatever its case", async () => {
  assert.equal(
    await refusalOf("my name is GRACE hopper", "grace"),
    "Password must not contain your handle",
  );
  assert.equal(
    await refusalOf("x_Grace_Hopper_x", "Grace_Hopper"),
    "Password must not contain your handle",
  );
  assert.equal(await refusalOf("my name is grace hopper", "ada"), null);
});

Deno.test("one character repeated is refused", async () => {
  assert.equal(await refusalOf("aaaaaaaaaa"), "Password must not be one character repeated");
  assert.equal(
    await refusalOf("ZZZZZZZZZZZZZZZZZZZZ"),
    "Password must not be one character repeated",
  );
});

Deno.test("a common leaked password is refused, whatever its case", async () => {
  const message = "This password is among the most common leaked passwords; choose another";
  for (
    const common of ["password123", "PassWord123", "qwertyuiop", "1q2w3e4r5t6y", "iloveyou123"]
  ) {
    assert.equal(await refusalOf(common), message, common);
  }
});

Deno.test("the shipped list is lowercased, NFC, long enough and has no duplicates", async () => {
  const text = await Deno.readTextFile(
    new URL("../../db/password_lists/common_passwords.txt", import.meta.url),
  );
  const entries = text.split("\n").filter((line) => line !== "");
  assert.equal(entries.length, 112_130);
  assert.equal(new Set(entries).size, entries.length);
  for (const entry of entries) {
    assert.equal(entry, entry.normalize("NFC").toLowerCase().trim(), entry);
    assert.ok([...entry].length >= 10, entry);
  }
});
