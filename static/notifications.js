// The bell's toasts (views/bell.tsx): dismissed by their button, a few at most on screen, and in
// a hidden tab, once the member allowed it, shown as the browser's own notification too. There
// is no service worker and no push service: this runs only while a Palabre tab is open.

const list = document.getElementById("toast-list");
const maxToasts = 4;

document.addEventListener("click", (event) => {
  const target = event.target instanceof Element ? event.target : null;
  const dismiss = target?.closest("[data-dismiss-toast]");
  if (dismiss) {
    dismiss.closest(".toast")?.remove();
    return;
  }
  const ask = target?.closest("[data-notification-permission] button");
  // Asked only on this click: browsers refuse (and people dislike) an unprompted request.
  if (ask && "Notification" in globalThis) {
    Notification.requestPermission().then(showPermissionButtons);
  }
});

function showPermissionButtons() {
  const undecided = "Notification" in globalThis && Notification.permission === "default";
  for (const element of document.querySelectorAll("[data-notification-permission]")) {
    element.hidden = !undecided;
  }
}
showPermissionButtons();

function tellBrowser(toast) {
  if (document.visibilityState !== "hidden") return;
  if (!("Notification" in globalThis) || Notification.permission !== "granted") return;
  const link = toast.querySelector("a");
  const shown = new Notification(toast.dataset.notice || link?.textContent || "", {
    tag: toast.id,
  });
  shown.addEventListener("click", () => {
    globalThis.focus();
    if (link) location.assign(link.href);
    shown.close();
  });
}

if (list) {
  new MutationObserver((changes) => {
    for (const change of changes) {
      for (const node of change.addedNodes) {
        if (node instanceof Element && node.classList.contains("toast")) tellBrowser(node);
      }
    }
    while (list.children.length > maxToasts) list.firstElementChild.remove();
  }).observe(list, { childList: true });
}
