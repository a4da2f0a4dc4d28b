"""Roster import: file checks, table reading, the one row-cleaning function, matching and the atomic write.

Two callers, one set of rules:
- ``member_import(...)``: the service behind the import page, the Celery task and ``manage.py import_members``.
  It reads the whole file with python-calamine, cleans every row with ``clean_member_row``, checks
  duplicates and the roster in bulk (by the ID number's HMAC), and writes with COPY / set-based UPDATE on
  PostgreSQL (bulk_create / bulk_update elsewhere) inside one transaction.
- ``resources.MemberResource`` (django-import-export, used by the admin): its per-row hook calls the same
  ``clean_member_row``.
"""

from __future__ import annotations

import collections
import contextlib
import csv
import datetime
import gc
import hashlib
import io
import itertools
import re
import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.params import get_int_param, register
from apps.core.scoping import ensure_perm, user_scope_path

from . import normalize as nz
from .choices import Category, MemberStatus
from .services import EDITABLE_FIELDS, member_rules
from .validators import IdInfo, normalize_id_number, validate_id_number, validate_phone

register("member_import_max_mb", "20", "党员导入：上传文件大小上限（MB）")
register("member_import_max_rows", "200000", "党员导入：单个文件数据行数上限")
register("member_import_max_unzipped_mb", "300", "党员导入：.xlsx 解压后总大小上限（MB），防止压缩炸弹")
register("member_import_async_rows", "3000", "党员导入：超过此行数（按文件大小估算）转后台任务执行")

MAX_COMPRESSION_RATIO = 200
ERRORS_PREVIEW_LIMIT = 500
HEADER_SCAN_ROWS = 30
CHUNK_ROWS = 5000


class ImportRefused(Exception):
    """The whole file is refused (type, size, macro, encryption, corruption, no header). Message in Chinese."""


# ---------------------------------------------------------------------------------------------------------
# Columns. The template uses the first header of each entry; the others are what real 花名册 call them.
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    headers: tuple[str, ...]
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("name", ("姓名", "党员姓名"), required=True),
    Column("gender", ("性别",)),
    Column("ethnicity", ("民族",)),
    Column("birth_date", ("出生日期", "出生年月", "出生年月日", "生日")),
    Column("id_number", ("身份证号", "公民身份号码", "身份证号码", "身份证", "证件号码"), required=True),
    Column("native_place", ("籍贯",)),
    Column("education", ("学历", "文化程度", "最高学历", "全日制学历")),
    Column("phone", ("联系电话", "手机号", "手机号码", "手机", "电话", "联系方式")),
    Column("work_unit", ("工作单位", "单位", "工作单位及职务")),
    Column("position", ("职务", "现任职务", "行政职务")),
    Column("occupation_category", ("工作岗位类别", "工作岗位", "人员身份", "职业类别")),
    Column("category", ("人员类别", "党员类别", "党员类型", "正式/预备")),
    Column("joined_on", ("入党日期", "入党时间", "加入党组织日期")),
    Column("confirmed_on", ("转正日期", "转正时间")),
    Column("organization", ("所在党组织", "所在党支部", "党组织", "所属党组织", "所属支部", "党支部", "组织代码")),
    Column("party_group", ("所在党小组", "党小组")),
    Column("party_post", ("党内职务",)),
    Column("status", ("党籍状态", "状态")),
    Column("mobile_state", ("流动党员", "流动状态", "是否流动党员")),
    Column("mobile_place", ("流出/流入地", "流出地", "流入地", "流向")),
    Column("mobile_since", ("流动开始日期", "外出日期", "流出日期")),
    Column("mobile_contact", ("流动期间联系方式",)),
    Column("lost_contact", ("失联党员", "是否失联")),
    Column("lost_contact_since", ("失联日期", "失去联系日期")),
    Column("lost_contact_reason", ("失联原因", "失去联系原因")),
    Column("points", ("积分",)),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
TEMPLATE_HEADERS = [c.headers[0] for c in COLUMNS]
IGNORED_HEADERS = {"序号", "编号", "备注", "NO", "NO.", "#"}

_HEADER_CLEAN = re.compile(r"[\s*＊:：()（）\[\]【】]|必填|选填")


def _header_key(text: Any) -> str:
    return _HEADER_CLEAN.sub("", nz.clean_text(text))


_HEADER_LOOKUP = {_header_key(h): c.key for c in COLUMNS for h in c.headers}
# Fields a member row stores and compares for "unchanged".
MEMBER_FIELDS = (
    *(f"{f}_id" if f == "party_group" else f for f in EDITABLE_FIELDS),  # what anyone may edit, as columns
    "organization_id",
    "status",
)
_FIELD_FOR_KEY = {"organization": "organization_id"}


# ---------------------------------------------------------------------------------------------------------
# File checks, before any parsing.
# ---------------------------------------------------------------------------------------------------------

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


