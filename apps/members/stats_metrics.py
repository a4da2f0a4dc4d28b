"""Member statistics for dashboards and the 党内统计 tables.

Two things live here, both set-based (one GROUP BY on the organization path per figure or dimension):

* scalar figures registered in the metrics registry (apps/core/metrics.py): full/probationary counts,
  the recruitment funnel, and the year's changes (admitted, transferred in/out, stopped or left, deceased).
  ``members.member_count``, ``members.recruited_count`` and ``members.dues_collection_rate`` are defined
  in apps/members/metrics.py, not here.
* the breakdown dimensions (gender, age band, education, ethnicity, occupation, join period, party standing,
  category, joined this year) as SQL expressions and as roster filters; ``member_breakdowns``
  (apps/members/breakdowns.py) counts them per organization in one pass for the dashboards' snapshots.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.db.models import Case, CharField, Count, F, Q, Value, When
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.metrics import Metric, OwnFigures, register_metric
from apps.core.periods import add_years
from apps.organizations.choices import Sector

from .choices import Category, MemberStatus, OccupationCategory, RecruitmentStage, TransferKind, TransferStatus
from .models import Member, Recruitment, Transfer

#: 停止党籍 and the ways of leaving the party (出党) counted together in the yearly changes.
LEFT_STATUSES = (
    MemberStatus.MEMBERSHIP_STOPPED,
    MemberStatus.REMOVED,
    MemberStatus.EXPELLED,
    MemberStatus.WITHDRAWN,
    MemberStatus.LEFT,
)

#: (key, label, lowest age, highest age) — the 党内统计 age bands.
AGE_BANDS = [
    ("le30", _("30岁及以下"), None, 30),
    ("31_35", _("31至35岁"), 31, 35),
    ("36_40", _("36至40岁"), 36, 40),
    ("41_45", _("41至45岁"), 41, 45),
    ("46_50", _("46至50岁"), 46, 50),
    ("51_55", _("51至55岁"), 51, 55),
    ("56_60", _("56至60岁"), 56, 60),
    ("61_70", _("61至70岁"), 61, 70),
    ("ge71", _("71岁及以上"), 71, None),
]

#: (key, label, first day, last day) — the join periods of the 党内统计 tables.
JOIN_PERIODS = [
    ("p1", _("1949年9月及以前"), None, datetime.date(1949, 9, 30)),
    ("p2", _("1949年10月至1966年4月"), datetime.date(1949, 10, 1), datetime.date(1966, 4, 30)),
    ("p3", _("1966年5月至1976年10月"), datetime.date(1966, 5, 1), datetime.date(1976, 10, 31)),
    ("p4", _("1976年11月至1978年12月"), datetime.date(1976, 11, 1), datetime.date(1978, 12, 31)),
    ("p5", _("1979年1月至2002年10月"), datetime.date(1979, 1, 1), datetime.date(2002, 10, 31)),
    ("p6", _("2002年11月至2012年10月"), datetime.date(2002, 11, 1), datetime.date(2012, 10, 31)),
    ("p7", _("2012年11月及以后"), datetime.date(2012, 11, 1), None),
]

#: (key, label, lowest years, highest years exclusive) — party standing (党龄) from the confirmation date.
STANDING_BANDS = [
    ("lt5", _("不满5年"), 0, 5),
    ("5_10", _("5年至不满10年"), 5, 10),
    ("10_20", _("10年至不满20年"), 10, 20),
    ("20_30", _("20年至不满30年"), 20, 30),
    ("30_40", _("30年至不满40年"), 30, 40),
    ("40_50", _("40年至不满50年"), 40, 50),
    ("ge50", _("50年及以上"), 50, None),
]

EDUCATION_GROUPS = [
    ("1", _("研究生")),
    ("2", _("大学本科")),
    ("3", _("大学专科")),
    ("4", _("中专/中职")),
    ("6", _("高中")),
    ("7", _("初中")),
    ("8", _("小学")),
    ("P", _("党校")),
    ("9", _("其他")),
]

UNKNOWN = "unknown"


def good_standing(as_of: datetime.date) -> Q:
    """Members in good standing (党籍正常) on the roster as of a date: active, admitted by then."""
    return Q(status=MemberStatus.ACTIVE) & (Q(joined_on__isnull=True) | Q(joined_on__lte=as_of))


def _age_case(as_of: datetime.date) -> Case:
    # age <= n  <=>  born after as_of minus (n + 1) years (same rule as the roster's age filter)
    whens = [When(birth_date__gt=add_years(as_of, -(hi + 1)), then=Value(key)) for key, _l, _lo, hi in AGE_BANDS if hi]
    whens.append(When(birth_date__isnull=False, then=Value(AGE_BANDS[-1][0])))
    return Case(*whens, default=Value(UNKNOWN), output_field=CharField())


def _join_case() -> Case:
    whens = [When(joined_on__lte=last, then=Value(key)) for key, _l, _f, last in JOIN_PERIODS if last]
    whens.append(When(joined_on__isnull=False, then=Value(JOIN_PERIODS[-1][0])))
    return Case(*whens, default=Value(UNKNOWN), output_field=CharField())


def _standing_case(as_of: datetime.date) -> Case:
    whens = [When(category=Category.PROBATIONARY, then=Value("probationary"))]
    # standing < hi years  <=>  confirmed after as_of minus hi years
    whens += [
        When(confirmed_on__gt=add_years(as_of, -hi), then=Value(key)) for key, _l, _lo, hi in STANDING_BANDS if hi
    ]
    whens.append(When(confirmed_on__isnull=False, then=Value(STANDING_BANDS[-1][0])))
    return Case(*whens, default=Value(UNKNOWN), output_field=CharField())


def _ethnicity_case() -> Case:
    return Case(
        When(ethnicity="01", then=Value("han")),
        When(ethnicity__in=[f"{i:02d}" for i in range(2, 57)], then=Value("minority")),
        default=Value("other"),
        output_field=CharField(),
    )


def _gender_case() -> Case:
    return Case(
        When(gender="1", then=Value("1")),
        When(gender="2", then=Value("2")),
        default=Value(UNKNOWN),
        output_field=CharField(),
    )


def _education_case() -> Case:
    return Case(
        When(education="", then=Value("9")),
        default=Substr("education", 1, 1),
        output_field=CharField(),
    )


def _joined_year_case(as_of: datetime.date) -> Case:
    return Case(
        When(joined_on__gte=datetime.date(as_of.year, 1, 1), joined_on__lte=as_of, then=Value("yes")),
        default=Value("no"),
        output_field=CharField(),
    )


#: Breakdown dimensions whose values the roster can list (MemberFilterSet fields of the same name hold the
#: same keys, "none" standing for an empty one); "sector" is the member's organization's sector.
FILTERABLE_DIMENSIONS = {
    "category": "category",
    "gender": "gender",
    "age": "age_band",
    "education": "education",
    "ethnicity": "ethnic_group",
    "occupation": "occupation",
    "sector": "sector",
    "join_period": "join_period",
    "standing": "standing",
}
NONE_KEY = "none"


def _band_q(field: str, hi_dates: list[tuple[str, datetime.date | None]], key: str, strict: bool) -> Q | None:
    """The members whose ``field`` falls in band ``key`` of an ordered CASE (first matching band wins):
    past every earlier band's bound and within this one's (``strict``: ``>`` bounds, else ``<=``)."""
    keys = [k for k, _d in hi_dates]
    if key not in keys:
        return None
    i = keys.index(key)
    op_in, op_out = ("gt", "lte") if strict else ("lte", "gt")
    q = Q(**{f"{field}__isnull": False})
    for _k, bound in hi_dates[:i]:
        if bound is not None:
            q &= Q(**{f"{field}__{op_out}": bound})
    bound = hi_dates[i][1]
    if bound is not None:
        q &= Q(**{f"{field}__{op_in}": bound})
    return q


def dimension_q(dim: str, key: str, as_of: datetime.date) -> Q | None:
    """The members counted under ``dim:key`` in ``member_breakdowns`` as of ``as_of`` (on top of good
    standing), as a filter — the roster lists exactly what a dashboard bar counts. None: not a known key."""
    key = "" if key == NONE_KEY else key
    if dim == "category":
        return Q(category=key) if key in Category.values else None
    if dim == "gender":
        if key in ("1", "2"):
            return Q(gender=key)
        return ~Q(gender__in=["1", "2"]) if key == UNKNOWN else None
    if dim == "age":
        if key == UNKNOWN:
            return Q(birth_date__isnull=True)
        bands = [(k, add_years(as_of, -(hi + 1)) if hi else None) for k, _l, _lo, hi in AGE_BANDS]
        return _band_q("birth_date", bands, key, strict=True)
    if dim == "education":
        if key == "9":
            return Q(education="") | Q(education__startswith="9")
        return Q(education__startswith=key) if key in dict(EDUCATION_GROUPS) else None
    if dim == "ethnicity":
        minority = [f"{i:02d}" for i in range(2, 57)]
        return {
            "han": Q(ethnicity="01"),
            "minority": Q(ethnicity__in=minority),
            "other": ~Q(ethnicity__in=["01", *minority]),
        }.get(key)
    if dim == "occupation":
        return Q(occupation_category=key) if key in OccupationCategory.values else None
    if dim == "sector":
        return Q(organization__sector=key) if key in ("", *Sector.values) else None
    if dim == "join_period":
        if key == UNKNOWN:
            return Q(joined_on__isnull=True)
        return _band_q("joined_on", [(k, last) for k, _l, _f, last in JOIN_PERIODS], key, strict=False)
    if dim == "standing":
        if key == "probationary":
            return Q(category=Category.PROBATIONARY)
        not_probationary = ~Q(category=Category.PROBATIONARY)
        if key == UNKNOWN:
            return not_probationary & Q(confirmed_on__isnull=True)
        bands = [(k, add_years(as_of, -hi) if hi else None) for k, _l, _lo, hi in STANDING_BANDS]
        q = _band_q("confirmed_on", bands, key, strict=True)
        return not_probationary & q if q is not None else None
    if dim == "joined_this_year":
        return Q(joined_on__gte=datetime.date(as_of.year, 1, 1), joined_on__lte=as_of) if key == "yes" else None
    return None


def dimension_expressions(as_of: datetime.date) -> dict[str, Any]:
    """Dimension name -> SQL expression giving each member's key in that dimension (never NULL).

    The sector is the organization's, filled in per organization by ``member_breakdowns`` (no join).
    """
    return {
        "category": F("category"),
        "gender": _gender_case(),
        "age": _age_case(as_of),
        "education": _education_case(),
        "ethnicity": _ethnicity_case(),
        "occupation": F("occupation_category"),
        "join_period": _join_case(),
        "standing": _standing_case(as_of),
        "joined_this_year": _joined_year_case(as_of),
    }


def _bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_current_timezone()
    return (
        datetime.datetime.combine(start, datetime.time.min, tzinfo=tz),
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz),
    )


def _grouped(qs: Any, path_field: str) -> OwnFigures:
    rows = qs.values(path_field).annotate(n=Count("id")).order_by()
    out: dict[str, tuple[int, int]] = {}
    for r in rows:
        path = r[path_field]
        n, _d = out.get(path, (0, 1))
        out[path] = (n + r["n"], 1)
    return out


def _merge(*parts: OwnFigures) -> OwnFigures:
    out: dict[str, tuple[int, int]] = {}
    for part in parts:
        for path, (n, _d) in part.items():
            out[path] = (out.get(path, (0, 1))[0] + n, 1)
    return out


def category_count(category: str) -> Callable[..., OwnFigures]:
    def source(*, root_path: str, start: datetime.date, end: datetime.date) -> OwnFigures:
        qs = Member.objects.filter(good_standing(end), org_path__startswith=root_path, category=category)
        return _grouped(qs, "org_path")

    return source


#: The year's member changes counted from the member rows (转入/转出 are counted from the transfers):
#: key -> label. The roster's ``counted`` filter (MemberFilterSet) takes the same keys.
MEMBER_CHANGES = {
    "admitted": _("发展党员"),
    "stopped_or_left": _("停止党籍/出党"),
    "deceased": _("死亡"),
}


def member_change_q(change: str, start: datetime.date | None, end: datetime.date | None) -> Q | None:
    """The members a subtree's 发展 / 停止党籍·出党 / 死亡 figure counts for a period (None: unknown key).

    发展: admitted as probationary members (入党日期 = branch vote) within the period, whatever their status
    since; the others: in that status now, changed to it within the period. One rule for the figures and for
    the roster list they link to (``MemberFilterSet.counted``); an open end is unbounded."""
    if change == "admitted":
        field, q = "joined_on", Q(joined_on__isnull=False)
    elif change == "stopped_or_left":
        field, q = "status_changed_on", Q(status__in=LEFT_STATUSES, status_changed_on__isnull=False)
    elif change == "deceased":
        field, q = "status_changed_on", Q(status=MemberStatus.DECEASED, status_changed_on__isnull=False)
    else:
        return None
    if start is not None:
        q &= Q(**{f"{field}__gte": start})
    if end is not None:
        q &= Q(**{f"{field}__lte": end})
    return q


def member_change_count(change: str) -> Callable[..., OwnFigures]:
    def source(*, root_path: str, start: datetime.date, end: datetime.date) -> OwnFigures:
        qs = Member.objects.filter(member_change_q(change, start, end), org_path__startswith=root_path)
        return _grouped(qs, "org_path")

    return source


def transfer_counted_q(direction: str, root_path: str) -> Q:
    """The transfers a subtree counts as 转入 ("in": received by one of its organizations) or 转出 ("out":
    received elsewhere within the system, or sent out of the system with a letter). One rule for the
    figures and for the transfer list they link to (``TransferFilterSet.counted``)."""
    if direction == "in":
        return Q(status=TransferStatus.RECEIVED, to_org__path__startswith=root_path)
    return Q(from_org__path__startswith=root_path) & (
        Q(status=TransferStatus.RECEIVED) | Q(kind=TransferKind.OUTSIDE, status=TransferStatus.ISSUED)
    )


def transferred_in_count(*, root_path: str, start: datetime.date, end: datetime.date) -> OwnFigures:
    lo, hi = _bounds(start, end)
    qs = Transfer.objects.filter(transfer_counted_q("in", root_path), closed_at__gte=lo, closed_at__lt=hi)
    return _grouped(qs, "to_org__path")


def transferred_out_count(*, root_path: str, start: datetime.date, end: datetime.date) -> OwnFigures:
    """Received elsewhere within the system, or sent out of the system with a letter, within the period."""
    lo, hi = _bounds(start, end)
    qs = Transfer.objects.filter(transfer_counted_q("out", root_path), closed_at__gte=lo, closed_at__lt=hi)
    return _grouped(qs, "from_org__path")


def recruitment_stage_count(stage: str) -> Callable[..., OwnFigures]:
    """People at a recruitment stage on the day it is computed (a stock: withdrawals and cancellations carry no
    date, so a past day's stage is not reconstructed — the nightly snapshot keeps each day's figure); for full
    members, those confirmed in the period."""

    def source(*, root_path: str, start: datetime.date, end: datetime.date) -> OwnFigures:
        qs = Recruitment.objects.filter(organization__path__startswith=root_path)
        if stage == RecruitmentStage.FULL:
            qs = qs.filter(confirmed_on__gte=start, confirmed_on__lte=end)
        else:
            qs = qs.filter(stage=stage)
        return _grouped(qs, "organization__path")

    return source


def _member_link(**params: Any) -> Callable[[Any, datetime.date, datetime.date], str]:
    def link(org: Any, start: datetime.date, end: datetime.date) -> str:
        query = "&".join(f"{k}={v}" for k, v in {"within": org.pk, **params}.items())
        return reverse("members:member_list") + "?" + query

    return link


def _change_link(change: str) -> Callable[[Any, datetime.date, datetime.date], str]:
    """The members a 发展 / 停止党籍·出党 / 死亡 figure counts: the subtree, that change, within the period."""

    def link(org: Any, start: datetime.date, end: datetime.date) -> str:
        return reverse("members:member_list") + (
            f"?within={org.pk}&counted={change}&counted_from={start:%Y-%m-%d}&counted_to={end:%Y-%m-%d}"
        )

    return link


def _recruitment_link(stage: str) -> Callable[[Any, datetime.date, datetime.date], str]:
    def link(org: Any, start: datetime.date, end: datetime.date) -> str:
        return reverse("members:recruitment_list") + f"?within={org.pk}&stage={stage}"

    return link


def _transfer_link(direction: str) -> Callable[[Any, datetime.date, datetime.date], str]:
    """The transfers a 转入/转出 figure counts: the organization's subtree, that direction, closed in the period."""

    def link(org: Any, start: datetime.date, end: datetime.date) -> str:
        return reverse("members:transfer_list") + (
            f"?within_code={org.code}&counted={direction}&closed_from={start:%Y-%m-%d}&closed_to={end:%Y-%m-%d}"
        )

    return link


