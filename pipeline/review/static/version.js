// The version page: the lines follow the video, a click seeks, lines are edited in place,
// a rerun reports its progress, and the sign-off is recorded.
"use strict";

(function () {
  const body = document.body;
  const video = body.dataset.video;
  const lang = body.dataset.lang;
  const base = `/api/v/${encodeURIComponent(video)}/${encodeURIComponent(lang)}`;
  const player = document.getElementById("player");
  const rows = Array.from(document.querySelectorAll("tr.line"));
  const follow = document.getElementById("follow");
  let current = null;

  // --- the line being heard -------------------------------------------------------------
  function lineAt(ms) {
    let lo = 0, hi = rows.length - 1, found = null;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const start = Number(rows[mid].dataset.start);
      if (start <= ms) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    if (found === null) return null;
    return ms < Number(rows[found].dataset.end) ? rows[found] : null;
  }

  function highlight() {
    if (!player) return;
    const row = lineAt(player.currentTime * 1000);
    if (row === current) return;
    if (current) current.classList.remove("current");
    current = row;
    if (row) {
      row.classList.add("current");
      if (follow && follow.checked && !player.paused) row.scrollIntoView({block: "nearest"});
    }
  }

  if (player) {
    player.addEventListener("timeupdate", highlight);
    player.addEventListener("seeked", highlight);
    const tick = () => { highlight(); if (!player.paused) requestAnimationFrame(tick); };
    player.addEventListener("play", () => requestAnimationFrame(tick));
    const profile = document.getElementById("profile");
    if (profile) profile.addEventListener("change", () => { player.src = profile.value; });
  }

  // --- the player's own controls: nothing covers the burned subtitles when paused -------
  function seekTo(ms) {
    if (!player) return;
    player.currentTime = ms / 1000 + 0.001;
    highlight();
  }

  if (player) {
    const play = document.getElementById("play");
    const scrub = document.getElementById("scrub");
    const clockText = document.getElementById("clock");
    const mute = document.getElementById("mute");
    const toggle = () => (player.paused ? player.play() : player.pause());
    const show = () => {
      const d = player.duration || 0;
      clockText.textContent = `${clock(player.currentTime * 1000)} / ${clock(d * 1000)}`;
      if (document.activeElement !== scrub && d) scrub.value = String(Math.round(1000 * player.currentTime / d));
    };
    play.addEventListener("click", toggle);
    player.addEventListener("click", toggle);
    player.addEventListener("play", () => { play.textContent = "⏸"; });
    player.addEventListener("pause", () => { play.textContent = "▶"; });
    player.addEventListener("timeupdate", show);
    player.addEventListener("loadedmetadata", show);
    scrub.addEventListener("input", () => {
      if (player.duration) player.currentTime = player.duration * Number(scrub.value) / 1000;
    });
    mute.addEventListener("click", () => {
      player.muted = !player.muted;
      mute.textContent = player.muted ? "🔇" : "🔊";
    });
    const step = (direction) => {
      const now = player.currentTime * 1000;
      const starts = rows.map((r) => Number(r.dataset.start));
      const target = direction > 0 ? starts.find((s) => s > now + 50)
        : starts.filter((s) => s < now - 300).pop();
      if (target !== undefined) seekTo(target);
    };
    document.getElementById("prev-line").addEventListener("click", () => step(-1));
    document.getElementById("next-line").addEventListener("click", () => step(1));
    document.addEventListener("keydown", (event) => {
      const typing = ["INPUT", "TEXTAREA", "SELECT", "BUTTON"].includes(event.target.tagName);
      if (event.key === " " && !typing) { event.preventDefault(); toggle(); }
    });
  }

  for (const row of rows) {
    row.querySelector("button.seek").addEventListener("click", () => {
      seekTo(Number(row.dataset.start));
    });
  }

  // --- editing a line -------------------------------------------------------------------
  function srtTime(ms) {
    const pad = (n, w) => String(n).padStart(w, "0");
    return `${pad(Math.floor(ms / 3600000), 2)}:${pad(Math.floor(ms / 60000) % 60, 2)}:` +
      `${pad(Math.floor(ms / 1000) % 60, 2)},${pad(ms % 1000, 3)}`;
  }

  function openEditor(holder, anchor, which, data) {
    if (holder.querySelector("form.edit-form")) return;
    const form = document.getElementById("edit-template").content.firstElementChild.cloneNode(true);
    form.querySelector(".start").value = srtTime(Number(data.start));
    form.querySelector(".end").value = srtTime(Number(data.end));
    const text = form.querySelector(".text");
    text.value = data.text;
    text.rows = Math.max(2, data.text.split("\n").length);
    form.dataset.which = which;
    if (which === "captions") {  // a caption's times are its times on screen
      for (const input of form.querySelectorAll(".start, .end")) input.readOnly = true;
    }
    anchor.after(form);
    text.focus();
    form.querySelector(".cancel").addEventListener("click", () => form.remove());
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const error = form.querySelector(".error");
      error.textContent = "";
      const sha = body.dataset[`${which}Sha`];
      const {ok, data: answer} = await Review.post(`${base}/line`, {
        which, number: Number(data.number), start: form.querySelector(".start").value,
        end: form.querySelector(".end").value, text: text.value, sha,
      });
      if (!ok) { error.textContent = answer.error || "not saved"; return; }
      body.dataset[`${which}Sha`] = answer.sha256;
      form.remove();
      applySaved(holder, which, answer);
    });
  }

  function applySaved(holder, which, saved) {
    holder.dataset.start = saved.start;
    holder.dataset.end = saved.end;
    holder.dataset.text = saved.text;
    const shown = which === "target" ? holder.querySelector("td.target .t") : holder.querySelector(".t");
    shown.textContent = saved.text;
    if (which === "target") {
      const seek = holder.querySelector("button.seek");
      const end = document.createElement("span");
      end.textContent = clock(saved.end);
      seek.replaceChildren(clock(saved.start), document.createElement("br"), end);
    }
    if (which === "target") {
      const cell = holder.querySelector("td.target");
      let note = cell.querySelector("p.burned");
      if (saved.burned === null) { if (note) note.remove(); }
      else {
        if (!note) { note = document.createElement("p"); note.className = "burned"; cell.append(note); }
        note.textContent = saved.burned ? `burned as: “${saved.burned}”`
          : "burned as: nothing (the pipeline reads no text here)";
      }
    }
    holder.classList.add("saved");
    if (saved.changed) {
      document.getElementById("rerun-state").textContent =
        `Saved ${saved.file} line ${saved.number}. Rerun to render it.`;
    }
  }

  function clock(ms) {
    const s = Math.floor(ms / 1000), m = Math.floor(s / 60), h = Math.floor(m / 60);
    const head = h ? `${h}:${String(m % 60).padStart(2, "0")}` : `${m}`;
    return `${head}:${String(s % 60).padStart(2, "0")}.${Math.floor((ms % 1000) / 100)}`;
  }

  for (const row of rows) {
    row.querySelector("button.edit").addEventListener("click", () =>
      openEditor(row, row.querySelector("td.target .t"), "target", row.dataset));
    for (const src of row.querySelectorAll("div.src")) {
      src.querySelector("button.edit-source").addEventListener("click", () =>
        openEditor(src, src.querySelector(".t"), "source", src.dataset));
    }
  }

  for (const row of document.querySelectorAll("#captions tr.caption")) {
    row.querySelector("button.edit-caption").addEventListener("click", () =>
      openEditor(row, row.querySelector("td.target .t"), "captions", row.dataset));
    row.querySelector("button.seek").addEventListener("click", () => {
      seekTo(Number(row.dataset.start));
    });
  }

  // --- rerun ----------------------------------------------------------------------------
  const rerunButton = document.getElementById("rerun");
  const rerunState = document.getElementById("rerun-state");
  const progress = document.getElementById("progress");

  function showEvent(e) {
    const item = document.createElement("li");
    if (e.kind === "stage") item.textContent = `${e.stage}: ${e.note}`;
    else if (e.kind === "started") item.textContent = `${e.stage} ${e.label} …`;
    else if (e.kind === "done") item.textContent = `${e.stage} ${e.label}: ${e.outcome}` +
      (e.seconds ? ` (${e.seconds.toFixed(1)} s)` : "") + (e.note ? ` — ${e.note}` : "");
    else item.textContent = `warning: ${e.note}`;
    item.className = `ev ev-${e.kind} out-${e.outcome || ""}`;
    progress.append(item);
  }

  async function follow_job(id) {
    rerunButton.disabled = true;
    let next = 0;
    for (;;) {
      const {ok, data} = await Review.get(`/api/jobs/${encodeURIComponent(id)}?since=${next}`);
      if (!ok) { rerunState.textContent = data.error || "lost the rerun"; break; }
      data.events.forEach(showEvent);
      next = data.next;
      rerunState.textContent = `${data.state} (${data.seconds} s)${data.message ? ": " + data.message : ""}`;
      rerunState.dataset.state = data.state;
      if (data.state !== "running") {
        if (data.state === "done" || data.state === "failed") {
          rerunState.textContent += " — reloading";
          setTimeout(() => location.reload(), 600);
        } else {
          rerunButton.disabled = false;
        }
        return;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    rerunButton.disabled = false;
  }

  rerunButton.addEventListener("click", async () => {
    rerunState.textContent = "starting…";
    progress.replaceChildren();
    const {ok, data} = await Review.post(`${base}/rerun`, {});
    if (!ok) { rerunState.textContent = data.error; rerunState.dataset.state = "refused"; return; }
    follow_job(data.id);
  });
  if (body.dataset.job) follow_job(body.dataset.job);
  document.addEventListener("review:busy", (e) => {
    if (!rerunState.dataset.state || rerunState.dataset.state !== "running") {
      rerunButton.disabled = e.detail.busy;
    }
  });

  // --- sign-off -------------------------------------------------------------------------
  const form = document.getElementById("approve-form");
  const reviewer = document.getElementById("reviewer");
  reviewer.value = localStorage.getItem("review.reviewer") || "";
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const decision = event.submitter ? event.submitter.value : "approved";
    localStorage.setItem("review.reviewer", reviewer.value);
    const {ok, data} = await Review.post(`${base}/approval`, {
      decision, reviewer: reviewer.value, note: document.getElementById("note").value,
      binding: body.dataset.binding,
    });
    if (!ok) { document.getElementById("approve-error").textContent = data.error; return; }
    location.reload();
  });

  // --- a hand edit whose source changed: keep mine or take the new translation, per line ---
  const conflict = document.getElementById("conflict-form");
  if (conflict) {
    conflict.addEventListener("submit", async (event) => {
      event.preventDefault();
      const choices = {};
      for (const input of conflict.querySelectorAll("input[type=radio]:checked")) {
        choices[input.name.replace("choice-", "")] = input.value;
      }
      const {ok, data} = await Review.post(`${base}/resolve`, {choices, token: conflict.dataset.token});
      if (!ok) { document.getElementById("conflict-error").textContent = data.error; return; }
      conflict.querySelector("button").disabled = true;
      follow_job(data.id);
    });
  }
})();
