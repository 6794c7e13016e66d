/**
 * The administrators' page: invites per member, the waitlist, and members with who invited
 * them (the invite graph is shown nowhere else).
 *
 * @example
 * <AdminView invitesPerMember={5} waitlist={[]} members={[]} origin="" errors={{}} />
 */
import { Field, type FieldErrors } from "./form.tsx";

export interface AdminWaitlistEntry {
  id: number;
  name: string;
  contact: string;
  reason: string;
  createdAt: Date;
  invite: { token: string; state: string } | null;
}

export interface AdminMember {
  handle: string;
  displayName: string;
  isAdmin: boolean;
  invitedBy: string | null;
  joinedAt: Date;
}

export function AdminView(props: {
  invitesPerMember: number;
  waitlist: AdminWaitlistEntry[];
  members: AdminMember[];
  origin: string;
  errors: FieldErrors;
  notice?: string;
}) {
  return (
    <section class="admin" aria-labelledby="admin-title">
      <h1 id="admin-title">Administration</h1>
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
