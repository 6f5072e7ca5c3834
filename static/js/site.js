// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }

  document.querySelectorAll(".copy-field").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });

  // The course menu starts closed so that a phone shows the lesson first; open it beside the
  // lesson where the screen is wide enough to have room for both.
  if (window.matchMedia("(min-width: 60.01rem)").matches) {
    document.querySelectorAll("details[data-open-when-wide]").forEach(function (details) { details.open = true; });
  }

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // Checklists save each tick as it happens; the Save button remains for no-JS use.
  document.querySelectorAll("form[data-autosave]").forEach(function (form) {
    var status = document.getElementById(form.getAttribute("data-status"));
    form.addEventListener("change", function () {
      var body = new URLSearchParams(new FormData(form));
      body.set("form_key", Date.now().toString(36) + Math.random().toString(36).slice(2));
      fetch(form.action, {
        method: "POST",
        body: body,
        headers: { "Accept": "application/json" },
        credentials: "same-origin"
      }).then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      }).then(function (data) {
        if (!status) { return; }
        if (data.status === "awaiting_verification") {
          status.textContent = "All done — waiting for a trainer to confirm.";
        } else {
          status.textContent = "Saved: " + data.ticked.length + " of " + data.items + " ticked.";
        }
      }).catch(function () {
        if (status) { status.textContent = "Could not save just now; use the Save ticks button."; }
      });
    });
  });
});
