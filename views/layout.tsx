/**
 * The page every full load gets: head, navigation, and `main#main` holding the page's view.
 *
 * @example
 * <Layout title="Hallway" viewer={member}><Hallway /></Layout>
 */
import type { Child } from "hono/jsx";
import { useWords } from "../i18n/words_context.ts";
import { languages } from "../i18n/language.ts";
import { type Translate, wordsFor } from "../i18n/translate.ts";
import { SearchBox } from "./search_box.tsx";

export interface Viewer {
  handle: string;
  isAdmin: boolean;
  onboarded: boolean;
}

export function Layout(
  props: { title: string; viewer: Viewer | null; path: string; children: Child },
) {
  const { t, language } = useWords();
  return (
    <html lang={language}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{props.title} · {t("site.name")}</title>
        <link rel="stylesheet" href="/static/app.css" />
        <link rel="icon" href="/static/icon.svg" type="image/svg+xml" />
        {
          /* Not deferred: htmx must find the WebSocket extension registered when it first
            processes the page, or a live page never opens its socket. */
        }
        <script src="/static/htmx.min.js"></script>
        <script src="/static/hx-ws.min.js"></script>
        <script src="/static/app.js" type="module"></script>
      </head>
      <body data-words={JSON.stringify(clientWords(t))}>
        <a class="skip" href="#main">{t("nav.skip")}</a>
        <header class="top">
          <a class="brand" href="/" aria-label={t("site.home")}>{t("site.name")}</a>
          <SearchBox viewer={props.viewer} />
          {props.viewer
            ? <Navigation viewer={props.viewer} path={props.path} />
            : <GuestNavigation path={props.path} />}
        </header>
        <main id="main" tabindex={-1}>{props.children}</main>
        {!props.viewer && <LanguageSwitcher path={props.path} />}
      </body>
    </html>
  );
}

/** A navigation link that says so when it is the page being shown. */
function NavLink(props: { href: string; path: string; children: Child }) {
  const current = props.href === "/" ? props.path === "/" : props.path.startsWith(props.href);
  return (
    <li>
      <a href={props.href} aria-current={current ? "page" : undefined}>{props.children}</a>
    </li>
  );
}

function Navigation(props: { viewer: Viewer; path: string }) {
  const { viewer, path } = props;
  const { t } = useWords();
  return (
    <nav aria-label={t("nav.main")}>
      <ul>
        {viewer.onboarded && (
          <>
            <NavLink href="/" path={path}>{t("nav.hallway")}</NavLink>
            <NavLink href="/invites" path={path}>{t("nav.invites")}</NavLink>
            <NavLink href="/topics" path={path}>{t("nav.topics")}</NavLink>
            <NavLink href={`/@${viewer.handle}`} path={path}>{t("nav.profile")}</NavLink>
            <NavLink href="/settings" path={path}>{t("nav.settings")}</NavLink>
          </>
        )}
        {viewer.isAdmin && <NavLink href="/admin" path={path}>{t("nav.admin")}</NavLink>}
        <li>
          <form method="post" action="/signout">
            <button type="submit" class="link">{t("nav.sign_out")}</button>
          </form>
        </li>
      </ul>
    </nav>
  );
}

function GuestNavigation(props: { path: string }) {
  const { t } = useWords();
  return (
    <nav aria-label={t("nav.main")}>
      <ul>
        <NavLink href="/signin" path={props.path}>{t("nav.sign_in")}</NavLink>
        <NavLink href="/waitlist" path={props.path}>{t("nav.waitlist")}</NavLink>
      </ul>
    </nav>
  );
}

/**
 * For people not signed in: a form per language, so it works without JavaScript. Each button
 * names its language in that language's own words, read in that language.
 */
function LanguageSwitcher(props: { path: string }) {
  const { t, language } = useWords();
  return (
    <footer class="site-footer">
      <form method="post" action="/language" class="inline language-switcher">
        <input type="hidden" name="back" value={props.path} />
        <span>{t("language.switch")}</span>
        {languages.map((other) => (
          <button
            type="submit"
            name="language"
            value={other}
            class="link"
            aria-pressed={other === language ? "true" : "false"}
            lang={other}
          >
            {wordsFor(other).t("language.self")}
          </button>
        ))}
      </form>
    </footer>
  );
}

/**
 * What static/app.js writes itself (copy buttons, the live status line), in the page's words.
 *
 * @example
 * clientWords(wordsFor("fr").t).live; // "En direct"
 */
export function clientWords(t: Translate): Record<string, string> {
  return {
    copy: t("client.copy"),
    copied: t("client.copied"),
    copyByHand: t("client.copy_by_hand"),
    live: t("client.live"),
    notLive: t("client.not_live"),
    reconnecting: t("voice.state.reconnecting"),
  };
}
