/**
 * In a live room: ping someone into it. The list is the people who follow the member and may
 * come in (db/notifications.ts `pingable` decides); the answer shows in the form's own status.
 *
 * @example
 * <PingForm roomId={room.publicId} people={await pingable(sql, member.id, room.id)} />
 */
import { useWords } from "../i18n/words_context.ts";

export function PingForm(
  props: { roomId: string; people: { handle: string; displayName: string }[] },
) {
  const { t } = useWords();
  const action = `/rooms/${props.roomId}/ping`;
  return (
    <details class="ping">
      <summary>{t("notify.ping.title")}</summary>
      {props.people.length === 0
        ? <p class="muted">{t("notify.ping.none")}</p>
        : (
          <form method="post" action={action} hx-post={action} hx-target="#ping-result">
            <p class="hint" id="ping-hint">{t("notify.ping.hint")}</p>
            <label for="ping-handle">{t("notify.ping.member")}</label>
            <select id="ping-handle" name="handle" aria-describedby="ping-hint">
              {props.people.map((person) => (
                <option value={person.handle}>{person.displayName} (@{person.handle})</option>
              ))}
            </select>
            <button type="submit">{t("notify.ping.send")}</button>
            <p id="ping-result" role="status"></p>
          </form>
        )}
    </details>
  );
}

/**
 * The answer to a ping sent with htmx.
 *
 * @example
 * <PingSent handle="grace" />
 */
export function PingSent(props: { handle: string }) {
  const { t } = useWords();
  return <span>{t("notify.ping.sent", { handle: props.handle })}</span>;
}
