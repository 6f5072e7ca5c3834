/* The SCORM runtime for one package lesson: scorm-again's API on this page (window.API for
   SCORM 1.2, window.API_1484_11 for 2004), where the SCO framed below finds it through
   window.parent. Every commit (the SCO's, the automatic one every 30 seconds, and the last one
   on finishing) is posted to Courseware with the page's CSRF token; Courseware keeps it, so a
   package that never finishes still keeps what it committed. */
(function () {
  "use strict";
  var root = document.getElementById("package-runtime");
  if (!root) { return; }
  var settings = JSON.parse(root.getAttribute("data-settings"));
  var token = root.getAttribute("data-csrf");
  var message = document.getElementById("package-message");
  var scorm12 = settings.version === "1.2";
  var API = scorm12 ? window.Scorm12API : window.Scorm2004API;

  function say(text, link) {
    message.textContent = text;
    if (link) {
      var a = document.createElement("a");
      a.href = settings.lesson;
      a.target = "_top";
      a.textContent = link;
      message.appendChild(document.createTextNode(" "));
      message.appendChild(a);
    }
    message.hidden = false;
  }

  var api = new API({
    lmsCommitUrl: settings.commit,
    dataCommitFormat: "flattened",
    autocommit: true,
    autocommitSeconds: 30,
    xhrHeaders: { "X-CSRFToken": token },
    // A commit sent as the page closes goes by sendBeacon, which cannot carry headers.
    requestHandler: function (cmi) { return { csrf_token: token, cmi: cmi }; },
    logLevel: 5
  });
  var cmi = Object.assign({}, settings.cmi);
  if (settings.launchData) { cmi[scorm12 ? "cmi.launch_data" : "cmi.launch_data"] = settings.launchData; }
  if (settings.masteryScore !== null && settings.masteryScore !== undefined) {
    if (scorm12) { cmi["cmi.student_data.mastery_score"] = String(Math.round(settings.masteryScore * 100)); }
    else { cmi["cmi.scaled_passing_score"] = String(settings.masteryScore); }
  }
  api.loadFromFlattenedJSON(cmi, "");
  if (scorm12) { window.API = api; } else { window.API_1484_11 = api; }

  api.on(scorm12 ? "LMSFinish" : "Terminate", function () {
    // The words come from the page, in the learner's language.
    say(root.getAttribute("data-saved-text") || "Your progress in this part is saved.",
        root.getAttribute("data-back-text") || "Back to the lesson");
  });

  var frame = document.createElement("iframe");
  frame.className = "package-frame";
  frame.title = document.title;
  frame.src = settings.launch;
  root.appendChild(frame);
}());
