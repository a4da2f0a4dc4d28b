"""The roster's breakdown filters (ethnic group, occupation, sector, age band, join period, 党龄段): the same
rules as the dashboard's counts, on the page, the API and the export alike, and scoped."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.core.periods import add_years
from apps.members.selectors import member_list_filtered
from apps.organizations.models import Organization
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db
LIST = "/api/v1/members/"


@pytest.fixture
def people(tree):
    today = timezone.localdate()
    Organization.objects.filter(pk=tree.branch_a.pk).update(sector="school")
    Organization.objects.filter(pk=tree.branch_b.pk).update(sector="")
    make_member(
        tree.branch_a, name="han_young", ethnicity="01", birth_date=add_years(today, -30),
        occupation_category="professional", joined_on=datetime.date(2015, 6, 1),
        confirmed_on=add_years(today, -5) + datetime.timedelta(days=1),
    )  # fmt: skip
    make_member(
        tree.branch_a, name="minority_old", ethnicity="05", birth_date=add_years(today, -71),
        occupation_category="retired", joined_on=datetime.date(1966, 4, 30), confirmed_on=add_years(today, -50),
    )  # fmt: skip
    make_member(
        tree.branch_b, name="other_prob", ethnicity="97", birth_date=add_years(today, -31), occupation_category="",
        category="probationary", joined_on=today.replace(month=1, day=1), confirmed_on=None,
    )  # fmt: skip
    make_member(tree.branch_c, name="sibling", ethnicity="05", occupation_category="retired")
    return today


@pytest.mark.parametrize(
    "params,expected",
    [
        ({"ethnic_group": "han"}, {"han_young"}),
        ({"ethnic_group": "minority"}, {"minority_old"}),
        ({"ethnic_group": "other"}, {"other_prob"}),
        ({"occupation": "retired"}, {"minority_old"}),
        ({"occupation": "none"}, {"other_prob"}),
        ({"sector": "school"}, {"han_young", "minority_old"}),
        ({"sector": "none"}, {"other_prob"}),
        ({"age_band": "le30"}, {"han_young"}),  # exactly 30 today
        ({"age_band": "31_35"}, {"other_prob"}),
        ({"age_band": "ge71"}, {"minority_old"}),
        ({"join_period": "p2"}, {"minority_old"}),  # 1966-04-30 is the last day of p2
        ({"join_period": "p7"}, {"han_young", "other_prob"}),
        ({"standing": "lt5"}, {"han_young"}),  # one day short of 5 years
        ({"standing": "ge50"}, {"minority_old"}),
        ({"standing": "probationary"}, {"other_prob"}),
        ({"standing": "5_10"}, set()),
        ({"ethnic_group": "minority", "occupation": "retired"}, {"minority_old"}),
    ],
)
def test_breakdown_filters_on_the_roster(tree, users, people, params, expected):
    qs, fs = member_list_filtered(user=users.district_staff, data=params)
    assert fs.is_valid(), fs.errors
    assert {m.name for m in qs} == expected


def test_api_takes_the_same_filters_and_refuses_a_siblings_subtree(tree, users, people, api_for):
    api = api_for(users.district_staff)
    names = {r["name"] for r in api.get(LIST, {"ethnic_group": "minority"}).json()["results"]}
    assert names == {"minority_old"}  # branch_c's minority member is outside district_a
    assert api.get(LIST, {"ethnic_group": "minority", "within": tree.branch_c.pk}).json()["results"] == []
    assert api.get(LIST, {"standing": "no_such_band"}).status_code == 400


def test_page_shows_the_filters_with_chinese_labels_and_refuses_a_sibling(tree, users, people, client_for):
    client = client_for(users.district_staff)
    html = client.get(reverse("members:member_list"), {"sector": "school"}).content.decode()
    for label in ("汉族/少数民族", "所在组织领域", "党龄段", "年龄段", "入党时间段", "工作岗位"):
        assert label in html
    assert "han_young" in html and "minority_old" in html and "other_prob" not in html
    html = client.get(reverse("members:member_list"), {"occupation": "retired", "within": tree.branch_c.pk})
    assert "sibling" not in html.content.decode()
    bad = client.get(reverse("members:member_list"), {"age_band": "abc"}).content.decode()
    assert "年龄段：" in bad  # the error names the field, in Chinese
