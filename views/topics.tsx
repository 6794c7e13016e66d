/**
 * Picking topics: the catalogue by category, as checkboxes, with the member's picks ticked.
 *
 * @example
 * <TopicsView catalogue={categories} picked={new Set(["jazz"])} onboarding errors={{}} />
 */
import type { FieldErrors } from "./form.tsx";

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
  return (
    <section class="topics" aria-labelledby="topics-title">
      <h1 id="topics-title">
        {props.onboarding ? "What do you like to hear about?" : "Your topics"}
      </h1>
      <p id="topics-hint">
        Pick at least{" "}
        {props.minPicks}. The hallway suggests rooms from these and from what you listen to.
      </p>
      {props.saved && <p class="notice" role="status">Your topics are saved.</p>}
      {error && <p class="error" id="topics-error" role="alert">{error}</p>}
      <form method="post" action="/topics">
        {props.catalogue.map((category) => (
          <fieldset class="topic-group">
            <legend>{category.name}</legend>
            <div class="chips">
              {category.topics.map((topic) => (
                <label class="chip">
                  <input
                    type="checkbox"
                    name="topic"
                    value={topic.slug}
                    checked={props.picked.has(topic.slug)}
                    aria-describedby={error ? "topics-hint topics-error" : "topics-hint"}
                  />
                  <span>{topic.name}</span>
                </label>
              ))}
            </div>
          </fieldset>
        ))}
        <div class="sticky-actions">
          <button type="submit">{props.onboarding ? "Continue" : "Save topics"}</button>
        </div>
      </form>
    </section>
  );
}
