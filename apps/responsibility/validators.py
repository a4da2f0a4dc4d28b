"""Pure field rules."""

from __future__ import annotations

import os
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from apps.core.params import get_int_param, get_param, register
from apps.core.uploads import UploadRefused, check_uploaded_file, kind_for_extension

register("ledger_due_day", "5", "月度台账提交截止日：次月几日")
register("ledger_attachment_max_mb", "10", "月度台账会议附件大小上限（MB）")
register(
    "ledger_attachment_types",
    "pdf,jpg,jpeg,png,doc,docx,xls,xlsx,wps",
    "月度台账会议附件允许的文件类型（扩展名，逗号分隔）",
)

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
    # Whatever the parameter says, only kinds the upload gate can recognise by content are stored
    # (an "html" or "svg" entry in the parameter never lets markup through).
    allowed = [e for e in allowed if kind_for_extension(e)]
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
    if hasattr(file, "chunks") and not getattr(file, "_committed", False):
        try:
            check_uploaded_file(file, kinds={kind_for_extension(ext)}, max_bytes=max_mb * 1024 * 1024)
        except UploadRefused as exc:
            raise ValidationError(_("附件「%(name)s」：%(e)s") % {"name": name, "e": exc.text}) from exc
