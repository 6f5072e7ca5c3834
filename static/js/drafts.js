// Drafts: a form with a "Save draft" button (templates/_macros/drafts.html) saves its text
// 2 seconds after typing stops, through /drafts/<form>. Progressive enhancement only: without
// this file the button does the same.
(function () {
  "use strict";
  var DELAY = 2000;

  function clock(iso) {
    var when = iso ? new Date(iso) : new Date();
    return when.toLocaleTimeString(document.documentElement.lang || [], { hour: "2-digit", minute: "2-digit" });
  }

  function enhance(controls) {
    var form = controls.closest("form");
    if (!form) { return; }
    var url = controls.getAttribute("data-draft-url");
    var names = (controls.getAttribute("data-draft-fields") || "").split(" ").filter(Boolean);
    var status = controls.querySelector(".draft-status");
    var timer = null;
    var sending = false;
    var again = false;
    var held = null;

    function values() {
      return names.map(function (name) {
        var field = form.elements.namedItem(name);
        return field ? field.value : "";
      });
    }
    var saved = values().join("\u0000");

    function say(text) { if (status) { status.textContent = text; } }
    // What to say, in the page's language (the macro's data-say-* texts), English without them.
    function words(name, english, fill) {
      var text = controls.getAttribute("data-say-" + name) || english;
      Object.keys(fill || {}).forEach(function (key) { text = text.replace("{" + key + "}", fill[key]); });
      return text;
    }

    function done() {
      sending = false;
      if (held) {
        var submitter = held;
        held = null;
        if (form.requestSubmit) { form.requestSubmit(submitter === form ? undefined : submitter); } else { form.submit(); }
      } else if (again) {
        again = false;
        schedule();
      }
    }

    function save() {
      timer = null;
      var now = values();
      var key = now.join("\u0000");
      if (key === saved) { return; }
      if (sending) { again = true; return; }
      sending = true;
      var body = new URLSearchParams();
      names.forEach(function (name, i) { body.append(name, now[i]); });
      var token = form.elements.namedItem("csrf_token");
      if (token) { body.append("csrf_token", token.value); }
      fetch(url, {
        method: "POST",
        body: body,
        headers: { "Accept": "application/json" },
        credentials: "same-origin"
      }).then(function (response) {
        return response.json().catch(function () { return null; }).then(function (data) {
          if (response.ok) {
            saved = key;
            say(data && data.saved_at ? words("saved", "Draft saved {time}", { time: clock(data.saved_at) }) : words("cleared", "Draft cleared"));
          } else if (response.status === 401) {
            say(words("signed-out", "Draft not saved: you are signed out. Your text stays here; when you send it, you can sign in and it is kept."));
          } else {
            var message = data && data.error && data.error.message;
            say(message ? words("refused", "Draft not saved: {reason}", { reason: message }) : words("failed", "Draft not saved: try again in a moment."));
          }
        });
      }).catch(function () {
        say(words("unreachable", "Draft not saved: the site cannot be reached just now. Your text is still here."));
      }).then(done, done);
    }

    function schedule() {
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(save, DELAY);
    }

    form.addEventListener("input", function (event) {
      if (names.indexOf(event.target.name) !== -1) { schedule(); }
    });
    form.addEventListener("submit", function (event) {
      if (timer) { clearTimeout(timer); timer = null; }
      // A draft on its way would arrive after the form and bring the sent text back as a draft.
      if (sending) {
        event.preventDefault();
        held = event.submitter || form;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".draft-controls[data-draft-url]").forEach(enhance);
  });
})();
