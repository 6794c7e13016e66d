/**
 * "Export my data": the Settings section that leads to it, the page where a member asks for an
 * export and follows it being prepared (each export in the making polls for its progress), and
 * the exported page itself, rendered from the export's JSON document: self-contained (no
 * script, style or link to anything), readable offline and on a phone, in the member's language.
 *
 * @example
 * <DataExportPage exports={exports} perDay={3} keepDays={7} />
 * "<!doctype html>" + <ExportDocumentView document={document} />
 */
import type { DataExport, ExportDocument } from "../db/data_exports.ts";
import type { MessageKey } from "../i18n/translate.ts";
import { useWords } from "../i18n/words_context.ts";

/** Settings' section: what an export is, and the way to it. */
export function DataExportSection() {
  const { t } = useWords();
  return (
    <section id="data-export" aria-labelledby="data-export-title">
      <h2 id="data-export-title">{t("settings.export")}</h2>
      <p>{t("settings.export.intro")}</p>
      <p>
        <a href="/settings/export">{t("settings.export.link")}</a>
      </p>
    </section>
  );
}

/** /settings/export: ask for an export; the member's exports, newest first. */
export function DataExportPage(
  props: { exports: DataExport[]; perDay: number; keepDays: number },
) {
  const { t } = useWords();
  return (
    <section class="card narrow" aria-labelledby="export-title">
      <h1 id="export-title">{t("export.title")}</h1>
      <p>{t("export.intro")}</p>
      <form method="post" action="/settings/export">
        <button type="submit">{t("export.request")}</button>
      </form>
      <p class="hint">{t("export.limits", { count: props.perDay, days: props.keepDays })}</p>
      <h2>{t("export.list")}</h2>
      {props.exports.length === 0 ? <p>{t("export.none_yet")}</p> : (
        <ul class="exports">
          {props.exports.map((e) => <ExportStatus export={e} />)}
        </ul>
      )}
    </section>
  );
}

/** One export: its progress while it is prepared (polled every second), then its downloads. */
export function ExportStatus(props: { export: DataExport }) {
  const e = props.export;
  const { t } = useWords();
  const pending = e.state === "queued" || e.state === "building";
  const poll = pending
    ? { "hx-get": `/settings/export/${e.id}`, "hx-trigger": "every 1s", "hx-swap": "outerHTML" }
    : {};
  return (
    <li id={`export-${e.id}`} class="export" {...poll}>
      <p>
        {t("export.asked")} <Moment at={e.createdAt} />
      </p>
      {e.state === "queued" && <p role="status">{t("export.state.queued")}</p>}
      {e.state === "building" && (
        <>
          <progress
            max={Math.max(1, e.partsTotal)}
            value={e.partsDone}
            aria-label={t("export.progress")}
          >
          </progress>
          <p role="status">{t("export.state.building", { count: e.rowsDone })}</p>
        </>
      )}
      {e.state === "ready" && (
        <>
          <p>
            {t("export.state.ready")} <Moment at={e.expiresAt} />
          </p>
          <ul class="downloads">
            <li>
              <a href={`/settings/export/${e.id}/palabre-export.html`}>
                {t("export.download.html")}
              </a>
            </li>
            <li>
              <a href={`/settings/export/${e.id}/palabre-export.json`}>
                {t("export.download.json")}
              </a>
            </li>
          </ul>
        </>
      )}
      {e.state === "failed" && <p class="error">{t("export.state.failed")}</p>}
    </li>
  );
}

/** A time as the site shows it: UTC text, which the page's script puts in the reader's zone. */
function Moment(props: { at: Date }) {
  const iso = props.at.toISOString();
  return <time datetime={iso} data-local-time>{iso.slice(0, 16).replace("T", " ")} UTC</time>;
}

const isoDate = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The exported page: the document's sections in order, each list of rows as terms and values.
 * No style and no script: the browser's own look reads well at any width, and the file opens
 * offline under any Content-Security-Policy.
 */
export function ExportDocumentView(props: { document: ExportDocument }) {
  const { t, language } = useWords();
  const d = props.document;
  const sections = Object.entries(d.sections);
  return (
    <html lang={language}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{t("export.document.title")}</title>
      </head>
      <body>
        <main>
          <h1>{t("export.document.title")}</h1>
          <p>
            {t("export.document.made", { handle: d.member.handle ?? "" })}{" "}
            <Value value={d.exported_at} />
          </p>
          <p>{t("export.document.intro")}</p>
          <nav aria-labelledby="contents">
            <h2 id="contents">{t("export.document.contents")}</h2>
            <ul>
              {sections.map(([name]) => (
                <li>
                  <a href={`#${name}`}>{t(`export.section.${name}` as MessageKey)}</a>
                </li>
              ))}
            </ul>
          </nav>
          {sections.map(([name, parts]) => {
            const lists = Object.entries(parts);
            return (
              <section id={name} aria-labelledby={`${name}-title`}>
                <h2 id={`${name}-title`}>{t(`export.section.${name}` as MessageKey)}</h2>
                {lists.length === 1 ? <Rows rows={lists[0][1]} /> : lists.map(([table, rows]) => (
                  <>
                    <h3>{t(`export.part.${name}.${table}` as MessageKey)}</h3>
                    <Rows rows={rows} />
                  </>
                ))}
              </section>
            );
          })}
        </main>
      </body>
    </html>
  );
}

function Rows(props: { rows: Record<string, unknown>[] }) {
  const { t } = useWords();
  if (props.rows.length === 0) return <p>{t("export.document.empty")}</p>;
  return (
    <ol>
      {props.rows.map((row) => (
        <li>
          <dl>
            {Object.entries(row).map(([field, value]) => (
              <>
                <dt>{t(`export.field.${field}` as MessageKey)}</dt>
                <dd>
                  <Value field={field} value={value} />
                </dd>
              </>
            ))}
          </dl>
        </li>
      ))}
    </ol>
  );
}

/**
 * A value in the reader's words: dates in their language (UTC), yes and no, a language's name,
 * the words for a state, kind, role, action or resolution, and nothing as a dash.
 */
function Value(props: { field?: string; value: unknown }) {
  const { t, language, number } = useWords();
  const v = props.value;
  if (v === null || v === undefined || v === "") return <>—</>;
  if (props.field === "language" && (v === "en" || v === "fr")) {
    return <>{t(`language.name.${v}`)}</>;
  }
  if (typeof v === "string" && props.field && /^[a-z_]+$/.test(v)) {
    // A word the catalogues name (`export.value.role.listener`); any other stays as it is.
    const key = `export.value.${props.field}.${v}` as MessageKey;
    const words = t(key);
    if (words !== key) return <>{words}</>;
  }
  if (typeof v === "boolean") return <>{t(v ? "export.document.yes" : "export.document.no")}</>;
  if (typeof v === "number") return <>{number(v)}</>;
  if (typeof v === "string" && isoDate.test(v)) {
    const text = new Intl.DateTimeFormat(language, {
      dateStyle: "long",
      timeStyle: "short",
      timeZone: "UTC",
    }).format(new Date(v));
    return <time datetime={v}>{text} UTC</time>;
  }
  if (typeof v === "object") return <code>{JSON.stringify(v)}</code>;
  return <>{String(v)}</>;
}
