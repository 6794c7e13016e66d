/**
 * The field that narrows a topic picker as one types, and how many topics are picked. It sits
 * in a picker's form, hidden until static/topic_filter.js shows it: without JavaScript every
 * topic shows and the field would do nothing. The picker marks its groups `data-topic-group`
 * and its chips `data-topic-chip`.
 *
 * @example
 * <TopicFilter id="topic-filter" picked={2} />
 */
import { useWords } from "../i18n/words_context.ts";

export function TopicFilter(props: { id: string; picked: number }) {
  const { t, number } = useWords();
  return (
    <div class="topic-filter" data-topic-filter hidden>
      <div class="topic-filter-field">
        <label for={props.id}>{t("topics.filter.label")}</label>
        <input
          type="search"
          id={props.id}
          autocomplete="off"
          spellcheck={false}
          enterkeyhint="search"
        />
      </div>
      <p class="topic-filter-picked" role="status">
        {t("topics.filter.picked")} <strong data-topic-count>{number(props.picked)}</strong>
      </p>
      <p class="topic-filter-none" data-topic-none hidden>{t("topics.filter.none")}</p>
    </div>
  );
}
