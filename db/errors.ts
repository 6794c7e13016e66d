/**
 * The one error type db/ throws for a refused action. Routes map the code to an HTTP status
 * and show the message in the viewer's language (next to `field` when there is one); it never
 * carries a stack to users. The message is a catalogue key (i18n/en.ts) with its params;
 * `message` holds the English, for logs and tests.
 *
 * @example
 * throw new Refusal("invalid", "refusal.handle.taken", "handle");
 * throw new Refusal("invalid", "refusal.invites.range", { field: "invites", params: { max: 100 } });
 */
import { english, type MessageKey, type Params, type Translate } from "../i18n/translate.ts";

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
  /** The catalogue key; undefined only for a message not yet in the catalogue. */
  readonly key: MessageKey | undefined;
  readonly params: Params;

  constructor(
    code: RefusalCode,
    key: MessageKey | string,
    options: string | { field?: string; params?: Params } = {},
  ) {
    const { field, params = {} } = typeof options === "string" ? { field: options } : options;
    const known = english.t(key as MessageKey, params) !== key;
    super(known ? english.t(key as MessageKey, params) : key);
    this.name = "Refusal";
    this.code = code;
    this.field = field;
    this.key = known ? key as MessageKey : undefined;
    this.params = params;
  }

  /** The message in the words of `t` (a viewer's language). */
  messageIn(t: Translate): string {
    return this.key ? t(this.key, this.params) : this.message;
  }
}

/** True when a postgres error is a unique-constraint violation (SQLSTATE 23505). */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: string; constraint_name?: string };
  return e?.code === "23505" && (constraint === undefined || e.constraint_name === constraint);
}
