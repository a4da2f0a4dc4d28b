import datetime

import pytest
from django.core.exceptions import ValidationError

from apps.members.validators import (
    id_check_char,
    normalize_id_number,
    normalize_phone,
    validate_id_number,
    validate_mobile,
    validate_phone,
)

TODAY = datetime.date(2026, 1, 1)


def _messages(exc_info) -> str:
    return " ".join(exc_info.value.messages)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("11010519491231002x", "11010519491231002X"),
        (" 3405 2419 8001 0100 1X ", "34052419800101001X"),
        ("３４０５２４１９８００１０１００１ｘ", "34052419800101001X"),
        ("340524\u300019800101001X", "34052419800101001X"),
        (None, ""),
    ],
)
def test_normalize_id_number_strips_spaces_and_fullwidth(raw, expected):
    assert normalize_id_number(raw) == expected


@pytest.mark.parametrize(
    ("number", "birth", "gender"),
    [
        ("11010519491231002X", datetime.date(1949, 12, 31), "2"),
        ("34052419800101001X", datetime.date(1980, 1, 1), "1"),
    ],
)
def test_valid_numbers_give_birth_date_and_gender(number, birth, gender):
    info = validate_id_number(number, today=TODAY)
    assert (info.birth_date, info.gender, info.legacy) == (birth, gender, False)


def test_wrong_check_digit_is_refused_with_expected_char():
    with pytest.raises(ValidationError) as exc:
        validate_id_number("340524198001010013", today=TODAY)
    assert exc.value.code == "id_checksum"
    assert "校验码错误" in _messages(exc) and "X" in _messages(exc)


def _with_check(first17: str) -> str:
    return first17 + id_check_char(first17)


def test_checksum_valid_but_born_1880_is_implausible():
    with pytest.raises(ValidationError) as exc:
        validate_id_number("440524188001010014", today=TODAY)
    assert exc.value.code == "id_birth_implausible"


def test_future_birth_date_is_refused():
    with pytest.raises(ValidationError) as exc:
        validate_id_number(_with_check("11010520300101001"), today=TODAY)
    assert exc.value.code == "id_birth_future"


def test_impossible_birth_date_is_refused():
    with pytest.raises(ValidationError) as exc:
        validate_id_number(_with_check("11010519810230001"), today=TODAY)
    assert exc.value.code == "id_birth_date"
    assert "不是有效日期" in _messages(exc)


@pytest.mark.parametrize("value", ["1101051949123100", "11010519491231002XX", "1101051949123100A2"])
def test_bad_length_or_letters_are_refused(value):
    with pytest.raises(ValidationError):
        validate_id_number(value, today=TODAY)


def test_legacy_15_digit_number_flagged_for_review():
    with pytest.raises(ValidationError) as exc:
        validate_id_number("340524800101001", today=TODAY)
    assert exc.value.code == "id_legacy"
    info = validate_id_number("340524800101001", today=TODAY, allow_legacy=True)
    assert info.legacy and info.birth_date == datetime.date(1980, 1, 1) and info.gender == "1"


def test_empty_id_number_is_required():
    with pytest.raises(ValidationError) as exc:
        validate_id_number("  ")
    assert exc.value.code == "required"


@pytest.mark.parametrize(
    "raw", ["138-0013-8000", "138 0013 8000", "+86 13800138000", "１３８００１３８０００", 13800138000.0]
)
def test_mobile_normalized(raw):
    assert validate_mobile(raw) == "13800138000"


@pytest.mark.parametrize("raw", ["1380013800", "23800138000", "138001380001", "abc"])
def test_bad_mobile_refused_in_chinese(raw):
    with pytest.raises(ValidationError) as exc:
        validate_mobile(raw)
    assert "手机号格式不正确" in _messages(exc)


def test_fixed_line_accepted_as_phone_not_as_mobile():
    assert validate_phone("0551-12345678") == "0551-12345678"
    assert normalize_phone("（0551）12345678") == "055112345678"
    with pytest.raises(ValidationError):
        validate_mobile("0551-12345678")
