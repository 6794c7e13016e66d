// Voice on a room page: the room plays on arrival (a click that led here lets the browser play
// sound; a page the browser refuses shows "Tap to listen"), one RTCPeerConnection to the server
// with one two-way audio channel, the microphone while on stage (never in the audience), the
// speaking rings, and the room on the lock screen (Media Session) with mute and leave.
// Signalling and the member's place (on stage, muted, by whom) come over /rooms/:id/voice; the
// server decides who is heard, this module only follows. A member's voice lives in one tab: when
// another tab of theirs joins audio, this one lets go and offers to take it back. On top of that,
// a local send gate: push to talk sends the microphone only while the button or the T key is
// held. The chosen microphone and the output volume are remembered in localStorage. A listener
// in a large room hears the room's stream over the socket instead (voice_stream.js): the server
// says which, when the page asks to listen.
import { canStream, StreamPlayer } from "/static/voice_stream.js";

const panel = document.getElementById("voice");
const roomId = panel.dataset.roomId;
const roomTitle = panel.dataset.roomTitle || "";
const artwork = panel.dataset.artwork;
const iceServers = JSON.parse(panel.dataset.iceServers || "[]");
// The panel's words, in the page's language (views/room.tsx `voiceWords`).
const words = JSON.parse(panel.dataset.words || "{}");
const joinButton = panel.querySelector(".voice-join");
const statusLine = panel.querySelector(".voice-status");
const hint = panel.querySelector(".voice-hint");
const takeBackButton = panel.querySelector(".voice-take-back");
const player = panel.querySelector(".voice-audio");
const talkControls = panel.querySelector(".voice-talk");
const pushToTalkBox = panel.querySelector(".voice-ptt-mode");
const pushToTalkKeys = panel.querySelector(".voice-ptt-keys");
const talkButton = panel.querySelector(".voice-ptt");
const micField = panel.querySelector(".voice-mic-field");
const micSelect = panel.querySelector(".voice-mic");
const volumeInput = panel.querySelector(".voice-volume");
const stored = {
  microphone: "palabre.voice.microphone",
  pushToTalk: "palabre.voice.pushToTalk",
  volume: "palabre.voice.volume",
};
const micConstraints = {
  audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
};

let socket = null;
let retryMs = 500;
let peer = null;
// The room's stream, while listening by stream rather than by a connection of our own.
let stream = null;
let sender = null;
let mic = null;
let micBlocked = false;
let joined = false;
let connected = false;
// Was connected and lost it: "Reconnecting…" rather than "Connecting…".
let reconnecting = false;
// Another tab of this member's took the voice.
let moved = false;
// The browser refused to play sound until the member taps the page ("Tap to listen").
let waiting = false;
let place = { stage: false, muted: true, mutedByModerator: false };
let speaking = new Set();
let pushToTalk = localStorage.getItem(stored.pushToTalk) === "on";
let holding = false;

panel.hidden = false;
joinButton.addEventListener("click", () => {
  // This tap is the user activation the browser waited for: the same audio now plays.
  waiting = false;
  stream?.resume();
  play();
  if (!joined) join();
  showState();
});
takeBackButton.addEventListener("click", () => {
  moved = false;
  join();
});

function join() {
  joined = true;
  play();
  listen();
}

/**
 * Plays the room's audio. A browser lets a page play sound after a click on the page that led
 * here (Chromium carries the activation over a same-origin navigation) or on this page; otherwise
 * it refuses, and the member is asked to tap. A play waiting for its source plays once it comes.
 */
function play() {
  player.play().then(() => {
    waiting = false;
    showState();
  }, (error) => {
    // A new source interrupts a pending play (AbortError): the play that follows it counts.
    if (error.name !== "NotAllowedError") return console.info("Voice:", error.message);
    waiting = true;
    showState();
  });
}

/**
 * On stage: a connection (we must send). In the audience: the server says how to listen, a
 * connection or the room's stream; a browser that cannot play the stream always connects.
 */
function listen() {
  if (place.stage || !canStream()) return negotiate();
  if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "listen" }));
}

