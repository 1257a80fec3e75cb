// Progressive enhancement only: every page works without this file.
"use strict";

// The new-event form (templates/events_new.html): each field checked as it is typed, by the
// server with the chat's own checks (POST /events/check), its echo or error under the field.
// Without this the server checks on submit and shows the form again.
function eventFormChecks() {
  const form = document.getElementById("event-form");
  if (!form || !window.fetch) return;
  const touched = new Set();
  let timer = null;
  let asked = 0;
  async function check() {
    const mine = ++asked;
    let verdicts;
    try {
      const answer = await fetch(form.dataset.check, {
        method: "POST", body: new FormData(form), credentials: "same-origin",
      });
      if (!answer.ok) return;
      verdicts = await answer.json();
    } catch (error) {
      return; // offline or signed out: the submit still checks everything
    }
    if (mine !== asked) return; // a later keystroke's answer is on its way
    for (const [name, verdict] of Object.entries(verdicts)) {
      const out = document.getElementById("check-" + name);
      const input = document.getElementById("field-" + name);
      if (!out || !input || !touched.has(name)) continue;
      out.textContent = verdict.message || "";
      out.classList.toggle("ok", verdict.ok === true && !!verdict.message);
      out.classList.toggle("problem", verdict.ok === false);
      if (verdict.ok === false) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    }
  }
  form.addEventListener("input", (event) => {
    if (!event.target.name) return;
    touched.add(event.target.name);
    // The end is read after the start: a new start may change what the end says.
    if (event.target.name === "start" || event.target.name === "timezone") {
      if (document.getElementById("field-end").value) touched.add("end");
      if (document.getElementById("field-start").value) touched.add("start");
    }
    clearTimeout(timer);
    timer = setTimeout(check, 350);
  });
}
document.addEventListener("DOMContentLoaded", eventFormChecks);
// -- Broadcasts (pages/broadcasts.py): the live preview as the organizer types, and a running
// broadcast's progress without reloading. Without this the preview comes with the next page and
// the progress page refreshes itself every 5 seconds.
(function broadcasts() {
  function livePreview() {
    var form = document.getElementById("bc-compose");
    var panel = document.getElementById("bc-preview");
    if (!form || !panel) { return; }
    var timer = null;
    var asked = 0;
    function ask() {
      var mine = ++asked;
      fetch(panel.dataset.url, { method: "POST", body: new FormData(form), credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          // Only the latest answer counts: an older one may arrive after a newer one.
          if (data && mine === asked) { panel.innerHTML = data.html; }
        })
        .catch(function () { /* the preview comes with the next page instead */ });
    }
    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 250);
    });
  }

  function liveProgress() {
    var box = document.getElementById("bc-progress");
    if (!box) { return; }
    var unfinished = ["draft", "approval", "scheduled", "sending"];
    function show(data) {
      box.dataset.state = data.state;
      document.getElementById("bc-state").textContent = data.state_label;
      document.getElementById("bc-percent").textContent = data.percent;
      document.getElementById("bc-eta").textContent = data.eta;
      var bar = document.getElementById("bc-bar");
      bar.value = data.percent;
      bar.textContent = data.percent + "%";
      box.querySelectorAll("[data-part]").forEach(function (cell) {
        var part = cell.dataset.part;
        cell.textContent = part === "total" ? data.total : data.counts[part];
      });
      // The delivery chart, drawn again on the server (counts under 10 stay stubs).
      var chart = document.getElementById("bc-chart-box");
      if (chart && data.chart) { chart.innerHTML = data.chart; }
      // A finished or cancelled broadcast can no longer be cancelled or approved.
      if (unfinished.indexOf(data.state) < 0) {
        document.querySelectorAll(".bc-while-unfinished").forEach(function (form) { form.hidden = true; });
      }
    }
    function poll() {
      fetch("/broadcasts/" + box.dataset.id + "/progress", { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (data) { show(data); }
          var state = data ? data.state : box.dataset.state;
          if (unfinished.indexOf(state) >= 0) {
            // Every second while it sends; waiting (approval, schedule) changes more slowly.
            setTimeout(poll, state === "sending" ? 1000 : 5000);
          }
        })
        .catch(function () { setTimeout(poll, 5000); });
    }
    if (unfinished.indexOf(box.dataset.state) >= 0) { setTimeout(poll, 1000); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    livePreview();
    liveProgress();
  });
})();
