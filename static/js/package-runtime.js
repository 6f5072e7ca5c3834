/* The SCORM runtime for one package lesson: scorm-again's API on this page (window.API for
   SCORM 1.2, window.API_1484_11 for 2004), where the SCO framed below finds it through
   window.parent. Every commit (the SCO's, the automatic one every 30 seconds, and the last one
   on finishing) reaches Courseware, which keeps it, so a package that never finishes still keeps
   what it committed. On Courseware's own origin the commit is posted with the page's CSRF token;
   on a content origin of its own (settings.parentOrigin) it is handed to the lesson page by
   postMessage, and the lesson page saves it. */
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

  var options = {
    dataCommitFormat: "flattened",
    autocommit: true,
    autocommitSeconds: 30,
    logLevel: 5
  };
  // In the bridge, commits handed up and those the lesson page says it saved; the learner is
  // told their progress is saved once the last one is.
  var sent = 0;
  var saved = 0;
  var finished = false;
  function sayWhenSaved() {
    if (finished && saved >= sent) { say(settings.messages.saved, settings.messages.back); }
  }
  if (settings.parentOrigin) {
    // Commits go up to the lesson page, which answers "courseware:saved" for each.
    options.lmsCommitUrl = "postmessage:";
    options.httpService = {
      updateSettings: function () {},
      processHttpRequest: function (url, params, immediate, apiLog, processListeners) {
        sent += 1;
        window.parent.postMessage({ type: "courseware:commit", id: sent, cmi: params }, settings.parentOrigin);
        processListeners("CommitSuccess");
        return { result: "true", errorCode: 0 };
      }
    };
    window.addEventListener("message", function (event) {
      if (event.origin !== settings.parentOrigin || event.source !== window.parent) { return; }
      if (!event.data || event.data.type !== "courseware:saved") { return; }
      if (event.data.ok) {
        saved = Math.max(saved, event.data.id);
        sayWhenSaved();
      } else {
        say(event.data.message);
      }
    });
  } else {
    options.lmsCommitUrl = settings.commit;
    options.xhrHeaders = { "X-CSRFToken": token };
    // A commit sent as the page closes goes by sendBeacon, which cannot carry headers.
    options.requestHandler = function (cmi) { return { csrf_token: token, cmi: cmi }; };
  }
  var api = new API(options);
  var cmi = Object.assign({}, settings.cmi);
  if (settings.launchData) { cmi[scorm12 ? "cmi.launch_data" : "cmi.launch_data"] = settings.launchData; }
  if (settings.masteryScore !== null && settings.masteryScore !== undefined) {
    if (scorm12) { cmi["cmi.student_data.mastery_score"] = String(Math.round(settings.masteryScore * 100)); }
    else { cmi["cmi.scaled_passing_score"] = String(settings.masteryScore); }
  }
  api.loadFromFlattenedJSON(cmi, "");
  if (scorm12) { window.API = api; } else { window.API_1484_11 = api; }

  api.on(scorm12 ? "LMSFinish" : "Terminate", function () {
    finished = true;
    sayWhenSaved();
  });

  var frame = document.createElement("iframe");
  frame.className = "package-frame";
  frame.title = document.title;
  frame.src = settings.launch;
  root.appendChild(frame);
}());
