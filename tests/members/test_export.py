import datetime
import io

import openpyxl
import pytest
import tablib
from django.utils import timezone

from apps.core.spreadsheets import safe_cell
from apps.members.exports import MemberResource, member_export_xlsx, member_template_xlsx
from apps.members.models import Member
from apps.members.roster_import.columns import TEMPLATE_HEADERS
from apps.members.roster_import.write import member_import
from tests.members.import_helpers import make_id, member_row, write_csv, write_xlsx

pytestmark = pytest.mark.django_db
RECENT = (timezone.localdate() - datetime.timedelta(days=200)).isoformat()  # a probationary member's 入党日期


def _seed(user, tmp_path, rows, csv=False):
    path = write_csv(tmp_path / "seed.csv", rows) if csv else write_xlsx(tmp_path / "seed.xlsx", rows)
    result = member_import(acting_user=user, path=path, file_name=path.name, commit=True)
    assert result.invalid == 0, result.errors
    return result


def _sheet(data: bytes):
    return list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))


def test_unmasked_export_reimports_with_zero_changes(tree, users, tmp_path):
    rows = [
        member_row(
            姓名=f"党员{i}",
            身份证号=make_id("19800101", i),
            所在党小组="G000A" if i == 1 else "",
            人员类别="预备党员" if i == 2 else "正式党员",
            转正日期="" if i == 2 else "2006-07-01",
            入党日期=RECENT if i == 2 else "2005-07-01",
            学历="大专",
            民族="回",
            流动党员="流出" if i == 3 else "",
            **{"流出/流入地": "上海" if i == 3 else ""},
        )
        for i in range(1, 5)
    ]
    _seed(users.roster_admin, tmp_path, rows)
    data = member_export_xlsx(user=users.roster_admin, queryset=Member.objects.visible_to(users.roster_admin))
    out = tmp_path / "export.xlsx"
    out.write_bytes(data)
    result = member_import(acting_user=users.roster_admin, path=out, file_name=out.name, commit=False)
    assert (result.new, result.updated, result.unchanged, result.invalid) == (0, 0, 4, 0), result.errors


def test_export_masks_id_and_phone_for_roles_without_full_pii(tree, users, tmp_path):
    _seed(users.roster_admin, tmp_path, [member_row(身份证号=make_id("19800101", 5))])
    full = _sheet(member_export_xlsx(user=users.roster_admin, queryset=Member.objects.all()))
    masked = _sheet(
        member_export_xlsx(user=users.district_staff, queryset=Member.objects.visible_to(users.district_staff))
    )
    id_col, phone_col = TEMPLATE_HEADERS.index("身份证号"), TEMPLATE_HEADERS.index("联系电话")
    assert full[1][id_col] == make_id("19800101", 5)
    assert masked[1][id_col] == "340524********" + make_id("19800101", 5)[-4:]
    assert masked[1][phone_col] == "138****8000"


def test_export_neutralizes_formula_cells(tree, users, tmp_path):
    _seed(users.roster_admin, tmp_path, [member_row(工作单位='=HYPERLINK("http://x")', 职务="@SUM(A1)")], csv=True)
    rows = _sheet(member_export_xlsx(user=users.roster_admin, queryset=Member.objects.all()))
    unit = rows[1][TEMPLATE_HEADERS.index("工作单位")]
    assert unit == '\'=HYPERLINK("http://x")'
    assert rows[1][TEMPLATE_HEADERS.index("职务")] == "'@SUM(A1)"
    wb = openpyxl.load_workbook(io.BytesIO(member_export_xlsx(user=users.roster_admin, queryset=Member.objects.all())))
    assert all(c.data_type != "f" for row in wb.active.iter_rows() for c in row)


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@x", "\tx", "\rx"])
def test_export_guard_prefixes_formula_like_text(value):
    assert safe_cell(value) == "'" + value
    assert safe_cell("张伟") == "张伟"


def test_template_has_chinese_headers_and_text_id_column():
    wb = openpyxl.load_workbook(io.BytesIO(member_template_xlsx()))
    ws = wb.active
    assert [c.value for c in ws[1]] == TEMPLATE_HEADERS
    id_letter = openpyxl.utils.get_column_letter(TEMPLATE_HEADERS.index("身份证号") + 1)
    assert ws[f"{id_letter}2"].number_format == "@"


def test_resource_import_uses_same_rules_and_services(tree, users):
    dataset = tablib.Dataset(headers=TEMPLATE_HEADERS)
    good = member_row(身份证号=make_id("19800101", 7))
    bad = member_row(姓名="李四", 身份证号="340524198001010013")
    for row in (good, bad):
        dataset.append([row.get(h, "") for h in TEMPLATE_HEADERS])
    resource = MemberResource(user=users.roster_admin)
    result = resource.import_data(dataset, dry_run=False, user=users.roster_admin)
    assert result.has_validation_errors()
    invalid = result.invalid_rows[0]
    assert "校验码错误" in str(invalid.error_dict)
    # rollback_on_validation_errors is off: the valid row went in through member_create
    assert Member.objects.filter(name="张伟").exists()


def test_masked_export_reimport_is_refused_row_by_row(tree, users, tmp_path):
    _seed(users.roster_admin, tmp_path, [member_row(身份证号=make_id("19800101", 12))])
    out = tmp_path / "masked.xlsx"
    out.write_bytes(
        member_export_xlsx(user=users.district_staff, queryset=Member.objects.visible_to(users.district_staff))
    )
    result = member_import(acting_user=users.roster_admin, path=out, file_name=out.name, commit=False)
    assert result.invalid == 1 and any(e.column == "身份证号" and "打码" in e.message for e in result.errors)
