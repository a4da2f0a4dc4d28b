"""Source rows spread over the test tree (incl. the sibling branch_b and the other district's branch_c), and
an independent recount in Python that every stored or shown figure is compared with."""

from __future__ import annotations

import datetime
from collections import Counter
from types import SimpleNamespace

import pytest
from django.utils import timezone

from apps.core.periods import add_years
from apps.members.models import Member, Recruitment
from tests.factories.members import make_member
from tests.factories.organizations import make_org


def _years_between(earlier: datetime.date, later: datetime.date) -> int:
    return later.year - earlier.year - ((later.month, later.day) < (earlier.month, earlier.day))


def _band(value: int | None, bands: list[tuple[str, int | None, int | None]]) -> str:
    if value is None:
        return "unknown"
    for key, lo, hi in bands:
        if (lo is None or value >= lo) and (hi is None or value <= hi):
            return key
    raise AssertionError(value)


AGE = [("le30", None, 30), ("31_35", 31, 35), ("36_40", 36, 40), ("41_45", 41, 45), ("46_50", 46, 50),
       ("51_55", 51, 55), ("56_60", 56, 60), ("61_70", 61, 70), ("ge71", 71, None)]  # fmt: skip
STANDING = [("lt5", 0, 4), ("5_10", 5, 9), ("10_20", 10, 19), ("20_30", 20, 29), ("30_40", 30, 39),
            ("40_50", 40, 49), ("ge50", 50, None)]  # fmt: skip
JOIN = [("p1", None, datetime.date(1949, 9, 30)), ("p2", datetime.date(1949, 10, 1), datetime.date(1966, 4, 30)),
        ("p3", datetime.date(1966, 5, 1), datetime.date(1976, 10, 31)),
        ("p4", datetime.date(1976, 11, 1), datetime.date(1978, 12, 31)),
        ("p5", datetime.date(1979, 1, 1), datetime.date(2002, 10, 31)),
        ("p6", datetime.date(2002, 11, 1), datetime.date(2012, 10, 31)), ("p7", datetime.date(2012, 11, 1), None)]  # fmt: skip


def recount(path: str, as_of: datetime.date) -> Counter:
    """Members in good standing under ``path`` on ``as_of``, counted one by one in Python."""
    c: Counter = Counter()
    for m in Member.objects.filter(org_path__startswith=path).select_related("organization"):
        if m.status != "active" or (m.joined_on and m.joined_on > as_of):
            continue
        c["total"] += 1
        c[f"category:{m.category}"] += 1
        c[f"gender:{m.gender if m.gender in ('1', '2') else 'unknown'}"] += 1
        c[f"age:{_band(m.age_on(as_of), AGE)}"] += 1
        c[f"education:{m.education[:1] if m.education else '9'}"] += 1
        eth = "han" if m.ethnicity == "01" else "minority" if "02" <= m.ethnicity <= "56" else "other"
        c[f"ethnicity:{eth}"] += 1
        c[f"occupation:{m.occupation_category}"] += 1
        c[f"sector:{m.organization.sector}"] += 1
        join = "unknown"
        if m.joined_on:
            join = next(
                k for k, lo, hi in JOIN if (lo is None or m.joined_on >= lo) and (hi is None or m.joined_on <= hi)
            )
        c[f"join_period:{join}"] += 1
        if m.category == "probationary":
            c["standing:probationary"] += 1
        else:
            years = _years_between(m.confirmed_on, as_of) if m.confirmed_on else None
            c[f"standing:{_band(years, STANDING)}"] += 1
        this_year = m.joined_on and datetime.date(as_of.year, 1, 1) <= m.joined_on <= as_of
        c[f"joined_this_year:{'yes' if this_year else 'no'}"] += 1
    return c


@pytest.fixture
def world(tree):
    """Members of every kind in branch_a, fewer in the sibling branch_b and in branch_c (other district)."""
    today = timezone.localdate()
    y = today.year
    a = [
        make_member(
            tree.branch_a,
            gender="2",
            birth_date=add_years(today, -25),
            education="21",
            ethnicity="01",
            occupation_category="professional",
            joined_on=datetime.date(y - 3, 5, 1),
        ),
        make_member(
            tree.branch_a,
            gender="1",
            birth_date=add_years(today, -31),
            education="14",
            ethnicity="05",
            occupation_category="worker",
            joined_on=datetime.date(2000, 7, 1),
        ),
        # exactly 30 today: still in the ≤30 band
        make_member(
            tree.branch_a,
            gender="2",
            birth_date=add_years(today, -30),
            education="",
            ethnicity="97",
            joined_on=datetime.date(y, 1, 1),
            category="probationary",
        ),
        make_member(
            tree.branch_a,
            gender="1",
            birth_date=add_years(today, -72),
            education="71",
            ethnicity="01",
            occupation_category="retired",
            joined_on=datetime.date(1970, 3, 1),
        ),
        make_member(
            tree.branch_a,
            gender="1",
            birth_date=add_years(today, -55),
            education="P2",
            occupation_category="civil_servant",
            joined_on=datetime.date(1948, 3, 1),
        ),
        make_member(tree.branch_a, gender="1", education="31", joined_on=None),
    ]
    # unknown gender and birth date (legacy rows)
    Member.objects.filter(pk=a[-1].pk).update(gender="9", birth_date=None)
    # not in good standing: never counted in the breakdowns
    make_member(
        tree.branch_a,
        status="deceased",
        status_changed_on=datetime.date(y - 1, 6, 1),
        joined_on=datetime.date(1990, 1, 1),
    )
    b = [
        make_member(tree.branch_b, gender="2", birth_date=add_years(today, -45), education="21"),
        make_member(
            tree.branch_b,
            gender="1",
            birth_date=add_years(today, -66),
            education="61",
            joined_on=datetime.date(y, 2, 1),
            category="probationary",
        ),
    ]
    c = [make_member(tree.branch_c, gender="1", birth_date=add_years(today, -38)) for _ in range(3)]
    for stage, org in [("applicant", tree.branch_a), ("activist", tree.branch_a), ("candidate", tree.branch_b),
                       ("activist", tree.branch_c)]:  # fmt: skip
        Recruitment.objects.create(name="申请人", gender="1", organization=org, stage=stage, applied_on=today)
    return SimpleNamespace(a=a, b=b, c=c, today=today)


SCOPES = ["city", "district_a", "street_a", "branch_a", "branch_b", "district_b"]


@pytest.fixture
def refreshed(world):
    from apps.dashboards.refresh import stats_refresh

    stats_refresh()
    return world


def more_branches(tree, n: int) -> None:
    for i in range(n):
        branch = make_org(tree.street_a, kind="branch", name=f"加测支部{i}", code=f"X{i:05d}")
        make_member(branch, gender="2" if i % 2 else "1")
