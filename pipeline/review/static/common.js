// Shared by every page: POST with the CSRF header, and the "folder is busy" banner.
"use strict";

const Review = {
  csrf: document.body.dataset.csrf,

  async post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": Review.csrf},
      body: JSON.stringify(body || {}),
      credentials: "same-origin",
    });
    let data = {};
    try { data = await response.json(); } catch (e) { data = {error: response.statusText}; }
    return {ok: response.ok, status: response.status, data};
  },

  async get(url) {
    const response = await fetch(url, {credentials: "same-origin"});
    return {ok: response.ok, status: response.status, data: await response.json()};
  },

  async refreshBusy() {
    try {
      const {ok, data} = await Review.get("/api/status");
      if (!ok) return;
      const banner = document.getElementById("busy");
      banner.hidden = !data.busy;
      banner.textContent = data.running
        ? `A rerun of ${data.running.video}/${data.running.lang} is running.`
        : "The outputs folder is busy: a pipeline run is writing it.";
      document.dispatchEvent(new CustomEvent("review:busy", {detail: data}));
    } catch (e) { /* the server may be restarting */ }
  },
};

setInterval(Review.refreshBusy, 4000);
