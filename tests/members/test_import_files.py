"""Real-world roster files: shapes, normalisation, duplicates, scope, limits and unsafe workbooks."""

import datetime
import zipfile

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied

from apps.members.models import Member
from apps.members.roster_import import columns, files, write
from apps.members.roster_import.files import ImportRefused
from apps.members.roster_import.write import member_import
from tests.factories.members import make_member
from tests.members.import_helpers import make_id, member_row, write_csv, write_xlsx

pytestmark = pytest.mark.django_db


def run(user, path, commit=False):
    return member_import(acting_user=user, path=path, file_name=path.name, commit=commit)


def errors_of(result):
    return [(e.row, e.column, e.message) for e in result.errors]


def test_title_rows_serial_column_and_blank_tail_are_understood(users, tmp_path):
    rows = [member_row(身份证号=make_id("19800101", 1)), member_row(姓名="李四", 身份证号="340524198001010013")]
    path = write_xlsx(tmp_path / "huamingce.xlsx", rows, title_rows=2, serial_column=True, blank_tail=5)
    result = run(users.roster_admin, path)
    assert (result.new, result.invalid) == (1, 1)
    # title rows 1-2, header row 3, data rows 4-5: the bad row is the spreadsheet's row 5
    [(row, column, message)] = errors_of(result)
    assert (row, column) == (5, "身份证号") and "校验码错误" in message


def test_merged_organization_cells_fill_every_row(tree, users, tmp_path):
    rows = [
        member_row(姓名=f"党员{i}", 身份证号=make_id("19800101", i), 所在党组织="B000A" if i == 1 else "")
        for i in range(1, 4)
    ]
    path = write_xlsx(tmp_path / "merged.xlsx", rows)
    wb = openpyxl.load_workbook(path)
    col = openpyxl.utils.get_column_letter(columns.TEMPLATE_HEADERS.index("所在党组织") + 1)
    wb.active.merge_cells(f"{col}2:{col}4")
    wb.save(path)
    result = run(users.roster_admin, path, commit=True)
    assert (result.new, result.invalid) == (3, 0), errors_of(result)
    assert set(Member.objects.values_list("organization", flat=True)) == {tree.branch_a.pk}


def test_id_number_stored_as_number_is_refused_with_text_format_hint(users, tmp_path):
    path = write_xlsx(tmp_path / "num.xlsx", [member_row(身份证号=340524198001010017)])
    result = run(users.roster_admin, path)
    [(row, column, message)] = errors_of(result)
    assert (row, column) == (2, "身份证号") and "该列请设置为文本格式" in message


def test_scientific_notation_id_in_csv_is_refused(users, tmp_path):
    path = write_csv(tmp_path / "sci.csv", [member_row(身份证号="3.40524E+17")])
    result = run(users.roster_admin, path)
    assert "文本格式" in result.errors[0].message


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_csv_in_utf8_and_gbk(users, tmp_path, encoding):
    path = write_csv(tmp_path / "a.csv", [member_row(身份证号=make_id("19800101", 3))], encoding=encoding)
    result = run(users.roster_admin, path, commit=True)
    assert result.new == 1 and Member.objects.get().name == "张伟"


def test_what_people_type_is_normalised(tree, users, tmp_path):
    number = make_id("19850315", 4, male=False)
    row = member_row(
        姓名="王　芳",
        性别="女",
        民族="汉",
        出生日期="1985.03",
        身份证号=" " + number.lower().replace("x", "x") + "　",
        学历="本科",
        联系电话="138-0013 8000",
        入党日期="2010年7月1日",
        转正日期=40725,
        所在党组织="甲区委/甲街道党工委/甲支部",
    )
    path = write_xlsx(tmp_path / "messy.xlsx", [row])
    result = run(users.roster_admin, path, commit=True)
    assert result.new == 1, errors_of(result)
    m = Member.objects.get()
    assert (m.name, m.gender, m.ethnicity, m.education, m.phone) == ("王芳", "2", "01", "20", "13800138000")
    assert m.birth_date == datetime.date(1985, 3, 15)  # 出生年月 completed from the ID number
    assert (m.joined_on, m.confirmed_on) == (datetime.date(2010, 7, 1), datetime.date(2011, 7, 1))
    assert m.id_number == number and m.organization == tree.branch_a


def test_duplicate_ids_inside_the_file_are_reported_not_merged(users, tmp_path):
    number = make_id("19800101", 6)
    rows = [
        member_row(身份证号=number),
        member_row(身份证号=make_id("19800101", 7)),
        member_row(身份证号=number.lower()),
    ]
    result = run(users.roster_admin, write_xlsx(tmp_path / "dup.xlsx", rows), commit=True)
    assert (result.new, result.invalid) == (1, 2)
    messages = {e.row: e.message for e in result.errors}
    assert "第4行重复" in messages[2] and "第2行重复" in messages[4]
    assert Member.objects.count() == 1


