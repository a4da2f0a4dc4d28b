"""The one formula guard (apps/core/spreadsheets.py) and the xlsx helper."""

import io

import openpyxl
import pytest

from apps.core.spreadsheets import display_width, is_formula_like, safe_cell, unguard, write_xlsx

FORMULA_LIKE = ["=1+1", "+1", "-1", "@SUM(A1)", "＝1", "＋1", "－1", "＠x", "\tx", "\rx", "\nx", "  =1", "\u3000＝1"]


@pytest.mark.parametrize("value", FORMULA_LIKE)
def test_formula_like_text_gets_an_apostrophe(value):
    assert is_formula_like(value)
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["张伟", "a=1", "1-2", "", " 正常", "'=1"])
def test_ordinary_text_is_left_alone(value):
    assert safe_cell(value) == value


def test_numbers_and_dates_pass_through_and_none_is_empty():
    import datetime
    from decimal import Decimal

    assert safe_cell(-3) == -3 and safe_cell(Decimal("-1.50")) == Decimal("-1.50")
    assert safe_cell(datetime.date(2026, 1, 2)) == datetime.date(2026, 1, 2)
    assert safe_cell(None) == ""


@pytest.mark.parametrize("value", FORMULA_LIKE)
def test_unguard_reverses_the_guard(value):
    assert unguard(safe_cell(value)) == value
    assert unguard("'张伟") == "'张伟"


def test_write_xlsx_freezes_header_fits_cjk_widths_and_guards_cells():
    data = write_xlsx(headers=["党组织名称", "备注"], rows=[["第一党支部第一党小组", "=HYPERLINK(1)"]], sheet="汇总")
    ws = openpyxl.load_workbook(io.BytesIO(data))["汇总"]
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.bold
    assert ws.column_dimensions["A"].width >= display_width("第一党支部第一党小组")
    assert ws["B2"].value == "'=HYPERLINK(1)" and ws["B2"].data_type != "f"
