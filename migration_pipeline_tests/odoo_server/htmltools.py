"""HTML the way Odoo treats it: sanitizing HTML fields, and turning plain text into HTML.

- `sanitize`: what `fields.Html(sanitize=True)` does on write. Tags that can run code or load
  things (`<script>`, `<style>`, `<iframe>`, ...) are removed with their content, event-handler
  attributes and `javascript:` URLs are dropped, comments go. Bare text is wrapped in `<p>`.
- `plaintext2html`: what `message_post` does with a `str` body that is not `Markup`: the text
  is escaped, line breaks become `<br/>`, blank lines split paragraphs, URLs become links —
  which is why an HTML-looking string posted as a body comes back as `<p>&lt;p&gt;…</p>`.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_KILL = {"base", "embed", "frame", "head", "iframe", "link", "meta", "noscript", "object", "script", "style", "title"}
_UNWRAP = {"html", "body"}
_VOID = {"area", "br", "col", "hr", "img", "input", "source", "track", "wbr"}
_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "background", "xlink:href"}


class _Sanitizer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.killing: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.killing or tag in _KILL:
            if tag in _KILL and tag not in _VOID and tag not in ("base", "link", "meta", "embed"):
                self.killing.append(tag)
            return
        if tag in _UNWRAP:
            return
        kept = []
        for name, value in attrs:
            if name.startswith("on"):
                continue
            if name in _URL_ATTRIBUTES and value and re.sub(r"\s", "", value).lower().startswith(("javascript:", "vbscript:")):
                continue
            kept.append(f' {name}="{html.escape(value or "", quote=True)}"' if value is not None else f" {name}")
        self.out.append(f"<{tag}{''.join(kept)}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if not self.killing and tag not in _VOID and tag not in _KILL and tag not in _UNWRAP:
            self.out.append(f"</{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if self.killing:
            if tag == self.killing[-1]:
                self.killing.pop()
            return
        if tag in _UNWRAP or tag in _KILL or tag in _VOID:
            return
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if not self.killing:
            self.out.append(html.escape(data, quote=False))


def sanitize(value: str) -> str:
    parser = _Sanitizer()
    parser.feed(value)
    parser.close()
    cleaned = "".join(parser.out)
    if cleaned.strip() and not cleaned.lstrip().startswith("<"):
        cleaned = f"<p>{cleaned}</p>"
    return cleaned


_MARKUP_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "'": "&#39;", '"': "&#34;"})  # markupsafe's
_URL = re.compile(r"""(?<!["'])((?:ftp|http|https)://[^\s<"']+)""")
_BREAKS = re.compile(r"(<br/>\s*){2,}")


def plaintext2html(text: str) -> str:
    escaped = text.translate(_MARKUP_ESCAPES)
    escaped = re.sub(r"\r\n|\r|\n", "<br/>", escaped)
    escaped = _URL.sub(r'<a href="\1" target="_blank" rel="noreferrer noopener">\1</a>', escaped)
    paragraphs = _BREAKS.split(escaped)
    parts = [p for i, p in enumerate(paragraphs) if i % 2 == 0]  # split() keeps the separators' last group
    return "".join(f"<p>{part}</p>" for part in parts)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def to_text(value: str | None) -> str:
    """The text of an HTML fragment, whitespace collapsed (mail.message `preview`)."""
    if not value:
        return ""
    parser = _Text()
    parser.feed(value)
    parser.close()
    return " ".join("".join(parser.parts).split())
