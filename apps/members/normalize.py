"""Turn what people really type into a roster spreadsheet into stored values.

Pure functions (plus one resolver that reads organizations in bulk). They raise ``ValidationError`` with a
Chinese message that does not name the column: the import adds the row and column. Both import paths
(django-import-export resource and the fast large-file path) call these through ``imports.clean_member_row``.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from apps.core.text import is_digits

from . import codes
from .choices import Category, Gender, LostContactReason, MemberStatus, MobileState, OccupationCategory, PartyPost
from .validators import normalize_phone, to_halfwidth

_CJK = r"\u3400-\u9fff\uf900-\ufaff"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}·])\s+(?=[{_CJK}·])")
_SPACES = re.compile(r"\s+")
EXCEL_EPOCH = datetime.date(1899, 12, 30)
# Serial numbers from 1 (1900-01-01) up to this one (2173) are dates; larger numbers are something else.
EXCEL_MAX_SERIAL = 100_000


def clean_text(value: Any) -> str:
    """Half-width, trimmed, inner runs of spaces collapsed. None and NaN-ish blanks become ""."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = to_halfwidth(str(value)).replace("\u3000", " ")
    return _SPACES.sub(" ", text).strip()


def clean_name(value: Any) -> str:
    """Names: 王　芳 → 王芳 (spaces between Chinese characters go), Latin names keep a single space."""
    if type(value) is str and value.isalpha() and not value.isascii() and not _has_fullwidth(value):
        return value  # the common case: Chinese characters only
    return _SPACE_BETWEEN_CJK.sub("", clean_text(value))


def _has_fullwidth(value: str) -> bool:
    return any("\uff01" <= ch <= "\uff5e" for ch in value)


def parse_date(value: Any) -> tuple[datetime.date | None, bool]:
    """Return (date, month_only). Accepts date/datetime cells, Excel serial numbers, 2019-07-01, 2019/7/1,
    2019.07, 2019年7月1日, 2019年7月, 20190701, 201907. A month-only value gives the first of the month."""
    if value is None or value == "":
        return None, False
    if isinstance(value, datetime.datetime):
        return value.date(), False
    if isinstance(value, datetime.date):
        return value, False
    if isinstance(value, bool):
        raise ValidationError(_("日期格式无法识别。"), code="date")
    if isinstance(value, (int, float)):
        return _from_serial(value), False
    if type(value) is str and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:  # the common case, ISO 2019-07-01, at C speed
            return datetime.date.fromisoformat(value), False
        except ValueError:
            pass
    text = clean_text(value)
    if not text:
        return None, False
    text = re.split(r"[ T]", text, maxsplit=1)[0] if re.match(r"\d{4}\D", text) else text.replace(" ", "")
    if re.fullmatch(r"\d+(\.0+)?", text):
        digits = text.split(".")[0]
        if len(digits) == 8:
            return _make_date(int(digits[:4]), int(digits[4:6]), int(digits[6:])), False
        if len(digits) == 6:
            return _make_date(int(digits[:4]), int(digits[4:]), 1), True
        return _from_serial(float(text)), False
    text = text.replace("年", "-").replace("月", "-").replace("日", "").replace("号", "")
    text = text.replace("/", "-").replace(".", "-").replace("－", "-").strip("-")
    parts = text.split("-")
    if not all(is_digits(p) for p in parts) or len(parts) not in (2, 3) or len(parts[0]) != 4:
        raise ValidationError(
            _("日期“%(v)s”格式无法识别，请写成 2019-07-01 或 2019年7月1日。") % {"v": clean_text(value)}, code="date"
        )
    if len(parts) == 2:
        return _make_date(int(parts[0]), int(parts[1]), 1), True
    return _make_date(int(parts[0]), int(parts[1]), int(parts[2])), False


def _make_date(year: int, month: int, day: int) -> datetime.date:
    try:
        return datetime.date(year, month, day)
    except ValueError as exc:
        raise ValidationError(
            _("日期 %(v)s 不存在。") % {"v": f"{year}-{month:02d}-{day:02d}"}, code="date_invalid"
        ) from exc


