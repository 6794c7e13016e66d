/**
 * Picking topics: the catalogue by category, as checkboxes, with the member's picks ticked, and
 * a field to narrow it by typing.
 *
 * @example
 * <TopicsView catalogue={categories} picked={new Set(["jazz"])} onboarding errors={{}} />
 */
import type { FieldErrors } from "./form.tsx";
import { useWords } from "../i18n/words_context.ts";
import { byTopicName, categoryName, topicName } from "../i18n/topics.ts";
import { TopicFilter } from "./topic_filter.tsx";

export interface CatalogueCategory {
  name: string;
  topics: { slug: string; name: string }[];
}

export function TopicsView(props: {
  catalogue: CatalogueCategory[];
  picked: Set<string>;
  onboarding: boolean;
  minPicks: number;
  errors: FieldErrors;
  saved?: boolean;
}) {
  const error = props.errors.topics;
  const words = useWords();
  const { t } = words;
  return (
    <section class="topics" aria-labelledby="topics-title">
      <h1 id="topics-title">
        {props.onboarding ? t("topics.onboarding") : t("topics.title")}
      </h1>
      <p id="topics-hint">{t("topics.hint", { count: props.minPicks })}</p>
      {props.saved && <p class="notice" role="status">{t("topics.saved")}</p>}
      {error && <p class="error" id="topics-error" role="alert">{error}</p>}
      <form method="post" action="/topics">
        <TopicFilter id="topic-filter" picked={props.picked.size} />
        {props.catalogue.map((category) => (
          <fieldset class="topic-group" data-topic-group>
            <legend>{categoryName(t, category)}</legend>
            <div class="chips">
              {byTopicName(words, category.topics).map((topic) => (
                <label class="chip" data-topic-chip>
                  <input
                    type="checkbox"
                    name="topic"
                    value={topic.slug}
                    checked={props.picked.has(topic.slug)}
                    aria-describedby={error ? "topics-hint topics-error" : "topics-hint"}
                  />
                  <span>{topicName(t, topic)}</span>
                </label>
              ))}
            </div>
          </fieldset>
        ))}
        <div class="sticky-actions">
          <button type="submit">
            {props.onboarding ? t("topics.continue") : t("topics.save")}
          </button>
        </div>
      </form>
    </section>
  );
}
