// The phone's "More" menu (views/layout.tsx) is a <details>: it opens and closes without
// JavaScript. This adds what a menu is expected to do besides: Escape closes it and gives focus
// back to its button, and a tap elsewhere closes it.

function openMenus() {
  return document.querySelectorAll(".nav-more details[open]");
}

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  for (const menu of openMenus()) {
    menu.open = false;
    if (menu.contains(document.activeElement) || document.activeElement === document.body) {
      menu.querySelector("summary").focus();
    }
  }
});

document.addEventListener("click", (event) => {
  for (const menu of openMenus()) {
    if (event.target instanceof Node && !menu.contains(event.target)) menu.open = false;
  }
});
