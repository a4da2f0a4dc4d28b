"""Roster import, step 1: the uploaded file. Type, size, zip-bomb and macro checks before any parsing; reading the
table (python-calamine, merged cells filled, CSV in any common encoding)."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from apps.core.params import get_int_param
from apps.core.uploads import UploadRefused, check_ooxml, read_sheet_isolated, read_workbook_isolated

from .. import normalize as nz
from .columns import _HEADER_LOOKUP, IGNORED_HEADERS, _header_key

MAX_COMPRESSION_RATIO = 200
MAX_COLUMNS = 200
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
    """The core upload gate's package checks: structure, macros, DTD/entities in every part (streamed in
    full), and each worksheet's used range (``<dimension>`` and the actual cell references, streamed)
    against the row and column limits before anything allocates a grid."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportRefused(_("文件已损坏或不是有效的 .xlsx 工作簿。")) from exc
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise ImportRefused(_("文件已损坏或不是有效的 .xlsx 工作簿。"))
    try:
        check_ooxml(
            path,
            spreadsheet=True,
            max_rows=get_int_param("member_import_max_rows") + HEADER_SCAN_ROWS,
            max_cols=MAX_COLUMNS,
            max_unzipped_bytes=get_int_param("member_import_max_unzipped_mb") * 1024 * 1024,
        )
    except UploadRefused as exc:
        raise ImportRefused(exc.text) from exc


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
    """Parsed by python-calamine in a child process with an address-space limit (apps.core.uploads): a
    workbook that makes the parser blow up kills the child, not the web server or the worker."""
    try:
        index = _roster_sheet_index(path)
        sheet = read_sheet_isolated(path, index)
    except UploadRefused as exc:
        raise ImportRefused(exc.text) from exc
    merged = list(sheet.merged)
    first_row, first_col = sheet.start
    cells = sheet.rows

    def rows() -> Iterator[tuple[int, list[Any]]]:
        pad = [""] * first_col
        for index, row in enumerate(cells, start=first_row):
            yield index + 1, (pad + row) if pad else row

    return Table(rows=_fill_merged(rows(), merged), sheet_name=sheet.name, estimated_rows=sheet.height)


def _roster_sheet_index(path: Path) -> int:
    """The first visible worksheet with a roster header (a 填写说明 sheet in front is skipped)."""
    with zipfile.ZipFile(path) as zf:
        sheet_parts = [n for n in zf.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
    if len(sheet_parts) <= 1:
        return 0
    heads = read_workbook_isolated(path, header_rows=HEADER_SCAN_ROWS).sheets
    for sheet in heads:
        try:
            find_header(sheet["rows"])
        except ImportRefused:
            continue
        return sheet["index"]
    return heads[0]["index"] if heads else 0


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
