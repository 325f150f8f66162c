"""Text the server derives from record values: BlockNote JSON from markdown, and searchVector.

Twenty fills `bodyV2.blocknote` from `bodyV2.markdown` and keeps a Postgres tsvector per record;
clients only ever read them back, so close approximations (headings, lists, bold/italic/code;
`'word':position` tokens) are enough.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

_INLINE = re.compile(r"(\*\*[^*]+\*\*|\*[^*]+\*|`[^`]+`)")


def _inline(text: str) -> list[dict[str, Any]]:
    content = []
    for part in _INLINE.split(text):
        if not part:
            continue
        if part.startswith("**"):
            content.append({"type": "text", "text": part[2:-2], "styles": {"bold": True}})
        elif part.startswith("`"):
            content.append({"type": "text", "text": part[1:-1], "styles": {"code": True}})
        elif part.startswith("*") and len(part) > 1:
            content.append({"type": "text", "text": part[1:-1], "styles": {"italic": True}})
        else:
            content.append({"type": "text", "text": part, "styles": {}})
    return content


def markdown_to_blocknote(markdown: str) -> str:
    """A BlockNote document (as the JSON string Twenty stores) for headings, lists and paragraphs."""
    blocks = []
    for line in str(markdown).splitlines():
        if not line.strip():
            continue
        props: dict[str, Any] = {"textColor": "default", "backgroundColor": "default", "textAlignment": "left"}
        heading = re.match(r"^(#{1,3})\s+(.*)$", line)
        if heading:
            kind, text = "heading", heading.group(2)
            props["level"] = len(heading.group(1))
        elif re.match(r"^\s*[-*]\s+", line):
            kind, text = "bulletListItem", re.sub(r"^\s*[-*]\s+", "", line)
        elif re.match(r"^\s*\d+\.\s+", line):
            kind, text = "numberedListItem", re.sub(r"^\s*\d+\.\s+", "", line)
        else:
            kind, text = "paragraph", line
        blocks.append({"id": str(uuid.uuid4()), "type": kind, "props": props, "content": _inline(text), "children": []})
    return json.dumps(blocks, separators=(",", ":"))


def search_vector(texts: list[str]) -> str:
    """A tsvector-like string (`'word':1 'other':2`) over the object's searchable values."""
    positions: dict[str, list[int]] = {}
    position = 0
    for text in texts:
        for token in _tokens(text):
            position += 1
            positions.setdefault(token, []).append(position)
    return " ".join(f"'{t}':{','.join(map(str, p))}" for t, p in sorted(positions.items()))


def _tokens(text: str) -> list[str]:
    text = text.lower()
    if "@" in text and " " not in text:
        return [text, text.split("@", 1)[1]]
    if "://" in text:
        return [text.split("://", 1)[1]]
    return [word for word in re.split(r"[^0-9a-zà-ÿ]+", text) if word]
