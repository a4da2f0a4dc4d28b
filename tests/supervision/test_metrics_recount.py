"""Every supervision.* metric, read through the registry as dashboards and assessment read it (rolled up the
tree), equals a recount of the letter and accountability rows with plain ORM filters written here."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Q
from django.utils import timezone

from apps.core.metrics import metric_values, metrics
from apps.supervision.models import Accountability, Letter
from tests.factories.supervision import make_letter

pytestmark = pytest.mark.django_db

START = datetime.date(2026, 4, 1)
END = datetime.date(2026, 6, 30)
DAY = datetime.timedelta(days=1)
SCOPES = ["city", "district_a", "street_a", "branch_a", "branch_b", "district_b"]
LETTER_KINDS = ["reminder", "supervision", "warning"]


def _at(day: datetime.date, hour: int = 0, minute: int = 0, second: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute, second)))


@pytest.fixture
def letters(tree):
    """Letters of every kind issued on the first and last day of the period and a day either side, to
    addressees in branch_a's subtree, the sibling branch_b, street_a itself and the other district."""
    issuers = [tree.city, tree.district_a, tree.street_a, tree.district_b]
    plan = [
        (tree.branch_a, START),
        (tree.branch_a, END),
        (tree.group_a, START - DAY),  # just before
        (tree.group_a, END),
        (tree.branch_b, END + DAY),  # just after
        (tree.branch_b, START),
        (tree.street_a, datetime.date(2026, 5, 15)),
        (tree.branch_c, END),
        (tree.branch_c, START - DAY),
    ]
    n = 0
    for kind in LETTER_KINDS:
        for i, (addressee, issued_on) in enumerate(plan):
            if (i + len(kind)) % 4 == 0:
                continue  # not every kind everywhere, so the kinds differ
            issuer = issuers[n % len(issuers)]
            n += 1
            if issuer.pk == addressee.pk:
                issuer = tree.city
            make_letter(issuer, addressee, kind=kind, period=f"{issued_on:%Y-%m}", issued_on=issued_on)
    # a closed letter still counts: the figure is letters issued
    Letter.objects.filter(addressee=tree.branch_a, issued_on=END).update(status="closed")


@pytest.fixture
def cases(tree):
    """Accountability cases opened at the first and last instant of the period and just outside, in both
    branches and the other district; some decided (within the period or after it)."""
    rows = [
        # organization, created_at, status, decided_on
        (tree.branch_a, _at(START), "open", None),  # first instant of the period
        (tree.branch_a, _at(END, 23, 59, 59), "open", None),  # last second of the period
        (tree.branch_a, _at(START - DAY, 23, 59, 59), "open", None),  # just before: open at END, not opened in it
        (tree.group_a, _at(END + DAY), "open", None),  # just after: neither opened in the period nor open at END
        (tree.branch_b, _at(datetime.date(2026, 5, 10), 9), "decided", datetime.date(2026, 6, 1)),
        (tree.branch_b, _at(datetime.date(2026, 5, 11), 9), "decided", END + DAY),  # still open on END
        (tree.branch_b, _at(datetime.date(2026, 1, 11), 9), "decided", END),  # decided on END: not open at END
        (tree.street_a, _at(datetime.date(2026, 6, 2), 9), "open", None),
        (tree.branch_c, _at(END), "open", None),
        (tree.branch_c, _at(datetime.date(2026, 8, 1)), "decided", datetime.date(2026, 8, 2)),
    ]
    for org, created_at, status, decided_on in rows:
        issuer = org.parent if org.parent_id else org
        Accountability.objects.create(
            issuer=issuer,
            organization=org,
            org_path=org.path,
            period=f"{created_at:%Y-%m}",
            basis="连续预警",
            created_at=created_at,
            status=status,
            decided_on=decided_on,
            kind="pending" if status == "open" else "talk",
        )


def _opened_rule() -> Q:
    return Q(created_at__date__gte=START, created_at__date__lte=END)


def _open_at_end_rule() -> Q:
    """Open at the end of the period: opened on or before END, and not decided by END."""
    return Q(created_at__date__lte=END) & (Q(status="open") | Q(decided_on__gt=END))


def _recount(name: str, scope) -> int:
    if name.startswith("supervision.letters."):
        kind = name.rsplit(".", 1)[1]
        qs = Letter.objects.filter(addressee__path__startswith=scope.path, kind=kind)
        return qs.filter(issued_on__gte=START, issued_on__lte=END).count()
    rule = {"supervision.accountability_opened": _opened_rule, "supervision.accountability_open": _open_at_end_rule}
    return Accountability.objects.filter(organization__path__startswith=scope.path).filter(rule[name]()).count()


NAMES = [f"supervision.letters.{k}" for k in LETTER_KINDS] + [
    "supervision.accountability_opened",
    "supervision.accountability_open",
]


def test_every_registered_supervision_metric_has_a_recount():
    assert {n for n in metrics() if n.startswith("supervision.")} == set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_registry_value_equals_recount_for_every_scope(tree, letters, cases, name):
    scopes = [getattr(tree, s) for s in SCOPES]
    values = metric_values(name, organizations=scopes, start=START, end=END)
    got = {s.code: values[s.pk].value for s in scopes}
    assert got == {s.code: _recount(name, s) for s in scopes}
    assert got["C0001"] > 0


@pytest.mark.parametrize("scope", SCOPES)
def test_one_scope_alone_matches_the_recount(tree, letters, cases, scope):
    org = getattr(tree, scope)
    for name in NAMES:
        assert metric_values(name, organizations=[org], start=START, end=END)[org.pk].value == _recount(name, org)


def test_accountability_boundaries_spelled_out(tree, cases):
    city = [tree.city]
    opened = metric_values("supervision.accountability_opened", organizations=city, start=START, end=END)
    open_ = metric_values("supervision.accountability_open", organizations=city, start=START, end=END)
    # opened: START 00:00, END 23:59:59, two in May, 2 June, branch_c on END
    assert opened[tree.city.pk].value == 6
    # open at END: START, END 23:59:59, START-1 (still open), branch_b's decided after END, 2 June, branch_c on END
    assert open_[tree.city.pk].value == 6
    sibling = metric_values("supervision.accountability_open", organizations=[tree.branch_b], start=START, end=END)
    assert sibling[tree.branch_b.pk].value == 1
