/**
 * The header's search box, for members past onboarding. Typing asks /search for its results
 * (htmx, once typing pauses) and shows them in a list under the box; without JavaScript,
 * Enter submits the form (one field needs no button) and opens the /search page. The list holds plain links: Tab reaches them from the box.
 *
 * @example
 * <SearchBox viewer={member} />
 */
import { useWords } from "../i18n/words_context.ts";

/** Long enough to skip the letters of a word typed at speed, short enough to feel immediate. */
const typingPause = "300ms";

export function SearchBox(props: { viewer: { onboarded: boolean } | null }) {
  const { t } = useWords();
  if (!props.viewer?.onboarded) return null;
  return (
    <form role="search" method="get" action="/search" class="search-box">
      <label for="search-box-q" class="visually-hidden">{t("search.label")}</label>
      <input
        type="search"
        id="search-box-q"
        name="q"
        placeholder={t("search.title")}
        autocomplete="off"
        aria-controls="search-box-results"
        hx-get="/search"
        hx-trigger={`input changed delay:${typingPause}`}
        hx-target="#search-box-results"
        hx-swap="innerHTML"
      />
      <div id="search-box-results" class="search-panel" aria-live="polite"></div>
    </form>
  );
}
