/**
 * A room page: its header, and the live part (own controls, stage, hands, audience, room controls)
 * whose parts, each an element with a stable id, the page's socket replaces when they change. Rendered per viewer: a moderator sees controls a
 * listener does not; the server refuses them anyway.
 *
 * @example
 * <RoomPage room={snapshot} viewerId={me.id} shareLink={null} />
 */
import type { Child } from "hono/jsx";
import type { Participant, RoomSnapshot } from "../db/rooms.ts";
import { useWords } from "../i18n/words_context.ts";
import type { Translate } from "../i18n/translate.ts";
import { topicName } from "../i18n/topics.ts";
import { MicButton } from "./mic_button.tsx";
import { PingForm } from "./ping.tsx";
import { initials } from "./initials.ts";

export function RoomPage(
  props: {
    data: RoomSnapshot;
    viewerId: number;
    shareLink: string | null;
    /** Given when this server carries voice: the STUN/TURN servers pages connect with. */
    voice?: { iceServers: unknown[] };
    /** Who the viewer may ping into the room (db/notifications.ts `pingable`); absent, no form. */
    pingable?: { handle: string; displayName: string }[];
  },
) {
  const { room, topics } = props.data;
  const { t } = useWords();
  return (
    <article class="room" aria-labelledby="room-title">
      <header class="room-header">
        <h1 id="room-title">{room.title}</h1>
        {room.description && <p class="room-description">{room.description}</p>}
        <p class="room-meta">
          <span class="badge">{t(`room.kind.${room.kind}.long`)}</span>{" "}
          {topics.map((topic) => <span class="chip small">#{topicName(t, topic)}</span>)}
        </p>
        {props.shareLink && <ShareLink link={props.shareLink} />}
      </header>
      <p id="live-status" class="live-status" role="status" data-state="connecting">
        {t("live.connecting")}
      </p>
      {props.voice && room.state === "live" && (
        <VoicePanel
          roomId={room.publicId}
          roomTitle={room.title}
          iceServers={props.voice.iceServers}
        />
      )}
      <div id="room-notice" class="room-notice" aria-live="assertive"></div>
      <div
        id="room-live"
        hx-ws:connect={`/rooms/${room.publicId}/live`}
        hx-target="#room-live"
        hx-swap="innerHTML"
      >
        <RoomLive data={props.data} viewerId={props.viewerId} />
      </div>
      {props.pingable && <PingForm roomId={room.publicId} people={props.pingable} />}
      <details class="safety">
        <summary>{t("room.report")}</summary>
        <form method="post" action={`/rooms/${room.publicId}/report`}>
          <label for="room-report-reason">{t("room.report.reason")}</label>
          <textarea id="room-report-reason" name="reason" rows={3} maxlength={500} required>
          </textarea>
          <button type="submit" class="danger">{t("room.report.submit")}</button>
        </form>
      </details>
    </article>
  );
}

/**
 * The room's link to pass on: an open or social room's URL for anyone in it, a closed room's
 * secret link for its moderators (or an event's hosts).
 *
 * @example
 * <ShareLink link="https://palabre.example/rooms/rQbZDUnRRoyXr-_PJrOrUA?key=..." />
 */
export function ShareLink(props: { link: string }) {
  const { t } = useWords();
  return (
    <p class="share">
      <label for="room-link">{t("room.link")}</label>
      <input id="room-link" class="invite-link" type="text" readonly value={props.link} />
      <button type="button" class="secondary" data-copy="#room-link">{t("links.copy")}</button>
    </p>
  );
}

/**
 * The voice's state in words, and "Tap to listen" for a browser that refused to play on arrival.
 * Hidden until static/voice.js takes it over: a page without scripts has no voice to offer. The
 * title and the icon are what the lock screen shows (Media Session).
 */
function VoicePanel(props: { roomId: string; roomTitle: string; iceServers: unknown[] }) {
  const { t } = useWords();
  return (
    <section
      id="voice"
      class="voice"
      hidden
      aria-label={t("voice.label")}
      data-room-id={props.roomId}
      data-room-title={props.roomTitle}
      data-artwork="/static/icon.svg"
      data-ice-servers={JSON.stringify(props.iceServers)}
      data-words={JSON.stringify(voiceWords(t))}
    >
      <button type="button" class="voice-join" hidden>{t("voice.listen")}</button>
      <p class="voice-status" role="status" aria-live="polite" data-state="off">
        {t("voice.state.off")}
      </p>
      <p class="voice-hint" hidden></p>
      <button type="button" class="voice-take-back" hidden>{t("voice.take_back")}</button>
      <div class="voice-talk" hidden>
        <label class="check">
          <input type="checkbox" class="voice-ptt-mode" /> {t("voice.ptt")}
        </label>
        <span class="voice-ptt-keys" hidden>
          <button type="button" class="voice-ptt" aria-pressed="false" aria-keyshortcuts="T">
            {t("voice.ptt.hold")}
          </button>{" "}
          {t("voice.ptt.or_hold")} <kbd>T</kbd>
        </span>
      </div>
      <label class="voice-field voice-mic-field" hidden>
        {t("voice.microphone")} <select class="voice-mic"></select>
      </label>
      <label class="voice-field">
        {t("voice.volume")}{" "}
        <input type="range" class="voice-volume" min="0" max="100" value="100" />
      </label>
      <audio class="voice-audio" autoplay></audio>
    </section>
  );
}

/** The part of the room page that live updates replace: its parts, in order. */
export function RoomLive(props: { data: RoomSnapshot; viewerId: number }) {
  return <>{roomLiveParts(props).map((part) => part.view)}</>;
}

/** One part of the room's live part: an element whose `id` a live update swaps on its own. */
export interface RoomLivePart {
  id: string;
  view: Child;
}

/**
 * The room's live part as `viewerId` sees it, cut into parts with stable ids (their own
 * controls, the stage, the hands, the audience, the room's controls), so that a change sends
 * only the parts it changed. A room that ended, or a viewer no longer in it, is one part.
 *
 * @example
 * roomLiveParts({ data, viewerId }).map((part) => part.id); // ["room-self", "room-stage", ...]
 */
export function roomLiveParts(props: { data: RoomSnapshot; viewerId: number }): RoomLivePart[] {
  const { room, participants } = props.data;
  const roomId = room.publicId;
  if (room.state === "ended") return [{ id: "room-ended", view: <RoomEnded /> }];
  const me = participants.find((p) => p.userId === props.viewerId);
  if (!me) return [{ id: "room-left", view: <RoomLeft roomId={roomId} /> }];
  const isModerator = me.role === "moderator";
  const stage = participants.filter((p) => p.role !== "listener");
  const audience = participants.filter((p) => p.role === "listener");
  const hands = audience.filter((p) => p.handPosition !== null)
    .sort((a, b) => a.handPosition! - b.handPosition!);
  const parts: RoomLivePart[] = [
    { id: "room-self", view: <SelfControls room={room} me={me} /> },
    {
      id: "room-stage",
      view: <Stage people={stage} roomId={roomId} moderatorView={isModerator} me={me} />,
    },
  ];
  if (isModerator) {
    parts.push({
      id: "room-hands",
      view: <HandsQueue roomId={roomId} hands={hands} enabled={room.handsEnabled} />,
    });
  }
  parts.push({
    id: "room-audience",
    view: <Audience people={audience} roomId={roomId} moderatorView={isModerator} me={me} />,
  });
  if (isModerator) {
    parts.push({
      id: "room-controls",
      view: <RoomControls roomId={roomId} handsEnabled={room.handsEnabled} />,
    });
  }
  return parts;
}

function RoomEnded() {
  const { t } = useWords();
  return (
    <section id="room-ended" class="ended" role="status">
      <h2>{t("room.ended")}</h2>
      <p>
        <a class="button" href="/">{t("room.back")}</a>
      </p>
    </section>
  );
}

function RoomLeft(props: { roomId: string }) {
  const { t } = useWords();
  return (
    <section id="room-left" class="ended" role="status">
      <h2>{t("live.not_in_room")}</h2>
      <p>{t("room.left")}</p>
      <p class="actions">
        <a class="button" href={`/rooms/${props.roomId}`}>{t("room.rejoin")}</a>
        <a class="button secondary" href="/">{t("room.back")}</a>
      </p>
    </section>
  );
}

function Stage(
  props: { people: Participant[]; roomId: string; moderatorView: boolean; me: Participant },
) {
  const { t } = useWords();
  return (
    <section id="room-stage" class="stage" aria-labelledby="stage-title">
      <h2 id="stage-title">
        {t("room.stage")} <span class="count">({props.people.length})</span>
      </h2>
      <ul class="people">
        {props.people.map((p) => (
          <PersonTile
            person={p}
            roomId={props.roomId}
            moderatorView={props.moderatorView}
            me={props.me}
          />
        ))}
      </ul>
    </section>
  );
}

function Audience(
  props: { people: Participant[]; roomId: string; moderatorView: boolean; me: Participant },
) {
  const { people, ...tiles } = props;
  const followed = people.filter((p) => p.followedByStage);
  const others = people.filter((p) => !p.followedByStage);
  const { t } = useWords();
  return (
    <section id="room-audience" class="audience" aria-labelledby="followed-title">
      <h2 id="followed-title">
        {t("room.audience.followed")} <span class="count">({followed.length})</span>
      </h2>
      <AudienceList people={followed} {...tiles} />
      <h2 id="others-title">
        {t("room.audience.others")} <span class="count">({others.length})</span>
      </h2>
      <AudienceList people={others} {...tiles} />
    </section>
  );
}

// A room of thousands lists its first arrivals and counts the rest: every page gets every
// change, so the fragment must stay small.
const audienceShown = 60;

function AudienceList(
  props: { people: Participant[]; roomId: string; moderatorView: boolean; me: Participant },
) {
  const more = props.people.length - audienceShown;
  const { t } = useWords();
  return (
    <ul class="people">
      {props.people.slice(0, audienceShown).map((p) => (
        <PersonTile
          person={p}
          roomId={props.roomId}
          moderatorView={props.moderatorView}
          me={props.me}
        />
      ))}
      {more > 0 && <li class="more">{t("hallway.card.more", { count: more })}</li>}
    </ul>
  );
}

/** A form that posts one room action; with htmx the live part swaps in place. */
function ActionButton(props: {
  roomId: string;
  action: string;
  target?: string;
  fields?: Record<string, string>;
  label: string;
  ariaLabel?: string;
  variant?: "secondary" | "danger";
}) {
  const url = `/rooms/${props.roomId}/act`;
  return (
    <form method="post" action={url} hx-post={url} hx-target="#room-live" hx-swap="innerHTML">
      <input type="hidden" name="action" value={props.action} />
      {props.target && <input type="hidden" name="target" value={props.target} />}
      {Object.entries(props.fields ?? {}).map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
      <button type="submit" class={props.variant ?? ""} aria-label={props.ariaLabel}>
        {props.label}
      </button>
    </form>
  );
}

function SelfControls(props: { room: RoomSnapshot["room"]; me: Participant }) {
  const { room, me } = props;
  const roomId = room.publicId;
  const buttons: Child[] = [];
  const { t } = useWords();
  if (me.invited) {
    buttons.push(
      <p class="invitation" role="alert">{t("room.invited")}</p>,
      <ActionButton roomId={roomId} action="accept_invite" label={t("room.invite.accept")} />,
      <ActionButton
        roomId={roomId}
        action="decline_invite"
        label={t("room.invite.decline")}
        variant="secondary"
      />,
    );
  } else if (me.role === "listener") {
    if (me.handRaisedAt) {
      buttons.push(
        <ActionButton
          roomId={roomId}
          action="lower_hand"
          label={t("room.hand.lower")}
          variant="secondary"
        />,
      );
    } else if (room.handsEnabled) {
      buttons.push(
        <ActionButton roomId={roomId} action="raise_hand" label={t("room.hand.raise")} />,
      );
    } else {
      buttons.push(<p class="muted">{t("room.hands.turned_off")}</p>);
    }
  } else {
    buttons.push(<MicButton roomId={roomId} me={me} />);
  }
  buttons.push(
    <ActionButton
      roomId={roomId}
      action="leave"
      label={t("room.leave")}
      variant="secondary"
    />,
  );
  const states = [
    me.role === "listener"
      ? t("room.you.listening")
      : t("room.you.on_stage", { role: t(`room.role.${me.role}`) }),
    me.role !== "listener" &&
    t(
      me.mutedByModerator
        ? "room.you.muted_by_moderator"
        : me.muted
        ? "room.you.muted"
        : "room.you.unmuted",
    ),
    me.handRaisedAt && t("room.you.hand_raised"),
  ].filter(Boolean);
  return (
    <section id="room-self" class="self-controls" aria-label={t("room.controls.yours")}>
      <p class="you">{t("room.you", { states: states.join(", ") })}</p>
      <div class="actions">{buttons}</div>
    </section>
  );
}

function PersonTile(
  props: { person: Participant; roomId: string; moderatorView: boolean; me: Participant },
) {
  const p = props.person;
  const { t } = useWords();
  const states = [
    p.role === "moderator" ? t("room.role.moderator") : null,
    p.role !== "listener" && p.muted ? t("room.person.muted") : null,
    p.handRaisedAt ? t("room.person.hand_raised") : null,
    p.invited ? t("room.person.invited") : null,
  ].filter(Boolean);
  return (
    <li
      class={`person ${p.role}${p.muted ? " muted" : ""}${p.handRaisedAt ? " hand" : ""}`}
      data-handle={p.handle}
    >
      <a href={`/@${p.handle}`} class="person-link">
        <span class="avatar" aria-hidden="true">{initials(p.displayName, p.handle)}</span>
        <span class="person-name">{p.displayName}</span>
        {/* The handle is who this is; a display name alone could be anyone's. */}
        <span class="person-handle">@{p.handle}</span>
      </a>
      {states.length > 0 && <span class="person-state">{states.join(", ")}</span>}
      {props.moderatorView && p.userId !== props.me.userId && (
        <ModeratorMenu person={p} roomId={props.roomId} />
      )}
    </li>
  );
}

function ModeratorMenu(props: { person: Participant; roomId: string }) {
  const p = props.person;
  const at = `@${p.handle}`;
  const { t } = useWords();
  const item = (action: string, label: string, variant?: "secondary" | "danger") => (
    <ActionButton
      roomId={props.roomId}
      action={action}
      target={p.handle}
      label={label}
      ariaLabel={t("room.moderate.item", { action: label, handle: at })}
      variant={variant ?? "secondary"}
    />
  );
  return (
    <details class="moderator-menu">
      <summary aria-label={t("room.moderate.label", { handle: at })}>
        {t("room.moderate")}
      </summary>
      <div class="menu">
        <p class="menu-who">
          {p.displayName} <span class="person-handle">{at}</span>
        </p>
        {p.role === "listener" && !p.invited && item("invite_to_speak", t("room.invite_to_speak"))}
        {p.role !== "listener" && !p.muted && item("mute", t("room.mute"))}
        {p.role !== "listener" && item("move_to_audience", t("room.move_to_audience"))}
        {p.role === "speaker" && item("make_moderator", t("room.make_moderator"))}
        {p.role === "moderator" && item("unmake_moderator", t("room.unmake_moderator"))}
        {item("remove", t("room.remove"), "danger")}
      </div>
    </details>
  );
}

function HandsQueue(props: { roomId: string; hands: Participant[]; enabled: boolean }) {
  const { t } = useWords();
  return (
    <section id="room-hands" class="hands" aria-labelledby="hands-title">
      <h2 id="hands-title">
        {t("room.hands")} <span class="count">({props.hands.length})</span>
      </h2>
      {!props.enabled && <p class="muted">{t("room.hands.off")}</p>}
      {props.hands.length === 0
        ? props.enabled && <p class="muted">{t("room.hands.none")}</p>
        : (
          <ol class="hand-queue">
            {props.hands.map((p) => (
              <li>
                <span>{p.displayName} (@{p.handle})</span>
                {p.invited
                  ? <span class="muted">{t("room.person.invited_short")}</span>
                  : (
                    <ActionButton
                      roomId={props.roomId}
                      action="invite_to_speak"
                      target={p.handle}
                      label={t("room.invite_to_speak")}
                      ariaLabel={t("room.invite_to_speak.label", { handle: p.handle })}
                    />
                  )}
              </li>
            ))}
          </ol>
        )}
    </section>
  );
}

function RoomControls(props: { roomId: string; handsEnabled: boolean }) {
  const { t } = useWords();
  return (
    <section id="room-controls" class="room-controls" aria-label={t("room.controls")}>
      <ActionButton
        roomId={props.roomId}
        action="hands"
        fields={{ enabled: props.handsEnabled ? "off" : "on" }}
        label={props.handsEnabled ? t("room.hands.turn_off") : t("room.hands.turn_on")}
        variant="secondary"
      />
      <ActionButton
        roomId={props.roomId}
        action="end"
        label={t("room.end")}
        variant="danger"
      />
    </section>
  );
}

/**
 * What static/voice.js writes in the voice panel, in the page's language: it reads them from
 * the panel's `data-words` (no inline script runs under the CSP).
 *
 * @example
 * voiceWords(wordsFor("fr").t).off; // "Audio coupé"
 */
export function voiceWords(t: Translate): Record<string, string> {
  return {
    off: t("voice.state.off"),
    moved: t("voice.state.moved"),
    reconnecting: t("voice.state.reconnecting"),
    connecting: t("live.connecting"),
    micBlocked: t("voice.state.mic_blocked"),
    micBlockedHint: t("voice.state.mic_blocked.hint"),
    micUnusable: t("voice.state.mic_unusable"),
    micNumbered: t("voice.microphone.numbered"),
    mutedByModerator: t("voice.state.muted_by_moderator"),
    muted: t("voice.state.muted"),
    talking: t("voice.state.talking"),
    holdToTalk: t("voice.state.hold_to_talk"),
    connected: t("voice.state.connected"),
    waiting: t("voice.state.waiting"),
    waitingHint: t("voice.state.waiting.hint"),
    siteName: t("site.name"),
  };
}
