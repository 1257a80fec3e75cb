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
