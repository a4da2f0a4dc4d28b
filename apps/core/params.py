"""Rule parameters kept as data: defaults here, overrides in the Parameter table (editable in admin)."""

from __future__ import annotations

import re
from typing import Any

from django.core.cache import cache

from apps.core.text import is_digits

#: key -> (default, description). Apps add their own keys in ``AppConfig.ready()``:
#: ``register_params(params.PARAMS)`` with ``PARAMS = [(key, default, description), ...]`` in ``<app>/params.py``.
DEFAULTS: dict[str, tuple[str, str]] = {
    "term_due_warn_months": ("6", "换届提醒：任期届满前多少个月开始提示"),
    "branch_max_members": ("50", "党支部党员人数一般不超过（超出提示）"),
    "branch_min_full_members": ("3", "成立党支部的正式党员最少人数（不足提示）"),
    "branch_committee_threshold": ("7", "正式党员达到此数的党支部应设支部委员会"),
}

_CACHE_KEY = "core.params.v1"

#: key -> {code: label} for a parameter whose value is a comma-separated list of codes (e.g. notice
#: categories): the settings page shows and accepts the labels; the stored value keeps the codes.
VALUE_LABELS: dict[str, dict[str, str]] = {}
_LIST_SPLIT = re.compile(r"[,，、;；\s]+")


def register_value_labels(key: str, labels: dict[str, Any]) -> None:
    VALUE_LABELS[key] = {str(code): str(label) for code, label in labels.items()}


def value_display(key: str, value: str) -> str:
    """A list-of-codes value as people read it: 三函、换届提醒 (other values unchanged)."""
    labels = VALUE_LABELS.get(key)
    if not labels:
        return value
    return "、".join(labels.get(part, part) for part in _LIST_SPLIT.split(value or "") if part)


def _value_canonical(key: str, value: str) -> str:
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    labels = VALUE_LABELS[key]
    by_label = {label: code for code, label in labels.items()}
    codes = []
    for part in (p for p in _LIST_SPLIT.split(value) if p):
        code = part if part in labels else by_label.get(part)
        if code is None:
            raise ValidationError(
                {"value": _("参数值：不认识“%(part)s”；可填：%(known)s") % {"part": part, "known": "、".join(by_label)}}
            )
        if code not in codes:
            codes.append(code)
    return ",".join(codes)


def register(key: str, default: str, description: str) -> None:
    DEFAULTS.setdefault(key, (default, description))


def register_params(params: list[tuple[str, str, str]]) -> None:
    """Called from an app's ``AppConfig.ready()`` with its ``params.PARAMS``: (key, default, description)."""
    for key, default, description in params:
        register(key, default, description)


def _overrides() -> dict[str, str]:
    values = cache.get(_CACHE_KEY)
    if values is None:
        from .models import Parameter

        values = dict(Parameter.objects.values_list("key", "value"))
        cache.set(_CACHE_KEY, values, 300)
    return values


def invalidate() -> None:
    cache.delete(_CACHE_KEY)


def get_param(key: str) -> str:
    overrides = _overrides()
    if key in overrides:
        return overrides[key]
    return DEFAULTS[key][0]


def get_int_param(key: str) -> int:
    return int(get_param(key))


def parameter_validate(key: str, value: Any) -> str:
    """A known key and a value of its default's type (raises ValidationError keyed by field, in Chinese);
    returns the value stripped. Shared by the settings page and the admin."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if key not in DEFAULTS:
        raise ValidationError({"key": _("参数键：没有这个参数。")})
    value = str(value if value is not None else "").strip()
    if key in VALUE_LABELS:  # a list of codes, typed as labels or codes; may be empty (none)
        return _value_canonical(key, value) or " "
    if not value:
        raise ValidationError({"value": _("参数值：请填写参数值。")})
    if len(value) > 255:
        raise ValidationError({"value": _("参数值：不能超过255个字符。")})
    default = DEFAULTS[key][0]
    if is_digits(default.lstrip("-")) and (not is_digits(value.lstrip("-")) or not -100000 <= int(value) <= 100000):
        raise ValidationError({"value": _("参数值：该参数应为整数。")})
    return value


def parameter_set(*, acting_user: Any, key: str, value: str) -> Any:
    """Override one parameter (root administrators), validated against its default's type, audited."""
    from django.db import transaction

    from .audit import audit_record
    from .models import Parameter
    from .scoping import ensure_root_admin

    ensure_root_admin(acting_user)
    value = parameter_validate(key, value)
    default, description = DEFAULTS[key]
    with transaction.atomic():
        param = Parameter.objects.select_for_update().filter(key=key).first()
        before = {"value": param.value} if param else {"value": default}
        if param is None:
            param = Parameter(key=key, description=description[:255])
        param.value = value[:255]
        param.save()
        audit_record(
            actor=acting_user, event="parameter.update", obj=param, before=before, after={"value": value}, org_path="/"
        )
        invalidate()
        transaction.on_commit(invalidate)  # again, in case a reader refilled the cache before the commit
    return param


def parameter_reset(*, acting_user: Any, key: str) -> None:
    """Drop an override (root administrators): the default applies again. Audited."""
    from django.db import transaction

    from .audit import audit_record
    from .models import Parameter
    from .scoping import ensure_root_admin

    ensure_root_admin(acting_user)
    with transaction.atomic():
        param = Parameter.objects.select_for_update().filter(key=key).first()
        if param is None:
            return
        default = DEFAULTS.get(key, ("", ""))[0]
        audit_record(
            actor=acting_user, event="parameter.delete", obj=param, before={"value": param.value},
            after={"value": default}, org_path="/",
        )  # fmt: skip
        param.delete()
        invalidate()
        transaction.on_commit(invalidate)