def check_file(path: str | Path, file_name: str) -> str:
    """Refuse what must not be parsed; return "xlsx" or "csv". Reads only the zip directory and a few bytes."""
    path = Path(path)
    size = path.stat().st_size
    max_mb = get_int_param("member_import_max_mb")
    if size > max_mb * 1024 * 1024:
        raise ImportRefused(
            _("文件过大（%(s).1f MB），上限为 %(m)s MB，请拆分后分批导入。") % {"s": size / 1048576, "m": max_mb}
        )
    if size == 0:
        raise ImportRefused(_("文件是空的。"))
    suffix = Path(file_name).suffix.lower()
    with path.open("rb") as fh:
        head = fh.read(8)
    if suffix == ".xlsm" or suffix == ".xltm":
        raise ImportRefused(_("不接受启用宏的工作簿（.xlsm），请另存为 .xlsx 后再导入。"))
    if suffix == ".xls":
        raise ImportRefused(_("不支持旧版 .xls 格式，请在 Excel 中另存为 .xlsx 后再导入。"))
    if suffix == ".csv":
        if head.startswith(ZIP_MAGIC) or head.startswith(OLE_MAGIC):
            raise ImportRefused(_("文件扩展名是 .csv，但内容不是文本表格，请检查文件。"))
        return "csv"
    if suffix != ".xlsx":
        raise ImportRefused(_("不支持的文件类型“%(s)s”，请上传 .xlsx 或 .csv 文件。") % {"s": suffix or _("无扩展名")})
    if head.startswith(OLE_MAGIC):
        # An OOXML workbook saved with a password is an OLE compound file holding EncryptedPackage.
        raise ImportRefused(_("工作簿已加密（设置了打开密码）或不是 .xlsx 格式，请取消密码、另存为 .xlsx 后再导入。"))
    if not head.startswith(ZIP_MAGIC):
        raise ImportRefused(_("文件已损坏或不是有效的 .xlsx 工作簿。"))
    _check_zip(path)
    return "xlsx"


