"""MemberFilterSet: one filter set for the roster page, the API and the Excel export."""

from __future__ import annotations

import datetime
import re
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.filters import BaseFilterSet
from apps.core.periods import add_years
from apps.core.text import is_digits
from apps.organizations.choices import Sector
from apps.organizations.filters import OrganizationFilter
from apps.organizations.models import Organization

from .choices import (
    Category,
    Gender,
    MemberStatus,
    MobileState,
    OccupationCategory,
    PartyPost,
    RecruitmentStage,
    TransferKind,
    TransferStatus,
)
from .codes import EDUCATION_LEVELS, ETHNICITY_CHOICES
from .models import Member, Recruitment, Transfer
from .stats_metrics import (
    AGE_BANDS,
    JOIN_PERIODS,
    MEMBER_CHANGES,
    NONE_KEY,
    STANDING_BANDS,
    UNKNOWN,
    dimension_q,
    member_change_q,
    transfer_counted_q,
)
from .validators import normalize_id_number

_ID_LIKE = re.compile(r"^[0-9０-９]{15}$|^[0-9０-９]{17}[0-9０-９xXｘＸ]$")
MOBILE_ANY = "any"


#: Digits (and * or X) only, at least 6 characters: meant as an ID number, but not a whole one.
_ID_FRAGMENT = re.compile(r"^[0-9*X]{6,}$")
ID_SEARCH_HELP = _("身份证号须完整18位")


def looks_like_id_number(value: str) -> bool:
    return bool(_ID_LIKE.match(normalize_id_number(value)))


def id_search_hint(value: str) -> str:
    """Why an ID-like query that is not a whole number finds nothing (the blind index matches whole numbers)."""
    number = normalize_id_number(value)
    if not number or _ID_LIKE.match(number) or not _ID_FRAGMENT.match(number) or not any(c.isdigit() for c in number):
        return ""
    if "*" in number:
        return str(_("打码的身份证号（含*）不能用于查找：身份证号须完整18位（系统只按完整号码精确查找）。"))
    return str(
        _("您输入了%(n)s位数字。按身份证号查找须输入完整18位号码（系统只按完整号码精确查找，不支持部分号码）。")
        % {"n": len(number)}
    )


class WithinFilterMixin:
    """``within=<organization id>``: the subtree of an organization the user can see (else nothing)."""

    within_path_field = "org_path"

    def filter_within(self, qs: QuerySet, name: str, value: Any) -> QuerySet:
        value = str(value).strip()
        if not is_digits(value) or len(value) > 15:
            return qs.none()
        user = getattr(self.request, "user", None)
        path = Organization.objects.visible_to(user).filter(pk=int(value)).values_list("path", flat=True).first()
        return qs.filter(**{f"{self.within_path_field}__startswith": path}) if path else qs.none()


_NOT_FILLED = _("未填写")

#: filter name -> breakdown dimension (apps/members/stats_metrics.dimension_q): a dashboard bar's list
DIMENSION_FILTERS = {
    "gender": "gender",
    "age_band": "age",
    "education": "education",
    "ethnic_group": "ethnicity",
    "occupation": "occupation",
    "sector": "sector",
    "join_period": "join_period",
    "standing": "standing",
}


