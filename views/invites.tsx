/**
 * A member's invites: the links they can copy, what became of each, and how many are left.
 *
 * @example
 * <InvitesView book={book} origin="https://palabre.example" errors={{}} />
 */
import type { FieldErrors } from "./form.tsx";
import { useWords } from "../i18n/words_context.ts";

export interface InviteData {
  id: number;
  token: string;
  state: "open" | "used" | "revoked" | "expired";
  expiresAt: Date;
}

export function InvitesView(
  props: { invites: InviteData[]; left: number | null; origin: string; errors: FieldErrors },
) {
  const canCreate = props.left === null || props.left > 0;
  const { t } = useWords();
  return (
    <section id="invites" class="invites" aria-labelledby="invites-title">
      <h1 id="invites-title">{t("nav.invites")}</h1>
      <p role="status">
        {props.left === null ? t("invites.unlimited") : t("invites.left", { count: props.left })}
        {" "}
        {t("invites.once")}
      </p>
      {props.errors._form && <p class="error" role="alert">{props.errors._form}</p>}
      <form
        method="post"
        action="/invites"
        hx-post="/invites"
        hx-target="#invites"
        hx-swap="outerHTML"
      >
        <button type="submit" disabled={!canCreate}>{t("invites.create")}</button>
      </form>
      {props.invites.length === 0
        ? <p class="muted">{t("invites.none")}</p>
        : (
          <ul class="invite-list">
            {props.invites.map((invite) => <InviteItem invite={invite} origin={props.origin} />)}
          </ul>
        )}
    </section>
  );
}

function InviteItem(props: { invite: InviteData; origin: string }) {
  const { invite } = props;
  const link = `${props.origin}/join/${invite.token}`;
  const inputId = `invite-${invite.id}`;
  const { t } = useWords();
  const day = (
    <time datetime={invite.expiresAt.toISOString()} data-local-time>
      {invite.expiresAt.toISOString().slice(0, 10)}
    </time>
  );
  return (
    <li class={`invite ${invite.state}`}>
      <span class="state">{t(`invites.state.${invite.state}`)}</span>
      {invite.state === "open"
        ? (
          <>
            <label class="visually-hidden" for={inputId}>{t("invites.link")}</label>
            <input id={inputId} class="invite-link" type="text" readonly value={link} />
            <button type="button" class="secondary" data-copy={`#${inputId}`}>
              {t("client.copy")}
            </button>
            <form
              method="post"
              action={`/invites/${invite.id}/revoke`}
              hx-post={`/invites/${invite.id}/revoke`}
              hx-target="#invites"
              hx-swap="outerHTML"
            >
              <button type="submit" class="secondary" aria-label={t("invites.revoke.label")}>
                {t("invites.revoke")}
              </button>
            </form>
            <span class="hint">{t("invites.expires")} {day}</span>
          </>
        )
        : invite.state === "expired" && <span class="muted">{t("invites.expired")} {day}</span>}
    </li>
  );
}
