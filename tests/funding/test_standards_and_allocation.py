import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.funding import services
from apps.funding.models import Allocation, AllocationNotice, FundingRollup, FundingStandard
from apps.funding.selectors import execution_summary
from tests.factories.members import make_member
from tests.factories.organizations import make_org

from .helpers import allocate, this_year

pytestmark = pytest.mark.django_db


def _std(user, region, *, year=None, **kw):
    data = {
        "name": "社区党建工作经费",
        "basis": "per_org",
        "amount": "5000",
        "source": "fiscal",
        "target_kind": "branch",
    }
    data.update(kw)
    return services.standard_create(acting_user=user, region=region, year=year or this_year(), **data)


def test_preview_per_org_and_per_member_shows_basis_amount_and_total_in_decimal(tree, users):
    for _ in range(3):
        make_member(tree.branch_a)
    make_member(tree.branch_b)
    make_member(tree.group_a)  # counted in branch_a's subtree
    per_org = _std(users.city_staff, tree.city, amount="5000.00")
    per_member = _std(users.city_staff, tree.city, name="党员教育培训经费", basis="per_member", amount="100.01")
    p = services.allocation_preview(acting_user=users.city_staff, standards=[per_org, per_member])
    lines = {ln.organization_id: ln for ln in p.lines}
    assert set(lines) == {tree.branch_a.pk, tree.branch_b.pk, tree.branch_c.pk}
    a = lines[tree.branch_a.pk]
    assert a.total == Decimal("5400.04")  # 5000 + 4 × 100.01, exact
    assert "1个 × 5,000元" in a.basis and "4人 × 100.01元" in a.basis
    assert lines[tree.branch_b.pk].total == Decimal("5100.01")
    assert lines[tree.branch_c.pk].total == Decimal("5000.00")  # no members: no per-member line
    assert p.total == Decimal("15500.05")


def test_growth_rule_warns_one_cent_below_and_not_at_the_exact_boundary(tree, users):
    last = this_year() - 1
    _std(users.city_staff, tree.city, year=last, amount="5000.00")
    ok = _std(users.city_staff, tree.city, amount="5500.00", growth_min_percent="10")
    assert ok.previous is not None and ok.growth_warning == "" and ok.growth_percent == Decimal("10.00")
    ok.delete()
    low = _std(users.city_staff, tree.city, amount="5499.99", growth_min_percent="10")
    assert "低于上年 5000.00 元增长 10% 后的 5500.00 元" in low.growth_warning


def test_copy_forward_raises_by_the_growth_rule_and_skips_existing_names(tree, users):
    last = this_year() - 1
    _std(users.city_staff, tree.city, year=last, amount="90", name="培训", basis="per_member", growth_min_percent="10")
    _std(users.city_staff, tree.city, year=last, amount="5000")
    _std(users.city_staff, tree.city, amount="6000")  # already there this year
    created = services.standard_copy_forward(acting_user=users.city_staff, region=tree.city, from_year=last)
    assert [(s.name, s.amount) for s in created] == [("培训", Decimal("99.00"))]
    assert created[0].previous.year == last and created[0].growth_warning == ""


def test_bad_amounts_are_refused_naming_the_field(tree, users):
    with pytest.raises(ValidationError) as exc:
        _std(users.city_staff, tree.city, amount="100.001")
    assert "两位小数" in str(exc.value.message_dict["amount"])
    with pytest.raises(ValidationError) as exc:
        _std(users.city_staff, tree.city, amount="0")
    assert "amount" in exc.value.message_dict


def test_commit_is_set_based_numbered_rolled_up_and_not_repeated(tree, users, django_assert_max_num_queries):
    for _ in range(12):
        make_org(tree.street_a, kind="branch")
    std = _std(users.city_staff, tree.city, amount="5000.00")
    with django_assert_max_num_queries(30):
        notice = services.allocation_commit(
            acting_user=users.city_staff, standards=[std], allocated_on=datetime.date(this_year(), 3, 1)
        )
    n = Allocation.objects.filter(notice=notice).count()
    assert n == 15 and notice.total == Decimal("75000.00") and notice.recipient_count == 15
    assert notice.number_display == f"〔{this_year()}〕1号"
    city = FundingRollup.objects.filter(organization=tree.city, year=this_year()).values_list("allocated", flat=True)
    assert sum(city) == Decimal("75000.00")
    street = execution_summary(user=users.city_staff, organization=tree.street_a, year=this_year())
    assert street["total"].allocated == Decimal("70000.00")  # branch_a, branch_b and 12 new branches
    with pytest.raises(ValidationError):
        services.allocation_commit(acting_user=users.city_staff, standards=[std])
    assert AllocationNotice.objects.count() == 1


