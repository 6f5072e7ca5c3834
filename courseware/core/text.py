"""People's plain text on a page: escaped, with the web addresses in it made into links."""

from __future__ import annotations

from functools import lru_cache

from linkify_it import LinkifyIt
from markupsafe import Markup, escape

# Links people write are theirs, not the site's: search engines are told so, and the page
# they open gets no handle on this one.
USER_LINK_REL = "nofollow ugc noopener"
LINK_SCHEMES = ("http:", "https:", "mailto:")

_linkify = LinkifyIt()


def linkify_text(text: str | None) -> Markup:
    """``text`` escaped, with its web and e-mail addresses as links (``rel`` ``USER_LINK_REL``)."""
    return Markup(_linkify_text(text or ""))


@lru_cache(maxsize=2048)
def _linkify_text(text: str) -> str:
    matches = _linkify.match(text) if _linkify.test(text) else None
    if not matches:
        return str(escape(text))
    parts, at = [], 0
    for match in matches:
        if not match.url.lower().startswith(LINK_SCHEMES):
            continue
        parts.append(str(escape(text[at : match.index])))
        parts.append(f'<a href="{escape(match.url)}" rel="{USER_LINK_REL}">{escape(match.text)}</a>')
        at = match.last_index
    parts.append(str(escape(text[at:])))
    return "".join(parts)
