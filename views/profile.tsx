/**
 * A member's profile and the follow button that swaps itself (with htmx) or reloads the page.
 *
 * @example
 * <ProfileView profile={p} />
 */
export interface ProfileData {
  handle: string;
  displayName: string;
  bio: string;
  topics: { slug: string; name: string }[];
  followers: number;
  following: number;
  followedByViewer: boolean;
  blockedByViewer: boolean;
  isViewer: boolean;
}

export function ProfileView(props: { profile: ProfileData }) {
  const p = props.profile;
  return (
    <article class="card profile" aria-labelledby="profile-name" data-handle={p.handle}>
      <header>
        <div class="avatar" aria-hidden="true">{initials(p.displayName)}</div>
        <div>
          <h1 id="profile-name">{p.displayName}</h1>
          <p class="handle">@{p.handle}</p>
        </div>
      </header>
      {p.bio ? <p class="bio">{p.bio}</p> : <p class="bio muted">No bio yet.</p>}
      {p.isViewer ? <Counts profile={p} /> : <FollowBlock profile={p} />}
      {p.isViewer && (
        <p>
          <a class="button secondary" href="/settings">Edit your profile</a>
        </p>
      )}
      <h2>Topics</h2>
      {p.topics.length > 0
        ? (
          <ul class="chips" aria-label="Topics">
            {p.topics.map((t) => <li class="chip">{t.name}</li>)}
          </ul>
        )
        : <p class="muted">No topics picked.</p>}
      {!p.isViewer && <Safety profile={p} />}
    </article>
  );
}

function Counts(props: { profile: ProfileData }) {
  return (
    <p class="counts">
      <span>
        <strong data-testid="followers">{props.profile.followers}</strong>{" "}
        {props.profile.followers === 1 ? "follower" : "followers"}
      </span>{" "}
      <span>
        <strong>{props.profile.following}</strong> following
      </span>
    </p>
  );
}

/** Counts and the follow/unfollow form; the fragment an htmx follow request gets back. */
export function FollowBlock(props: { profile: ProfileData }) {
  const p = props.profile;
  const action = `/@${p.handle}/${p.followedByViewer ? "unfollow" : "follow"}`;
  return (
    <div class="follow-block" id="follow-block">
      <Counts profile={p} />
      <form
        method="post"
        action={action}
        hx-post={action}
        hx-target="#follow-block"
        hx-swap="outerHTML"
      >
        <button
          type="submit"
          class={p.followedByViewer ? "secondary" : ""}
          aria-label={`${p.followedByViewer ? "Unfollow" : "Follow"} @${p.handle}`}
        >
          {p.followedByViewer ? "Following" : "Follow"}
        </button>
      </form>
    </div>
  );
}

function initials(name: string): string {
  return name.split(/\s+/).filter(Boolean).slice(0, 2).map((w) => [...w][0]).join("")
    .toUpperCase();
}

/** Block and report: quiet tools, out of the way in a disclosure. */
function Safety(props: { profile: ProfileData }) {
  const p = props.profile;
  const blockAction = `/@${p.handle}/${p.blockedByViewer ? "unblock" : "block"}`;
  return (
    <details class="safety">
      <summary>Block or report @{p.handle}</summary>
      <form method="post" action={blockAction}>
        <p class="hint">
          {p.blockedByViewer
            ? "You blocked this member: they cannot join rooms you moderate."
            : "Blocking keeps them out of rooms you moderate and out of each other's hallway."}
        </p>
        <button type="submit" class="secondary">
          {p.blockedByViewer ? `Unblock @${p.handle}` : `Block @${p.handle}`}
        </button>
      </form>
      <form method="post" action={`/@${p.handle}/report`}>
        <label for="report-reason">What happened?</label>
        <textarea id="report-reason" name="reason" rows={3} maxlength={500} required></textarea>
        <button type="submit" class="danger">Report to administrators</button>
      </form>
    </details>
  );
}