def test_budget_caps_allocations_of_its_source(tree, users):
    services.budget_set(
        acting_user=users.city_staff, organization=tree.city, year=this_year(), source="fiscal", amount="14999.99"
    )
    std = _std(users.city_staff, tree.city, amount="5000")
    preview = services.allocation_preview(acting_user=users.city_staff, standards=[std])
    assert any("超出预算 0.01 元" in w for w in preview.warnings)
    with pytest.raises(ValidationError) as exc:
        services.allocation_commit(acting_user=users.city_staff, standards=[std])
    assert "超出预算" in str(exc.value)
    services.budget_set(
        acting_user=users.city_staff, organization=tree.city, year=this_year(), source="fiscal", amount="15000"
    )
    services.allocation_commit(acting_user=users.city_staff, standards=[std])
    assert Allocation.objects.count() == 3


def test_manual_allocation_only_down_the_issuers_subtree(tree, users):
    with pytest.raises(ValidationError) as exc:
        allocate(users.district_staff, tree.district_a, tree.district_a)
    assert "organization" in exc.value.message_dict
    a = allocate(users.district_staff, tree.district_a, tree.branch_a, "1500.50")
    assert a.notice.recipient_count == 1 and a.org_path == tree.branch_a.path


def test_standard_with_allocations_cannot_be_changed(tree, users):
    std = _std(users.city_staff, tree.city)
    services.allocation_commit(acting_user=users.city_staff, standards=[std])
    with pytest.raises(ValidationError):
        services.standard_update(acting_user=users.city_staff, standard=std, amount="6000")
    assert FundingStandard.objects.get(pk=std.pk).amount == Decimal("5000.00")


def test_parent_kind_and_top_level_filters_pick_village_level_only(tree, users):
    town = make_org(tree.district_b, kind="committee", sector="rural")
    general = make_org(town, kind="general_branch", sector="rural")
    make_org(general, kind="branch", sector="rural")  # under the general branch: not village level
    village = make_org(town, kind="branch", sector="rural")
    std = _std(users.city_staff, tree.city, target_kind="branch", target_sector="rural", target_parent_kind="committee")
    p = services.allocation_preview(acting_user=users.city_staff, standards=[std])
    assert [ln.organization_id for ln in p.lines] == [village.pk]


def test_sql_lines_match_the_portable_rules_nested_kinds_members_and_skips(tree, users):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the set-based SQL runs on PostgreSQL")
    from apps.funding.allocation_sql import preview_figures
    from apps.funding.allocations import _labels, _lines_python

    general = make_org(tree.street_a, kind="general_branch", name="丁总支", code="T000D")
    nested = make_org(general, kind="branch", name="丁总支第一支部", code="B000N")
    for _ in range(2):
        make_member(nested)
    make_member(tree.group_a)
    make_member(tree.branch_c)
    stds = [
        _std(users.city_staff, tree.city, amount="5000.00"),
        _std(users.city_staff, tree.city, name="培训", basis="per_member", amount="100.01", top_level_only=False),
        _std(users.city_staff, tree.city, name="街道直属", target_parent_kind="working_committee", amount="7"),
        _std(users.city_staff, tree.city, name="最上一级", target_kind="", amount="1"),  # only the two districts
    ]
    allocate(users.city_staff, tree.city, tree.branch_c)  # by hand: not a standard, so nothing is skipped
    services.allocation_commit(acting_user=users.city_staff, standards=[stds[2]])  # then skipped below
    stds.sort(key=lambda s: s.pk)
    flat, skipped = _lines_python(stds)
    expected: dict[int, list] = {}
    for oid, _path, _name, _s, amount, basis in flat:
        line = expected.setdefault(oid, [Decimal("0"), []])
        line[0] += amount
        line[1].append(basis)
    rows, count, n_skipped, total, _by_source = preview_figures(stds, _labels(stds), limit=100)
    got = {oid: [amount, basis.split(" + ")] for oid, _n, _p, amount, basis in rows}
    assert got == expected
    assert got[nested.pk][1] == ["社区党建工作经费：1个 × 5,000元", "培训：2人 × 100.01元"]  # not 街道直属
    assert got[tree.district_a.pk][1] == ["最上一级：1个 × 1元"]
    assert general.pk not in got and tree.street_a.pk not in got  # below a district: not top level
    assert count == len(expected) and n_skipped == len(skipped) == 2
    assert total == sum(v[0] for v in expected.values())
