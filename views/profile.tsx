/**
 * A member's profile and the follow button that swaps itself (with htmx) or reloads the page.
 *
 * @example
 * <ProfileView profile={p} />
 */
import { useWords } from "../i18n/words_context.ts";
import { byTopicName, topicName } from "../i18n/topics.ts";
import { MuteForm } from "./notification_settings.tsx";
import { initials } from "./initials.ts";

export interface ProfileData {
  handle: string;
  displayName: string;
  bio: string;
  topics: { slug: string; name: string }[];
  followers: number;
  following: number;
  followedByViewer: boolean;
  blockedByViewer: boolean;
  /** Absent where profiles are shown without it: no mute button then. */
  mutedByViewer?: boolean;
  isViewer: boolean;
}

export function ProfileView(props: { profile: ProfileData }) {
  const p = props.profile;
  const words = useWords();
  const { t } = words;
  return (
    <article class="card profile" aria-labelledby="profile-name" data-handle={p.handle}>
      <header>
        <div class="avatar" aria-hidden="true">{initials(p.displayName, p.handle)}</div>
        <div>
          <h1 id="profile-name">{p.displayName}</h1>
          <p class="handle">@{p.handle}</p>
        </div>
      </header>
      {p.bio ? <p class="bio">{p.bio}</p> : <p class="bio muted">{t("profile.no_bio")}</p>}
      {p.isViewer ? <Counts profile={p} /> : <FollowBlock profile={p} />}
      {p.isViewer && (
        <p>
          <a class="button secondary" href="/settings">{t("profile.edit")}</a>
        </p>
      )}
      <h2>{t("nav.topics")}</h2>
      {p.topics.length > 0
        ? (
          <ul class="chips" aria-label={t("nav.topics")}>
            {byTopicName(words, p.topics).map((topic) => <li class="chip">{topicName(t, topic)}
            </li>)}
          </ul>
        )
        : <p class="muted">{t("profile.no_topics")}</p>}
      {!p.isViewer && p.mutedByViewer !== undefined && (
        <MuteForm handle={p.handle} muted={p.mutedByViewer} />
      )}
      {!p.isViewer && <Safety profile={p} />}
    </article>
  );
}

function Counts(props: { profile: ProfileData }) {
  const { t, number } = useWords();
  return (
    <p class="counts">
      <span>
        <strong data-testid="followers">{number(props.profile.followers)}</strong>{" "}
        {t("profile.followers", { count: props.profile.followers })}
      </span>{" "}
      <span>
        <strong>{number(props.profile.following)}</strong>{" "}
        {t("profile.following", { count: props.profile.following })}
      </span>
    </p>
  );
}

/** Counts and the follow/unfollow form; the fragment an htmx follow request gets back. */
export function FollowBlock(props: { profile: ProfileData }) {
  const p = props.profile;
  const action = `/@${p.handle}/${p.followedByViewer ? "unfollow" : "follow"}`;
  const { t } = useWords();
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
          aria-label={t(p.followedByViewer ? "profile.unfollow.label" : "profile.follow.label", {
            handle: p.handle,
          })}
        >
          {p.followedByViewer ? t("profile.following_button") : t("profile.follow")}
        </button>
      </form>
    </div>
  );
}

/** Block and report: quiet tools, out of the way in a disclosure. */
function Safety(props: { profile: ProfileData }) {
  const p = props.profile;
  const blockAction = `/@${p.handle}/${p.blockedByViewer ? "unblock" : "block"}`;
  const { t } = useWords();
  return (
    <details class="safety">
      <summary>{t("profile.safety", { handle: p.handle })}</summary>
      <form method="post" action={blockAction}>
        <p class="hint">
          {p.blockedByViewer ? t("profile.blocked") : t("profile.block.hint")}
        </p>
        <button type="submit" class="secondary">
          {t(p.blockedByViewer ? "profile.unblock" : "profile.block", { handle: p.handle })}
        </button>
      </form>
      <form method="post" action={`/@${p.handle}/report`}>
        <label for="report-reason">{t("profile.report.reason")}</label>
        <textarea id="report-reason" name="reason" rows={3} maxlength={500} required></textarea>
        <button type="submit" class="danger">{t("room.report.submit")}</button>
      </form>
    </details>
  );
}