def _from_serial(number: float) -> datetime.date:
    if not 1 <= number < EXCEL_MAX_SERIAL:
        raise ValidationError(_("日期数值 %(v)s 超出范围，无法识别为日期。") % {"v": number}, code="date")
    # Excel's serial 60 is the fictitious 1900-02-29; counting from 1899-12-30 is right for every later day.
    return EXCEL_EPOCH + datetime.timedelta(days=int(number))


def _lookup(table: dict[str, str], value: Any, what: str, extra_hint: str = "") -> str:
    text = clean_text(value).replace(" ", "")
    if not text:
        return ""
    if text in table:
        return table[text]
    raise ValidationError(
        _("%(what)s“%(v)s”无法识别%(hint)s。") % {"what": what, "v": text, "hint": extra_hint}, code="code"
    )


def _choice_table(choices: Any, *aliases: dict[str, str]) -> dict[str, str]:
    table: dict[str, str] = {}
    for value, label in choices.choices:
        if value:
            table[str(value)] = value
            table[str(label)] = value
    for alias in aliases:
        table.update(alias)
    return table


_ETHNICITY = {**{c: c for c in codes.ETHNICITY}, **codes.ETHNICITY_ALIASES}
_ETHNICITY.update({str(int(c)): c for c in codes.ETHNICITY})  # "1" typed for "01"
# 汉 for 汉族, 回 for 回族 (two-character names too), as people write them.
_ETHNICITY.update({n[:-1]: c for c, n in codes.ETHNICITY.items() if n.endswith("族") and n[:-1] not in _ETHNICITY})
_EDUCATION = {**{c: c for c in codes.EDUCATION}, **codes.EDUCATION_ALIASES}
_GENDER = _choice_table(Gender, {"男性": "1", "女性": "2", "M": "1", "F": "2", "m": "1", "f": "2"})
_CATEGORY = _choice_table(Category, {"正式": "full", "预备": "probationary"})
_STATUS = _choice_table(MemberStatus, {"在册": "active", "正常党员": "active"})
_MOBILE = _choice_table(MobileState, {"否": "", "无": "", "非流动": "", "流出党员": "outflow", "流入党员": "inflow"})
_POST = _choice_table(PartyPost, {"无": "", "党小组长": "group_leader", "组长": "group_leader"})
_POST.update({"支部书记": "secretary", "支部副书记": "deputy_secretary"})
_OCCUPATION = _choice_table(OccupationCategory, {"农民": "farmer", "离退休": "retired", "退休": "retired"})
_LOST_REASON = _choice_table(LostContactReason, {"出国": "abroad", "出境": "abroad", "外出务工": "migrant_work"})
_BOOL = {"是": True, "否": False, "Y": True, "N": False, "1": True, "0": False, "TRUE": True, "FALSE": False}


def ethnicity_code(value: Any) -> str:
    return _lookup(_ETHNICITY, value, _("民族"), _("，请填写如“汉族”或代码“01”"))


def education_code(value: Any) -> str:
    return _lookup(_EDUCATION, value, _("学历"), _("，请填写如“大学本科”“大专”或国标代码"))


def gender_code(value: Any) -> str:
    return _lookup(_GENDER, value, _("性别"), _("，请填写“男”或“女”"))


def category_code(value: Any) -> str:
    return _lookup(_CATEGORY, value, _("党员类别"), _("，请填写“正式党员”或“预备党员”"))


def status_code(value: Any) -> str:
    return _lookup(_STATUS, value, _("党籍状态"))


def mobile_state_code(value: Any) -> str:
    return _lookup(_MOBILE, value, _("流动党员"), _("，请填写“流出”“流入”或留空"))


def party_post_code(value: Any) -> str:
    return _lookup(_POST, value, _("党内职务"))


def occupation_code(value: Any) -> str:
    return _lookup(_OCCUPATION, value, _("人员类别"))


def lost_contact_reason_code(value: Any) -> str:
    return _lookup(_LOST_REASON, value, _("失联原因"))


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = clean_text(value).upper()
    if not text:
        return False
    if text in _BOOL:
        return _BOOL[text]
    raise ValidationError(_("“%(v)s”应填写“是”或“否”。") % {"v": clean_text(value)}, code="bool")


