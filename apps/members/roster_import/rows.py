"""Roster import, step 2: rows. The columns (with the names real 花名册 use), the header row, and the one
row-cleaning function shared by the fast path and the admin's MemberResource."""

from __future__ import annotations

import collections
import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.spreadsheets import unguard

from .. import normalize as nz
from ..choices import Category, MemberStatus
from ..services import member_rules
from ..validators import IdInfo, normalize_id_number, validate_id_number, validate_phone

# ---------------------------------------------------------------------------------------------------------
# The one place every row rule lives.
# ---------------------------------------------------------------------------------------------------------


def _message(exc: ValidationError) -> str:
    """The first message; the traceback is dropped. Django's ValidationError is a reference cycle
    (error_list = [self]) that only the cyclic GC frees, and its traceback would keep this chunk's frames
    (and every row in them) alive until then."""
    exc.__traceback__ = None
    return exc.messages[0]


class RowContext:
    """What cleaning needs besides the row: the importer's organization resolver, today, memo caches.

    Low-cardinality columns (民族, 学历, 党组织, dates …) repeat a lot; each converter is memoized per value,
    which is where most of the speed of a 100k-row import comes from.
    """

    def __init__(self, *, scope_path: str, today: datetime.date | None = None) -> None:
        self.today = today or timezone.localdate()
        self.resolver = nz.OrganizationResolver(scope_path)
        self._memo: dict[str, dict[Any, tuple[Any, str | None]]] = collections.defaultdict(dict)
        self.memos = self._memo
        self._groups: dict[tuple[int, str], Any] = {}

    def lookup(self, key: str, func: Callable[[Any], Any], value: Any) -> tuple[Any, str | None]:
        """(converted value, None) or (None, Chinese message), memoized per column and cell value."""
        memo = self._memo[key]
        try:
            hit = memo.get(value)
        except TypeError:  # unhashable
            hit = None
        if hit is None:
            try:
                hit = (func(value), None)
            except ValidationError as exc:
                hit = (None, _message(exc))
            if len(memo) < 300_000:
                memo[value] = hit
        return hit

    def convert(self, key: str, func: Callable[[Any], Any], value: Any) -> Any:
        result, message = self.lookup(key, func, value)
        if message is not None:
            raise ValidationError(message)
        return result

    def party_group(self, organization: Any, value: Any) -> Any:
        text = nz.clean_text(value)
        if not text:
            return None
        key = (organization.pk, text)
        if key not in self._groups:
            from apps.organizations.models import Organization

            group = (
                Organization.objects.filter(parent=organization, kind="party_group", is_active=True)
                .filter(models_q_code_or_name(text))
                .first()
            )
            self._groups[key] = group
        group = self._groups[key]
        if group is None:
            raise ValidationError(
                _("党小组“%(v)s”不是%(o)s下的党小组。") % {"v": text, "o": organization.name}, code="group"
            )
        return group


def models_q_code_or_name(text: str) -> Any:
    from django.db.models import Q

    return Q(code=text) | Q(name=text)


def _text(limit: int) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        text = nz.clean_text(unguard(value))
        if len(text) > limit:
            raise ValidationError(_("内容过长（%(n)s字），最多%(m)s字。") % {"n": len(text), "m": limit})
        return text

    return convert


_TEXT_LIMITS = {"native_place": 100, "work_unit": 100, "position": 50, "mobile_place": 100, "mobile_contact": 100}
_TEXT_CONVERTERS = {k: _text(n) for k, n in _TEXT_LIMITS.items()}
_CODE_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "gender": nz.gender_code,
    "ethnicity": nz.ethnicity_code,
    "education": nz.education_code,
    "occupation_category": nz.occupation_code,
    "category": nz.category_code,
    "party_post": nz.party_post_code,
    "status": nz.status_code,
    "mobile_state": nz.mobile_state_code,
    "lost_contact": nz.parse_bool,
    "lost_contact_reason": nz.lost_contact_reason_code,
    "points": nz.parse_int,
}
_NUMERIC_ID = re.compile(r"\d(\.\d+)?E\+?\d+", re.IGNORECASE)


def _phone(value: Any) -> str:
    return validate_phone(value) if nz.clean_text(value) else ""


def _name(value: Any) -> str:
    name = nz.clean_name(unguard(value))
    if not name:
        raise ValidationError(_("请填写姓名。"))
    if len(name) > 50:
        raise ValidationError(_("姓名过长（最多50字）。"))
    return name


_DATE_KEYS = ("birth_date", "joined_on", "confirmed_on", "mobile_since", "lost_contact_since")
# column key -> (memo name, converter); dates share one memo (the same cell text is the same date anywhere).
_CONVERTER_BY_KEY: dict[str, tuple[str, Callable[[Any], Any]]] = {
    **{k: (k, f) for k, f in [*_CODE_CONVERTERS.items(), *_TEXT_CONVERTERS.items(), ("phone", _phone)]},
    **{k: ("date", nz.parse_date) for k in _DATE_KEYS},
}


