// Voice on a room page: "Join audio", one RTCPeerConnection to the server with one two-way
// audio channel, the microphone while on stage (never in the audience), and the speaking rings.
// Signalling and the member's place (on stage, muted) come over /rooms/:id/voice; the server
// decides who is heard, this module only follows.

const panel = document.getElementById("voice");
const roomId = panel.dataset.roomId;
const iceServers = JSON.parse(panel.dataset.iceServers || "[]");
const joinButton = panel.querySelector(".voice-join");
const statusLine = panel.querySelector(".voice-status");
const player = panel.querySelector(".voice-audio");
const micConstraints = {
  audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
};

let socket = null;
let retryMs = 500;
let peer = null;
let sender = null;
let mic = null;
let micBlocked = false;
let joined = false;
let connected = false;
let place = { stage: false, muted: true };
let mutedBySelf = false;
let speaking = new Set();

panel.hidden = false;
joinButton.addEventListener("click", () => {
  joined = true;
  joinButton.hidden = true;
  // Played from the click, so the browser's autoplay policy lets the room be heard.
  player.play().catch(() => {});
  negotiate();
});

// A "Mute" of one's own is not "muted by a moderator" (the form is posted by htmx).
document.addEventListener("submit", (event) => {
  const action = event.target.querySelector?.("input[name=action]")?.value;
  if (action === "mute_self") mutedBySelf = true;
  if (action === "unmute_self") mutedBySelf = false;
});

function show(state, words) {
  statusLine.dataset.state = state;
  statusLine.textContent = words;
}

function showState() {
  if (!joined) return show("off", "Audio is off");
  if (!connected) return show(socket ? "connecting" : "reconnecting", "Connecting…");
  if (place.stage && micBlocked) return show("blocked", "Microphone blocked");
  if (place.stage && place.muted && !mutedBySelf) return show("muted", "Muted by a moderator");
  if (place.stage && place.muted) return show("muted", "Connected, you are muted");
  return show("connected", "Connected");
}

function connect() {
  const url = new URL(`/rooms/${roomId}/voice`, location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const ws = new WebSocket(url);
  socket = ws;
  ws.addEventListener("open", () => {
    retryMs = 500;
    if (joined) negotiate();
  });
  ws.addEventListener("message", (event) => receive(JSON.parse(event.data)));
  ws.addEventListener("close", (event) => {
    if (socket !== ws) return;
    socket = null;
    connected = false;
    // A normal close is the server letting go: the room ended or we are not in it.
    if (event.code === 1000) {
      hangUp();
      joinButton.hidden = true;
      return show("off", "Audio has ended");
    }
    if (joined) show("reconnecting", "Reconnecting…");
    setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 5000);
  });
}

async function receive(message) {
  if (message.type === "answer" && peer) {
    await peer.setRemoteDescription({ type: "answer", sdp: message.sdp });
  } else if (message.type === "state") {
    // Coming on stage muted, like muting oneself, is not a moderator's doing.
    if (message.stage && !place.stage) mutedBySelf = true;
    if (!message.muted) mutedBySelf = false;
    place = message;
    await useMicrophone();
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
  sender = pc.addTransceiver("audio", { direction: "sendrecv" }).sender;
  pc.addEventListener("track", (event) => {
    player.srcObject = new MediaStream([event.track]);
    player.play().catch(() => {});
  });
  pc.addEventListener("connectionstatechange", () => {
    if (peer !== pc) return;
    connected = pc.connectionState === "connected";
    if (pc.connectionState === "failed") {
      show("reconnecting", "Reconnecting…");
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

function hangUp() {
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
      mic = (await navigator.mediaDevices.getUserMedia(micConstraints)).getAudioTracks()[0];
      micBlocked = false;
    } catch {
      micBlocked = true;
    }
  }
  if (!place.stage && mic) {
    mic.stop();
    mic = null;
  }
  if (mic) mic.enabled = !place.muted;
  await sender?.replaceTrack(place.stage ? mic : null);
  showState();
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
showState();
