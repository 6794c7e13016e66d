/**
 * Views for people who are not signed in: the front door, first-run set-up, sign-in,
 * sign-up with an invite, and the waitlist.
 *
 * @example
 * <SignInView errors={{ _form: "Handle or password is wrong" }} handle="ada" />
 */
import { Field, type FieldErrors, FormError } from "./form.tsx";

export function FrontDoorView() {
  return (
    <section class="card narrow">
      <h1>Live audio rooms for your community</h1>
      <p>
        Palabre is invite-only. Members hold a few invites each; if someone sent you a link, open it
        to join.
      </p>
      <p class="actions">
        <a class="button" href="/signin">Sign in</a>
        <a class="button secondary" href="/waitlist">Join the waitlist</a>
      </p>
      <p class="hint">
        No phone number, no address book, no recordings without consent. Nothing here talks to
        anybody else's servers.
      </p>
    </section>
  );
}

export interface AccountForm {
  handle?: string;
  display_name?: string;
}

function AccountFields(props: { form: AccountForm; errors: FieldErrors }) {
  return (
    <>
      <Field
        name="handle"
        label="Handle"
        value={props.form.handle}
        errors={props.errors}
        autocomplete="username"
        maxlength={20}
        hint="3 to 20 letters, digits or underscores. People find you as @handle."
      />
      <Field
        name="display_name"
        label="Display name"
        value={props.form.display_name}
        errors={props.errors}
        autocomplete="nickname"
        maxlength={50}
      />
      <Field
        name="password"
        label="Password"
        type="password"
        errors={props.errors}
        autocomplete="new-password"
        minlength={10}
        hint="At least 10 characters. Not your handle, and not one of the passwords most often leaked."
      />
    </>
  );
}

export function SetupView(props: { form: AccountForm; errors: FieldErrors }) {
  return (
    <section class="card narrow">
      <h1>Set up Palabre</h1>
      <p>Nobody has an account yet. Create the first one: it will be the administrator.</p>
      <form method="post" action="/setup" novalidate>
        <FormError errors={props.errors} />
        <AccountFields form={props.form} errors={props.errors} />
        <button type="submit">Create administrator</button>
      </form>
    </section>
  );
}

export function SignInView(props: { handle?: string; errors: FieldErrors }) {
  return (
    <section class="card narrow">
      <h1>Sign in</h1>
      <form method="post" action="/signin" novalidate>
        <FormError errors={props.errors} />
        <Field
          name="handle"
          label="Handle"
          value={props.handle}
          errors={props.errors}
          autocomplete="username"
        />
        <Field
          name="password"
          label="Password"
          type="password"
          errors={props.errors}
          autocomplete="current-password"
        />
        <button type="submit">Sign in</button>
      </form>
      <p class="hint">
        No account? Palabre is invite-only: <a href="/waitlist">join the waitlist</a>.
      </p>
    </section>
  );
}

export function JoinView(props: { token: string; form: AccountForm; errors: FieldErrors }) {
  return (
    <section class="card narrow">
      <h1>You are invited</h1>
      <p>Choose how people will know you. You can change your display name later.</p>
      <form method="post" action={`/join/${props.token}`} novalidate>
        <FormError errors={props.errors} />
        <AccountFields form={props.form} errors={props.errors} />
        <button type="submit">Join Palabre</button>
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
  if (props.done) {
    return (
      <section class="card narrow" aria-live="polite">
        <h1>You are on the list</h1>
        <p>An administrator will reach you with an invite when there is room.</p>
      </section>
    );
  }
  return (
    <section class="card narrow">
      <h1>Join the waitlist</h1>
      <p>No invite yet? Leave a way to reach you; an administrator may send you one.</p>
      <form method="post" action="/waitlist" novalidate>
        <FormError errors={props.errors} />
        <Field
          name="name"
          label="Your name"
          value={props.form.name}
          errors={props.errors}
          autocomplete="name"
          maxlength={80}
        />
        <Field
          name="contact"
          label="How to reach you"
          value={props.form.contact}
          errors={props.errors}
          maxlength={200}
          hint="An email address or any handle an administrator can write to."
        />
        <Field
          name="reason"
          label="Why you would like to join"
          value={props.form.reason}
          errors={props.errors}
          required={false}
          maxlength={300}
          multiline
        />
        <button type="submit">Join the waitlist</button>
      </form>
    </section>
  );
}