def _check_zip(path: Path) -> None:
    import defusedxml.ElementTree as SafeET

    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > 10_000:
                raise ImportRefused(_("工作簿结构异常（包含的部件过多），拒绝解析。"))
            total = sum(i.file_size for i in infos)
            limit = get_int_param("member_import_max_unzipped_mb") * 1024 * 1024
            if total > limit:
                raise ImportRefused(
                    _("工作簿解压后达 %(t)s MB，超过上限 %(m)s MB（疑似压缩炸弹），拒绝解析。")
                    % {"t": total // 1048576, "m": limit // 1048576}
                )
            for info in infos:
                if info.compress_size and info.file_size / info.compress_size > MAX_COMPRESSION_RATIO:
                    raise ImportRefused(_("工作簿中有部件压缩比异常（疑似压缩炸弹），拒绝解析。"))
            names = {i.filename for i in infos}
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                raise ImportRefused(_("工作簿包含宏（VBA），请另存为不含宏的 .xlsx 后再导入。"))
            if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
                raise ImportRefused(_("文件已损坏或不是有效的 .xlsx 工作簿。"))
            for name in names:
                if name.endswith((".xml", ".rels")):
                    with zf.open(name) as part:
                        start = part.read(4096)
                    # A DTD is the door to entity expansion and external entities: no workbook needs one.
                    if b"<!DOCTYPE" in start or b"<!ENTITY" in start:
                        raise ImportRefused(_("工作簿包含不安全的 XML 声明（DTD/实体），拒绝解析。"))
            content_types = SafeET.fromstring(zf.read("[Content_Types].xml"))
            if any("macroEnabled" in (el.get("ContentType") or "") for el in content_types):
                raise ImportRefused(_("不接受启用宏的工作簿（.xlsm），请另存为 .xlsx 后再导入。"))
            SafeET.fromstring(zf.read("xl/workbook.xml"))
    except ImportRefused:
        raise
    except (zipfile.BadZipFile, KeyError, EOFError, OSError, ValueError) as exc:
        raise ImportRefused(_("文件已损坏或不是有效的 .xlsx 工作簿。")) from exc
    except Exception as exc:  # defusedxml's DTDForbidden/EntitiesForbidden, ParseError
        raise ImportRefused(_("工作簿中的 XML 无法安全解析，拒绝导入。")) from exc


# ---------------------------------------------------------------------------------------------------------
# Reading a table: rows of cell values with the row numbers a spreadsheet shows.
# ---------------------------------------------------------------------------------------------------------


@dataclass
class Table:
    """A sheet as a stream of (row number as the spreadsheet shows it, cells)."""

    rows: Iterator[tuple[int, list[Any]]]
    sheet_name: str = ""
    estimated_rows: int = 0


def read_table(path: str | Path, kind: str) -> Table:
    if kind == "csv":
        return _read_csv(Path(path))
    return _read_xlsx(Path(path))


def _read_csv(path: Path) -> Table:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportRefused(_("无法识别 CSV 文件的编码，请另存为 UTF-8 编码的 CSV 或 .xlsx。"))
    del raw
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    return Table(rows=enumerate(csv.reader(io.StringIO(text), dialect), start=1), estimated_rows=text.count("\n"))


def _read_xlsx(path: Path) -> Table:
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:  # pragma: no cover - calamine is a requirement; openpyxl is the fallback
        return _read_xlsx_openpyxl(path)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = _roster_sheet(workbook)
        merged = list(sheet.merged_cell_ranges or [])
        first_row, first_col = sheet.start or (0, 0)
        cells = sheet.iter_rows()
    except Exception as exc:
        raise ImportRefused(_("工作簿无法读取（文件损坏或格式异常）：%(e)s") % {"e": str(exc)[:200]}) from exc

    def rows() -> Iterator[tuple[int, list[Any]]]:
        pad = [""] * first_col
        for index, row in enumerate(cells, start=first_row):
            yield index + 1, (pad + row) if pad else row

    return Table(rows=_fill_merged(rows(), merged), sheet_name=sheet.name, estimated_rows=sheet.height)


def _roster_sheet(workbook: Any) -> Any:
    """The first visible worksheet with a roster header (a 填写说明 sheet in front is skipped)."""
    first = None
    for index, meta in enumerate(workbook.sheets_metadata):
        if "Visible" not in str(meta.visible) or "WorkSheet" not in str(meta.typ):
            continue
        sheet = workbook.get_sheet_by_index(index)
        first = first or sheet
        head = list(itertools.islice(sheet.iter_rows(), HEADER_SCAN_ROWS))
        try:
            find_header(head)
        except ImportRefused:
            continue
        return sheet
    return first or workbook.get_sheet_by_index(0)


def _read_xlsx_openpyxl(path: Path) -> Table:
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    sheet = workbook.worksheets[0]

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, ["" if v is None else v for v in row]
        finally:
            workbook.close()

    return Table(rows=rows(), sheet_name=sheet.title, estimated_rows=sheet.max_row or 0)


def _fill_merged(rows: Iterator[tuple[int, list[Any]]], merged: list[Any]) -> Iterator[tuple[int, list[Any]]]:
    """Every cell of a merged range takes the value of its top-left cell (a merged 所在党组织 column, say)."""
    if not merged:
        yield from rows
        return
    starts: dict[int, list[tuple[int, int, int]]] = {}
    for (r0, c0), (r1, c1) in merged:
        starts.setdefault(r0 + 1, []).append((r1 + 1, c0, c1))
    active: list[tuple[int, int, int, Any]] = []
    for number, row in rows:
        for r1, c0, c1 in starts.get(number, ()):
            active.append((r1, c0, c1, row[c0] if c0 < len(row) else ""))
        if active:
            active = [a for a in active if a[0] >= number]
            for _r1, c0, c1, value in active:
                if len(row) <= c1:
                    row = row + [""] * (c1 + 1 - len(row))
                for c in range(c0, c1 + 1):
                    row[c] = value
        yield number, row


def find_header(rows: list[list[Any]]) -> tuple[int, dict[int, str], list[str]]:
    """(index of the header row, {column index: key}, unknown headers). Title rows above are skipped."""
    best: tuple[int, dict[int, str], list[str]] | None = None
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        mapping: dict[int, str] = {}
        unknown: list[str] = []
        for col, cell in enumerate(row):
            key = _header_key(cell)
            if not key:
                continue
            column_key = _HEADER_LOOKUP.get(key)
            if column_key and column_key not in mapping.values():
                mapping[col] = column_key
            elif key.upper() not in IGNORED_HEADERS and not column_key:
                unknown.append(nz.clean_text(cell))
        if len(mapping) >= 2 and (best is None or len(mapping) > len(best[1])):
            best = (index, mapping, unknown)
    if best is None or not {"name", "id_number"} <= set(best[1].values()):
        raise ImportRefused(
            _("没有找到表头行：前%(n)s行中应有一行包含“姓名”和“身份证号”列。请使用导入模板。") % {"n": HEADER_SCAN_ROWS}
        )
    return best


# ---------------------------------------------------------------------------------------------------------
# The one place every row rule lives.
# ---------------------------------------------------------------------------------------------------------


def _message(exc: ValidationError) -> str:
    """The first message; the traceback is dropped. Django's ValidationError is a reference cycle
    (error_list = [self]) that only the cyclic GC frees, and its traceback would keep this chunk's frames
    (and every row in them) alive until then."""
    exc.__traceback__ = None
    return exc.messages[0]


class RowContext:
    """What cleaning needs besides the row: the importer's organization resolver, today, memo caches.

    Low-cardinality columns (民族, 学历, 党组织, dates …) repeat a lot; each converter is memoized per value,
    which is where most of the speed of a 100k-row import comes from.
    """

    def __init__(self, *, scope_path: str, today: datetime.date | None = None) -> None:
        self.today = today or timezone.localdate()
        self.resolver = nz.OrganizationResolver(scope_path)
        self._memo: dict[str, dict[Any, tuple[Any, str | None]]] = collections.defaultdict(dict)
        self.memos = self._memo
        self._groups: dict[tuple[int, str], Any] = {}

    def lookup(self, key: str, func: Callable[[Any], Any], value: Any) -> tuple[Any, str | None]:
        """(converted value, None) or (None, Chinese message), memoized per column and cell value."""
        memo = self._memo[key]
        try:
            hit = memo.get(value)
        except TypeError:  # unhashable
            hit = None
        if hit is None:
            try:
                hit = (func(value), None)
            except ValidationError as exc:
                hit = (None, _message(exc))
            if len(memo) < 300_000:
                memo[value] = hit
        return hit

    def convert(self, key: str, func: Callable[[Any], Any], value: Any) -> Any:
        result, message = self.lookup(key, func, value)
        if message is not None:
            raise ValidationError(message)
        return result

    def party_group(self, organization: Any, value: Any) -> Any:
        text = nz.clean_text(value)
        if not text:
            return None
        key = (organization.pk, text)
        if key not in self._groups:
            from apps.organizations.models import Organization

            group = (
                Organization.objects.filter(parent=organization, kind="party_group", is_active=True)
                .filter(models_q_code_or_name(text))
                .first()
            )
            self._groups[key] = group
        group = self._groups[key]
        if group is None:
            raise ValidationError(
                _("党小组“%(v)s”不是%(o)s下的党小组。") % {"v": text, "o": organization.name}, code="group"
            )
        return group


def models_q_code_or_name(text: str) -> Any:
    from django.db.models import Q

    return Q(code=text) | Q(name=text)


def _strip_formula_guard(value: Any) -> Any:
    # Our own export prefixes an apostrophe to cells a spreadsheet would run as formulas; undo it on the way in.
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        return value[1:]
    return value


def _text(limit: int) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        text = nz.clean_text(_strip_formula_guard(value))
        if len(text) > limit:
            raise ValidationError(_("内容过长（%(n)s字），最多%(m)s字。") % {"n": len(text), "m": limit})
        return text

    return convert


_TEXT_LIMITS = {"native_place": 100, "work_unit": 100, "position": 50, "mobile_place": 100, "mobile_contact": 100}
_TEXT_CONVERTERS = {k: _text(n) for k, n in _TEXT_LIMITS.items()}
_CODE_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "gender": nz.gender_code,
    "ethnicity": nz.ethnicity_code,
    "education": nz.education_code,
    "occupation_category": nz.occupation_code,
    "category": nz.category_code,
    "party_post": nz.party_post_code,
    "status": nz.status_code,
    "mobile_state": nz.mobile_state_code,
    "lost_contact": nz.parse_bool,
    "lost_contact_reason": nz.lost_contact_reason_code,
    "points": nz.parse_int,
}
_NUMERIC_ID = re.compile(r"\d(\.\d+)?E\+?\d+", re.IGNORECASE)


