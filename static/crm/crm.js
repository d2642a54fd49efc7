// Harbor CRM: small progressive enhancements. Every page works without this file.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // "Select all" checkbox of a list: ticks every row checkbox of the same form.
  document.querySelectorAll("[data-select-all]").forEach((master) => {
    master.addEventListener("change", () => {
      master.form.querySelectorAll("input[name='selected']").forEach((box) => {
        box.checked = master.checked;
      });
    });
  });

});

// Rows per page, view pickers and the timeline's filters submit themselves when changed
// (delegated, so a panel swapped in later behaves the same).
document.addEventListener("change", (event) => {
  if (event.target.matches?.("[data-autosubmit]")) event.target.form.requestSubmit();
});

// Lookup boxes (parent account, company, manager...): suggestions while typing.
// The hidden input carries the chosen id; editing the text clears it, and the server
// then resolves the typed name, so the box also works without this script.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".crm-lookup").forEach((box) => {
    const idInput = box.querySelector("[data-lookup-id]");
    const textInput = box.querySelector("[data-lookup-input]");
    const menu = box.querySelector("[role='listbox']");
    let timer = null;
    let active = -1;

    const close = () => {
      menu.classList.remove("show");
      textInput.setAttribute("aria-expanded", "false");
      textInput.removeAttribute("aria-activedescendant");
      active = -1;
    };
    const options = () => Array.from(menu.querySelectorAll("[role='option']"));
    const highlight = (index) => {
      const items = options();
      items.forEach((item, i) => item.classList.toggle("active", i === index));
      active = index;
      if (items[index]) textInput.setAttribute("aria-activedescendant", items[index].id);
    };
    const choose = (item) => {
      idInput.value = item.dataset.id;
      textInput.value = item.dataset.label;
      close();
    };
    const show = (results) => {
      menu.replaceChildren();
      results.forEach((result, index) => {
        const item = document.createElement("li");
        item.id = `${menu.id}_${index}`;
        item.className = "dropdown-item";
        item.setAttribute("role", "option");
        item.dataset.id = result.id;
        item.dataset.label = result.label;
        item.textContent = result.label;
        if (result.detail) {
          const detail = document.createElement("small");
          detail.className = "text-body-secondary ms-2";
          detail.textContent = result.detail;
          item.append(detail);
        }
        item.addEventListener("mousedown", (event) => {
          event.preventDefault();
          choose(item);
        });
        menu.append(item);
      });
      menu.classList.toggle("show", results.length > 0);
      textInput.setAttribute("aria-expanded", results.length > 0 ? "true" : "false");
      active = -1;
    };

    textInput.addEventListener("input", () => {
      idInput.value = "";
      clearTimeout(timer);
      const term = textInput.value.trim();
      if (!term) return close();
      timer = setTimeout(async () => {
        const params = new URLSearchParams({ q: term });
        const narrowedBy = box.dataset.lookupNarrowedBy;
        if (narrowedBy) {
          const other = box.closest("form").querySelector(`input[name='${narrowedBy}']`);
          if (other && other.value) params.set(narrowedBy, other.value);
        }
        const url = `${box.dataset.lookupUrl}?${params}`;
        const response = await fetch(url, { headers: { Accept: "application/json" } });
        if (response.ok) show((await response.json()).results);
      }, 150);
    });
    textInput.addEventListener("keydown", (event) => {
      const items = options();
      if (event.key === "ArrowDown" && items.length) {
        event.preventDefault();
        highlight(Math.min(active + 1, items.length - 1));
      } else if (event.key === "ArrowUp" && items.length) {
        event.preventDefault();
        highlight(Math.max(active - 1, 0));
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        choose(items[active]);
      } else if (event.key === "Escape") {
        close();
      }
    });
    textInput.addEventListener("blur", () => setTimeout(close, 100));
  });
});

