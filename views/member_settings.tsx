/**
 * A member's settings: display name and bio, their password, their listening history (what
 * recommendations learn from: pause it, clear it), and signing out of every device.
 *
 * @example
 * <SettingsView form={{ display_name: "Ada", bio: "" }} errors={{}} history={history} />
 */
import { Field, type FieldErrors, FormError } from "./form.tsx";

export interface HistoryData {
  paused: boolean;
  countedSeconds: number;
  rooms: number;
}

export function SettingsView(
  props: {
    form: { display_name: string; bio: string };
    errors: FieldErrors;
    saved?: boolean;
    history: HistoryData;
    /** What was just done to the history, to confirm it. */
    historyNotice?: string;
    /** The password was just changed (every other device signed out). */
    passwordChanged?: boolean;
  },
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
      <PasswordForm errors={props.errors} changed={props.passwordChanged} />
      <ListeningHistory history={props.history} notice={props.historyNotice} />
      <h2>Sessions</h2>
      <p>Signed in somewhere you no longer use? Sign out of every device, this one included.</p>
      <form method="post" action="/signout/everywhere">
        <button type="submit" class="secondary">Sign out everywhere</button>
      </form>
    </section>
  );
}

function PasswordForm(props: { errors: FieldErrors; changed?: boolean }) {
  return (
    <section id="password" aria-labelledby="password-title">
      <h2 id="password-title">Password</h2>
      {props.changed && (
        <p class="notice" role="status">
          Your password is changed. Every other device is signed out.
        </p>
      )}
      <form method="post" action="/settings/password" novalidate>
        <Field
          name="current_password"
          label="Current password"
          type="password"
          errors={props.errors}
          autocomplete="current-password"
        />
        <Field
          name="new_password"
          label="New password"
          type="password"
          errors={props.errors}
          autocomplete="new-password"
          minlength={10}
          hint="At least 10 characters. Not your handle, and not one of the passwords most often leaked. Changing it signs you out everywhere else."
        />
        <button type="submit">Change password</button>
      </form>
    </section>
  );
}

function ListeningHistory(props: { history: HistoryData; notice?: string }) {
  const h = props.history;
  const minutes = Math.round(h.countedSeconds / 60);
  return (
    <section id="listening-history" aria-labelledby="history-title">
      <h2 id="history-title">Listening history</h2>
      {props.notice && <p class="notice" role="status">{props.notice}</p>}
      <p>
        Your hallway learns from the rooms you spend time in. It knows {minutes}{" "}
        {minutes === 1 ? "minute" : "minutes"} in {h.rooms} {h.rooms === 1 ? "room" : "rooms"}.{" "}
        {h.paused
          ? "Recording is paused: time in rooms is not counted."
          : "Nobody else sees it, and it never leaves this server."}
      </p>
      <div class="actions">
        <form method="post" action="/settings/history/pause">
          <input type="hidden" name="paused" value={h.paused ? "off" : "on"} />
          <button type="submit" class="secondary" aria-pressed={h.paused ? "true" : "false"}>
            {h.paused ? "Resume listening history" : "Pause listening history"}
          </button>
        </form>
        <form method="post" action="/settings/history/clear">
          <label class="check">
            <input type="checkbox" name="confirm" value="yes" required /> I want it cleared
          </label>
          <button type="submit" class="secondary">Clear listening history</button>
        </form>
      </div>
    </section>
  );
}
