"""Voucher file rules: the same checks as the ledger and letter attachments (extension list, size cap,
magic number so a renamed executable is refused), with funding's own parameters."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from apps.core.params import get_int_param, get_param
from apps.core.uploads import check_attachment


def validate_voucher(file: Any) -> None:
    check_attachment(
        file,
        allowed_types=get_param("funding_voucher_types").split(","),
        max_mb=get_int_param("funding_voucher_max_mb"),
        field="vouchers",
    )


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