def _phone(value: Any) -> str:
    return validate_phone(value) if nz.clean_text(value) else ""


def _name(value: Any) -> str:
    name = nz.clean_name(_strip_formula_guard(value))
    if not name:
        raise ValidationError(_("请填写姓名。"))
    if len(name) > 50:
        raise ValidationError(_("姓名过长（最多50字）。"))
    return name


_DATE_KEYS = ("birth_date", "joined_on", "confirmed_on", "mobile_since", "lost_contact_since")
# column key -> (memo name, converter); dates share one memo (the same cell text is the same date anywhere).
_CONVERTER_BY_KEY: dict[str, tuple[str, Callable[[Any], Any]]] = {
    **{k: (k, f) for k, f in [*_CODE_CONVERTERS.items(), *_TEXT_CONVERTERS.items(), ("phone", _phone)]},
    **{k: ("date", nz.parse_date) for k in _DATE_KEYS},
}


def clean_member_row(raw: dict[str, Any], ctx: RowContext) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Clean one row (the admin / django-import-export path): ``clean_member_rows`` with a batch of one."""
    return clean_member_rows([raw], ctx)[0]


def clean_member_rows(
    raws: list[dict[str, Any]], ctx: RowContext
) -> list[tuple[dict[str, Any], list[tuple[str, str]]]]:
    """Clean rows — every import rule is here or called from here (validators, normalize, member_rules).

    ``raws`` map column keys (see COLUMNS) to cell values, all with the keys of the columns the file has.
    Returns, per row, (values, errors): ``values`` uses model field names plus ``id_number`` (normalized)
    and ``organization`` (the instance); ``errors`` is a list of (column key, Chinese message).
    Simple columns are converted column by column through per-value memos (a 100k-row file has a few
    thousand distinct 民族/学历/日期 values); the rest is per row.
    """
    if not raws:
        return []
    out: list[tuple[dict[str, Any], list[tuple[str, str]]]] = [({}, []) for _raw in raws]
    month_only = _convert_columns(raws, out, ctx)
    return [
        _clean_row(raw, values, errors, month_only_birth, ctx)
        for raw, (values, errors), month_only_birth in zip(raws, out, month_only, strict=True)
    ]


def _convert_columns(
    raws: list[dict[str, Any]], out: list[tuple[dict[str, Any], list[tuple[str, str]]]], ctx: RowContext
) -> list[bool]:
    """Name and every memoizable column, one column at a time; returns the 出生年月 (month only) flags."""
    lookup = ctx.lookup
    month_only = [False] * len(raws)
    keys = [("name", ("name", _name))] + [(k, c) for k, c in _CONVERTER_BY_KEY.items() if k in raws[0]]
    for key, (memo_key, func) in keys:
        get = ctx.memos[memo_key].get
        column = [raw.get(key, "") for raw in raws]
        try:
            results = [get(value) or lookup(memo_key, func, value) for value in column]
        except TypeError:  # an unhashable cell: go the slow way
            results = [lookup(memo_key, func, value) for value in column]
        is_date = memo_key == "date"
        for (values, errors), (result, message) in zip(out, results, strict=True):
            if message is not None:
                errors.append((key, message))
            else:
                values[key] = result[0] if is_date else result
        if key == "birth_date":
            month_only = [message is None and result[1] for result, message in results]
    return month_only


def _clean_row(
    raw: dict[str, Any],
    values: dict[str, Any],
    errors: list[tuple[str, str]],
    month_only_birth: bool,
    ctx: RowContext,
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    def fail(key: str, message: str) -> None:
        errors.append((key, message))

    info: IdInfo | None = None
    id_cell = raw.get("id_number")
    if isinstance(id_cell, (int, float)) and not isinstance(id_cell, bool):
        fail("id_number", _("身份证号被 Excel 存成了数字，末几位已丢失：该列请设置为文本格式后重新填写。"))
    elif isinstance(id_cell, str) and _NUMERIC_ID.fullmatch(id_cell.strip()):
        fail(
            "id_number",
            _("身份证号是科学计数法（%(v)s），末几位已丢失：该列请设置为文本格式后重新填写。") % {"v": id_cell},
        )
    else:
        number = normalize_id_number(id_cell)
        values["id_number"] = number
        if "*" in number:
            fail("id_number", _("身份证号是打码后的号码（含*），请填写完整号码（完整号码只有党员信息管理员能导出）。"))
        else:
            try:  # unique per row: nothing to memoize
                info = validate_id_number(number, today=ctx.today, normalized=True)
            except ValidationError as exc:
                fail("id_number", _message(exc))

    if info is not None and month_only_birth:
        # 出生年月 (year and month only): the ID number gives the day when year and month agree.
        born = values.get("birth_date")
        if born and (born.year, born.month) == (info.birth_date.year, info.birth_date.month):
            values["birth_date"] = info.birth_date

    if not values.get("category"):
        if "category" in raw or "confirmed_on" in raw:
            if values.get("confirmed_on"):
                values["category"] = Category.FULL
            else:
                fail("category", _("请填写人员类别（正式党员或预备党员）。"))
        else:
            values["category"] = Category.FULL
    if "status" in values and not values["status"]:
        values["status"] = MemberStatus.ACTIVE

    org = None
    if "organization" in raw:
        try:
            org = ctx.convert("organization", ctx.resolver.resolve, raw["organization"])
        except ValidationError as exc:
            fail("organization", _message(exc))
    else:
        fail("organization", _("缺少“所在党组织”列。"))
    values["organization"] = org
    if org is not None and "party_group" in raw:
        try:
            group = ctx.party_group(org, raw["party_group"])
            values["party_group"] = group
            values["party_group_id"] = group.pk if group else None
        except ValidationError as exc:
            fail("party_group", _message(exc))

    # Cross-field rules live in services.member_rules (forms, API and both import paths call it).
    if not errors and org is not None:  # the common case: no copy needed
        for key, message in member_rules(values, today=ctx.today).items():
            fail(key, message)
        return values, errors
    failed = {key for key, _m in errors}
    check = {k: v for k, v in values.items() if k not in failed and not (k == "organization" and v is None)}
    for key, message in member_rules(check, today=ctx.today).items():
        if key not in failed:
            fail(key, message)
    values.update(check)
    return values, errors


# ---------------------------------------------------------------------------------------------------------
# The service.
# ---------------------------------------------------------------------------------------------------------


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ImportResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    total: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)
    committed: bool = False
    timings: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "invalid": self.invalid,
            "errors": [e.as_dict() for e in self.errors],
        }


class _Row:
    """A cleaned row, kept compact (keys tuple shared by all rows of the same shape + a values tuple):
    100k rows as dicts would cost ~100 MB more."""

    __slots__ = ("changes", "data", "existing_id", "hash", "keys", "number")

    def __init__(self, number: int, values: dict[str, Any], key_pool: dict[tuple[str, ...], tuple[str, ...]]) -> None:
        keys = tuple(values)
        self.keys = key_pool.setdefault(keys, keys)
        self.data = tuple(values.values())
        self.number = number
        self.hash = ""
        self.existing_id: int | None = None
        self.changes: dict[str, Any] | None = None

    @property
    def values(self) -> dict[str, Any]:
        return dict(zip(self.keys, self.data, strict=True))


def _column_label(key: str, header_names: dict[str, str]) -> str:
    return header_names.get(key) or COLUMN_BY_KEY[key].headers[0] if key in COLUMN_BY_KEY else key


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def member_import(
    *,
    acting_user: Any,
    path: str | Path,
    file_name: str,
    commit: bool,
    progress: Callable[[int, int], None] | None = None,
    today: datetime.date | None = None,
) -> ImportResult:
    """Validate a roster file and, with ``commit``, write it atomically (all valid rows or nothing).

    Rows are matched by ID number: a new number is a new member; a known one in the same organization is
    updated (or unchanged). Duplicates inside the file, numbers held by a member outside the importer's
    scope or in another organization, and a known number under another name are reported, never merged.
    """
    # A 100k-row file makes millions of long-lived small objects: with the default thresholds the cyclic GC
    # rescans them over and over. Collect the young generation rarely instead (not never: Django's
    # ValidationError is a reference cycle, error_list = [self], and would otherwise keep its frames alive).
    thresholds = gc.get_threshold()
    gc.set_threshold(200_000, 50, 1_000)
    try:
        return _member_import(
            acting_user=acting_user, path=path, file_name=file_name, commit=commit, progress=progress, today=today
        )
    finally:
        gc.set_threshold(*thresholds)


def _member_import(
    *,
    acting_user: Any,
    path: str | Path,
    file_name: str,
    commit: bool,
    progress: Callable[[int, int], None] | None,
    today: datetime.date | None,
) -> ImportResult:
    ensure_perm(acting_user, "members.add_member")
    ensure_perm(acting_user, "members.change_member")
    scope_path = user_scope_path(acting_user)
    if scope_path is None:
        raise ImportRefused(_("您没有所属党组织，不能导入党员。"))
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    kind = check_file(path, file_name)
    table = read_table(path, kind)
    head = list(itertools.islice(table.rows, HEADER_SCAN_ROWS))
    header_index, mapping, unknown = find_header([cells for _n, cells in head])
    header_row = head[header_index][1]
    header_names = {key: nz.clean_text(header_row[col]) for col, key in mapping.items()}
    items = list(mapping.items())
    max_rows = get_int_param("member_import_max_rows")
    estimated = max(table.estimated_rows - header_index - 1, 0)
    result = ImportResult(ignored_headers=unknown, timings=timings)
    ctx = RowContext(scope_path=scope_path, today=today)
    good: list[_Row] = []
    bad_rows: set[int] = set()
    pending: list[tuple[int, dict[str, Any]]] = []
    key_pool: dict[tuple[str, ...], tuple[str, ...]] = {}

    def clean_pending() -> None:
        # Organizations named in this chunk are fetched in one go, then every row is cleaned.
        ctx.resolver.prepare(raw.get("organization") for _n, raw in pending)
        cleaned = clean_member_rows([raw for _n, raw in pending], ctx)
        for (number, _raw), (values, errors) in zip(pending, cleaned, strict=True):
            if errors:
                bad_rows.add(number)
                result.errors.extend(RowError(number, _column_label(k, header_names), m) for k, m in errors)
            else:
                good.append(_Row(number, values, key_pool))
        pending.clear()
        if progress:
            progress(result.total, max(estimated, result.total))

    for number, row in itertools.chain(head[header_index + 1 :], table.rows):
        width = len(row)
        raw = {key: row[col] if col < width else "" for col, key in items}
        filled = [v for v in raw.values() if v != "" and v is not None]
        # Blank rows (trailing or in between) are not data; nor is a one-cell footnote such as 制表人：…
        if not filled or (len(filled) == 1 and not raw.get("id_number") and not raw.get("name")):
            continue
        pending.append((number, raw))
        result.total += 1
        if result.total > max_rows:
            raise ImportRefused(_("数据超过%(m)s行，请拆分后分批导入（或使用命令行导入）。") % {"m": max_rows})
        if len(pending) >= CHUNK_ROWS:
            clean_pending()
    clean_pending()
    del head, table
    if not result.total:
        raise ImportRefused(_("表头下面没有数据行。"))
    timings["read_and_clean"] = time.perf_counter() - clock

    clock = time.perf_counter()
    _match(good, result, bad_rows, acting_user, scope_path, header_names, set(mapping.values()))
    timings["match"] = time.perf_counter() - clock
    result.invalid = len(bad_rows)
    result.errors.sort(key=lambda e: e.row)
    todo = [r for r in good if r.number not in bad_rows]
    new_rows = [r for r in todo if r.existing_id is None]
    changed = [r for r in todo if r.existing_id is not None and r.changes]
    result.new, result.updated = len(new_rows), len(changed)
    result.unchanged = len(todo) - len(new_rows) - len(changed)
    if progress:
        progress(result.total, result.total)
    if commit and (new_rows or changed):
        clock = time.perf_counter()
        _write(new_rows, changed)
        timings["write"] = time.perf_counter() - clock
        result.committed = True
    return result


def _match(
    rows: list[_Row],
    result: ImportResult,
    bad_rows: set[int],
    user: Any,
    scope_path: str,
    header_names: dict[str, str],
    present: set[str],
) -> None:
    from .crypto import blind_index
    from .models import Member

    id_label = _column_label("id_number", header_names)
    by_hash: dict[str, list[_Row]] = {}
    for row in rows:
        row.hash = blind_index(row.data[row.keys.index("id_number")])
        by_hash.setdefault(row.hash, []).append(row)
    for same in by_hash.values():
        if len(same) > 1:
            numbers = [r.number for r in same]
            for row in same:
                others = "、".join(str(n) for n in numbers if n != row.number)
                result.errors.append(
                    RowError(
                        row.number, id_label, _("身份证号与文件中第%(o)s行重复，请核对后只保留一行。") % {"o": others}
                    )
                )
                bad_rows.add(row.number)

    hashes = list(by_hash)
    compared = [
        f
        for f in MEMBER_FIELDS
        if f in ("gender", "birth_date", "name", "organization_id")
        or ("party_group" if f == "party_group_id" else f) in present
    ]
    wanted = tuple(dict.fromkeys(("id", "id_hash", "org_path", "status", *compared)))
    # The roster is read in chunks of hashes and compared at once, so a 100k re-import never holds 100k
    # members in memory.
    for start in range(0, len(hashes), 5000):
        existing: dict[str, list[dict[str, Any]]] = {}
        for found in _by_hashes(Member, hashes[start : start + 5000]).values(*wanted):
            existing.setdefault(found["id_hash"], []).append(found)
        for row_hash, candidates in existing.items():
            for row in by_hash[row_hash]:
                if row.number not in bad_rows:
                    _compare(row, candidates, result, bad_rows, scope_path, present, id_label)


def _by_hashes(model: Any, hashes: list[str]) -> Any:
    if connection.vendor == "postgresql":
        # One array parameter instead of 5,000 placeholders: less to send, parse and plan.
        table = model._meta.db_table
        return model.objects.extra(where=[f'"{table}"."id_hash" = ANY(%s)'], params=[hashes])
    return model.objects.filter(id_hash__in=hashes)


def _compare(
    row: _Row,
    candidates: list[dict[str, Any]],
    result: ImportResult,
    bad_rows: set[int],
    scope_path: str,
    present: set[str],
    id_label: str,
) -> None:
    values = row.values
    match, message = roster_conflict(candidates, values, scope_path)
    if message:
        result.errors.append(RowError(row.number, id_label, message))
        bad_rows.add(row.number)
        return
    if match is None:
        return
    row.existing_id = match["id"]
    changes = {}
    for key, value in values.items():
        field_name = _FIELD_FOR_KEY.get(key, key)
        if field_name in ("organization_id", "id_number") or field_name not in match:
            continue
        column = "party_group" if key == "party_group_id" else key
        if column not in present and key not in ("gender", "birth_date"):
            continue  # a default for new members (category, status), not something the file says
        if match[field_name] != value:
            changes[field_name] = value
    if "category" in changes or "joined_on" in changes:
        changes["probation_ends_on"] = _probation_end({**match, **values})
    row.changes = changes or None


def roster_conflict(
    candidates: list[dict[str, Any]], values: dict[str, Any], scope_path: str
) -> tuple[dict[str, Any] | None, str | None]:
    """Which roster row a file row updates (None: a new member), or why it must not be merged.

    ``candidates`` are the members with the row's ID hash (dicts with id, name, org_path, status,
    organization_id). A match is an active member, else a former member of the same organization.
    """
    org = values["organization"]
    active = [c for c in candidates if c["status"] == MemberStatus.ACTIVE]
    same_org = [c for c in candidates if c["organization_id"] == org.pk]
    match = active[0] if active else (max(same_org, key=lambda c: c["id"]) if same_org else None)
    if match is None:
        return None, None  # only former members elsewhere: this is a new active member
    if not (match["org_path"] or "").startswith(scope_path):
        return match, _("该身份证号已登记在您管理范围以外的党组织，不能导入；如需转入请办理组织关系转接。")
    if match["organization_id"] != org.pk:
        from apps.organizations.models import Organization

        name = Organization.objects.filter(pk=match["organization_id"]).values_list("name", flat=True).first()
        return match, _("该党员已在“%(o)s”的名册中；更换党组织请办理组织关系转接，不能通过导入修改。") % {"o": name}
    if match["name"] != values["name"]:
        return match, _("身份证号与名册中已有党员的姓名（%(n)s）不一致，请核对。") % {"n": match["name"]}
    if "status" in values and values["status"] != match["status"]:
        return match, _("党籍状态变更（停止党籍、出党、恢复党籍等）请在党员详情页办理，不能通过导入修改。")
    return match, None


def _member_columns() -> list[Any]:
    from .models import Member

    return [f for f in Member._meta.concrete_fields if f.attname != "id"]


def _member_records(rows: list[_Row], now: datetime.datetime) -> Iterator[list[Any]]:
    """Every column of each new member row, in ``_member_columns()`` order: defaults, the row's values, the
    ID number's ciphertext/key id/HMAC/mask, the organization's path, probation end, timestamps."""
    from apps.core.pii import mask_id_number

    from .crypto import encrypt

    fields = _member_columns()
    index = {f.attname: i for i, f in enumerate(fields)}
    base = [f.get_default() for f in fields]
    base[index["created_at"]] = base[index["updated_at"]] = now
    i_org, i_path, i_hash, i_masked = index["organization_id"], index["org_path"], index["id_hash"], index["id_masked"]
    i_enc, i_key, i_probation = index["id_number_enc"], index["id_key_id"], index["probation_ends_on"]
    i_category, i_joined = index["category"], index["joined_on"]
    for row in rows:
        record = base.copy()
        for key, value in zip(row.keys, row.data, strict=True):
            position = index.get(key)
            if position is not None:
                record[position] = value
        values = dict(zip(row.keys, row.data, strict=True))
        org, number = values["organization"], values["id_number"]
        record[i_key], record[i_enc] = encrypt(number)
        record[i_org], record[i_path] = org.pk, org.path
        record[i_hash], record[i_masked] = row.hash, mask_id_number(number)
        if record[i_category] == Category.PROBATIONARY and record[i_joined]:
            record[i_probation] = _probation_end(values)
        yield record


def _probation_end(values: dict[str, Any]) -> datetime.date | None:
    from apps.organizations.models import add_years

    if values.get("category") == Category.PROBATIONARY and values.get("joined_on"):
        return add_years(values["joined_on"], 1)
    return None


@transaction.atomic
def _write(new_rows: list[_Row], changed: list[_Row]) -> None:
    from .models import Member

    now = timezone.now()
    records = _member_records(new_rows, now)
    if connection.vendor == "postgresql":
        _pg_insert(records)
        _pg_update(changed, now)
    else:
        attnames = [f.attname for f in _member_columns()]
        Member.objects.bulk_create(
            (Member(**dict(zip(attnames, rec, strict=True))) for rec in records), batch_size=1000
        )
        current = {}
        for ids in chunks([r.existing_id for r in changed], 2000):
            current.update(Member.objects.in_bulk(ids))
        fields: set[str] = set()
        objs = []
        for row in changed:
            obj = current[row.existing_id]
            for name, value in row.changes.items():
                setattr(obj, name, value)
            obj.updated_at = now
            fields.update(row.changes)
            objs.append(obj)
        if objs:
            Member.objects.bulk_update(objs, [*sorted(fields), "updated_at"], batch_size=500)


def _pg_insert(records: Iterator[list[Any]]) -> None:
    from .models import Member

    table = Member._meta.db_table
    cols = ", ".join(f'"{f.column}"' for f in _member_columns())
    with connection.cursor() as cursor, cursor.cursor.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
        write = copy.write_row
        for record in records:
            write(record)


def _pg_update(rows: list[_Row], now: datetime.datetime) -> None:
    if not rows:
        return
    from .models import Member

    table = Member._meta.db_table
    fields = sorted({f for r in rows for f in r.changes})
    meta = {f.attname: f for f in Member._meta.concrete_fields}
    cols = ["id", *fields]
    # Each row sets only the fields it changes: the others are copied back from the member itself.
    with connection.cursor() as cursor:
        cursor.execute(
            f'CREATE TEMP TABLE _member_import ON COMMIT DROP AS SELECT {", ".join(cols)} FROM "{table}" WITH NO DATA'
        )
        cursor.execute("ALTER TABLE _member_import ADD COLUMN _set text[]")
        with cursor.cursor.copy(f"COPY _member_import ({', '.join(cols)}, _set) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row.existing_id, *[row.changes.get(f) for f in fields], list(row.changes)])
        assignments = ", ".join(
            f"{meta[f].column} = CASE WHEN '{f}' = ANY(t._set) THEN t.{meta[f].column} ELSE m.{meta[f].column} END"
            for f in fields
        )
        cursor.execute(
            f'UPDATE "{table}" m SET {assignments}, updated_at = %s FROM _member_import t WHERE m.id = t.id',
            [now],
        )


def chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# ---------------------------------------------------------------------------------------------------------
# Jobs: the import history row, preview and confirm, the error report.
# ---------------------------------------------------------------------------------------------------------


def member_import_job_create(*, acting_user: Any, uploaded: Any) -> Any:
    """Store an uploaded file as a job (status pending). The file itself is checked when the job runs."""
    from django.core.files.base import File

    from .import_models import MemberImportJob

    ensure_perm(acting_user, "members.add_member")
    if acting_user.organization_id is None and not acting_user.is_superuser:
        raise ValidationError({"file": _("您没有所属党组织，不能导入党员。")})
    max_mb = get_int_param("member_import_max_mb")
    if uploaded.size > max_mb * 1024 * 1024:
        raise ValidationError(
            {
                "file": _("文件过大（%(s).1f MB），上限为 %(m)s MB，请拆分后分批导入。")
                % {"s": uploaded.size / 1048576, "m": max_mb}
            }
        )
    suffix = Path(uploaded.name).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        hint = {
            ".xlsm": _("不接受启用宏的工作簿（.xlsm），请另存为 .xlsx 后再导入。"),
            ".xls": _("不支持旧版 .xls 格式，请在 Excel 中另存为 .xlsx 后再导入。"),
        }
        raise ValidationError({"file": hint.get(suffix, _("不支持的文件类型，请上传 .xlsx 或 .csv 文件。"))})
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    organization = acting_user.organization
    if organization is None:  # a superuser without an organization imports at the top of the tree
        from apps.organizations.models import Organization

        organization = Organization.objects.filter(parent__isnull=True).order_by("id").first()
    job = MemberImportJob(
        organization=organization,
        created_by=acting_user,
        file_name=Path(uploaded.name).name[:255],
        file_size=uploaded.size,
        sha256=digest.hexdigest(),
    )
    uploaded.seek(0)
    job.file.save(job.file_name, File(uploaded), save=False)
    try:
        # Type, macros, encryption, zip bomb, unsafe XML: refused on the upload form, before any parsing.
        check_file(job.file.path, job.file_name)
    except ImportRefused as exc:
        job.file.delete(save=False)
        raise ValidationError({"file": str(exc)}) from exc
    job.save()
    return job


def member_import_job_run(*, job_id: int) -> Any:
    """Run a job's preview (dry run) or, once confirmed, its commit. Called by the task and inline."""
    from .import_models import MemberImportJob

    job = MemberImportJob.objects.select_related("created_by", "organization").get(pk=job_id)
    commit = job.commit_requested
    job.status = MemberImportJob.Status.IMPORTING if commit else MemberImportJob.Status.VALIDATING
    job.started_at = timezone.now()
    job.processed_rows = 0
    job.save(update_fields=["status", "started_at", "processed_rows"])

    def progress(done: int, total: int) -> None:
        MemberImportJob.objects.filter(pk=job.pk).update(processed_rows=done, total_rows=total)

    try:
        with _local_copy(job.file) as path:
            result = member_import(
                acting_user=job.created_by, path=path, file_name=job.file_name, commit=commit, progress=progress
            )
    except ImportRefused as exc:
        job.status, job.message = MemberImportJob.Status.FAILED, str(exc)
    except Exception as exc:  # a job must end in a state the page can show
        job.status = MemberImportJob.Status.FAILED
        job.message = _("导入失败，未写入任何数据：%(e)s") % {"e": str(exc)[:300]}
        if not isinstance(exc, (ValidationError, PermissionError)):
            import logging

            logging.getLogger(__name__).exception("member import job %s failed", job.pk)
    else:
        job.total_rows = job.processed_rows = result.total
        job.new_count, job.updated_count = result.new, result.updated
        job.unchanged_count, job.invalid_count = result.unchanged, result.invalid
        job.errors_preview = [e.as_dict() for e in result.errors[:ERRORS_PREVIEW_LIMIT]]
        if result.ignored_headers:
            job.message = _("以下列无法识别，已忽略：%(h)s") % {"h": "、".join(result.ignored_headers)}
        if result.errors:
            job.error_report.save(f"errors-{job.pk}.xlsx", _error_report(result.errors), save=False)
        if commit:
            job.status = MemberImportJob.Status.DONE
            _audit_job(job)
        else:
            job.status = MemberImportJob.Status.PREVIEWED
    job.finished_at = timezone.now()
    job.save()
    return job


