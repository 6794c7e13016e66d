/**
 * The administrators' retention form (on /admin): how many days listening history and ended
 * rooms' details are kept. db/retention.ts holds the limits and the sweep that applies them.
 *
 * @example
 * <RetentionForm retention={{ listeningDays: 365, roomDays: 90 }} errors={{}} />
 */
import { Field, type FieldErrors } from "./form.tsx";
import type { Retention } from "../db/retention.ts";
import { useWords } from "../i18n/words_context.ts";

export function RetentionForm(props: { retention: Retention; errors: FieldErrors }) {
  const { t } = useWords();
  return (
    <section class="card" aria-labelledby="admin-retention">
      <h2 id="admin-retention">{t("admin.retention")}</h2>
      <p class="hint">{t("admin.retention.hint")}</p>
      <form method="post" action="/admin/retention" novalidate class="inline">
        <Field
          name="listening_days"
          label={t("admin.retention.listening_days")}
          type="number"
          inputmode="numeric"
          value={String(props.retention.listeningDays)}
          errors={props.errors}
        />
        <Field
          name="room_days"
          label={t("admin.retention.room_days")}
          type="number"
          inputmode="numeric"
          value={String(props.retention.roomDays)}
          errors={props.errors}
        />
        <button type="submit">{t("admin.save")}</button>
      </form>
    </section>
  );
}