def clean_member_row(raw: dict[str, Any], ctx: RowContext) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Clean one row (the admin / django-import-export path): ``clean_member_rows`` with a batch of one."""
    return clean_member_rows([raw], ctx)[0]


def clean_member_rows(
    raws: list[dict[str, Any]], ctx: RowContext
) -> list[tuple[dict[str, Any], list[tuple[str, str]]]]:
    """Clean rows — every import rule is here or called from here (validators, normalize, member_rules).

    ``raws`` map column keys (see COLUMNS) to cell values, all with the keys of the columns the file has.
    Returns, per row, (values, errors): ``values`` uses model field names plus ``id_number`` (normalized)
    and ``organization`` (the instance); ``errors`` is a list of (column key, Chinese message).
    Simple columns are converted column by column through per-value memos (a 100k-row file has a few
    thousand distinct 民族/学历/日期 values); the rest is per row.
    """
    if not raws:
        return []
    out: list[tuple[dict[str, Any], list[tuple[str, str]]]] = [({}, []) for _raw in raws]
    month_only = _convert_columns(raws, out, ctx)
    return [
        _clean_row(raw, values, errors, month_only_birth, ctx)
        for raw, (values, errors), month_only_birth in zip(raws, out, month_only, strict=True)
    ]


def _convert_columns(
    raws: list[dict[str, Any]], out: list[tuple[dict[str, Any], list[tuple[str, str]]]], ctx: RowContext
) -> list[bool]:
    """Name and every memoizable column, one column at a time; returns the 出生年月 (month only) flags."""
    lookup = ctx.lookup
    month_only = [False] * len(raws)
    keys = [("name", ("name", _name))] + [(k, c) for k, c in _CONVERTER_BY_KEY.items() if k in raws[0]]
    for key, (memo_key, func) in keys:
        get = ctx.memos[memo_key].get
        column = [raw.get(key, "") for raw in raws]
        try:
            results = [get(value) or lookup(memo_key, func, value) for value in column]
        except TypeError:  # an unhashable cell: go the slow way
            results = [lookup(memo_key, func, value) for value in column]
        is_date = memo_key == "date"
        for (values, errors), (result, message) in zip(out, results, strict=True):
            if message is not None:
                errors.append((key, message))
            else:
                values[key] = result[0] if is_date else result
        if key == "birth_date":
            month_only = [message is None and result[1] for result, message in results]
    return month_only


def _clean_row(
    raw: dict[str, Any],
    values: dict[str, Any],
    errors: list[tuple[str, str]],
    month_only_birth: bool,
    ctx: RowContext,
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    def fail(key: str, message: str) -> None:
        errors.append((key, message))

    info: IdInfo | None = None
    id_cell = raw.get("id_number")
    if isinstance(id_cell, (int, float)) and not isinstance(id_cell, bool):
        fail("id_number", _("身份证号被 Excel 存成了数字，末几位已丢失：该列请设置为文本格式后重新填写。"))
    elif isinstance(id_cell, str) and _NUMERIC_ID.fullmatch(id_cell.strip()):
        fail(
            "id_number",
            _("身份证号是科学计数法（%(v)s），末几位已丢失：该列请设置为文本格式后重新填写。") % {"v": id_cell},
        )
    else:
        number = normalize_id_number(id_cell)
        values["id_number"] = number
        if "*" in number:
            fail("id_number", _("身份证号是打码后的号码（含*），请填写完整号码（完整号码只有党员信息管理员能导出）。"))
        else:
            try:  # unique per row: nothing to memoize
                info = validate_id_number(number, today=ctx.today, normalized=True)
            except ValidationError as exc:
                fail("id_number", _message(exc))

    if info is not None and month_only_birth:
        # 出生年月 (year and month only): the ID number gives the day when year and month agree.
        born = values.get("birth_date")
        if born and (born.year, born.month) == (info.birth_date.year, info.birth_date.month):
            values["birth_date"] = info.birth_date

    if not values.get("category"):
        if "category" in raw or "confirmed_on" in raw:
            if values.get("confirmed_on"):
                values["category"] = Category.FULL
            else:
                fail("category", _("请填写人员类别（正式党员或预备党员）。"))
        else:
            values["category"] = Category.FULL
    if "status" in values and not values["status"]:
        values["status"] = MemberStatus.ACTIVE

    org = None
    if "organization" in raw:
        try:
            org = ctx.convert("organization", ctx.resolver.resolve, raw["organization"])
        except ValidationError as exc:
            fail("organization", _message(exc))
    else:
        fail("organization", _("缺少“所在党组织”列。"))
    values["organization"] = org
    if org is not None and "party_group" in raw:
        try:
            group = ctx.party_group(org, raw["party_group"])
            values["party_group"] = group
            values["party_group_id"] = group.pk if group else None
        except ValidationError as exc:
            fail("party_group", _message(exc))

    # Cross-field rules live in services.member_rules (forms, API and both import paths call it).
    if not errors and org is not None:  # the common case: no copy needed
        for key, message in member_rules(values, today=ctx.today).items():
            fail(key, message)
        return values, errors
    failed = {key for key, _m in errors}
    check = {k: v for k, v in values.items() if k not in failed and not (k == "organization" and v is None)}
    for key, message in member_rules(check, today=ctx.today).items():
        if key not in failed:
            fail(key, message)
    values.update(check)
    return values, errors


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}