@contextlib.contextmanager
def _local_copy(field_file: Any) -> Iterator[Path]:
    """A filesystem path for the stored upload (a temporary copy when storage is remote)."""
    try:
        yield Path(field_file.path)
        return
    except NotImplementedError:
        pass
    suffix = Path(field_file.name).suffix
    with tempfile.NamedTemporaryFile(suffix=suffix) as tmp, field_file.open("rb") as src:
        shutil.copyfileobj(src, tmp)
        tmp.flush()
        yield Path(tmp.name)


def member_import_job_confirm(*, acting_user: Any, job: Any) -> Any:
    from .import_models import MemberImportJob

    ensure_perm(acting_user, "members.add_member")
    if job.created_by_id != acting_user.pk:
        raise ValidationError(_("只能确认自己上传的导入。"))
    if not job.can_confirm:
        raise ValidationError(_("该导入当前不能确认（状态：%(s)s）。") % {"s": job.get_status_display()})
    updated = MemberImportJob.objects.filter(pk=job.pk, status=MemberImportJob.Status.PREVIEWED).update(
        commit_requested=True, status=MemberImportJob.Status.PENDING
    )
    if not updated:
        raise ValidationError(_("该导入已在处理中。"))
    job.refresh_from_db()
    member_import_job_start(job=job)
    return job


