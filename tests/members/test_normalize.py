import datetime

import pytest
from django.core.exceptions import ValidationError

from apps.members.normalize import (
    OrganizationResolver,
    category_code,
    clean_name,
    clean_text,
    education_code,
    ethnicity_code,
    gender_code,
    parse_bool,
    parse_date,
)

D = datetime.date


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("王　芳", "王芳"),
        ("王芳", "王芳"),
        ("Ｊｏｈｎ", "John"),
        (" 王 芳 ", "王芳"),
        ("阿依古丽 · 买买提", "阿依古丽·买买提"),
        ("John  Smith", "John Smith"),
    ],
)
def test_clean_name(raw, expected):
    assert clean_name(raw) == expected


def test_clean_text_fullwidth_and_number_cells():
    assert clean_text("ＡＢＣ１２３") == "ABC123"
    assert clean_text(12.0) == "12"
    assert clean_text(None) == ""


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2019-07-01", (D(2019, 7, 1), False)),
        ("2019/7/1", (D(2019, 7, 1), False)),
        ("2019.07", (D(2019, 7, 1), True)),
        ("2019.7.1", (D(2019, 7, 1), False)),
        ("2019年7月1日", (D(2019, 7, 1), False)),
        ("2019年7月", (D(2019, 7, 1), True)),
        ("２０１９－０７－０１", (D(2019, 7, 1), False)),
        ("20190701", (D(2019, 7, 1), False)),
        ("201907", (D(2019, 7, 1), True)),
        (43647, (D(2019, 7, 1), False)),
        (43647.0, (D(2019, 7, 1), False)),
        ("43647", (D(2019, 7, 1), False)),
        (datetime.datetime(2019, 7, 1, 8, 30), (D(2019, 7, 1), False)),
        (D(2019, 7, 1), (D(2019, 7, 1), False)),
        ("2019-07-01 00:00:00", (D(2019, 7, 1), False)),
        ("", (None, False)),
        (None, (None, False)),
    ],
)
def test_parse_date_accepts_what_people_type(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["2019-02-30", "七月一日", "19/7/1", 10**7, "2019-13"])
def test_parse_date_refuses_nonsense_in_chinese(raw):
    with pytest.raises(ValidationError) as exc:
        parse_date(raw)
    assert any("日期" in m for m in exc.value.messages)


@pytest.mark.parametrize(
    ("raw", "code"), [("汉", "01"), ("汉族", "01"), ("01", "01"), ("1", "01"), ("维吾尔", "05"), ("其他", "97")]
)
def test_ethnicity(raw, code):
    assert ethnicity_code(raw) == code


@pytest.mark.parametrize(
    ("raw", "code"),
    [("本科", "20"), ("大学本科", "20"), ("大专", "30"), ("中专", "41"), ("研究生", "10"), ("21", "21")],
)
def test_education(raw, code):
    assert education_code(raw) == code


def test_unknown_code_value_message_names_the_value():
    with pytest.raises(ValidationError) as exc:
        ethnicity_code("火星族")
    assert "火星族" in exc.value.messages[0] and "民族" in exc.value.messages[0]


def test_gender_category_bool():
    assert [gender_code("男"), gender_code("女"), gender_code("2")] == ["1", "2", "2"]
    assert [category_code("正式党员"), category_code("预备")] == ["full", "probationary"]
    assert [parse_bool("是"), parse_bool(""), parse_bool("否")] == [True, False, False]


@pytest.mark.django_db
def test_organization_resolver_by_code_name_and_path_within_scope(tree):
    resolver = OrganizationResolver(tree.district_a.path)
    cells = ["B000A", "乙支部", "甲区委/甲街道党工委/甲支部", "丙支部", "B000C"]
    resolver.prepare(cells)
    assert resolver.resolve("B000A") == tree.branch_a
    assert resolver.resolve("乙支部") == tree.branch_b
    assert resolver.resolve("甲区委/甲街道党工委/甲支部") == tree.branch_a
    # district_b's branch is outside the scope: same answer as missing
    for cell in ("丙支部", "B000C"):
        with pytest.raises(ValidationError) as exc:
            resolver.resolve(cell)
        assert exc.value.code == "org_not_found"
