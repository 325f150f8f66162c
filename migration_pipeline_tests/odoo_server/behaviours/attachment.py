"""ir.attachment: the file content and what Odoo derives from it.

`datas` is base64 in and out (`raw` may be given instead); `file_size` is the byte count,
`checksum` the sha1 hex of the bytes, `store_fname` where the filestore keeps them. Without a
`mimetype` it is guessed: from the name's extension, then the URL's, then the content (`%PDF`
-> application/pdf). `type` defaults to binary and `public` to false.
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
from typing import TYPE_CHECKING, Any

from .base import Behaviour, Compute, Row, record_name

if TYPE_CHECKING:
    from ..orm import Env

_MAGIC = [(b"%PDF-", "application/pdf"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"),
          (b"GIF87a", "image/gif"), (b"GIF89a", "image/gif"), (b"PK\x03\x04", "application/zip"),
          (b"<svg", "image/svg+xml"), (b"RIFF", "image/webp")]


class Attachment(Behaviour):
    def defaults(self, env: Env, given: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in {"type": "binary", "public": False, "company_id": 1}.items()
                if key not in given}

    def prepare_create(self, env: Env, vals: dict[str, Any]) -> dict[str, Any]:
        return _content(vals, None)

    def prepare_write(self, env: Env, rid: int, vals: dict[str, Any]) -> dict[str, Any]:
        return _content(vals, env.db.rows("ir.attachment")[rid])


def _content(vals: dict[str, Any], current: Row | None) -> dict[str, Any]:
    vals = dict(vals)
    if "raw" in vals or "datas" in vals:
        raw = vals.pop("raw", None)
        if raw is None or raw is False:
            datas = vals.get("datas") or b""
            raw = base64.b64decode(datas if isinstance(datas, (bytes, str)) else str(datas))
        elif isinstance(raw, str):
            raw = raw.encode()
        checksum = hashlib.sha1(raw).hexdigest()
        vals.update(datas=base64.b64encode(raw).decode() if raw else False, file_size=len(raw),
                    checksum=checksum, store_fname=f"{checksum[:2]}/{checksum}" if raw else False)
        if not vals.get("mimetype"):
            vals["mimetype"] = guess_mimetype(raw, vals.get("name") or (current or {}).get("name"), vals.get("url"))
    elif current is None and not vals.get("mimetype"):
        vals["mimetype"] = guess_mimetype(b"", vals.get("name"), vals.get("url"))
    if vals.get("mimetype"):
        vals["mimetype"] = str(vals["mimetype"]).lower()
    return vals


def guess_mimetype(raw: bytes, name: str | None, url: str | None) -> str:
    """Odoo's order: the name's extension, the URL's, then the content (when still unknown)."""
    mimetype = mimetypes.guess_type(name)[0] if name else None
    if not mimetype and url:
        mimetype = mimetypes.guess_type(url.split("?")[0])[0]
    if (not mimetype or mimetype == "application/octet-stream") and raw:
        mimetype = next((kind for magic, kind in _MAGIC if raw.startswith(magic)), None)
        if mimetype is None:
            try:
                raw.decode("utf-8")
                mimetype = "text/plain"
            except UnicodeDecodeError:
                mimetype = None
    return (mimetype or "application/octet-stream").lower()


COMPUTED: dict[str, dict[str, Compute]] = {
    "ir.attachment": {
        "res_name": record_name("res_model", "res_id"),
        "local_url": lambda env, model, row: f"/web/content/{row['id']}?unique={row.get('checksum') or ''}",
        "raw": lambda env, model, row: row.get("datas") or False,  # base64 too: RPC cannot carry bytes
    },
}
