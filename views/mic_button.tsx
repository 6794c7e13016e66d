/**
 * The large microphone toggle of someone on stage: its words say the state ("You are muted: tap
 * to talk"), `aria-pressed` is true while they are live, and it posts `mute_self`/`unmute_self`
 * like any room action (with htmx the live part swaps in place; without, the page reloads). While
 * they are muted of their own accord, a notice says nobody hears them: the host starts every room
 * muted, and a speaker comes up muted.
 *
 * @example
 * <MicButton roomId={room.publicId} me={me} />
 */
import type { Participant } from "../db/rooms.ts";
import { useWords } from "../i18n/words_context.ts";

export function MicButton(props: { roomId: string; me: Participant }) {
  const { me } = props;
  const { t } = useWords();
  const url = `/rooms/${props.roomId}/act`;
  const label = !me.muted
    ? t("room.mic.live")
    : me.mutedByModerator
    ? t("room.mic.muted_by_moderator")
    : t("room.mic.muted");
  return (
    <div class="mic">
      {me.muted && !me.mutedByModerator && (
        <p class="mic-off-notice" role="status">{t("room.mic.off_notice")}</p>
      )}
      <form method="post" action={url} hx-post={url} hx-target="#room-live" hx-swap="innerHTML">
        <input type="hidden" name="action" value={me.muted ? "unmute_self" : "mute_self"} />
        <button
          type="submit"
          class={me.muted ? "mic-toggle" : "mic-toggle live"}
          aria-pressed={me.muted ? "false" : "true"}
        >
          <span class="mic-icon" aria-hidden="true"></span>
          {label}
        </button>
      </form>
    </div>
  );
}