async function startStream(format) {
  hangUp();
  const started = new StreamPlayer(player);
  stream = started;
  try {
    await started.start(format);
    if (stream === started) {
      connected = true;
      panel.dataset.via = "stream";
      play();
    }
  } catch (error) {
    // This browser cannot play it after all: a connection of our own instead.
    console.warn("Voice stream:", error.message);
    if (stream === started) negotiate();
  }
  showState();
}

function stopStream() {
  stream?.stop();
  stream = null;
}

pushToTalkBox.checked = pushToTalk;
pushToTalkBox.addEventListener("change", () => {
  pushToTalk = pushToTalkBox.checked;
  localStorage.setItem(stored.pushToTalk, pushToTalk ? "on" : "off");
  hold(false);
});

// Pointer events cover mouse, pen and touch; the capture keeps a finger that slides off the
// button still holding until it lifts.
talkButton.addEventListener("pointerdown", (event) => {
  if (event.button !== 0) return;
  talkButton.setPointerCapture(event.pointerId);
  hold(true);
});
for (const type of ["pointerup", "pointercancel", "lostpointercapture"]) {
  talkButton.addEventListener(type, () => hold(false));
}
// A long press on a phone must not open a menu.
talkButton.addEventListener("contextmenu", (event) => event.preventDefault());
talkButton.addEventListener("keydown", (event) => {
  if (event.key !== " " && event.key !== "Enter") return;
  event.preventDefault();
  if (!event.repeat) hold(true);
});
talkButton.addEventListener("keyup", (event) => {
  if (event.key === " " || event.key === "Enter") hold(false);
});

document.addEventListener("keydown", (event) => {
  if (!isTalkKey(event) || !pushToTalk || !place.stage) return;
  event.preventDefault();
  if (!event.repeat) hold(true);
});
document.addEventListener("keyup", (event) => {
  if (event.key === "t" || event.key === "T") hold(false);
});
// A key or finger released in another window never reaches this one.
addEventListener("blur", () => hold(false));
document.addEventListener("visibilitychange", () => document.hidden && hold(false));

/** T, with no modifier, while typing nowhere. */
function isTalkKey(event) {
  if (event.key !== "t" && event.key !== "T") return false;
  if (event.ctrlKey || event.metaKey || event.altKey) return false;
  const target = event.target;
  return !(target.isContentEditable || target.closest?.("input, textarea, select"));
}

function hold(down) {
  holding = down && pushToTalk;
  talkButton.setAttribute("aria-pressed", String(holding));
  gate();
  showState();
}

/** The microphone is live when the server lets it be heard and, in push to talk, while held. */
function gate() {
  if (mic) mic.enabled = !place.muted && (!pushToTalk || holding);
}

micSelect.addEventListener("change", () => {
  localStorage.setItem(stored.microphone, micSelect.value);
  switchMicrophone().catch((error) => {
    console.warn("Voice:", error.message);
    show("blocked", words.micUnusable);
  });
});
navigator.mediaDevices?.addEventListener("devicechange", () => listMicrophones());

/** The same connection, another microphone: only the track changes. */
async function switchMicrophone() {
  if (!mic) return;
  const before = mic;
  const next = await openMicrophone(true);
  // Left the stage, or switched again, while the new microphone was opening.
  if (mic !== before) return next.stop();
  mic = next;
  gate();
  await sender?.replaceTrack(place.stage ? mic : null);
  before.stop();
  showState();
}

/** The remembered microphone if there is one; `exact` when the member has just chosen it. */
async function openMicrophone(exact = false) {
  const deviceId = localStorage.getItem(stored.microphone);
  const audio = deviceId
    ? { ...micConstraints.audio, deviceId: exact ? { exact: deviceId } : { ideal: deviceId } }
    : micConstraints.audio;
  return (await navigator.mediaDevices.getUserMedia({ audio })).getAudioTracks()[0];
}

/** The inputs, named once the microphone has been allowed (before that, labels are empty). */
async function listMicrophones() {
  if (!mic) return;
  const inputs = (await navigator.mediaDevices.enumerateDevices())
    .filter((device) => device.kind === "audioinput");
  const current = mic.getSettings().deviceId;
  micSelect.replaceChildren(
    ...inputs.map((device, i) =>
      new Option(
        device.label || words.micNumbered.replace("{number}", String(i + 1)),
        device.deviceId,
        false,
        device.deviceId === current,
      )
    ),
  );
  showState();
}

