"""Pure field rules."""

from __future__ import annotations

import os
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from apps.core.params import get_int_param, get_param

# Magic numbers of the allowed types: a renamed executable is refused even with a good extension.
_SIGNATURES = {
    "pdf": [b"%PDF"],
    "jpg": [b"\xff\xd8\xff"],
    "jpeg": [b"\xff\xd8\xff"],
    "png": [b"\x89PNG"],
    "doc": [b"\xd0\xcf\x11\xe0"],
    "xls": [b"\xd0\xcf\x11\xe0"],
    "wps": [b"\xd0\xcf\x11\xe0"],
    "docx": [b"PK\x03\x04"],
    "xlsx": [b"PK\x03\x04"],
}


def validate_attachment(file: Any) -> None:
    name = getattr(file, "name", "") or ""
    ext = os.path.splitext(name)[1].lower().lstrip(".")
    allowed = [e.strip().lower() for e in get_param("ledger_attachment_types").split(",") if e.strip()]
    if ext not in allowed:
        raise ValidationError(
            _("附件类型不允许：%(name)s。允许的类型：%(types)s。") % {"name": name, "types": "、".join(allowed)}
        )
    max_mb = get_int_param("ledger_attachment_max_mb")
    size = getattr(file, "size", 0) or 0
    if size > max_mb * 1024 * 1024:
        raise ValidationError(_("附件「%(name)s」超过 %(mb)d MB 的大小上限。") % {"name": name, "mb": max_mb})
    if size == 0:
        raise ValidationError(_("附件「%(name)s」是空文件。") % {"name": name})
    signatures = _SIGNATURES.get(ext)
    if signatures and hasattr(file, "read"):
        pos = file.tell() if hasattr(file, "tell") else 0
        file.seek(0)
        head = file.read(8)
        file.seek(pos)
        if not any(head.startswith(sig) for sig in signatures):
            raise ValidationError(_("附件「%(name)s」的内容与扩展名不符。") % {"name": name})
