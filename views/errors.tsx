/**
 * The page for a refused or missing thing: a heading and one readable sentence.
 *
 * @example
 * <ErrorView title="Not found" message="No such member" />
 */
import { useWords } from "../i18n/words_context.ts";

export function ErrorView(props: { title: string; message: string }) {
  const { t } = useWords();
  return (
    <section class="card narrow">
      <h1>{props.title}</h1>
      <p>{props.message}</p>
      <p>
        <a href="/">{t("error.back")}</a>
      </p>
    </section>
  );
}
