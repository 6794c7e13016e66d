/**
 * /search: what a member finds by a query. A normal request gets the whole page (the header
 * box's form, without JavaScript); the header box's htmx request gets only the list of results,
 * shorter, with a link to the page. Refusals (a query too long, too many searches) are the
 * app's readable 4xx pages or fragments (routes/app.tsx).
 *
 * @example
 * app.route("/search", search);
 */
import { Hono } from "hono";
import { isFragmentRequest, render } from "./http.tsx";
import { type MemberEnv, requireMember, requireOnboarded } from "./session.tsx";
import { search as searchFor } from "../db/search.ts";
import { topicNamesIn } from "../i18n/topics.ts";
import { SearchPage, SearchResultList } from "../views/search.tsx";

export const search = new Hono<MemberEnv>();

search.use(requireMember(), requireOnboarded());

/** Results of each kind the header's panel shows; the page shows all `searchLimits.perKind`. */
const panelPerKind = 5;

search.get("/", async (c) => {
  const { t } = c.get("words");
  const { searchesPerAccount, searchesPerAccountDaily } = c.get("config").rateLimits;
  const panel = isFragmentRequest(c);
  const results = await searchFor(c.get("sql"), c.get("member").id, c.req.query("q") ?? "", {
    topicNames: topicNamesIn(t),
    allowances: { account: searchesPerAccount, account_daily: searchesPerAccountDaily },
    perKind: panel ? panelPerKind : undefined,
  });
  return render(c, {
    title: t("search.title"),
    body: panel ? <SearchResultList results={results} seeAll /> : <SearchPage results={results} />,
  });
});
