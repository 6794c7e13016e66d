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

export function Layout(props: { title: string; viewer: Viewer | null; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{props.title} · Palabre</title>
        <link rel="stylesheet" href="/static/app.css" />
        <link rel="icon" href="/static/icon.svg" type="image/svg+xml" />
        <script src="/static/htmx.min.js" defer></script>
        <script src="/static/hx-ws.min.js" defer></script>
        <script src="/static/app.js" type="module"></script>
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
          <a class="brand" href="/" aria-label="Palabre, home">Palabre</a>
          {props.viewer ? <Navigation viewer={props.viewer} /> : <GuestNavigation />}
        </header>
        <main id="main" tabindex={-1}>{props.children}</main>
      </body>
    </html>
  );
}

function Navigation(props: { viewer: Viewer }) {
  const { viewer } = props;
  return (
    <nav aria-label="Main">
      <ul>
        {viewer.onboarded && (
          <>
            <li>
              <a href="/">Hallway</a>
            </li>
            <li>
              <a href="/invites">Invites</a>
            </li>
            <li>
              <a href="/topics">Topics</a>
            </li>
            <li>
              <a href={`/@${viewer.handle}`}>Profile</a>
            </li>
            <li>
              <a href="/settings">Settings</a>
            </li>
          </>
        )}
        {viewer.isAdmin && (
          <li>
            <a href="/admin">Admin</a>
          </li>
        )}
        <li>
          <form method="post" action="/signout">
            <button type="submit" class="link">Sign out</button>
          </form>
        </li>
      </ul>
    </nav>
  );
}

function GuestNavigation() {
  return (
    <nav aria-label="Main">
      <ul>
        <li>
          <a href="/signin">Sign in</a>
        </li>
        <li>
          <a href="/waitlist">Waitlist</a>
        </li>
      </ul>
    </nav>
  );
}