def member_import_job_start(*, job: Any) -> None:
    """Small files run inline (the page shows the preview at once); large ones go to Celery."""
    from .tasks import member_import_task

    threshold_bytes = get_int_param("member_import_async_rows") * 120  # ~120 bytes a row in a zipped sheet
    if job.file_size <= threshold_bytes:
        member_import_job_run(job_id=job.pk)
        job.refresh_from_db()
    else:
        transaction.on_commit(lambda: member_import_task.delay(job.pk))


def _audit_job(job: Any) -> None:
    from apps.core.audit import audit_record

    audit_record(
        actor=job.created_by,
        event="member.import",
        obj=job,
        org_path=job.organization.path,
        action="create",
        note=_("导入%(f)s：新增%(n)s，更新%(u)s，未变化%(s)s，有错误%(i)s")
        % {
            "f": job.file_name,
            "n": job.new_count,
            "u": job.updated_count,
            "s": job.unchanged_count,
            "i": job.invalid_count,
        },
    )


def _error_report(errors: list[RowError]) -> Any:
    from django.core.files.base import ContentFile
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("错误清单"))
    sheet.append([_("行号"), _("列"), _("错误信息")])
    for error in errors:
        sheet.append([error.row, error.column, error.message])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return ContentFile(buffer.getvalue())
