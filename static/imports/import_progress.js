// Import job page: follow the job while it runs. Without this file the page's Refresh link
// does the same by hand.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const panel = document.querySelector("[data-job-status-url]");
  const url = panel && panel.dataset.jobStatusUrl;
  if (!url) return;
  const progress = panel.querySelector("[data-job-progress]");
  const format = new Intl.NumberFormat(document.documentElement.lang || undefined);

  const poll = async () => {
    let job;
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      job = await response.json();
    } catch (error) {
      window.setTimeout(poll, 5000);
      return;
    }
    progress.value = job.percent;
    progress.textContent = `${job.percent}%`;
    document.querySelectorAll("[data-job-field]").forEach((element) => {
      const value = job[element.dataset.jobField];
      element.textContent = typeof value === "number" ? format.format(value) : value;
    });
    if (job.finished) {
      // The finished page lists the failed rows and offers the download.
      window.location.reload();
    } else {
      window.setTimeout(poll, 1000);
    }
  };
  window.setTimeout(poll, 500);
});
