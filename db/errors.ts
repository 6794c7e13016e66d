/**
 * The one error type db/ throws for a refused action. Routes map the code to an HTTP status
 * and show the message (next to `field` when there is one); it never carries a stack to users.
 *
 * @example
 * throw new Refusal("invalid", "Handle is taken", "handle");
 */
export type RefusalCode =
  | "invalid"
  | "unauthenticated"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "rate_limited";

export class Refusal extends Error {
  readonly code: RefusalCode;
  readonly field: string | undefined;

  constructor(code: RefusalCode, message: string, field?: string) {
    super(message);
    this.name = "Refusal";
    this.code = code;
    this.field = field;
  }
}

/** True when a postgres error is a unique-constraint violation (SQLSTATE 23505). */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: string; constraint_name?: string };
  return e?.code === "23505" && (constraint === undefined || e.constraint_name === constraint);
}