def clean_phone(value: Any) -> str:
    return normalize_phone(value)


def parse_int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        return int(value)
    text = clean_text(value)
    if not text:
        return None
    try:
        number = float(text)
    except ValueError as exc:
        raise ValidationError(_("“%(v)s”不是数字。") % {"v": text}, code="int") from exc
    if not number.is_integer():
        raise ValidationError(_("“%(v)s”应为整数。") % {"v": text}, code="int")
    return int(number)


_PATH_SEPARATORS = re.compile(r"\s*(?:/|\\|>|＞|→|-{1,2}|—+)\s*")


class OrganizationResolver:
    """Resolve organization cells (code, name, or name path 甲区委/甲街道党工委/甲支部) within a scope.

    Bulk: ``prepare(cells)`` loads every candidate in two queries; ``resolve(cell)`` then costs nothing.
    Only organizations under ``scope_path`` are ever returned, so a row naming another district's branch is
    reported as not found in the importer's scope (the same answer as a missing one).
    """

    def __init__(self, scope_path: str) -> None:
        self.scope_path = scope_path
        self._by_code: dict[str, Any] = {}
        self._by_name: dict[str, list[Any]] = {}
        self._names_by_id: dict[int, str] = {}
        self._cache: dict[str, Any] = {}
        self._prepared: set[str] = set()

    def _qs(self) -> Any:
        from apps.organizations.models import Organization

        qs = Organization.objects.filter(is_active=True)
        return qs.filter(path__startswith=self.scope_path) if self.scope_path else qs

    def prepare(self, cells: Iterable[Any]) -> None:
        """Fetch the organizations these cells may name (only cells not seen before: callable per chunk)."""
        texts = {clean_text(c) for c in set(cells)} - self._prepared
        texts.discard("")
        self._prepared |= texts
        if not texts:
            return
        fields = ("id", "code", "name", "path", "kind", "is_active", "parent_id")
        names: set[str] = set()
        for text in texts:
            names.update(p for p in _PATH_SEPARATORS.split(text) if p)
        for org in self._qs().filter(code__in=texts).only(*fields):
            self._by_code[org.code] = org
        for org in self._qs().filter(name__in=names).only(*fields):
            self._by_name.setdefault(org.name, []).append(org)
            self._names_by_id[org.pk] = org.name

    def resolve(self, value: Any) -> Any:
        text = clean_text(value)
        if not text:
            raise ValidationError(_("请填写所在党组织（组织代码或名称）。"), code="required")
        if text in self._cache:
            return self._cache[text]
        org = self._resolve(text)
        self._cache[text] = org
        return org

    def _resolve(self, text: str) -> Any:
        if text in self._by_code:
            return self._by_code[text]
        parts = [p for p in _PATH_SEPARATORS.split(text) if p]
        candidates = list(self._by_name.get(parts[-1], [])) if parts else []
        if len(parts) > 1:
            wanted = parts[:-1]
            candidates = [o for o in candidates if self._ancestors_named(o, wanted)]
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            raise ValidationError(
                _("党组织“%(v)s”不存在或不在您的管理范围内，请填写组织代码或完整名称。") % {"v": text},
                code="org_not_found",
            )
        raise ValidationError(
            _("党组织名称“%(v)s”有%(n)s个同名组织，请填写组织代码或“上级/本级”名称路径。")
            % {"v": text, "n": len(candidates)},
            code="org_ambiguous",
        )

    def _ancestors_named(self, org: Any, wanted: list[str]) -> bool:
        ancestor_ids = [int(p) for p in org.path.strip("/").split("/")[:-1] if p]
        missing = [i for i in ancestor_ids if i not in self._names_by_id]
        if missing:
            from apps.organizations.models import Organization

            self._names_by_id.update(Organization.objects.filter(pk__in=missing).values_list("id", "name"))
        names = [self._names_by_id.get(i, "") for i in ancestor_ids]
        # Every name the user wrote above the last one must appear among the ancestors, in order.
        pos = 0
        for name in names:
            if pos < len(wanted) and name == wanted[pos]:
                pos += 1
        return pos == len(wanted)