volumeInput.value = localStorage.getItem(stored.volume) ?? "100";
player.volume = Number(volumeInput.value) / 100;
volumeInput.addEventListener("input", () => {
  player.volume = Number(volumeInput.value) / 100;
  localStorage.setItem(stored.volume, volumeInput.value);
});

function show(state, text, advice = "") {
  statusLine.dataset.state = state;
  statusLine.textContent = text;
  hint.textContent = advice;
  hint.hidden = !advice;
  takeBackButton.hidden = state !== "moved";
  joinButton.hidden = state !== "waiting";
  showOnLockScreen();
}

function showState() {
  const talking = joined && place.stage;
  talkControls.hidden = !talking;
  pushToTalkKeys.hidden = !pushToTalk;
  micField.hidden = !mic || micSelect.options.length === 0;
  if (!talking && holding) hold(false);
  if (moved) return show("moved", words.moved);
  if (!joined) return show("off", words.off);
  if (waiting) return show("waiting", words.waiting, words.waitingHint);
  if (!connected && reconnecting) return show("reconnecting", words.reconnecting);
  if (!connected) return show("connecting", words.connecting);
  if (place.stage && micBlocked) return show("blocked", words.micBlocked, words.micBlockedHint);
  if (place.stage && place.mutedByModerator) return show("muted", words.mutedByModerator);
  if (place.stage && place.muted) return show("muted", words.muted);
  if (place.stage && pushToTalk) {
    return holding ? show("talking", words.talking) : show("connected", words.holdToTalk);
  }
  return show("connected", words.connected);
}

function connect() {
  const url = new URL(`/rooms/${roomId}/voice`, location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const ws = new WebSocket(url);
  socket = ws;
  ws.binaryType = "arraybuffer";
  ws.addEventListener("open", () => {
    retryMs = 500;
    if (joined) listen();
  });
  ws.addEventListener("message", (event) => {
    if (event.data instanceof ArrayBuffer) stream?.push(event.data);
    else receive(JSON.parse(event.data));
  });
  ws.addEventListener("close", (event) => {
    if (socket !== ws) return;
    socket = null;
    connected = false;
    // A normal close is the server letting go: the room ended or we are not in it. The panel
    // goes; the live part says which, with the way back to the hallway.
    if (event.code === 1000) return endVoice();
    reconnecting = joined;
    showState();
    setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 5000);
  });
}

async function receive(message) {
  if (message.type === "answer" && peer) {
    await peer.setRemoteDescription({ type: "answer", sdp: message.sdp });
  } else if (message.type === "state") {
    const invited = message.stage && !place.stage;
    place = message;
    // On stage from the stream: a connection of our own, to send as well.
    if (invited && stream) await negotiate();
    await useMicrophone();
  } else if (message.type === "stream") {
    await startStream(message);
  } else if (message.type === "webrtc") {
    await negotiate();
  } else if (message.type === "moved") {
    // The server already let go of this tab's connection; the newer tab speaks and listens.
    moved = true;
    joined = false;
    hangUp();
    releaseMicrophone();
  } else if (message.type === "speaking") {
    speaking = new Set(message.handles);
    showRings();
  } else if (message.type === "error") {
    console.warn("Voice:", message.message);
  }
  showState();
}

/** A new connection to the server (on join, and again after any drop), on the same page. */
async function negotiate() {
  hangUp();
  if (!socket || socket.readyState !== WebSocket.OPEN) return showState();
  const pc = new RTCPeerConnection({ iceServers });
  peer = pc;
  panel.dataset.via = "webrtc";
  sender = pc.addTransceiver("audio", { direction: "sendrecv" }).sender;
  pc.addEventListener("track", (event) => {
    player.srcObject = new MediaStream([event.track]);
    play();
  });
  pc.addEventListener("connectionstatechange", () => {
    if (peer !== pc) return;
    connected = pc.connectionState === "connected";
    if (connected) reconnecting = false;
    if (pc.connectionState === "disconnected") reconnecting = true;
    if (pc.connectionState === "failed") {
      reconnecting = true;
      showState();
      setTimeout(() => peer === pc && negotiate(), retryMs);
      return;
    }
    showState();
  });
  await useMicrophone();
  await pc.setLocalDescription(await pc.createOffer());
  await gathered(pc);
  if (peer === pc && socket?.readyState === WebSocket.OPEN) {
    socket.send(JSON.stringify({ type: "offer", sdp: pc.localDescription.sdp }));
  }
}

