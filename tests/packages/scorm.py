"""Small SCORM 1.2 and 2004 packages written by the tests, each SCO a page whose inline script
talks to the runtime as authoring tools do: it looks for the API up its parents, initializes,
reads back where the learner was, and sets location, suspend data, score and status on the
learner's clicks, committing each time, and finishes on the last."""

from __future__ import annotations

import io
import zipfile

MANIFEST_12 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="com.example.{name}" version="1"
    xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
    xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org">
    <organization identifier="org">
      <title>{title}</title>
{items}
    </organization>
  </organizations>
  <resources>
{resources}
  </resources>
</manifest>
"""
ITEM_12 = """      <item identifier="{id}" identifierref="res-{id}">
        <title>{title}</title>
        <adlcp:masteryscore>80</adlcp:masteryscore>
      </item>"""
RESOURCE_12 = """    <resource identifier="res-{id}" type="webcontent" adlcp:scormtype="sco" href="{id}/index.html">
      <file href="{id}/index.html"/>
    </resource>"""

MANIFEST_2004 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="com.example.{name}" version="1"
    xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
    xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"
    xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="org">
    <organization identifier="org">
      <title>{title}</title>
{items}
    </organization>
  </organizations>
  <resources>
{resources}
  </resources>
</manifest>
"""
ITEM_2004 = """      <item identifier="{id}" identifierref="res-{id}">
        <title>{title}</title>
      </item>"""
RESOURCE_2004 = """    <resource identifier="res-{id}" type="webcontent" adlcp:scormType="sco" href="{id}/index.html">
      <file href="{id}/index.html"/>
    </resource>"""

# The SCO: two steps. "Answer" keeps the answer in suspend_data and moves the location on;
# "Finish" sets a score and a passing status, commits and finishes. Inline, as Storyline and
# Captivate write theirs.
SCO_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<script>
var VERSION = "{version}";
function findAPI(win) {{
  var name = VERSION === "1.2" ? "API" : "API_1484_11";
  for (var depth = 0; win && depth < 10; depth++) {{
    if (win[name]) return win[name];
    if (win.parent === win) break;
    win = win.parent;
  }}
  return null;
}}
var api = findAPI(window);
var K = VERSION === "1.2"
  ? {{init: "LMSInitialize", get: "LMSGetValue", set: "LMSSetValue", commit: "LMSCommit", finish: "LMSFinish",
      location: "cmi.core.lesson_location", entry: "cmi.core.entry", name: "cmi.core.student_name"}}
  : {{init: "Initialize", get: "GetValue", set: "SetValue", commit: "Commit", finish: "Terminate",
      location: "cmi.location", entry: "cmi.entry", name: "cmi.learner_name"}};
function call(method) {{ return api[method].apply(api, Array.prototype.slice.call(arguments, 1)); }}
function answer() {{
  var choice = document.getElementById("answer").value;
  call(K.set, "cmi.suspend_data", "answer=" + choice);
  call(K.set, K.location, "step-2");
  if (VERSION === "1.2") {{ call(K.set, "cmi.core.lesson_status", "incomplete"); call(K.set, "cmi.core.exit", "suspend"); }}
  else {{ call(K.set, "cmi.completion_status", "incomplete"); call(K.set, "cmi.exit", "suspend"); }}
  call(K.commit, "");
  document.getElementById("state").textContent = "Answer saved: " + choice;
}}
function finish() {{
  if (VERSION === "1.2") {{
    call(K.set, "cmi.core.score.raw", "90"); call(K.set, "cmi.core.score.min", "0"); call(K.set, "cmi.core.score.max", "100");
    call(K.set, "cmi.core.lesson_status", "passed"); call(K.set, "cmi.core.exit", "");
  }} else {{
    call(K.set, "cmi.score.raw", "90"); call(K.set, "cmi.score.min", "0"); call(K.set, "cmi.score.max", "100");
    call(K.set, "cmi.score.scaled", "0.9");
    call(K.set, "cmi.completion_status", "completed"); call(K.set, "cmi.success_status", "passed");
    call(K.set, "cmi.exit", "normal");
  }}
  call(K.commit, "");
  call(K.finish, "");
  document.getElementById("state").textContent = "Finished";
}}
window.addEventListener("load", function () {{
  if (!api) {{ document.getElementById("state").textContent = "No API found"; return; }}
  call(K.init, "");
  document.getElementById("learner").textContent = call(K.get, K.name);
  document.getElementById("entry").textContent = call(K.get, K.entry) || "(empty)";
  document.getElementById("resumed").textContent = call(K.get, "cmi.suspend_data") || "(nothing)";
  document.getElementById("location").textContent = call(K.get, K.location) || "(start)";
  document.getElementById("state").textContent = "Ready";
  document.getElementById("answer-button").addEventListener("click", answer);
  document.getElementById("finish-button").addEventListener("click", finish);
}});
</script></head>
<body>
<h1>{title}</h1>
<p>Learner: <span id="learner"></span></p>
<p>Entry: <span id="entry"></span></p>
<p>Suspend data: <span id="resumed"></span></p>
<p>Location: <span id="location"></span></p>
<label for="answer">Your answer</label> <input id="answer" value="listen first">
<button id="answer-button" type="button">Answer</button>
<button id="finish-button" type="button">Finish</button>
<p id="state" role="status">Loading</p>
</body></html>
"""


def scorm_zip(
    version: str = "1.2",
    *,
    name: str = "listening",
    title: str = "Listening before you post",
    units: tuple[tuple[str, str], ...] = (("intro", "Why listen first"), ("tools", "Tools for listening")),
    extra: dict[str, bytes | str] | None = None,
) -> bytes:
    """A SCORM ``version`` ("1.2" or "2004") zip with one SCO per (identifier, title) in ``units``."""
    manifest, item, resource = (
        (MANIFEST_12, ITEM_12, RESOURCE_12) if version == "1.2" else (MANIFEST_2004, ITEM_2004, RESOURCE_2004)
    )
    files: dict[str, str | bytes] = {
        "imsmanifest.xml": manifest.format(
            name=name,
            title=title,
            items="\n".join(item.format(id=unit, title=unit_title) for unit, unit_title in units),
            resources="\n".join(resource.format(id=unit) for unit, _ in units),
        )
    }
    for unit, unit_title in units:
        files[f"{unit}/index.html"] = SCO_PAGE.format(title=unit_title, version=version)
    files.update(extra or {})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, content in files.items():
            archive.writestr(path, content)
    return buffer.getvalue()
