"""Hundreds of cross-site scripting vectors, built from the families that keep coming back.

Every vector, when it runs, calls ``alert`` or ``confirm`` with the marker ``1337``; the
browser test listens for dialogs, and the static test checks that nothing executable is left.
"""

from __future__ import annotations

import html
import itertools
import urllib.parse

from courseware.core.validators import has_untypable_characters

PAYLOAD = "alert(1337)"

JS_URLS = [
    f"javascript:{PAYLOAD}",
    f"JaVaScRiPt:{PAYLOAD}",
    f" javascript:{PAYLOAD}",
    f"java\tscript:{PAYLOAD}",
    f"java\nscript:{PAYLOAD}",
    f"javascript&colon;{PAYLOAD}",
    f"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;{PAYLOAD}",
    f"&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;{PAYLOAD}",
    f"&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058{PAYLOAD}",
    f"javascript%3A{PAYLOAD}",
    f"%6A%61%76%61%73%63%72%69%70%74%3A{PAYLOAD}",
    "vbscript:msgbox(1337)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxMzM3KTwvc2NyaXB0Pg==",
    f"data:text/html,<script>{PAYLOAD}</script>",
    f"data:image/svg+xml,<svg onload={PAYLOAD}>",
    f"\x01javascript:{PAYLOAD}",
    f"javascript://%0a{PAYLOAD}",
    f"jav&#x09;ascript:{PAYLOAD}",
    f"javascript\u2028:{PAYLOAD}",
]

EVENT_HANDLERS = [
    "onload",
    "onerror",
    "onclick",
    "onmouseover",
    "onfocus",
    "onblur",
    "onanimationstart",
    "ontoggle",
    "onbegin",
    "onpageshow",
    "onpointerenter",
    "onauxclick",
]

TAGS = [
    "img src=x",
    "svg",
    "body",
    "iframe",
    "details open",
    "input autofocus",
    "video src=x",
    "audio src=x",
    "marquee",
    "object",
]

RAW_HTML = [
    f"<script>{PAYLOAD}</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    f"<script>/*</script><script>{PAYLOAD}//*/</script>",
    f"<<script>{PAYLOAD}//<</script>",
    f"<scr<script>ipt>{PAYLOAD}</scr</script>ipt>",
    f'<a href="javascript:{PAYLOAD}">x</a>',
    f'<iframe src="javascript:{PAYLOAD}"></iframe>',
    f'<iframe srcdoc="<script>{PAYLOAD}</script>"></iframe>',
    f'<object data="javascript:{PAYLOAD}"></object>',
    f'<embed src="javascript:{PAYLOAD}">',
    f"<svg><script>{PAYLOAD}</script></svg>",
    f'<svg><a xlink:href="javascript:{PAYLOAD}"><text y=20>x</text></a></svg>',
    f"<svg><animate onbegin={PAYLOAD} attributeName=x dur=1s>",
    f'<math><mtext><table><mglyph><style><img src=x onerror="{PAYLOAD}">',
    f'<form action="javascript:{PAYLOAD}"><button>x</button></form>',
    f'<button formaction="javascript:{PAYLOAD}">x</button>',
    f'<meta http-equiv="refresh" content="0;url=javascript:{PAYLOAD}">',
    f'<link rel=stylesheet href="javascript:{PAYLOAD}">',
    f'<base href="javascript:{PAYLOAD}//">',
    f"<style>@import 'javascript:{PAYLOAD}';</style>",
    f'<div style="background:url(javascript:{PAYLOAD})">x</div>',
    f'<div style="width:expression({PAYLOAD})">x</div>',
    f"<template><img src=x onerror={PAYLOAD}></template>",
    f'<noscript><p title="</noscript><img src=x onerror={PAYLOAD}>">',
    f'<!--<img src="--><img src=x onerror={PAYLOAD}//">',
    f"<img src=`x`onerror={PAYLOAD}>",
    f"<img/src=x/onerror={PAYLOAD}>",
    '<img src=x onerror="&#97;&#108;&#101;&#114;&#116;&#40;&#49;&#51;&#51;&#55;&#41;">',
    f"<isindex type=image src=1 onerror={PAYLOAD}>",
    f"<xss onafterscriptexecute={PAYLOAD}><script>1</script>",
    f'<a href="&#x6A;avascript:{PAYLOAD}">x</a>',
    f"<textarea><script>{PAYLOAD}</script></textarea>",
    f"<title><script>{PAYLOAD}</script></title>",
    f"<select><option><img src=x onerror={PAYLOAD}></option></select>",
    f'<table><td background="javascript:{PAYLOAD}">',
    f"<input type=image src=x onerror={PAYLOAD}>",
    f"<keygen autofocus onfocus={PAYLOAD}>",
    f"<frameset onload={PAYLOAD}>",
    f"<plaintext><script>{PAYLOAD}</script>",
    f"<listing>&lt;img src=x onerror={PAYLOAD}&gt;</listing>",
]


def markdown_tricks() -> list[str]:
    tricks = []
    for url in JS_URLS:
        tricks += [
            f"[click me]({url})",
            f"[click me](<{url}>)",
            f'[click me]({url} "title")',
            f"![picture]({url})",
            f"<{url}>",
            f"[ref]\n\n[ref]: {url}",
            f"![ref][img]\n\n[img]: {url}",
            f"[a]({urllib.parse.quote(url, safe='')})",
        ]
    tricks += [
        f'[x](https://example.org "onmouseover={PAYLOAD}")',
        f'![x](https://example.org/x.png "\\" onerror=\\"{PAYLOAD}")',
        f'[x](https://example.org/" onclick="{PAYLOAD})',
        f"`<script>{PAYLOAD}</script>`",
        f"```html\n<script>{PAYLOAD}</script>\n```",
        f"    <script>{PAYLOAD}</script>",
        f"| a | b |\n| - | - |\n| <script>{PAYLOAD}</script> | <img src=x onerror={PAYLOAD}> |",
        f"> <img src=x onerror={PAYLOAD}>",
        f"* <svg onload={PAYLOAD}>",
        f'**<a href="javascript:{PAYLOAD}">bold</a>**',
        f"[![img](https://example.org/a.png)](javascript:{PAYLOAD})",
        f"<details open ontoggle={PAYLOAD}>",
        f"&lt;script&gt;{PAYLOAD}&lt;/script&gt;",
        html.escape(f"<script>{PAYLOAD}</script>"),
    ]
    return tricks


def handler_vectors() -> list[str]:
    vectors = []
    for tag, handler in itertools.product(TAGS, EVENT_HANDLERS):
        name = tag.split()[0]
        vectors.append(f"<{tag} {handler}={PAYLOAD}></{name}>")
        vectors.append(f'<{tag} {handler.upper()}="{PAYLOAD}">')
    return vectors


def all_vectors() -> list[str]:
    vectors = RAW_HTML + handler_vectors() + markdown_tricks()
    vectors += [f"Some text {v} more text" for v in RAW_HTML]
    return list(dict.fromkeys(vectors))


def lesson_vectors() -> list[str]:
    """The vectors a lesson file can hold: lesson text with NUL or another control character is
    refused when it is imported, so those vectors never reach a page through a lesson (the
    sanitiser is still tried on them directly)."""
    return [vector for vector in all_vectors() if not has_untypable_characters(vector)]