/** Lets go of how we hear the room: the connection or the stream. */
function hangUp() {
  stopStream();
  peer?.close();
  peer = null;
  sender = null;
  connected = false;
}

/** The offer goes out with its candidates in it: no trickle to keep in order. */
function gathered(pc) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => pc.iceGatheringState === "complete" && resolve();
    pc.addEventListener("icegatheringstatechange", done);
    setTimeout(resolve, 2000);
  });
}

/** On stage: the microphone goes out (silenced while muted). In the audience: nothing does. */
async function useMicrophone() {
  if (!joined) return;
  if (place.stage && !mic) {
    try {
      mic = await openMicrophone();
      micBlocked = false;
      await listMicrophones();
    } catch {
      micBlocked = true;
    }
  }
  if (!place.stage) releaseMicrophone();
  gate();
  await sender?.replaceTrack(place.stage ? mic : null);
  showState();
}

function releaseMicrophone() {
  mic?.stop();
  mic = null;
}

// Allowed after being blocked (from the address bar): the microphone is tried again at once. A
// browser that cannot watch this permission tries again on the next change of place instead.
navigator.permissions?.query({ name: "microphone" }).then((permission) => {
  permission.addEventListener("change", () => {
    if (micBlocked && permission.state === "granted") useMicrophone();
  });
}).catch((error) => console.info("Voice: the microphone permission cannot be watched:", error));

/** The room is over for this page: no sound, no panel, nothing on the lock screen. */
function endVoice() {
  hangUp();
  releaseMicrophone();
  joined = false;
  moved = false;
  waiting = false;
  player.pause();
  player.srcObject = null;
  panel.hidden = true;
  showOnLockScreen();
}

const session = navigator.mediaSession;
let micShown = null;

/**
 * The room on the lock screen and in the browser's media controls: its title, the site, the
 * icon, whether it plays, and on stage whether the microphone is live. The sound itself comes out
 * of the <audio> element (never an AudioContext alone), which browsers keep playing while locked.
 */
function showOnLockScreen() {
  if (!session) return;
  if (!joined) {
    session.metadata = null;
    session.playbackState = "none";
    return;
  }
  if (!session.metadata) {
    session.metadata = new MediaMetadata({
      title: roomTitle,
      artist: words.siteName,
      artwork: [{ src: artwork, sizes: "any", type: "image/svg+xml" }],
    });
  }
  session.playbackState = connected && !waiting ? "playing" : "paused";
  const micLive = place.stage && !place.muted;
  if (place.stage && micShown !== micLive && session.setMicrophoneActive) {
    micShown = micLive;
    // A promise in newer browsers, nothing in older ones.
    Promise.resolve(session.setMicrophoneActive(micLive))
      .catch((error) => console.info("Voice: the lock screen's microphone:", error.message));
  }
}

/** The lock screen's buttons press the page's own: the mic toggle, and "Leave quietly". */
function offerOnLockScreen(action, handler) {
  try {
    session.setActionHandler(action, handler);
  } catch (error) {
    console.info(`Voice: this browser has no "${action}" media action:`, error.message);
  }
}
function pressMicButton() {
  if (place.stage) document.querySelector("#room-self .mic-toggle")?.click();
}
function leaveRoom() {
  document.querySelector('#room-self input[name="action"][value="leave"]')?.form
    .requestSubmit();
}
if (session) {
  offerOnLockScreen("togglemicrophone", pressMicButton);
  offerOnLockScreen("hangup", leaveRoom);
  offerOnLockScreen("stop", leaveRoom);
}

/** A ring on whoever speaks; stage fragments swapped in by htmx get it again. */
function showRings() {
  for (const person of document.querySelectorAll("#room-live .person[data-handle]")) {
    person.classList.toggle("speaking", speaking.has(person.dataset.handle));
  }
}
const roomLive = document.getElementById("room-live");
if (roomLive) new MutationObserver(showRings).observe(roomLive, { childList: true, subtree: true });

connect();
// Arriving is joining: the room plays at once where the browser allows it.
join();
showState();
