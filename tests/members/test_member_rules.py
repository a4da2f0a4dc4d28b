"""The membership rules (age, 入党日期, 转正日期, probation) in services.member_rules: form, service and import."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.members.models import Member
from apps.members.roster_import.write import member_import
from apps.members.services import member_create, member_rules
from apps.organizations.models import add_years
from tests.factories.members import make_id_number
from tests.members.import_helpers import make_id, member_row, write_xlsx

D = datetime.date
TODAY = D(2026, 11, 23)
CHILD_ID = "110105201501010017"  # born 2015-01-01, the review's example


def _rules(**values):
    return member_rules({"birth_date": D(1985, 6, 15), **values}, today=TODAY)


def test_the_review_example_is_a_valid_number():
    assert member_rules({"id_number": CHILD_ID}, today=TODAY) != {}
    assert "id_number" not in member_rules({"id_number": CHILD_ID}, today=TODAY)


@pytest.mark.parametrize(
    ("values", "field", "text"),
    [
        ({"category": "full", "joined_on": None, "confirmed_on": None}, "joined_on", "正式党员须填写入党日期"),
        ({"category": "probationary", "joined_on": None}, "joined_on", "预备党员须填写入党日期"),
        ({"category": "full", "joined_on": D(2010, 7, 1), "confirmed_on": None}, "confirmed_on", "须填写转正日期"),
        ({"category": "full", "joined_on": D(2010, 7, 1), "confirmed_on": D(2011, 6, 30)}, "confirmed_on", "满一年"),
        ({"category": "full", "joined_on": D(2026, 1, 1), "confirmed_on": D(2026, 10, 1)}, "confirmed_on", "满一年"),
        ({"category": "probationary", "joined_on": D(2024, 11, 22)}, "joined_on", "最多延长一年"),
        ({"category": "full", "joined_on": D(2003, 6, 14), "confirmed_on": D(2004, 7, 1)}, "joined_on", "十八周岁"),
    ],
)
def test_rule_refused_with_the_rule_named(values, field, text):
    errors = _rules(**values)
    assert text in errors[field], errors


@pytest.mark.parametrize(
    "values",
    [
        {"category": "full", "joined_on": D(2003, 6, 15), "confirmed_on": D(2004, 6, 15)},
        {"category": "probationary", "joined_on": D(2024, 11, 23)},
        {"category": "probationary", "joined_on": D(2026, 11, 1)},
        {"category": "full"},  # an import file without the date columns is not checked for them
    ],
)
def test_rule_accepts_the_edges(values):
    assert _rules(**values) == {}


def test_under_18_refused_even_without_dates():
    errors = member_rules({"id_number": CHILD_ID, "category": "full"}, today=TODAY)
    assert "未满十八周岁" in errors["birth_date"]


def test_service_treats_missing_dates_as_empty(tree, users):
    with pytest.raises(ValidationError) as exc:
        member_create(acting_user=users.roster_admin, organization=tree.branch_a, id_number=CHILD_ID, name="小明")
    assert "入党日期" in exc.value.message_dict["joined_on"][0]
    assert not Member.objects.exists()


def test_form_refuses_the_11_year_old_full_member(tree, users, client_for):
    response = client_for(users.roster_admin).post(
        reverse("members:member_create"),
        {
            "organization": tree.branch_a.code,
            "id_number": CHILD_ID,
            "name": "小明",
            "ethnicity": "01",
            "category": "full",
            "points": "0",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "正式党员须填写入党日期" in html
    assert not Member.objects.exists()


def test_form_refuses_joining_at_11(tree, users, client_for):
    response = client_for(users.roster_admin).post(
        reverse("members:member_create"),
        {
            "organization": tree.branch_a.code,
            "id_number": CHILD_ID,
            "name": "小明",
            "ethnicity": "01",
            "category": "probationary",
            "joined_on": "2026-03-01",
            "points": "0",
        },
    )
    assert response.status_code == 200
    assert "入党时须年满十八周岁" in response.content.decode()
    assert not Member.objects.exists()


def test_import_rows_breaking_the_rules_get_row_and_column_errors(tree, users, tmp_path):
    today = timezone.localdate()
    old_probation = add_years(today, -3).isoformat()
    rows = [
        member_row(姓名="甲", 身份证号=make_id("19800101", 1)),
        member_row(姓名="乙", 身份证号=make_id("19800101", 2), 转正日期=""),
        member_row(
            姓名="丙", 身份证号=make_id("19800101", 3), 人员类别="预备党员", 入党日期=old_probation, 转正日期=""
        ),
        member_row(姓名="丁", 身份证号=CHILD_ID, 出生日期="2015-01-01", 入党日期="", 转正日期=""),
    ]
    path = write_xlsx(tmp_path / "rules.xlsx", rows)
    result = member_import(acting_user=users.roster_admin, path=path, file_name=path.name, commit=False)
    assert (result.new, result.invalid) == (1, 3), result.errors
    by_row = {(e.row, e.column): e.message for e in result.errors}
    assert "须填写转正日期" in by_row[(3, "转正日期")]
    assert "最多延长一年" in by_row[(4, "入党日期")]
    assert "正式党员须填写入党日期" in by_row[(5, "入党日期")]


def test_make_id_number_helper_is_consistent():
    assert member_rules({"id_number": make_id_number(), "category": "full"}, today=TODAY) == {}
