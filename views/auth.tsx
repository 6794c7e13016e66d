/**
 * Views for people who are not signed in: the front door, first-run set-up, sign-in,
 * sign-up with an invite, and the waitlist.
 *
 * @example
 * <SignInView errors={{ _form: "Handle or password is wrong" }} handle="ada" />
 */
import { Field, type FieldErrors, FormError } from "./form.tsx";
import { useWords } from "../i18n/words_context.ts";

export function FrontDoorView() {
  const { t } = useWords();
  return (
    <section class="card narrow">
      <h1>{t("auth.front.title")}</h1>
      <p>{t("auth.front.intro")}</p>
      <p class="actions">
        <a class="button" href="/signin">{t("auth.sign_in")}</a>
        <a class="button secondary" href="/waitlist">{t("auth.waitlist.join")}</a>
      </p>
      <p class="hint">{t("auth.front.promise")}</p>
    </section>
  );
}

export interface AccountForm {
  handle?: string;
  display_name?: string;
}

function AccountFields(props: { form: AccountForm; errors: FieldErrors }) {
  const { t } = useWords();
  return (
    <>
      <Field
        name="handle"
        label={t("auth.handle")}
        value={props.form.handle}
        errors={props.errors}
        autocomplete="username"
        maxlength={20}
        hint={t("auth.handle.hint")}
      />
      <Field
        name="display_name"
        label={t("auth.display_name")}
        value={props.form.display_name}
        errors={props.errors}
        autocomplete="nickname"
        maxlength={50}
      />
      <Field
        name="password"
        label={t("auth.password")}
        type="password"
        errors={props.errors}
        autocomplete="new-password"
        minlength={10}
        hint={t("auth.password.hint")}
      />
    </>
  );
}

export function SetupView(props: { form: AccountForm; errors: FieldErrors }) {
  const { t } = useWords();
  return (
    <section class="card narrow">
      <h1>{t("auth.setup.title")}</h1>
      <p>{t("auth.setup.intro")}</p>
      <form method="post" action="/setup" novalidate>
        <FormError errors={props.errors} />
        <AccountFields form={props.form} errors={props.errors} />
        <button type="submit">{t("auth.setup.submit")}</button>
      </form>
    </section>
  );
}

/** `next`: the page the member asked for, where signing in takes them (a path of this site). */
export function SignInView(props: { handle?: string; errors: FieldErrors; next?: string }) {
  const { t } = useWords();
  return (
    <section class="card narrow">
      <h1>{t("auth.sign_in")}</h1>
      <form method="post" action="/signin" novalidate>
        <FormError errors={props.errors} />
        {props.next && <input type="hidden" name="next" value={props.next} />}
        <Field
          name="handle"
          label={t("auth.handle")}
          value={props.handle}
          errors={props.errors}
          autocomplete="username"
        />
        <Field
          name="password"
          label={t("auth.password")}
          type="password"
          errors={props.errors}
          autocomplete="current-password"
        />
        <button type="submit">{t("auth.sign_in")}</button>
      </form>
      <p class="hint">
        {t("auth.sign_in.no_account")} <a href="/waitlist">{t("auth.sign_in.waitlist_link")}</a>.
      </p>
    </section>
  );
}

export function JoinView(props: { token: string; form: AccountForm; errors: FieldErrors }) {
  const { t } = useWords();
  return (
    <section class="card narrow">
      <h1>{t("auth.join.title")}</h1>
      <p>{t("auth.join.intro")}</p>
      <form method="post" action={`/join/${props.token}`} novalidate>
        <FormError errors={props.errors} />
        <AccountFields form={props.form} errors={props.errors} />
        <button type="submit">{t("auth.join.submit")}</button>
      </form>
    </section>
  );
}

export interface WaitlistForm {
  name?: string;
  contact?: string;
  reason?: string;
}

export function WaitlistView(props: { form: WaitlistForm; errors: FieldErrors; done?: boolean }) {
  const { t } = useWords();
  if (props.done) {
    return (
      <section class="card narrow" aria-live="polite">
        <h1>{t("auth.waitlist.done.title")}</h1>
        <p>{t("auth.waitlist.done.message")}</p>
      </section>
    );
  }
  return (
    <section class="card narrow">
      <h1>{t("auth.waitlist.join")}</h1>
      <p>{t("auth.waitlist.intro")}</p>
      <form method="post" action="/waitlist" novalidate>
        <FormError errors={props.errors} />
        <Field
          name="name"
          label={t("auth.waitlist.name")}
          value={props.form.name}
          errors={props.errors}
          autocomplete="name"
          maxlength={80}
        />
        <Field
          name="contact"
          label={t("auth.waitlist.contact")}
          value={props.form.contact}
          errors={props.errors}
          maxlength={200}
          hint={t("auth.waitlist.contact.hint")}
        />
        <Field
          name="reason"
          label={t("auth.waitlist.reason")}
          value={props.form.reason}
          errors={props.errors}
          required={false}
          maxlength={300}
          multiline
        />
        <button type="submit">{t("auth.waitlist.join")}</button>
      </form>
    </section>
  );
}