class MemberFilterSet(WithinFilterMixin, BaseFilterSet):
    id_hint = ""  # set by filter_q: the query looks like a partial or masked ID number
    q = django_filters.CharFilter(
        label=_("姓名或身份证号"),
        method="filter_q",
        help_text=ID_SEARCH_HELP,
        widget=forms.TextInput(attrs={"placeholder": _("姓名，或完整18位身份证号")}),
    )
    within = OrganizationFilter(label=_("所属党组织（含下级）"), method="filter_within", value_key="id")
    idh = django_filters.CharFilter(
        label=_("身份证号（密钥散列）"),
        method="filter_idh",
        max_length=64,
        widget=forms.HiddenInput,
        help_text=_("页面按身份证号查找时，地址中只出现号码的密钥散列，不出现号码本身"),
    )
    category = django_filters.ChoiceFilter(label=_("人员类别"), choices=Category.choices)
    gender = django_filters.ChoiceFilter(
        label=_("性别"),
        choices=[*[c for c in Gender.choices if c[0] in "12"], (UNKNOWN, _NOT_FILLED)],
        method="filter_dimension",
    )
    status = django_filters.ChoiceFilter(label=_("党籍状态"), choices=MemberStatus.choices)
    age_min = django_filters.NumberFilter(label=_("年龄不小于"), method="filter_age_min", min_value=0, max_value=150)
    age_max = django_filters.NumberFilter(label=_("年龄不大于"), method="filter_age_max", min_value=0, max_value=150)
    education = django_filters.ChoiceFilter(label=_("学历"), choices=EDUCATION_LEVELS, method="filter_education")
    age_band = django_filters.ChoiceFilter(
        label=_("年龄段"),
        choices=[*[(k, label) for k, label, _lo, _hi in AGE_BANDS], (UNKNOWN, _("出生日期未填写"))],
        method="filter_dimension",
    )
    ethnicity = django_filters.ChoiceFilter(label=_("民族"), choices=ETHNICITY_CHOICES)
    ethnic_group = django_filters.ChoiceFilter(
        label=_("汉族/少数民族"),
        choices=[("han", _("汉族")), ("minority", _("少数民族")), ("other", _("其他/未填写"))],
        method="filter_dimension",
    )
    occupation = django_filters.ChoiceFilter(
        label=_("工作岗位（职业）"),
        choices=[*[c for c in OccupationCategory.choices if c[0]], (NONE_KEY, _NOT_FILLED)],
        method="filter_dimension",
    )
    sector = django_filters.ChoiceFilter(
        label=_("所在组织领域（行业）"), choices=[*Sector.choices, (NONE_KEY, _NOT_FILLED)], method="filter_dimension"
    )
    join_period = django_filters.ChoiceFilter(
        label=_("入党时间段"),
        choices=[*[(k, label) for k, label, _f, _l in JOIN_PERIODS], (UNKNOWN, _("入党日期未填写"))],
        method="filter_dimension",
    )
    join_year = django_filters.NumberFilter(
        label=_("入党年份"), method="filter_join_year", min_value=1921, max_value=2999
    )
    mobile_state = django_filters.ChoiceFilter(
        label=_("流动党员"),
        choices=[(MOBILE_ANY, _("全部流动党员")), *[c for c in MobileState.choices if c[0]]],
        method="filter_mobile",
    )
    lost_contact = django_filters.BooleanFilter(label=_("失联党员"))
    party_post = django_filters.ChoiceFilter(label=_("党内职务"), choices=[c for c in PartyPost.choices if c[0]])
    standing_min = django_filters.NumberFilter(
        label=_("党龄不少于（年）"), method="filter_standing_min", min_value=0, max_value=110
    )
    standing_max = django_filters.NumberFilter(
        label=_("党龄不多于（年）"), method="filter_standing_max", min_value=0, max_value=110
    )
    standing = django_filters.ChoiceFilter(
        label=_("党龄段"),
        choices=[
            *[(k, label) for k, label, _lo, _hi in STANDING_BANDS],
            ("probationary", _("预备党员（未计党龄）")),
            (UNKNOWN, _("转正日期未填写")),
        ],
        method="filter_dimension",
    )
    counted = django_filters.ChoiceFilter(
        label=_("统计口径（党员增减）"),
        choices=list(MEMBER_CHANGES.items()),
        method="filter_counted",
        help_text=_("发展党员按入党日期，停止党籍/出党、死亡按状态变更日期，落在下列日期范围内"),
    )
    counted_from = django_filters.DateFilter(label=_("增减日期起"), method="filter_counted")
    counted_to = django_filters.DateFilter(label=_("增减日期止"), method="filter_counted")

    class Meta:
        model = Member
        fields = [
            "q",
            "within",
            "idh",
            "category",
            "gender",
            "status",
            "age_min",
            "age_max",
            "age_band",
            "education",
            "ethnicity",
            "ethnic_group",
            "occupation",
            "sector",
            "join_year",
            "join_period",
            "mobile_state",
            "lost_contact",
            "party_post",
            "standing_min",
            "standing_max",
            "standing",
            "counted",
            "counted_from",
            "counted_to",
        ]

    def filter_q(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip().replace("\u3000", "")
        if not value:
            return qs
        number = normalize_id_number(value)  # full-width, spaces, lowercase x: hashed as stored
        if _ID_LIKE.match(number):
            return qs.by_id_number(number)
        self.id_hint = id_search_hint(value)
        if self.id_hint:
            return qs.none()
        # Prefix match on the C-collated (name, org_path, id) index; two-character names included.
        self.name_search = True
        return qs.filter(name__startswith=value)

    def filter_idh(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip().lower()
        if not re.fullmatch(r"[0-9a-f]{64}", value):
            return qs.none()
        return qs.filter(id_hash=value)

    def filter_age_min(self, qs: QuerySet, name: str, value: Any) -> QuerySet:
        # age >= n  <=>  born on or before today minus n years
        return qs.filter(birth_date__lte=add_years(timezone.localdate(), -int(value)))

    def filter_age_max(self, qs: QuerySet, name: str, value: Any) -> QuerySet:
        # age <= n  <=>  born after today minus (n + 1) years
        return qs.filter(birth_date__gt=add_years(timezone.localdate(), -int(value) - 1))

    def filter_standing_min(self, qs: QuerySet, name: str, value: Any) -> QuerySet:
        # 党龄 counts from the confirmation date (domain.md §3)
        return qs.standing_between(timezone.localdate(), int(value), None)

    def filter_standing_max(self, qs: QuerySet, name: str, value: Any) -> QuerySet:
        return qs.standing_between(timezone.localdate(), None, int(value))

    def filter_education(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return self.filter_dimension(qs, name, value)

    def filter_dimension(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        """The members a dashboard breakdown counts under this value, by the same rule (as of today)."""
        q = dimension_q(DIMENSION_FILTERS[name], value, timezone.localdate())
        return qs.filter(q) if q is not None else qs.none()

    def filter_counted(self, qs: QuerySet, name: str, value: Any) -> QuerySet:
        """The members a 发展 / 停止党籍·出党 / 死亡 figure counts (the dashboard's and 党内统计's drill-down):
        ``counted`` with the period ``counted_from``–``counted_to``, applied once; the dates alone filter
        nothing (they say which date of which change)."""
        if name != "counted":
            return qs
        data = self.form.cleaned_data
        q = member_change_q(value, data.get("counted_from"), data.get("counted_to"))
        return qs.filter(q) if q is not None else qs.none()

    def filter_join_year(self, qs: QuerySet, name: str, value: Any) -> QuerySet:
        year = int(value)
        return qs.filter(joined_on__gte=datetime.date(year, 1, 1), joined_on__lte=datetime.date(year, 12, 31))

    def filter_mobile(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        if value == MOBILE_ANY:
            return qs.exclude(mobile_state="")
        return qs.filter(mobile_state=value)


class RecruitmentFilterSet(WithinFilterMixin, BaseFilterSet):
    within_path_field = "organization__path"

    q = django_filters.CharFilter(label=_("姓名"), field_name="name", lookup_expr="startswith")
    within = OrganizationFilter(label=_("所属党组织（含下级）"), method="filter_within", value_key="id")
    stage = django_filters.ChoiceFilter(label=_("阶段"), choices=RecruitmentStage.choices)

    class Meta:
        model = Recruitment
        fields = ["q", "within", "stage"]


class TransferFilterSet(BaseFilterSet):
    status = django_filters.ChoiceFilter(label=_("状态"), choices=TransferStatus.choices)
    kind = django_filters.ChoiceFilter(label=_("转接类型"), choices=TransferKind.choices)
    direction = django_filters.ChoiceFilter(
        label=_("方向"), choices=[("out", _("转出")), ("in", _("转入"))], method="filter_direction"
    )
    within_code = OrganizationFilter(label=_("所属组织（含下级）"), method="filter_within_code")
    counted = django_filters.ChoiceFilter(
        label=_("统计口径"),
        choices=[("in", _("计为转入（已接收）")), ("out", _("计为转出（已接收或已开出系统外介绍信）"))],
        method="filter_within_code",
    )
    closed_from = django_filters.DateFilter(label=_("接收/开出日期起"), method="filter_closed")
    closed_to = django_filters.DateFilter(label=_("接收/开出日期止"), method="filter_closed")

    class Meta:
        model = Transfer
        fields = ["status", "kind", "direction", "within_code", "counted", "closed_from", "closed_to"]

    def filter_direction(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        user = getattr(self.request, "user", None)
        org = getattr(user, "organization", None)
        if org is None:
            return qs
        if value == "out":
            return qs.filter(from_org__path__startswith=org.path)
        return qs.filter(to_org__path__startswith=org.path)

    def filter_within_code(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        """Within an organization's subtree (either end), or — with ``counted`` — exactly the transfers its
        转入/转出 figure counts (the dashboard's and 党内统计's drill-down). Applied once for both fields."""
        data = self.form.cleaned_data
        code, counted = data.get("within_code"), data.get("counted")
        if name == "counted" and code:
            return qs  # done with within_code
        path = "/"
        if code:
            path = Organization.objects.filter(code=code).values_list("path", flat=True).first() or "-"
        if counted:
            return qs.filter(transfer_counted_q(counted, path))
        return qs.filter(Q(from_org__path__startswith=path) | Q(to_org__path__startswith=path))

    def filter_closed(self, qs: QuerySet, name: str, value: datetime.date) -> QuerySet:
        tz = timezone.get_current_timezone()
        if name == "closed_from":
            return qs.filter(closed_at__gte=datetime.datetime.combine(value, datetime.time.min, tzinfo=tz))
        upper = datetime.datetime.combine(value + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
        return qs.filter(closed_at__lt=upper)