def test_number_held_outside_scope_is_refused_without_revealing_where(tree, users, tmp_path):
    number = make_id("19800101", 8)
    make_member(tree.branch_c, name="张伟", id_number=number)
    result = run(users.roster_admin, write_xlsx(tmp_path / "x.xlsx", [member_row(身份证号=number)]), commit=True)
    assert (
        result.invalid == 1 and "管理范围以外" in result.errors[0].message and "丙支部" not in result.errors[0].message
    )
    assert Member.objects.count() == 1


def test_member_of_another_branch_in_scope_needs_a_transfer(tree, users, tmp_path):
    number = make_id("19800101", 9)
    make_member(tree.branch_b, name="张伟", id_number=number)
    result = run(users.roster_admin, write_xlsx(tmp_path / "x.xlsx", [member_row(身份证号=number)]))
    assert "组织关系转接" in result.errors[0].message and "乙支部" in result.errors[0].message


def test_known_number_under_another_name_is_reported(tree, users, tmp_path):
    number = make_id("19800101", 10)
    make_member(tree.branch_a, name="张三", id_number=number)
    result = run(users.roster_admin, write_xlsx(tmp_path / "x.xlsx", [member_row(身份证号=number)]))
    assert "姓名（张三）不一致" in result.errors[0].message


def test_update_changes_only_what_differs_and_commits(tree, users, tmp_path):
    rows = [member_row(姓名=f"党员{i}", 身份证号=make_id("19800101", 20 + i)) for i in range(3)]
    run(users.roster_admin, write_xlsx(tmp_path / "a.xlsx", rows), commit=True)
    rows[1]["联系电话"] = "13900139000"
    result = run(users.roster_admin, write_xlsx(tmp_path / "b.xlsx", rows), commit=True)
    assert (result.new, result.updated, result.unchanged) == (0, 1, 2)
    assert Member.objects.get(name="党员1").phone == "13900139000"


def test_organization_outside_scope_is_refused(tree, users, tmp_path):
    result = run(users.roster_admin, write_xlsx(tmp_path / "a.xlsx", [member_row(所在党组织="丙支部")]))
    assert result.errors[0].column == "所在党组织" and "不在您的管理范围内" in result.errors[0].message


def test_commit_is_atomic(tree, users, tmp_path, monkeypatch):
    run(
        users.roster_admin, write_xlsx(tmp_path / "a.xlsx", [member_row(身份证号=make_id("19800101", 30))]), commit=True
    )
    rows = [
        member_row(身份证号=make_id("19800101", 30), 联系电话="13900139000"),
        member_row(姓名="新人", 身份证号=make_id("19800101", 31)),
    ]

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(write, "_pg_update", boom)
    monkeypatch.setattr(Member.objects, "bulk_update", boom)
    with pytest.raises(RuntimeError):
        run(users.roster_admin, write_xlsx(tmp_path / "b.xlsx", rows), commit=True)
    assert list(Member.objects.values_list("name", "phone")) == [("张伟", "13800138000")]


def test_legacy_15_digit_number_is_flagged_for_review(users, tmp_path):
    result = run(users.roster_admin, write_xlsx(tmp_path / "a.xlsx", [member_row(身份证号="340524800101001")]))
    assert result.invalid == 1 and "15位旧号码" in result.errors[0].message


def test_gender_and_birth_date_must_agree_with_id(users, tmp_path):
    row = member_row(性别="女", 出生日期="1980-02-01", 身份证号=make_id("19800101", 1))
    result = run(users.roster_admin, write_xlsx(tmp_path / "a.xlsx", [row]))
    assert {e.column for e in result.errors} == {"性别", "出生日期"}


def test_branch_secretary_cannot_import(users, tmp_path):
    with pytest.raises(PermissionDenied):
        run(users.secretary_a, write_xlsx(tmp_path / "a.xlsx", [member_row()]))


def test_missing_header_is_refused(users, tmp_path):
    path = tmp_path / "noheader.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["随便", "什么"])
    wb.save(path)
    with pytest.raises(ImportRefused, match="没有找到表头行"):
        run(users.roster_admin, path)


