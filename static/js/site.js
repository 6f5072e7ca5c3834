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

  // The lesson editor's images: "Insert at the cursor" puts the image's Markdown line into the
  // lesson text where the cursor was. Without this the line is shown to copy.
  var lessonText = document.getElementById("body");
  document.querySelectorAll("[data-insert-image]").forEach(function (button) {
    if (!lessonText) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var line = button.getAttribute("data-insert-image");
      var start = lessonText.selectionStart, end = lessonText.selectionEnd;
      var before = lessonText.value.slice(0, start), after = lessonText.value.slice(end);
      // The image stands in a paragraph of its own: a blank line on each side.
      var above = before ? "\n\n".slice(before.match(/\n{0,2}$/)[0].length) : "";
      var below = "\n\n".slice(after.match(/^\n{0,2}/)[0].length + (after ? 0 : 1));
      var text = above + line + below;
      lessonText.value = before + text + after;
      lessonText.focus();
      lessonText.setSelectionRange(start + text.length, start + text.length);
      lessonText.dispatchEvent(new Event("input", { bubbles: true }));
    });
  });

  // The lesson editor's Preview: fetched and swapped in place, then kept up to date as the
  // trainer types. Without this the Preview button sends the form and the page comes back.
  document.querySelectorAll("form[data-live-preview]").forEach(function (form) {
    var button = form.querySelector("button[name=action][value=preview]");
    var area = form.querySelector("[data-preview-area]");
    var status = document.getElementById("preview-status");
    if (!button || !area || !window.fetch || !window.DOMParser) { return; }
    var timer = null;
    var asked = 0;
    function refresh() {
      var body = new URLSearchParams(new FormData(form));
      body.set("action", "preview");
      var ticket = ++asked;
      // getAttribute: the form's buttons are named "action", which hides form.action.
      fetch(form.getAttribute("action"), { method: "POST", body: body, credentials: "same-origin" })
        .then(function (response) { return response.text(); })
        .then(function (html) {
          if (ticket !== asked) { return; }
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.querySelector("[data-preview-area]");
          if (!fresh) { throw new Error("no preview"); }
          area.innerHTML = fresh.innerHTML;
          // The problems found in the draft, kept beside the preview as the page would show them.
          var errors = document.querySelector("[data-preview-errors]");
          var freshErrors = doc.querySelector("[data-preview-errors]");
          if (errors && freshErrors) { errors.innerHTML = freshErrors.innerHTML; }
          if (status) { status.textContent = "Preview updated."; }
        })
        .catch(function () {
          if (status) { status.textContent = "The preview could not be updated just now."; }
        });
    }
    button.addEventListener("click", function (event) {
      event.preventDefault();
      refresh();
    });
    form.addEventListener("input", function () {
      if (!area.querySelector(".preview")) { return; }
      clearTimeout(timer);
      timer = setTimeout(refresh, 700);
    });
  });
});
