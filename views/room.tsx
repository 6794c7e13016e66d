/**
 * A room page: its header, and the live part (stage, hands, audience, controls) that the page's
 * socket replaces whenever the room changes. Rendered per viewer: a moderator sees controls a
 * listener does not; the server refuses them anyway.
 *
 * @example
 * <RoomPage room={snapshot} viewerId={me.id} shareLink={null} />
 */
import type { Child } from "hono/jsx";
import type { Participant, RoomSnapshot } from "../db/rooms.ts";

const kindWords = {
  open: "Open: any member can join",
  social: "Social: people the moderators follow",
  closed: "Closed: only people with the link",
};

export function RoomPage(
  props: {
    data: RoomSnapshot;
    viewerId: number;
    shareLink: string | null;
    /** Given when this server carries voice: the STUN/TURN servers pages connect with. */
    voice?: { iceServers: unknown[] };
  },
) {
  const { room, topics } = props.data;
  return (
    <article class="room" aria-labelledby="room-title">
      <header class="room-header">
        <h1 id="room-title">{room.title}</h1>
        {room.description && <p class="room-description">{room.description}</p>}
        <p class="room-meta">
          <span class="badge">{kindWords[room.kind]}</span>{" "}
          {topics.map((t) => <span class="chip small">#{t.name}</span>)}
        </p>
        {props.shareLink && <ShareLink link={props.shareLink} />}
      </header>
      <p id="live-status" class="live-status" role="status" data-state="connecting">
        Connecting…
      </p>
      {props.voice && room.state === "live" && (
        <VoicePanel roomId={room.publicId} iceServers={props.voice.iceServers} />
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
      <details class="safety">
        <summary>Report this room</summary>
        <form method="post" action={`/rooms/${room.publicId}/report`}>
          <label for="room-report-reason">What is wrong?</label>
          <textarea id="room-report-reason" name="reason" rows={3} maxlength={500} required>
          </textarea>
          <button type="submit" class="danger">Report to administrators</button>
        </form>
      </details>
    </article>
  );
}

/**
 * A closed room's link, for its moderators (or an event's hosts) to pass on.
 *
 * @example
 * <ShareLink link="https://palabre.example/rooms/rQbZDUnRRoyXr-_PJrOrUA?key=..." />
 */
export function ShareLink(props: { link: string }) {
  return (
    <p class="share">
      <label for="room-link">Room link</label>
      <input id="room-link" class="invite-link" type="text" readonly value={props.link} />
      <button type="button" class="secondary" data-copy="#room-link">Copy</button>
    </p>
  );
}

/**
 * "Join audio" and the voice's state in words. Hidden until static/voice.js takes it over: a
 * page without scripts has no voice to offer.
 */
function VoicePanel(props: { roomId: string; iceServers: unknown[] }) {
  return (
    <section
      id="voice"
      class="voice"
      hidden
      aria-label="Audio"
      data-room-id={props.roomId}
      data-ice-servers={JSON.stringify(props.iceServers)}
    >
      <button type="button" class="voice-join">Join audio</button>
      <p class="voice-status" role="status" aria-live="polite" data-state="off">Audio is off</p>
      <p class="voice-hint" hidden></p>
      <button type="button" class="voice-take-back" hidden>Use audio in this tab</button>
      <div class="voice-talk" hidden>
        <label class="check">
          <input type="checkbox" class="voice-ptt-mode" /> Push to talk
        </label>
        <span class="voice-ptt-keys" hidden>
          <button type="button" class="voice-ptt" aria-pressed="false" aria-keyshortcuts="T">
            Hold to talk
          </button>{" "}
          or hold <kbd>T</kbd>
        </span>
      </div>
      <label class="voice-field voice-mic-field" hidden>
        Microphone <select class="voice-mic"></select>
      </label>
      <label class="voice-field">
        Volume <input type="range" class="voice-volume" min="0" max="100" value="100" />
      </label>
      <audio class="voice-audio" autoplay></audio>
    </section>
  );
}

/** The part of the room page that live updates replace. */
export function RoomLive(props: { data: RoomSnapshot; viewerId: number }) {
  const { room, participants } = props.data;
  const roomId = room.publicId;
  if (room.state === "ended") {
    return (
      <section class="ended" role="status">
        <h2>This room has ended</h2>
        <p>
          <a class="button" href="/">Back to the hallway</a>
        </p>
      </section>
    );
  }
  const me = participants.find((p) => p.userId === props.viewerId);
  if (!me) {
    return (
      <section class="ended" role="status">
        <h2>You are not in this room</h2>
        <p>You left, or your connection was gone too long.</p>
        <p class="actions">
          <a class="button" href={`/rooms/${roomId}`}>Rejoin</a>
          <a class="button secondary" href="/">Back to the hallway</a>
        </p>
      </section>
    );
  }
  const isModerator = me.role === "moderator";
  const stage = participants.filter((p) => p.role !== "listener");
  const audience = participants.filter((p) => p.role === "listener");
  const followed = audience.filter((p) => p.followedByStage);
  const others = audience.filter((p) => !p.followedByStage);
  const hands = audience.filter((p) => p.handPosition !== null)
    .sort((a, b) => a.handPosition! - b.handPosition!);
  return (
    <>
      <SelfControls room={room} me={me} />
      <section class="stage" aria-labelledby="stage-title">
        <h2 id="stage-title">
          On stage <span class="count">({stage.length})</span>
        </h2>
        <ul class="people">
          {stage.map((p) => (
            <PersonTile person={p} roomId={roomId} moderatorView={isModerator} me={me} />
          ))}
        </ul>
      </section>
      {isModerator && <HandsQueue roomId={roomId} hands={hands} enabled={room.handsEnabled} />}
      <section class="audience" aria-labelledby="followed-title">
        <h2 id="followed-title">
          Followed by the speakers <span class="count">({followed.length})</span>
        </h2>
        <AudienceList people={followed} roomId={roomId} moderatorView={isModerator} me={me} />
        <h2 id="others-title">
          Others in the room <span class="count">({others.length})</span>
        </h2>
        <AudienceList people={others} roomId={roomId} moderatorView={isModerator} me={me} />
      </section>
      {isModerator && <RoomControls roomId={roomId} handsEnabled={room.handsEnabled} />}
    </>
  );
}

// A room of thousands lists its first arrivals and counts the rest: every page gets every
// change, so the fragment must stay small.
const audienceShown = 60;

function AudienceList(
  props: { people: Participant[]; roomId: string; moderatorView: boolean; me: Participant },
) {
  const more = props.people.length - audienceShown;
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
      {more > 0 && <li class="more">and {more} more</li>}
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
  if (me.invited) {
    buttons.push(
      <p class="invitation" role="alert">A moderator invited you to speak.</p>,
      <ActionButton roomId={roomId} action="accept_invite" label="Join the stage" />,
      <ActionButton roomId={roomId} action="decline_invite" label="Not now" variant="secondary" />,
    );
  } else if (me.role === "listener") {
    if (me.handRaisedAt) {
      buttons.push(
        <ActionButton
          roomId={roomId}
          action="lower_hand"
          label="Lower hand"
          variant="secondary"
        />,
      );
    } else if (room.handsEnabled) {
      buttons.push(<ActionButton roomId={roomId} action="raise_hand" label="Raise hand" />);
    } else {
      buttons.push(<p class="muted">The moderators turned hands off.</p>);
    }
  } else {
    buttons.push(
      me.muted
        ? <ActionButton roomId={roomId} action="unmute_self" label="Unmute" />
        : <ActionButton roomId={roomId} action="mute_self" label="Mute" variant="secondary" />,
    );
  }
  buttons.push(
    <ActionButton roomId={roomId} action="leave" label="Leave quietly" variant="secondary" />,
  );
  return (
    <section class="self-controls" aria-label="Your controls">
      <p class="you">
        You are {me.role === "listener" ? "listening" : `on stage as ${me.role}`}
        {me.role !== "listener" &&
          (me.mutedByModerator ? ", muted by a moderator" : me.muted ? ", muted" : ", unmuted")}
        {me.handRaisedAt && ", hand raised"}.
      </p>
      <div class="actions">{buttons}</div>
    </section>
  );
}

function PersonTile(
  props: { person: Participant; roomId: string; moderatorView: boolean; me: Participant },
) {
  const p = props.person;
  const states = [
    p.role === "moderator" ? "moderator" : null,
    p.role !== "listener" && p.muted ? "muted" : null,
    p.handRaisedAt ? "hand raised" : null,
    p.invited ? "invited to speak" : null,
  ].filter(Boolean);
  return (
    <li
      class={`person ${p.role}${p.muted ? " muted" : ""}${p.handRaisedAt ? " hand" : ""}`}
      data-handle={p.handle}
    >
      <a href={`/@${p.handle}`} class="person-link">
        <span class="avatar" aria-hidden="true">{[...p.displayName][0]?.toUpperCase()}</span>
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
  const item = (action: string, label: string, variant?: "secondary" | "danger") => (
    <ActionButton
      roomId={props.roomId}
      action={action}
      target={p.handle}
      label={label}
      ariaLabel={`${label}: ${at}`}
      variant={variant ?? "secondary"}
    />
  );
  return (
    <details class="moderator-menu">
      <summary aria-label={`Moderate ${at}`}>Moderate</summary>
      <div class="menu">
        <p class="menu-who">
          {p.displayName} <span class="person-handle">{at}</span>
        </p>
        {p.role === "listener" && !p.invited && item("invite_to_speak", "Invite to speak")}
        {p.role !== "listener" && !p.muted && item("mute", "Mute")}
        {p.role !== "listener" && item("move_to_audience", "Move to audience")}
        {p.role === "speaker" && item("make_moderator", "Make moderator")}
        {p.role === "moderator" && item("unmake_moderator", "Remove as moderator")}
        {item("remove", "Remove from room", "danger")}
      </div>
    </details>
  );
}

function HandsQueue(props: { roomId: string; hands: Participant[]; enabled: boolean }) {
  return (
    <section class="hands" aria-labelledby="hands-title">
      <h2 id="hands-title">
        Raised hands <span class="count">({props.hands.length})</span>
      </h2>
      {!props.enabled && <p class="muted">Hands are off.</p>}
      {props.hands.length === 0
        ? props.enabled && <p class="muted">No hands up.</p>
        : (
          <ol class="hand-queue">
            {props.hands.map((p) => (
              <li>
                <span>{p.displayName} (@{p.handle})</span>
                {p.invited ? <span class="muted">invited</span> : (
                  <ActionButton
                    roomId={props.roomId}
                    action="invite_to_speak"
                    target={p.handle}
                    label="Invite to speak"
                    ariaLabel={`Invite @${p.handle} to speak`}
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
  return (
    <section class="room-controls" aria-label="Room controls">
      <ActionButton
        roomId={props.roomId}
        action="hands"
        fields={{ enabled: props.handsEnabled ? "off" : "on" }}
        label={props.handsEnabled ? "Turn hands off" : "Turn hands on"}
        variant="secondary"
      />
      <ActionButton roomId={props.roomId} action="end" label="End room" variant="danger" />
    </section>
  );
}
