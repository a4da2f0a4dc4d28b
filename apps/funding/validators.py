"""Voucher file rules: the same checks as the ledger and letter attachments (extension list, size cap,
magic number so a renamed executable is refused), with funding's own parameters."""

from __future__ import annotations

import os
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from apps.core.params import get_int_param, get_param, register

register("funding_voucher_max_mb", "10", "经费支出凭证大小上限（MB）")
register("funding_voucher_types", "pdf,jpg,jpeg,png", "经费支出凭证允许的文件类型（扩展名，逗号分隔）")

_SIGNATURES = {
    "pdf": [b"%PDF"],
    "jpg": [b"\xff\xd8\xff"],
    "jpeg": [b"\xff\xd8\xff"],
    "png": [b"\x89PNG"],
    "doc": [b"\xd0\xcf\x11\xe0"],
    "xls": [b"\xd0\xcf\x11\xe0"],
    "docx": [b"PK\x03\x04"],
    "xlsx": [b"PK\x03\x04"],
    "ofd": [b"PK\x03\x04"],
}


def validate_voucher(file: Any) -> None:
    name = getattr(file, "name", "") or ""
    ext = os.path.splitext(name)[1].lower().lstrip(".")
    allowed = [e.strip().lower() for e in get_param("funding_voucher_types").split(",") if e.strip()]
    if ext not in allowed:
        raise ValidationError(
            {
                "vouchers": _("凭证类型不允许：%(name)s。允许的类型：%(types)s。")
                % {"name": name, "types": "、".join(allowed)}
            }
        )
    max_mb = get_int_param("funding_voucher_max_mb")
    size = getattr(file, "size", 0) or 0
    if size > max_mb * 1024 * 1024:
        raise ValidationError(
            {"vouchers": _("凭证「%(name)s」超过 %(mb)d MB 的大小上限。") % {"name": name, "mb": max_mb}}
        )
    if size == 0:
        raise ValidationError({"vouchers": _("凭证「%(name)s」是空文件。") % {"name": name}})
    signatures = _SIGNATURES.get(ext)
    if signatures and hasattr(file, "read"):
        pos = file.tell() if hasattr(file, "tell") else 0
        file.seek(0)
        head = file.read(8)
        file.seek(pos)
        if not any(head.startswith(sig) for sig in signatures):
            raise ValidationError({"vouchers": _("凭证「%(name)s」的内容与扩展名不符。") % {"name": name}})


def clean_money(value: Any, *, field: str, label: str, allow_zero: bool = False) -> Decimal:
    """A positive amount in yuan with at most two decimals, below the NUMERIC(14,2) ceiling."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({field: _("%(label)s必须是金额数字（元）。") % {"label": label}}) from exc
    if not amount.is_finite():
        raise ValidationError({field: _("%(label)s必须是金额数字（元）。") % {"label": label}})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field: _("%(label)s最多保留两位小数（分）。") % {"label": label}})
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError({field: _("%(label)s必须大于0。") % {"label": label}})
    if amount >= Decimal("1000000000000"):
        raise ValidationError({field: _("%(label)s过大。") % {"label": label}})
    return amount.quantize(Decimal("0.01"))
