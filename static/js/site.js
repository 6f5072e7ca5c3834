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

  // The lesson editor's images. "Insert at the cursor" puts an image's Markdown line into the
  // lesson text where the cursor was; Upload image sends the image alone, keeps the page as it
  // is and inserts the new image's line where the cursor was. Without this, Upload image sends
  // the form and the page comes back with the line to copy.
  var lessonText = document.getElementById("body");
  var imagesArea = document.querySelector("[data-images-area]");
  if (lessonText && imagesArea) {
    var imagesStatus = document.getElementById("images-status");
    var showInsertButtons = function () {
      imagesArea.querySelectorAll("[data-insert-image]").forEach(function (button) { button.hidden = false; });
    };
    var insertLine = function (line, start, end) {
      var before = lessonText.value.slice(0, start), after = lessonText.value.slice(end);
      // The image stands in a paragraph of its own: a blank line on each side.
      var above = before ? "\n\n".slice(before.match(/\n{0,2}$/)[0].length) : "";
      var below = "\n\n".slice(after.match(/^\n{0,2}/)[0].length + (after ? 0 : 1));
      var text = above + line + below;
      lessonText.value = before + text + after;
      lessonText.focus();
      lessonText.setSelectionRange(start + text.length, start + text.length);
      lessonText.dispatchEvent(new Event("input", { bubbles: true }));
    };
    showInsertButtons();
    imagesArea.addEventListener("click", function (event) {
      var button = event.target.closest("[data-insert-image]");
      if (!button) { return; }
      insertLine(button.getAttribute("data-insert-image"), lessonText.selectionStart, lessonText.selectionEnd);
    });
    var form = lessonText.form;
    var upload = form && form.querySelector("button[name=action][value=add-image]");
    if (upload && window.fetch && window.DOMParser && window.FormData) {
      upload.addEventListener("click", function (event) {
        event.preventDefault();
        var start = lessonText.selectionStart, end = lessonText.selectionEnd;
        var body = new FormData(form);
        body.set("action", "add-image");
        if (imagesStatus) { imagesStatus.textContent = "Uploading the image…"; }
        fetch(form.getAttribute("action"), { method: "POST", body: body, credentials: "same-origin" })
          .then(function (response) { return response.text(); })
          .then(function (html) {
            var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-images-area]");
            if (!fresh) { throw new Error("no images"); }
            imagesArea.innerHTML = fresh.innerHTML;
            showInsertButtons();
            var added = imagesArea.querySelector("#added-line");
            if (added) {
              insertLine(added.value, start, end);
              if (imagesStatus) { imagesStatus.textContent = "Image added, and its line put in the lesson text."; }
            } else {
              var field = imagesArea.querySelector("#image");
              if (field) { field.focus(); }
              var error = imagesArea.querySelector(".error");
              if (imagesStatus) { imagesStatus.textContent = error ? error.textContent : "The image was not added."; }
            }
          })
          .catch(function () {
            if (imagesStatus) { imagesStatus.textContent = "The image could not be sent just now; try again."; }
          });
      });
    }
  }

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
