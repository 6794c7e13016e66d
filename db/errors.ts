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
  /** The catalogue key; undefined only for an `untranslated` refusal. */
  readonly key: MessageKey | undefined;
  readonly params: Params;

  constructor(
    code: RefusalCode,
    key: MessageKey,
    options: string | { field?: string; params?: Params } = {},
  ) {
    const { field, params = {} } = typeof options === "string" ? { field: options } : options;
    super(english.t(key, params));
    this.name = "Refusal";
    this.code = code;
    this.field = field;
    this.key = key;
    this.params = params;
  }

  /**
   * A refusal whose message is in no catalogue: only `deno task seed`'s, which operators read
   * in a terminal. tests/i18n/literals_test.ts holds the list of files allowed to use it.
   *
   * @example
   * throw Refusal.untranslated("conflict", "This database already holds a seeded community");
   */
  static untranslated(code: RefusalCode, message: string, field?: string): Refusal {
    const refusal = new Refusal(code, "refusal.title.invalid", field);
    refusal.message = message;
    (refusal as { key: MessageKey | undefined }).key = undefined;
    return refusal;
  }

  /**
   * The same refusal about another form field.
   *
   * @example
   * throw error.onField("current_password");
   */
  onField(field: string): Refusal {
    if (!this.key) return Refusal.untranslated(this.code, this.message, field);
    return new Refusal(this.code, this.key, { field, params: this.params });
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
