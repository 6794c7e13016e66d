/**
 * A member's invites: the links they can copy, what became of each, and how many are left.
 *
 * @example
 * <InvitesView book={book} origin="https://palabre.example" errors={{}} />
 */
import type { FieldErrors } from "./form.tsx";

export interface InviteData {
  id: number;
  token: string;
  state: "open" | "used" | "revoked" | "expired";
  expiresAt: Date;
}

const stateWords = { open: "Open", used: "Used", revoked: "Revoked", expired: "Expired" };

export function InvitesView(
  props: { invites: InviteData[]; left: number | null; origin: string; errors: FieldErrors },
) {
  const canCreate = props.left === null || props.left > 0;
  return (
    <section id="invites" class="invites" aria-labelledby="invites-title">
      <h1 id="invites-title">Invites</h1>
      <p role="status">
        {props.left === null
          ? "As an administrator you can invite as many people as you like."
          : `You have ${props.left} invite${props.left === 1 ? "" : "s"} left.`}{" "}
        Each link works once, for one person, until it expires.
      </p>
      {props.errors._form && <p class="error" role="alert">{props.errors._form}</p>}
      <form
        method="post"
        action="/invites"
        hx-post="/invites"
        hx-target="#invites"
        hx-swap="outerHTML"
      >
        <button type="submit" disabled={!canCreate}>Create an invite link</button>
      </form>
      {props.invites.length === 0
        ? <p class="muted">You have not created any invites yet.</p>
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
  return (
    <li class={`invite ${invite.state}`}>
      <span class="state">{stateWords[invite.state]}</span>
      {invite.state === "open"
        ? (
          <>
            <label class="visually-hidden" for={inputId}>Invite link</label>
            <input id={inputId} class="invite-link" type="text" readonly value={link} />
            <button type="button" class="secondary" data-copy={`#${inputId}`}>Copy</button>
            <form
              method="post"
              action={`/invites/${invite.id}/revoke`}
              hx-post={`/invites/${invite.id}/revoke`}
              hx-target="#invites"
              hx-swap="outerHTML"
            >
              <button type="submit" class="secondary" aria-label="Revoke this invite">
                Revoke
              </button>
            </form>
            <span class="hint">Expires {invite.expiresAt.toISOString().slice(0, 10)}</span>
          </>
        )
        : invite.state === "expired" && (
          <span class="muted">Expired {invite.expiresAt.toISOString().slice(0, 10)}</span>
        )}
    </li>
  );
}
