"""Lesson Markdown renders to HTML that keeps the structure and never carries script."""

from __future__ import annotations

from courseware.content.render import render_inline, render_markdown

LESSON_BODY = """\
## Listening first

Read **this** and [the guide](https://example.org/guide "Guide"), [our page](/learn/x) or
[write to us](mailto:team@example.org).

- one
- two

3. three
4. four

| Stage | Weeks |
| :--- | ---: |
| Listen | 2 |

> A quote

    code <b>
"""


def test_structure_is_kept():
    html = render_markdown(LESSON_BODY)
    assert "<h2>Listening first</h2>" in html
    assert "<strong>this</strong>" in html
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html
    assert '<ol start="3">' in html
    assert "<table>" in html and "<thead>" in html and "<td" in html
    assert '<th class="align-left">Stage</th>' in html and '<td class="align-right">2</td>' in html
    assert "<blockquote>" in html
    assert "<pre><code>code &lt;b&gt;\n</code></pre>" in html


def test_safe_links_are_kept_and_cannot_reach_back_to_the_page():
    html = render_markdown(LESSON_BODY)
    assert '<a href="https://example.org/guide" title="Guide" rel="noopener noreferrer">the guide</a>' in html
    assert '<a href="/learn/x" rel="noopener noreferrer">our page</a>' in html
    assert '<a href="mailto:team@example.org" rel="noopener noreferrer">write to us</a>' in html


def test_raw_html_is_shown_as_text_not_rendered():
    html = render_markdown('<script>alert(1)</script>\n\n<b onclick="steal()">hi</b> <img src=x onerror=alert(1)>')
    assert "<script" not in html and "<b" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_dangerous_urls_are_dropped():
    html = render_markdown(
        "[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) [c](vbscript:x) [d](data:text/html,x) "
        "![e](javascript:alert(1)) ![f](data:image/png;base64,AAAA) ![g](https://example.org/ok.png)"
    )
    assert "<a " not in html
    assert 'href="' not in html
    assert '<img alt="f">' in html  # markdown-it lets data: images through; the sanitiser drops the URL
    assert 'src="data:' not in html and 'src="javascript' not in html.lower()
    assert '<img src="https://example.org/ok.png" alt="g">' in html


def test_event_handlers_and_inline_styles_never_reach_the_page():
    html = render_markdown('<a href="https://example.org" onmouseover="steal()">x</a>\n\n| a |\n| :-: |\n| b |')
    assert "<p>&lt;a href=" in html  # shown as text, so the handler is inert
    assert "<a " not in html
    assert "style=" not in html  # the Content-Security-Policy forbids inline styles; alignment is a class
    assert '<th class="align-center">a</th>' in html


def test_inline_text_renders_emphasis_code_and_links_only():
    html = render_inline("Use **bold**, `code` and [links](https://example.org).\n\n# not a heading <i>x</i>")
    assert "<strong>bold</strong>" in html and "<code>code</code>" in html
    assert '<a href="https://example.org" rel="noopener noreferrer">links</a>' in html
    assert "<p>" not in html and "<h1>" not in html and "<i>" not in html
    assert render_inline("[x](javascript:alert(1)) ![i](https://example.org/i.png)").count("<") == 0


def test_empty_text_renders_empty():
    assert render_markdown("") == ""
    assert render_inline(None) == ""
