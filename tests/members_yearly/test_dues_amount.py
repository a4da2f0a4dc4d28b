from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.members.dues import dues_monthly_amount, dues_table
from apps.members.dues_models import DuesBracket

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("0", "0.00"),
        ("1", "0.01"),
        ("2999.99", "15.00"),
        ("3000", "15.00"),
        ("3000.00", "15.00"),
        ("3000.01", "30.00"),
        ("4999.99", "50.00"),
        ("5000", "50.00"),
        ("5000.01", "75.00"),
        ("9999.99", "150.00"),
        ("10000", "150.00"),
        ("10000.01", "200.00"),
        ("25000", "500.00"),
        ("3333.33", "33.33"),
        ("1234.5", "6.17"),  # 6.1725 → half-up
        ("1233", "6.17"),  # 6.165 → 6.17 (half-up, not banker's)
    ],
)
def test_employed_whole_amount_brackets(base, expected):
    assert dues_monthly_amount(category="employed", base=Decimal(base)) == Decimal(expected)


@pytest.mark.parametrize(
    ("base", "expected"),
    [("0", "0.00"), ("4000", "20.00"), ("5000", "25.00"), ("5000.01", "50.00"), ("8000", "80.00")],
)
def test_retiree_brackets(base, expected):
    assert dues_monthly_amount(category="retiree", base=Decimal(base)) == Decimal(expected)


@pytest.mark.parametrize("category", ["student", "unemployed", "low_income"])
def test_students_unemployed_low_income_pay_two_jiao_whatever_the_base(category):
    assert dues_monthly_amount(category=category, base=Decimal("0")) == Decimal("0.20")
    assert dues_monthly_amount(category=category, base=Decimal("2500")) == Decimal("0.20")


def test_farmers_pay_the_province_fixed_amount_between_two_jiao_and_one_yuan():
    amount = dues_monthly_amount(category="farmer", base=Decimal("3000"))
    assert Decimal("0.20") <= amount <= Decimal("1.00")


def test_result_is_decimal_with_two_places():
    amount = dues_monthly_amount(category="employed", base=Decimal("4321"))
    assert isinstance(amount, Decimal)
    assert amount.as_tuple().exponent == -2


def test_unknown_category_is_refused_naming_the_field():
    with pytest.raises(ValidationError) as exc:
        dues_monthly_amount(category="soldier", base=Decimal("3000"))
    assert "党员类别" in exc.value.message_dict["category"][0]


def test_negative_base_is_refused():
    with pytest.raises(ValidationError) as exc:
        dues_monthly_amount(category="employed", base=Decimal("-0.01"))
    assert "不能为负数" in exc.value.message_dict["base"][0]


def test_the_2008_table_is_seeded_as_data():
    assert DuesBracket.objects.filter(year=2008, category="employed").count() == 4


def test_a_province_table_for_a_later_year_replaces_the_rows_of_its_category_only():
    DuesBracket.objects.create(year=2027, category="farmer", fixed_amount=Decimal("1.00"))
    DuesBracket.objects.create(year=2027, category="employed", upper_bound=Decimal("4000"), rate_percent=Decimal("0.5"))
    DuesBracket.objects.create(year=2027, category="employed", upper_bound=None, rate_percent=Decimal("1"))
    assert dues_monthly_amount(category="farmer", base=Decimal("0"), year=2027) == Decimal("1.00")
    assert dues_monthly_amount(category="employed", base=Decimal("4000"), year=2027) == Decimal("20.00")
    assert dues_monthly_amount(category="employed", base=Decimal("4000"), year=2026) == Decimal("40.00")
    assert dues_monthly_amount(category="retiree", base=Decimal("6000"), year=2027) == Decimal("60.00")
    assert len(dues_table(2027)["employed"]) == 2


def test_without_any_table_rows_the_2008_defaults_apply():
    DuesBracket.objects.all().delete()
    assert dues_monthly_amount(category="employed", base=Decimal("3000.01")) == Decimal("30.00")
