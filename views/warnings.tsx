/**
 * An administrator's warning, as a banner at the top of every page of the member warned until
 * they dismiss it. The form works without JavaScript: it posts and comes back to the same page.
 *
 * @example
 * <WarningBanners warnings={[{ id: 1, message: "Be kind", at }]} path="/" />
 */
import type { Warning } from "../db/warnings.ts";
import { useWords } from "../i18n/words_context.ts";

/**
 * @example
 * <WarningBanners warnings={warnings} path="/" />
 */
export function WarningBanners(props: { warnings: readonly Warning[]; path: string }) {
  const { t } = useWords();
  return (
    <>
      {props.warnings.map((w) => (
        <section class="warning-banner" role="alert" aria-labelledby={`warning-${w.id}-title`}>
          <h2 id={`warning-${w.id}-title`}>{t("warning.title")}</h2>
          <p>{w.message}</p>
          <form method="post" action={`/warnings/${w.id}/dismiss`}>
            <input type="hidden" name="back" value={props.path} />
            <button type="submit">{t("warning.dismiss")}</button>
          </form>
        </section>
      ))}
    </>
  );
}
