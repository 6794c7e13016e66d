/**
 * The administrators' page: invites per member, the waitlist, and members with who invited
 * them (the invite graph is shown nowhere else).
 *
 * @example
 * <AdminView invitesPerMember={5} waitlist={[]} members={[]} origin="" errors={{}} />
 */
import { Field, type FieldErrors } from "./form.tsx";
import type { MemberRow } from "../db/admin.ts";
import type { ModerationEntry } from "../db/room_actions.ts";
import type { ReportEntry } from "../db/safety.ts";
import type { WaitlistEntry } from "../db/waitlist.ts";

/** The administrators' pages, linked from each of them. */
export function AdminSections(props: { current: "people" | "recommendations" }) {
  const sections = [
    { key: "people", href: "/admin", label: "People and invites" },
    { key: "recommendations", href: "/admin/recommendations", label: "Recommendations" },
  ] as const;
  return (
    <nav class="admin-sections" aria-label="Administration">
      <ul>
        {sections.map((s) => (
          <li>
            <a href={s.href} aria-current={s.key === props.current ? "page" : undefined}>
              {s.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function AdminView(props: {
  reports: ReportEntry[];
  moderation: ModerationEntry[];
  invitesPerMember: number;
  waitlist: WaitlistEntry[];
  members: MemberRow[];
  origin: string;
  errors: FieldErrors;
  notice?: string;
}) {
  return (
    <section class="admin" aria-labelledby="admin-title">
      <h1 id="admin-title">Administration</h1>
      <AdminSections current="people" />
      {props.notice && <p class="notice" role="status">{props.notice}</p>}
      {props.errors._form && <p class="error" role="alert">{props.errors._form}</p>}
      <section class="card" aria-labelledby="admin-invites">
        <h2 id="admin-invites">Invites</h2>
        <form method="post" action="/admin/settings" novalidate class="inline">
          <Field
            name="invites_per_member"
            label="Invites each member holds"
            type="number"
            value={String(props.invitesPerMember)}
            errors={props.errors}
          />
          <button type="submit">Save</button>
        </form>
      </section>
      <section class="card" aria-labelledby="admin-waitlist">
        <h2 id="admin-waitlist">Waitlist ({props.waitlist.length})</h2>
        {props.waitlist.length === 0
          ? <p class="muted">Nobody is waiting.</p>
          : (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Contact</th>
                    <th scope="col">Why</th>
                    <th scope="col">Invite</th>
                  </tr>
                </thead>
                <tbody>
                  {props.waitlist.map((entry) => (
                    <tr>
                      <td>{entry.name}</td>
                      <td>{entry.contact}</td>
                      <td>{entry.reason}</td>
                      <td>
                        {entry.invite
                          ? (
                            <>
                              <span class={`state ${entry.invite.state}`}>
                                {entry.invite.state}
                              </span>{" "}
                              <input
                                class="invite-link"
                                type="text"
                                readonly
                                aria-label={`Invite link for ${entry.name}`}
                                value={`${props.origin}/join/${entry.invite.token}`}
                              />
                            </>
                          )
                          : (
                            <form method="post" action={`/admin/waitlist/${entry.id}/invite`}>
                              <button
                                type="submit"
                                aria-label={`Create an invite for ${entry.name}`}
                              >
                                Create invite
                              </button>
                            </form>
                          )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
      </section>
      <section class="card" aria-labelledby="admin-reports">
        <h2 id="admin-reports">Reports ({props.reports.length})</h2>
        {props.reports.length === 0 ? <p class="muted">No reports.</p> : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">From</th>
                  <th scope="col">About</th>
                  <th scope="col">Reason</th>
                </tr>
              </thead>
              <tbody>
                {props.reports.map((r) => (
                  <tr>
                    <td>{r.at.toISOString().slice(0, 16).replace("T", " ")}</td>
                    <td>@{r.reporter}</td>
                    <td>
                      {r.member
                        ? `@${r.member}`
                        : <a href={`/rooms/${r.roomPublicId}`}>{r.roomTitle}</a>}
                    </td>
                    <td>{r.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section class="card" aria-labelledby="admin-moderation">
        <h2 id="admin-moderation">Moderation log</h2>
        {props.moderation.length === 0
          ? <p class="muted">Nothing yet.</p>
          : (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Room</th>
                    <th scope="col">Who</th>
                    <th scope="col">What</th>
                    <th scope="col">Whom</th>
                  </tr>
                </thead>
                <tbody>
                  {props.moderation.map((m) => (
                    <tr>
                      <td>{m.at.toISOString().slice(0, 19).replace("T", " ")}</td>
                      <td>{m.roomTitle}</td>
                      <td>{m.actor ? `@${m.actor}` : "Palabre"}</td>
                      <td>{m.action.replaceAll("_", " ")}</td>
                      <td>{m.target ? `@${m.target}` : "—"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
      </section>
      <section class="card" aria-labelledby="admin-members">
        <h2 id="admin-members">Members ({props.members.length})</h2>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Member</th>
                <th scope="col">Invited by</th>
                <th scope="col">Joined</th>
              </tr>
            </thead>
            <tbody>
              {props.members.map((m) => (
                <tr>
                  <td>
                    <a href={`/@${m.handle}`}>@{m.handle}</a> {m.displayName}
                    {m.isAdmin && <span class="badge">admin</span>}
                  </td>
                  <td>{m.invitedBy ? `@${m.invitedBy}` : "—"}</td>
                  <td>{m.joinedAt.toISOString().slice(0, 10)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </section>
  );
}
