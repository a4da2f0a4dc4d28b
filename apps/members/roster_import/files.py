"""Roster import, step 1: the uploaded file. Type, size, zip-bomb and macro checks before any parsing; reading the
table (python-calamine, merged cells filled, CSV in any common encoding)."""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from apps.core.params import get_int_param, register

from .. import normalize as nz
from .columns import _HEADER_LOOKUP, IGNORED_HEADERS, _header_key

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


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
