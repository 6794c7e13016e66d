/**
 * What an open page shows when its member's sessions were ended by a suspension or by deleting
 * their account: sent over the bell's socket (live/bell_frames.tsx) in place of the page's main
 * content, so the room or hallway it showed, and their sockets, go with it.
 *
 * @example
 * <AccountEnded why="suspended" />
 */
import type { Departure } from "../db/events.ts";
import { useWords } from "../i18n/words_context.ts";

export function AccountEnded(props: { why: Departure }) {
  const { t } = useWords();
  return (
    <section class="account-ended" role="alert" aria-labelledby="account-ended-title">
      <h1 id="account-ended-title">{t(`departure.${props.why}.title`)}</h1>
      <p>{t(`departure.${props.why}.text`)}</p>
      {props.why === "suspended"
        ? <a class="button" href="/signin">{t("departure.suspended.more")}</a>
        : <a class="button" href="/">{t("departure.deleted.home")}</a>}
    </section>
  );
}
