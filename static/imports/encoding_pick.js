// Mapping page: choosing another encoding reads the file's first rows again at once. Without
// this file the "Read again" button beside the list does the same.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const select = document.querySelector("[data-reread-on-change]");
  const button = document.querySelector("[data-reread-button]");
  if (!select || !button) return;
  select.addEventListener("change", () => select.form.requestSubmit(button));
});
