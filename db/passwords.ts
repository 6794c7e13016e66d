/**
 * Password hashing with argon2id (hash-wasm), at OWASP's baseline cost: 19 MiB, 2 passes.
 *
 * @example
 * const hash = await hashPassword("correct horse battery");
 * await verifyPassword("correct horse battery", hash); // true
 */
import { argon2id, argon2Verify } from "hash-wasm";

const cost = { memorySize: 19_456, iterations: 2, parallelism: 1, hashLength: 32 };

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  return await argon2id({ password, salt, ...cost, outputType: "encoded" });
}

export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  return await argon2Verify({ password, hash });
}

// Checked against when the handle is unknown, so a failed sign-in takes the same time either way.
let decoy: Promise<string> | undefined;

export async function spendDecoyVerification(password: string): Promise<void> {
  decoy ??= hashPassword("palabre-decoy-password");
  await verifyPassword(password, await decoy);
}
