/**
 * The page for a refused or missing thing: a heading and one readable sentence.
 *
 * @example
 * <ErrorView title="Not found" message="No such member" />
 */
export function ErrorView(props: { title: string; message: string }) {
  return (
    <section class="card narrow">
      <h1>{props.title}</h1>
      <p>{props.message}</p>
      <p>
        <a href="/">Back to Palabre</a>
      </p>
    </section>
  );
}
