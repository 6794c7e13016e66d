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
import { Bell } from "./bell.tsx";
import { SearchBox } from "./search_box.tsx";
import { WarningBanners } from "./warnings.tsx";
import type { Warning } from "../db/warnings.ts";

export interface Viewer {
  handle: string;
  isAdmin: boolean;
  onboarded: boolean;
}

export function Layout(
  props: {
    title: string;
    viewer: Viewer | null;
    path: string;
    /** The viewer's warnings from administrators not dismissed yet (views/warnings.tsx). */
    warnings?: readonly Warning[];
    children: Child;
  },
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
        <link rel="manifest" href="/static/manifest.webmanifest" />
        <link rel="apple-touch-icon" href="/static/apple-touch-icon.png" />
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
          {props.viewer?.onboarded && <Bell />}
          {props.viewer
            ? <Navigation viewer={props.viewer} path={props.path} />
            : <GuestNavigation path={props.path} />}
        </header>
        <main id="main" tabindex={-1}>
          {props.warnings && <WarningBanners warnings={props.warnings} path={props.path} />}
          {props.children}
        </main>
        {!props.viewer && <LanguageSwitcher path={props.path} />}
      </body>
    </html>
  );
}

function isCurrent(href: string, path: string): boolean {
  return href === "/" ? path === "/" : path.startsWith(href);
}

/**
 * A navigation link that says so when it is the page being shown. `tab` names the icon it wears
 * in the phone's tab bar; `wide` keeps it to wide screens (a phone has it under "More").
 */
function NavLink(
  props: { href: string; path: string; tab?: string; wide?: boolean; children: Child },
) {
  return (
    <li class={props.wide ? "nav-wide" : undefined}>
      <a
        href={props.href}
        aria-current={isCurrent(props.href, props.path) ? "page" : undefined}
        data-tab={props.tab}
      >
        {props.children}
      </a>
    </li>
  );
}

function SignOut() {
  const { t } = useWords();
  return (
    <form method="post" action="/signout">
      <button type="submit" class="link">{t("nav.sign_out")}</button>
    </form>
  );
}

/**
 * A member's navigation. Wide screens show every link in the header; a phone shows the places
 * one goes to as a tab bar at the bottom and the rest under "More", a <details> that opens
 * without JavaScript. CSS shows one form or the other, so a reader only ever meets one.
 */
function Navigation(props: { viewer: Viewer; path: string }) {
  const { viewer, path } = props;
  const { t } = useWords();
  const elsewhere = [
    ...(viewer.onboarded ? [{ href: "/settings", label: t("nav.settings") }] : []),
    ...(viewer.isAdmin ? [{ href: "/admin", label: t("nav.admin") }] : []),
  ];
  if (!viewer.onboarded) {
    return (
      <nav aria-label={t("nav.main")}>
        <ul>
          {elsewhere.map((link) => <NavLink href={link.href} path={path}>{link.label}</NavLink>)}
          <li>
            <SignOut />
          </li>
        </ul>
      </nav>
    );
  }
  const moreCurrent = elsewhere.some((link) => isCurrent(link.href, path));
  return (
    <nav aria-label={t("nav.main")} class="tabs">
      <ul>
        <NavLink href="/" path={path} tab="hallway">{t("nav.hallway")}</NavLink>
        <NavLink href="/invites" path={path} tab="invites">{t("nav.invites")}</NavLink>
        <NavLink href="/topics" path={path} tab="topics">{t("nav.topics")}</NavLink>
        <NavLink href={`/@${viewer.handle}`} path={path} tab="profile">
          {t("nav.profile")}
        </NavLink>
        {elsewhere.map((link) => <NavLink href={link.href} path={path} wide>{link.label}</NavLink>)}
        <li class="nav-wide">
          <SignOut />
        </li>
        <li class="nav-more">
          <details>
            <summary data-tab="more" class={moreCurrent ? "current" : undefined}>
              {t("nav.more")}
            </summary>
            <ul>
              {elsewhere.map((link) => <NavLink href={link.href} path={path}>{link.label}
              </NavLink>)}
              <li>
                <SignOut />
              </li>
            </ul>
          </details>
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
