"""Board posts: what a member types becomes sanitized HTML, and back for editing.

Members type text in a plain textarea. Blank lines separate paragraphs and single line breaks
are kept; the simple tags core.sanitize allows (<strong>, <em>, <a href>...) may be typed and
survive; everything else (scripts, styles, event handlers, unsafe links) is dropped.
"""

from __future__ import annotations

import html
import re

from groundswell.core.sanitize import html_sanitize

_PARAGRAPHS = re.compile(r"\n\s*\n")
_TAGS = re.compile(r"<[^>]+>")
_ANCHOR = re.compile(r"<a\b[^>]*\bhref=[^>]*>.*?</a>", re.IGNORECASE | re.DOTALL)
_ADDRESS = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


def post_html(text: str) -> str:
    """Sanitized HTML for the typed text ("" when nothing readable is left)."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return ""
    paragraphs = [part.strip() for part in _PARAGRAPHS.split(text) if part.strip()]
    raw = "".join("<p>" + part.replace("\n", "<br>") + "</p>" for part in paragraphs)
    cleaned = html_sanitize(raw)
    if not html.unescape(_TAGS.sub("", cleaned)).strip():
        return ""
    return cleaned


def post_text(body: str) -> str:
    """The stored HTML back as the text a member edits (the inverse of post_html for what
    post_html produces; other allowed tags are left as typed)."""
    text = body.replace("</p><p>", "\n\n").replace("<br>", "\n")
    text = text.removeprefix("<p>").removesuffix("</p>")
    return html.unescape(text)


def post_link_count(body: str) -> int:
    """The links in a post's sanitized HTML: each <a href> element, plus web addresses typed
    as plain text outside them (they are not clickable, but they are what spam is made of)."""
    anchors = len(_ANCHOR.findall(body))
    rest = html.unescape(_TAGS.sub(" ", _ANCHOR.sub(" ", body)))
    return anchors + len(_ADDRESS.findall(rest))
