// Topic pickers narrowed by typing (views/topic_filter.tsx): a chip stays when its name or its
// category's holds what was typed, accents and case aside ("theatre" finds "Théâtre"), and the
// count of picked topics follows the ticks.

/** Lower case without accents: what a person types is compared with what a chip says. */
function folded(text) {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLocaleLowerCase();
}

function narrow(form, query) {
  let shown = 0;
  for (const group of form.querySelectorAll("[data-topic-group]")) {
    const heading = group.querySelector("legend, summary")?.textContent ?? "";
    const groupMatches = folded(heading).includes(query);
    let shownHere = 0;
    for (const chip of group.querySelectorAll("[data-topic-chip]")) {
      const matches = query === "" || groupMatches || folded(chip.textContent).includes(query);
      chip.hidden = !matches;
      if (matches) shownHere++;
    }
    group.hidden = shownHere === 0;
    // A folded category would hide what matched.
    if (shownHere > 0 && query !== "" && group instanceof HTMLDetailsElement) group.open = true;
    shown += shownHere;
  }
  form.querySelector("[data-topic-none]").hidden = shown > 0;
}

function countPicked(form) {
  const count = form.querySelectorAll("[data-topic-chip] input:checked").length;
  form.querySelector("[data-topic-count]").textContent = new Intl.NumberFormat(
    document.documentElement.lang || undefined,
  ).format(count);
}

for (const filter of document.querySelectorAll("[data-topic-filter]")) {
  const form = filter.closest("form");
  const field = filter.querySelector("input[type=search]");
  filter.hidden = false;
  field.addEventListener("input", () => narrow(form, folded(field.value.trim())));
  // Enter in the field would send the whole form: a person typing a name means to find it.
  field.addEventListener("keydown", (event) => {
    if (event.key === "Enter") event.preventDefault();
  });
  form.addEventListener("change", () => countPicked(form));
  // A reload keeps what was typed: the list follows it.
  if (field.value) narrow(form, folded(field.value.trim()));
}
