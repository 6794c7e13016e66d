/**
 * The page every full load gets: head, navigation, and `main#main` holding the page's view.
 *
 * @example
 * <Layout title="Hallway" viewer={member}><Hallway /></Layout>
 */
import type { Child } from "hono/jsx";

export interface Viewer {
  handle: string;
  isAdmin: boolean;
  onboarded: boolean;
}

export function Layout(
  props: { title: string; viewer: Viewer | null; path: string; children: Child },
) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{props.title} · Palabre</title>
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
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
          <a class="brand" href="/" aria-label="Palabre, home">Palabre</a>
          {props.viewer
            ? <Navigation viewer={props.viewer} path={props.path} />
            : <GuestNavigation path={props.path} />}
        </header>
        <main id="main" tabindex={-1}>{props.children}</main>
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
  return (
    <nav aria-label="Main">
      <ul>
        {viewer.onboarded && (
          <>
            <NavLink href="/" path={path}>Hallway</NavLink>
            <NavLink href="/invites" path={path}>Invites</NavLink>
            <NavLink href="/topics" path={path}>Topics</NavLink>
            <NavLink href={`/@${viewer.handle}`} path={path}>Profile</NavLink>
            <NavLink href="/settings" path={path}>Settings</NavLink>
          </>
        )}
        {viewer.isAdmin && <NavLink href="/admin" path={path}>Admin</NavLink>}
        <li>
          <form method="post" action="/signout">
            <button type="submit" class="link">Sign out</button>
          </form>
        </li>
      </ul>
    </nav>
  );
}

function GuestNavigation(props: { path: string }) {
  return (
    <nav aria-label="Main">
      <ul>
        <NavLink href="/signin" path={props.path}>Sign in</NavLink>
        <NavLink href="/waitlist" path={props.path}>Waitlist</NavLink>
      </ul>
    </nav>
  );
}
