/**
 * A member's settings: display name and bio, and signing out of every device.
 *
 * @example
 * <SettingsView form={{ display_name: "Ada", bio: "" }} errors={{}} />
 */
import { Field, type FieldErrors, FormError } from "./form.tsx";

export function SettingsView(
  props: { form: { display_name: string; bio: string }; errors: FieldErrors; saved?: boolean },
) {
  return (
    <section class="card narrow" aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      {props.saved && <p class="notice" role="status">Your profile is saved.</p>}
      <form method="post" action="/settings" novalidate>
        <FormError errors={props.errors} />
        <Field
          name="display_name"
          label="Display name"
          value={props.form.display_name}
          errors={props.errors}
          maxlength={50}
        />
        <Field
          name="bio"
          label="Bio"
          value={props.form.bio}
          errors={props.errors}
          required={false}
          maxlength={300}
          multiline
          hint="Up to 300 characters, shown on your profile to members only."
        />
        <button type="submit">Save profile</button>
      </form>
      <h2>Sessions</h2>
      <p>Signed in somewhere you no longer use? Sign out of every device, this one included.</p>
      <form method="post" action="/signout/everywhere">
        <button type="submit" class="secondary">Sign out everywhere</button>
      </form>
    </section>
  );
}