def register() -> None:
    specs: list[tuple[str, str, str, Callable[..., OwnFigures], Any]] = [
        (
            "members.full_count",
            _("正式党员"),
            "人",
            category_count(Category.FULL),
            _member_link(category="full", status="active"),
        ),
        (
            "members.probationary_count",
            _("预备党员"),
            "人",
            category_count(Category.PROBATIONARY),
            _member_link(category="probationary", status="active"),
        ),
        ("members.admitted_count", _("发展党员"), "人", member_change_count("admitted"), _change_link("admitted")),
        ("members.transferred_in_count", _("转入"), "人", transferred_in_count, _transfer_link("in")),
        ("members.transferred_out_count", _("转出"), "人", transferred_out_count, _transfer_link("out")),
        (
            "members.stopped_or_left_count",
            _("停止党籍/出党"),
            "人",
            member_change_count("stopped_or_left"),
            _change_link("stopped_or_left"),
        ),
        (
            "members.deceased_count",
            _("死亡"),
            "人",
            member_change_count("deceased"),
            _change_link("deceased"),
        ),
    ]
    for stage in (
        RecruitmentStage.APPLICANT,
        RecruitmentStage.ACTIVIST,
        RecruitmentStage.CANDIDATE,
        RecruitmentStage.PROBATIONARY,
        RecruitmentStage.FULL,
    ):
        label = _("转正") if stage == RecruitmentStage.FULL else RecruitmentStage(stage).label
        specs.append(
            (
                f"members.recruitment.{stage}",
                label,
                "人",
                recruitment_stage_count(stage),
                _recruitment_link(stage),
            )
        )
    for name, label, unit, source, link in specs:
        register_metric(Metric(name=name, label=str(label), unit=unit, kind="count", source=source, link=link))