# -- limits and unsafe files ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.xlsm", b"PK\x03\x04xxxx", "启用宏"),
        ("a.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1xxxx", ".xls"),
        ("a.txt", b"hello", "不支持的文件类型"),
        ("a.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "已加密"),
        ("a.xlsx", b"this is not a workbook", "损坏"),
        ("a.xlsx", b"PK\x03\x04" + b"\0" * 100, "损坏"),
        ("a.csv", b"PK\x03\x04" + b"\0" * 100, "不是文本表格"),
        ("a.xlsx", b"", "空"),
    ],
)
def test_bad_files_refused_before_parsing(users, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImportRefused, match=message):
        run(users.roster_admin, path)


def _xlsx_with_extra(tmp_path, name, extra: dict[str, bytes], replace: dict[str, bytes] | None = None):
    src = write_xlsx(tmp_path / "src.xlsx", [member_row()])
    out = tmp_path / name
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, (replace or {}).get(item.filename, zin.read(item.filename)))
        for part, data in extra.items():
            zout.writestr(part, data)
    return out


def test_macro_inside_renamed_xlsx_is_refused(users, tmp_path):
    path = _xlsx_with_extra(tmp_path, "renamed.xlsx", {"xl/vbaProject.bin": b"\0" * 64})
    with pytest.raises(ImportRefused, match="宏"):
        run(users.roster_admin, path)


def test_zip_bomb_refused_from_the_zip_directory(users, tmp_path):
    path = _xlsx_with_extra(tmp_path, "bomb.xlsx", {"xl/media/pad.bin": b"\0" * (20 * 1024 * 1024)})
    assert path.stat().st_size < 1024 * 1024
    with pytest.raises(ImportRefused, match="压缩炸弹"):
        run(users.roster_admin, path)


def test_total_uncompressed_size_limit(users, tmp_path, monkeypatch):
    path = write_xlsx(tmp_path / "a.xlsx", [member_row()])
    real = files.get_int_param
    monkeypatch.setattr(files, "get_int_param", lambda k: 0 if k == "member_import_max_unzipped_mb" else real(k))
    with pytest.raises(ImportRefused, match="解压后"):
        run(users.roster_admin, path)


def test_dtd_entities_refused(users, tmp_path):
    src = write_xlsx(tmp_path / "src.xlsx", [member_row()])
    with zipfile.ZipFile(src) as z:
        wb_xml = z.read("xl/workbook.xml")
    evil = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>' + (
        wb_xml.split(b"?>", 1)[1] if b"?>" in wb_xml else wb_xml
    )
    path = _xlsx_with_extra(tmp_path, "evil.xlsx", {}, replace={"xl/workbook.xml": evil})
    with pytest.raises(ImportRefused, match="不安全"):
        run(users.roster_admin, path)


def test_file_size_and_row_limits(users, tmp_path, monkeypatch):
    path = write_xlsx(tmp_path / "a.xlsx", [member_row(身份证号=make_id("19800101", i)) for i in range(5)])
    real = files.get_int_param
    monkeypatch.setattr(write, "get_int_param", lambda k: 3 if k == "member_import_max_rows" else real(k))
    with pytest.raises(ImportRefused, match="超过3行"):
        run(users.roster_admin, path)
    monkeypatch.setattr(files, "get_int_param", lambda k: 0 if k == "member_import_max_mb" else real(k))
    with pytest.raises(ImportRefused, match="文件过大"):
        run(users.roster_admin, path)


def test_openpyxl_fallback_reader_gives_same_rows(tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", [member_row()], title_rows=1)
    fast, slow = list(files._read_xlsx(path).rows), list(files._read_xlsx_openpyxl(path).rows)
    assert len(fast) == len(slow) == 3
    for (n1, r1), (n2, r2) in zip(fast, slow, strict=True):
        assert n1 == n2
        assert [c for c in r1 if c != ""] == [c for c in r2 if c != ""]


def test_two_row_merged_header_and_instructions_sheet_in_front(tree, users, tmp_path):
    path = tmp_path / "two_row_header.xlsx"
    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "填写说明"
    notes.append(["请按要求填写"])
    ws = wb.create_sheet("花名册")
    ws.append(["甲支部党员花名册"])
    ws.append(["姓名", "身份证号", "所在党组织", "入党时间", None, "人员类别"])
    ws.append([None, None, None, "入党日期", "转正日期", None])
    for col in ("A", "B", "C", "F"):
        ws.merge_cells(f"{col}2:{col}3")
    ws.merge_cells("D2:E2")
    ws.append(["张伟", "'" + make_id("19800101", 40), "B000A", "2005-07-01", "2006-07-01", "正式党员"])
    wb.save(path)
    result = run(users.roster_admin, path, commit=True)
    assert (result.new, result.invalid) == (1, 0), errors_of(result)
    member = Member.objects.get()
    assert member.joined_on == datetime.date(2005, 7, 1) and member.confirmed_on == datetime.date(2006, 7, 1)
