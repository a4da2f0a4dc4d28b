"""Every organizations.* metric, read through the registry as dashboards and assessment read it (rolled up
the tree), equals a recount of the organization rows with plain ORM filters written here."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Q

from apps.core.metrics import metric_values, metrics
from apps.organizations.models import Organization
from tests.factories.organizations import make_org

pytestmark = pytest.mark.django_db

START = datetime.date(2026, 1, 1)
END = datetime.date(2026, 6, 30)
SOON = datetime.date(2026, 12, 30)  # six months after END: the same day of the month (30 June -> 30 December)
SCOPES = ["city", "district_a", "street_a", "branch_a", "branch_b", "district_b"]

KINDS = ["committee", "working_committee", "general_branch", "branch", "joint_branch", "temporary_branch",
         "party_group"]  # fmt: skip
SECTORS = ["rural", "community", "government", "institution", "school", "state_enterprise", "private_enterprise",
           "social_organization", "other"]  # fmt: skip
GROUP = Q(kind="party_group")

# The rule of each figure, written out independently of the provider: a Q over the active organizations.
RULES: dict[str, Q] = {
    "organizations.org_count": ~GROUP,
    **{f"organizations.kind.{k}": Q(kind=k) for k in KINDS},
    **{f"organizations.sector.{s}": Q(sector=s) & ~GROUP for s in SECTORS},
    "organizations.sector.none": Q(sector="") & ~GROUP,
    **{f"organizations.grade.{g}": Q(grade=g) for g in ("advanced", "standard", "lagging")},
    **{f"organizations.star.{n}": Q(star_rating=n) for n in range(1, 6)},
    "organizations.term_overdue": Q(term_due_on__isnull=False, term_due_on__lte=END - datetime.timedelta(days=1)),
    "organizations.term_due_soon": Q(term_due_on__gte=END, term_due_on__lte=SOON),
    "organizations.weak_count": Q(is_weak=True),
}


def _set(org, **fields):
    Organization.objects.filter(pk=org.pk).update(**fields)


@pytest.fixture
def orgs(tree):
    """Organizations of every kind, sector, grade and star, and term dates on both sides of each boundary,
    spread over branch_a's subtree, the sibling branch_b's and the other district's; plus revoked ones
    carrying every attribute (the rule excludes them)."""
    day = datetime.timedelta(days=1)
    plan = [
        # parent, kind, sector, grade, star, weak, term_due_on
        (tree.branch_a, "party_group", "community", "advanced", 5, True, END - day),  # overdue (last day before)
        (tree.branch_a, "party_group", "", "", None, False, END),  # due soon, first day, not overdue
        (tree.street_a, "general_branch", "", "standard", 3, True, SOON),  # due soon, last day
        (tree.street_a, "joint_branch", "rural", "lagging", 1, False, SOON + day),  # just after the window
        (tree.branch_b, "party_group", "school", "advanced", 2, True, datetime.date(2020, 1, 1)),  # long overdue
        (tree.street_a, "temporary_branch", "private_enterprise", "standard", 4, False, None),
        (tree.district_b, "branch", "social_organization", "lagging", 5, True, END - day),
        (tree.branch_c, "party_group", "other", "standard", 1, False, END),
        (tree.district_a, "branch", "state_enterprise", "advanced", 2, False, SOON),
        (tree.district_a, "branch", "institution", "", None, True, START - day),
    ]
    made = []
    for parent, kind, sector, grade, star, weak, due in plan:
        org = make_org(parent, kind=kind, sector=sector)
        _set(org, grade=grade, star_rating=star, is_weak=weak, term_due_on=due)
        made.append(org)
    # Revoked organizations in street_a and in branch_c: every attribute that would count, but not active.
    for parent, kind in ((tree.street_a, "branch"), (tree.branch_c, "party_group"), (tree.branch_b, "party_group")):
        org = make_org(parent, kind=kind, sector="community")
        _set(org, grade="advanced", star_rating=5, is_weak=True, term_due_on=END - day, is_active=False)
    # The tree's own organizations get attributes too (city overdue, street_a due soon, branch_b weak).
    _set(tree.city, term_due_on=START, grade="advanced", star_rating=4)
    _set(tree.street_a, term_due_on=END + day, sector="")
    _set(tree.branch_b, is_weak=True, grade="lagging", star_rating=1, sector="rural")
    return made


def _recount(name: str, scope: Organization) -> int:
    return Organization.objects.filter(path__startswith=scope.path, is_active=True).filter(RULES[name]).count()


def test_every_registered_organization_metric_has_a_recount_rule():
    registered = {n for n in metrics() if n.startswith("organizations.")}
    assert registered == set(RULES)


@pytest.mark.parametrize("name", sorted(RULES))
def test_registry_value_equals_recount_for_every_scope(tree, orgs, name):
    scopes = [getattr(tree, s) for s in SCOPES]
    values = metric_values(name, organizations=scopes, start=START, end=END)
    got = {s.code: values[s.pk].value for s in scopes}
    assert got == {s.code: _recount(name, s) for s in scopes}


@pytest.mark.parametrize("scope", SCOPES)
def test_each_scope_alone_gives_the_same_figure_as_among_all_scopes(tree, orgs, scope):
    """Asked for one organization (the common root is then that organization itself), as a drill-down does."""
    org = getattr(tree, scope)
    for name in ("organizations.term_overdue", "organizations.term_due_soon", "organizations.org_count"):
        assert metric_values(name, organizations=[org], start=START, end=END)[org.pk].value == _recount(name, org)


def test_term_boundaries_are_where_the_rule_says(tree, orgs):
    """Spelled out once so the recount rule itself is checked: due the day before END is overdue, due on END
    or six months later is due soon, a day later is neither; revoked organizations never count."""
    city = [tree.city]
    overdue = metric_values("organizations.term_overdue", organizations=city, start=START, end=END)[tree.city.pk]
    soon = metric_values("organizations.term_due_soon", organizations=city, start=START, end=END)[tree.city.pk]
    # overdue: the two END-1 rows, the 2020 row, START-1, and the city itself (due START)
    assert overdue.value == 5
    # due soon: END (branch_a's group, branch_c's group), SOON (street_a's general branch, district_a's
    # branch), END+1 (street_a itself)
    assert soon.value == 5
    branch_b = metric_values("organizations.term_overdue", organizations=[tree.branch_b], start=START, end=END)
    assert branch_b[tree.branch_b.pk].value == 1  # its group; the revoked rows under it are not counted