// Pin buttons (site map, Home, a record's page): pin or unpin without a page load. The
// server answers with the fresh lists; each element of that fragment replaces the one with
// the same id on this page. Without this script the form posts and redirects back.
document.addEventListener("submit", async (event) => {
  const form = event.target;
  const button = event.submitter;
  if (!form.matches("form[data-recent-pin]") || !button || form.dataset.plainSubmit) return;
  event.preventDefault();
  const body = new FormData(form);
  body.append(button.name, button.value);
  const place = form.closest("[id]");
  button.disabled = true;
  let response = null;
  try {
    response = await fetch(form.action, { method: "POST", body, headers: { "X-Fragment": "recent" } });
  } catch {
    // Offline or refused: the plain submit below shows what the server says.
  }
  if (!response || !response.ok) {
    button.disabled = false;
    form.dataset.plainSubmit = "yes"; // Let the server explain (expired form, record gone...).
    form.requestSubmit(button);
    return;
  }
  const fragment = new DOMParser().parseFromString(await response.text(), "text/html");
  fragment.body.querySelectorAll(":scope > [id]").forEach((fresh) => {
    const current = document.getElementById(fresh.id);
    if (!current) return;
    if (current.getAttribute("role") === "status") {
      current.textContent = fresh.textContent; // Keep the live region so the change is announced.
      return;
    }
    if (current.tagName === "DETAILS") fresh.open = current.open;
    current.replaceWith(fresh);
  });
  // The pressed button was replaced: put keyboard focus on its successor, or nearby.
  const again = place && document.getElementById(place.id);
  const successor = again?.querySelector(`button[value="${CSS.escape(button.value)}"]`);
  (successor || again?.querySelector("summary, h2"))?.focus();
});

// Recent and Pinned flyouts (<details>, which already open with Enter or Space): one open at a
// time, Escape closes the open one and returns to its summary, a click elsewhere closes it.
document.addEventListener(
  "toggle",
  (event) => {
    const opened = event.target;
    if (!opened.matches?.(".crm-flyout") || !opened.open) return;
    document.querySelectorAll(".crm-flyout[open]").forEach((other) => {
      if (other !== opened) other.open = false;
    });
  },
  true,
);
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const flyout = event.target.closest?.(".crm-flyout[open]") || document.querySelector(".crm-flyout[open]");
  if (!flyout) return;
  flyout.open = false;
  flyout.querySelector("summary").focus();
});
document.addEventListener("click", (event) => {
  document.querySelectorAll(".crm-flyout[open]").forEach((flyout) => {
    if (!flyout.contains(event.target)) flyout.open = false;
  });
});

// A record's timeline: its filters and "Show more" fetch the timeline alone (the page answers
// `X-Fragment: timeline` with that panel) instead of reloading the page and losing its place.
// Without this script, or if the fetch fails, the same links and form load the whole page.
async function timelineFragment(url) {
  try {
    const response = await fetch(url, { headers: { "X-Fragment": "timeline" } });
    if (!response.ok) return null;
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    return page.getElementById("timeline");
  } catch {
    return null;
  }
}

document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!form.matches(".crm-timeline-filters") || form.dataset.plainSubmit) return;
  event.preventDefault();
  const url = new URL(form.action);
  url.search = new URLSearchParams(new FormData(form)).toString();
  // Nothing typed meanwhile may be lost when the fresh timeline replaces this one: the
  // filters wait, disabled, until it arrives.
  // Keep keyboard focus where it was (the filter just changed, or the Apply button).
  const focused = document.activeElement?.id || "";
  const controls = Array.from(form.elements).filter((control) => !control.disabled);
  controls.forEach((control) => (control.disabled = true));
  const fresh = await timelineFragment(url);
  const current = document.getElementById("timeline");
  if (!fresh || !current) {
    controls.forEach((control) => (control.disabled = false));
    form.dataset.plainSubmit = "yes";
    form.requestSubmit();
    return;
  }
  current.replaceWith(fresh);
  history.replaceState(null, "", url);
  if (focused) document.getElementById(focused)?.focus();
});

document.addEventListener("click", async (event) => {
  const more = event.target.closest?.("a[data-timeline-more]");
  if (!more || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
  event.preventDefault();
  more.setAttribute("aria-disabled", "true");
  const fresh = await timelineFragment(more.href);
  const list = document.querySelector("#timeline .crm-timeline-entries");
  if (!fresh || !list) {
    window.location.assign(more.href);
    return;
  }
  const entries = Array.from(fresh.querySelectorAll(".crm-timeline-entries > li"));
  list.append(...entries);
  const next = fresh.querySelector("a[data-timeline-more]");
  if (next) more.replaceWith(next);
  else more.remove();
  // Keyboard and screen-reader users continue from the first line that was added.
  const first = entries[0]?.querySelector("a");
  first?.focus();
});
