/* The lesson page's side of a package played on the content origin (COURSEWARE_CONTENT_ORIGIN).
   The runtime there cannot reach Courseware: it hands each commit up by postMessage, and this
   page, signed in, saves it with its CSRF token and answers whether it was saved. Messages are
   taken only from the runtime frame, and only from the content origin. */
(function () {
  "use strict";
  var frame = document.querySelector("iframe.package-player[data-content-origin]");
  if (!frame) { return; }
  var origin = frame.getAttribute("data-content-origin");
  var commitUrl = frame.getAttribute("data-commit");
  var token = frame.getAttribute("data-csrf");
  var message = document.getElementById("package-host-message");

  function answer(id, ok, text) {
    frame.contentWindow.postMessage({ type: "courseware:saved", id: id, ok: ok, message: text || "" }, origin);
    if (!ok && message) {
      message.textContent = text;
      message.hidden = false;
    }
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== origin || event.source !== frame.contentWindow) { return; }
    var data = event.data;
    if (!data || data.type !== "courseware:commit" || typeof data.cmi !== "object") { return; }
    fetch(commitUrl, {
      method: "POST",
      credentials: "same-origin",
      keepalive: true,
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify({ cmi: data.cmi })
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        answer(data.id, response.ok, response.ok ? "" : (body.error || message.getAttribute("data-unsaved")));
      });
    }, function () {
      answer(data.id, false, message.getAttribute("data-offline"));
    });
  });
}());
