// Palabre's client module. Behaviour lives here, not in inline handlers, because the
// Content-Security-Policy allows scripts from our own origin only.

// The words this script writes, in the page's language (views/layout.tsx puts them on <body>).
const words = JSON.parse(document.body.dataset.words || "{}");

// Copy buttons: `data-copy="#input-id"` copies the field; `data-copy-link="/rooms/..."` copies
// that link made whole with the page's origin.
document.addEventListener("click", async (event) => {
  const button = event.target instanceof Element
    ? event.target.closest("[data-copy], [data-copy-link]")
    : null;
  if (!button) return;
  const link = button.getAttribute("data-copy-link");
  const field = link === null ? document.querySelector(button.getAttribute("data-copy")) : null;
  if (link === null && !(field instanceof HTMLInputElement)) return;
  field?.select();
  const text = link === null ? field.value : new URL(link, location.href).href;
  const label = button.dataset.label ?? button.textContent;
  button.dataset.label = label;
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = words.copied;
  } catch {
    // Clipboard refused (no permission, insecure origin): the text stays selected to copy by hand;
    // a link with no field of its own is offered selected in a prompt.
    if (link === null) button.textContent = words.copyByHand;
    else prompt(words.copyByHand, text);
  }
  setTimeout(() => (button.textContent = label), 2000);
});

// The live status line: what the page's socket is doing, in words.
function showLiveState(state, text) {
  const status = document.getElementById("live-status");
  if (!status) return;
  status.dataset.state = state;
  status.textContent = text;
}
// The bell's socket (every signed-in page has one) is not what the status line tells about.
const ofBell = (event) => event.target instanceof Element && event.target.closest("#bell");
document.addEventListener("htmx:ws:after:connection", (event) => {
  if (!ofBell(event)) showLiveState("live", words.live);
});
// A normal close (1000) is the server letting go: the room ended or the member is not in it.
document.addEventListener("htmx:ws:close", (event) => {
  if (ofBell(event)) return;
  if (event.detail?.code === 1000) showLiveState("closed", words.notLive);
  else showLiveState("reconnecting", words.reconnecting);
});
document.addEventListener("htmx:ws:error", (event) => {
  if (!ofBell(event)) showLiveState("reconnecting", words.reconnecting);
});

// Times from the server are UTC; show them in the page's language and the viewer's time zone.
const timeFormat = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
  dateStyle: "medium",
  timeStyle: "short",
});
function localizeTimes(root) {
  for (const element of root.querySelectorAll("time[data-local-time]")) {
    const when = new Date(element.getAttribute("datetime"));
    if (!Number.isNaN(when.getTime())) element.textContent = timeFormat.format(when);
  }
  for (const input of root.querySelectorAll("input[data-timezone-offset]")) {
    input.value = String(new Date().getTimezoneOffset());
  }
  // An event's time zone starts on the browser's own, unless the form came back with one chosen.
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  for (const select of root.querySelectorAll('select[data-time-zone="browser"]')) {
    // The list holds one name per zone; a browser may know its zone by another ("Asia/Kolkata").
    if (![...select.options].some((o) => o.value === zone)) select.add(new Option(zone, zone));
    select.value = zone;
    select.dataset.timeZone = "chosen";
  }
}
localizeTimes(document);
document.addEventListener("htmx:after:swap", () => localizeTimes(document));
document.addEventListener("htmx:ws:after:message:incoming", () => localizeTimes(document));

// A room's notice (an action refused) stays long enough to read, then makes way.
const noticeMs = 8000;
const notice = document.getElementById("room-notice");
if (notice) {
  let timer;
  new MutationObserver(() => {
    clearTimeout(timer);
    if (notice.textContent.trim() !== "") {
      timer = setTimeout(() => notice.replaceChildren(), noticeMs);
    }
  }).observe(notice, { childList: true, subtree: true });
}

// A signed-in page's bell loads its toasts' module (static/notifications.js).
if (document.getElementById("bell")) import("/static/notifications.js");
// A member's page closes its "More" menu on Escape or a tap elsewhere (static/nav_menu.js).
if (document.querySelector(".nav-more")) import("/static/nav_menu.js");

// A page with a topic picker loads its filter (static/topic_filter.js).
if (document.querySelector("[data-topic-filter]")) import("/static/topic_filter.js");

// A room page that offers voice loads the voice module (static/voice.js).
if (document.getElementById("voice")) import("/static/voice.js");
