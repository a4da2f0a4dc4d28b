"""One gate for every upload, and spreadsheet parsing that cannot take the web server down.

``check_upload(path, filename=..., kinds=...)``
    The real type by content (magic bytes, zip structure), not by extension; the size; for .xlsx the
    whole package: part count, unzipped size, compression ratios, no macros, no DTD/entities anywhere
    (every XML part streamed in full), and the used range of every worksheet — the ``<dimension>`` and
    the actual ``r=`` cell and row references — streamed from the sheet XML *before* any parser allocates
    a grid. Anything over the row/column limits is refused with a Chinese message.

``read_workbook_isolated(path)`` / ``read_csv_rows``
    The parse itself runs in a child Python process with an address-space limit (RLIMIT_AS) and a
    timeout. If the parser blows up, only the child dies; the caller gets ``UploadRefused`` with a
    message, so a job ends as failed, never stuck.

New apps call these two; see apps/members/roster_import and apps/responsibility for examples.
"""

from __future__ import annotations

import os
import pickle
import re
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_ROWS = 100_000
DEFAULT_MAX_COLS = 200
MAX_ZIP_PARTS = 2_000
MAX_UNZIPPED_BYTES = 300 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
CHUNK = 256 * 1024
MAX_TAG_BYTES = 64 * 1024

PARSE_MEMORY_MB = int(os.environ.get("SHEET_PARSE_MEMORY_MB", "1024"))
PARSE_TIMEOUT_S = int(os.environ.get("SHEET_PARSE_TIMEOUT_S", "300"))


class UploadRefused(ValidationError):
    """A file the gate will not let through; ``str(exc.messages[0])`` is the Chinese reason."""

    peak_rss_kb = 0

    def __init__(self, message: str) -> None:
        super().__init__(message, code="upload_refused")

    @property
    def text(self) -> str:
        return str(self.messages[0])


# ---------------------------------------------------------------------------------------------------------
# Type by content
# ---------------------------------------------------------------------------------------------------------

#: kind -> accepted extensions
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "pdf": (".pdf",),
    "png": (".png",),
    "jpeg": (".jpg", ".jpeg"),
    "gif": (".gif",),
    "xlsx": (".xlsx",),
    "docx": (".docx",),
    "pptx": (".pptx",),
    "ole": (".doc", ".xls", ".ppt", ".wps", ".et"),
    "ofd": (".ofd",),
    "csv": (".csv",),
    "txt": (".txt",),
}


def kind_for_extension(ext: str) -> str | None:
    ext = "." + ext.lower().lstrip(".")
    return next((kind for kind, exts in EXTENSIONS.items() if ext in exts), None)


DOCUMENT_KINDS = frozenset({"pdf", "png", "jpeg", "gif", "docx", "xlsx", "pptx", "ole", "ofd"})
SPREADSHEET_KINDS = frozenset({"xlsx", "csv"})


def sniff_kind(path: Path) -> str:
    """What the bytes are: pdf/png/jpeg/gif/ole/xlsx/docx/pptx/zip/text/unknown."""
    with path.open("rb") as fh:
        head = fh.read(8192)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(OLE_MAGIC):
        return "ole"
    if head.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return "unknown"
        if "[Content_Types].xml" in names:
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "word/document.xml" in names:
                return "docx"
            if "ppt/presentation.xml" in names:
                return "pptx"
        if "OFD.xml" in names:
            return "ofd"
        return "zip"
    if b"\x00" in head:
        return "unknown"
    lowered = head.lstrip().lower()
    if lowered.startswith((b"<!doctype", b"<html", b"<svg", b"<?xml", b"<script")) or b"<script" in lowered:
        return "markup"
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            return "text"
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 4:  # a character cut at the 8 KB boundary
                return "text"
    return "unknown"


def check_upload(
    path: str | Path,
    *,
    filename: str,
    kinds: frozenset[str] | set[str],
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_cols: int = DEFAULT_MAX_COLS,
) -> str:
    """Refuse what must not be stored or parsed; return the kind ("xlsx", "csv", "pdf", ...)."""
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise UploadRefused(_("文件是空的。"))
    if size > max_bytes:
        raise UploadRefused(
            _("文件过大（%(s).1f MB），上限为 %(m).0f MB。") % {"s": size / 1048576, "m": max_bytes / 1048576}
        )
    suffix = Path(filename).suffix.lower()
    if suffix in (".xlsm", ".xltm", ".docm", ".pptm"):
        raise UploadRefused(_("不接受启用宏的文件，请另存为不含宏的格式后再上传。"))
    kind = next((k for k in kinds if suffix in EXTENSIONS.get(k, ())), None)
    if kind is None:
        allowed = "、".join(sorted({e for k in kinds for e in EXTENSIONS.get(k, ())}))
        raise UploadRefused(_("不支持的文件类型“%(s)s”，允许：%(a)s。") % {"s": suffix or _("无扩展名"), "a": allowed})
    actual = sniff_kind(path)
    expected = {"csv": "text", "txt": "text"}.get(kind, kind)
    if actual != expected:
        if kind == "xlsx" and actual == "ole":
            raise UploadRefused(
                _("工作簿已加密（设置了打开密码）或是旧版 .xls 格式，请取消密码、另存为 .xlsx 后再上传。")
            )
        raise UploadRefused(
            _("文件内容与扩展名“%(s)s”不符（文件已损坏、被改名或不是该格式），拒绝接收。") % {"s": suffix}
        )
    if kind in ("xlsx", "docx", "pptx"):
        check_ooxml(path, spreadsheet=kind == "xlsx", max_rows=max_rows, max_cols=max_cols)
    elif kind == "csv":
        check_csv(path, max_rows=max_rows, max_cols=max_cols)
    return kind


def check_uploaded_file(uploaded: Any, *, kinds: frozenset[str] | set[str], **limits: Any) -> str:
    """``check_upload`` for a Django UploadedFile (copied to a temporary file when held in memory)."""
    temp_path = getattr(uploaded, "temporary_file_path", None)
    if temp_path is not None:
        return check_upload(temp_path(), filename=uploaded.name, kinds=kinds, **limits)
    with tempfile.NamedTemporaryFile(suffix=Path(uploaded.name).suffix) as tmp:
        uploaded.seek(0)
        for chunk in uploaded.chunks():
            tmp.write(chunk)
        tmp.flush()
        uploaded.seek(0)
        return check_upload(tmp.name, filename=uploaded.name, kinds=kinds, **limits)


# The first bytes of each kind, for a quick, clearly worded refusal before the full check.
_QUICK_MAGIC = {"pdf": b"%PDF", "jpeg": b"\xff\xd8\xff", "png": b"\x89PNG", "ole": OLE_MAGIC[:4], "xlsx": ZIP_MAGIC,
                "docx": ZIP_MAGIC, "pptx": ZIP_MAGIC, "ofd": ZIP_MAGIC}  # fmt: skip


def check_attachment(file: Any, *, allowed_types: Any, max_mb: int, field: str | None = None) -> None:
    """An attachment (ledger minutes, letter answers, vouchers, service evidence …) against an app's own
    allow-list and size limit (usually rule parameters), then the gate: type by content, whole-package checks.

    Only kinds the gate recognises by content are ever allowed, whatever the parameter says (an "html" or
    "svg" entry never lets markup through). Errors name the file; with ``field`` they sit on that field.
    """
    name = getattr(file, "name", "") or ""
    ext = Path(name).suffix.lower().lstrip(".")
    allowed = [e.strip().lower().lstrip(".") for e in allowed_types if e and e.strip()]
    allowed = [e for e in allowed if kind_for_extension(e)]

    def refuse(message: str) -> ValidationError:
        return ValidationError({field: message}) if field else ValidationError(message)

    if ext not in allowed:
        raise refuse(
            _("附件类型不允许：%(name)s。允许的类型：%(types)s。") % {"name": name, "types": "、".join(allowed)}
        )
    size = getattr(file, "size", 0) or 0
    if size > max_mb * 1024 * 1024:
        raise refuse(_("附件「%(name)s」超过 %(mb)d MB 的大小上限。") % {"name": name, "mb": max_mb})
    if size == 0:
        raise refuse(_("附件「%(name)s」是空文件。") % {"name": name})
    magic = _QUICK_MAGIC.get(kind_for_extension(ext) or "")
    if magic and hasattr(file, "read"):
        pos = file.tell() if hasattr(file, "tell") else 0
        file.seek(0)
        head = file.read(8)
        file.seek(pos)
        if not head.startswith(magic):
            raise refuse(_("附件「%(name)s」的内容与扩展名不符。") % {"name": name})
    if hasattr(file, "chunks") and not getattr(file, "_committed", False):
        try:
            check_uploaded_file(file, kinds={kind_for_extension(ext)}, max_bytes=max_mb * 1024 * 1024)
        except UploadRefused as exc:
            raise refuse(_("附件「%(name)s」：%(e)s") % {"name": name, "e": exc.text}) from exc


# ---------------------------------------------------------------------------------------------------------
# OOXML packages: structure, XML safety (whole parts, streamed), worksheet used range (streamed)
# ---------------------------------------------------------------------------------------------------------

_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_CELL_OR_ROW_REF = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(c|row)\s[^>]*?(?<=\s)r\s*=\s*[\"']([A-Za-z]*)0*([0-9]+)[\"']")
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\s[^>]*?ref\s*=\s*[\"']([^\"']*)[\"']")
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_REF = re.compile(r"^\$?([A-Za-z]{1,4})\$?([0-9]{1,8})$")


def column_number(letters: str | bytes) -> int:
    if isinstance(letters, bytes):
        letters = letters.decode("ascii")
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n


def column_letters(n: int) -> str:
    out = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


@dataclass
class SheetRange:
    max_row: int = 0
    max_col: int = 0
    row_tags: int = 0
    cell_tags: int = 0
    dimension: str = ""
    notes: list[str] = field(default_factory=list)


def _iter_tag_chunks(stream: Any, part_name: str) -> Any:
    """Chunks that end on a tag boundary (the text after the last '<' is carried to the next chunk)."""
    carry = b""
    first = True
    while True:
        block = stream.read(CHUNK)
        if first:
            first = False
            if block[:2] in (b"\xff\xfe", b"\xfe\xff") or block[:2] == b"<\x00":
                raise UploadRefused(_("工作簿中的 XML 部件编码异常（%(p)s），拒绝解析。") % {"p": part_name})
        if not block:
            if carry:
                yield carry
            return
        data = carry + block
        cut = data.rfind(b"<")
        if cut <= 0:
            carry, chunk = b"", data
        else:
            chunk, carry = data[:cut], data[cut:]
        if len(carry) > MAX_TAG_BYTES:
            raise UploadRefused(_("工作簿中的 XML 部件结构异常（%(p)s），拒绝解析。") % {"p": part_name})
        yield chunk


def scan_xml_part(zf: zipfile.ZipFile, name: str, *, sheet: bool) -> SheetRange:
    """Stream one part in full: refuse a DTD/entity anywhere; for worksheets, the used range."""
    rng = SheetRange()
    with zf.open(name) as stream:
        for chunk in _iter_tag_chunks(stream, name):
            if _DTD.search(chunk):
                raise UploadRefused(_("文件包含不安全的 XML 声明（DTD/实体），拒绝解析。"))
            if not sheet:
                continue
            if not rng.dimension:
                m = _DIMENSION.search(chunk)
                if m:
                    rng.dimension = m.group(1).decode("ascii", "replace")[:40]
            rng.row_tags += len(_ROW_TAG.findall(chunk))
            rng.cell_tags += len(_CELL_TAG.findall(chunk))
            for _tag, letters, digits in _CELL_OR_ROW_REF.findall(chunk):
                if len(digits) > 8:
                    rng.max_row = 10**9
                    continue
                row = int(digits)
                if row > rng.max_row:
                    rng.max_row = row
                if letters:
                    col = column_number(letters) if len(letters) <= 4 else 10**6
                    if col > rng.max_col:
                        rng.max_col = col
    return rng


def _dimension_extent(ref: str) -> tuple[int, int]:
    last = ref.split(":")[-1].strip()
    m = _REF.match(last)
    if not m:
        return 0, 0
    return int(m.group(2)), column_number(m.group(1))


def check_ooxml(
    path: Path, *, spreadsheet: bool, max_rows: int, max_cols: int, max_unzipped_bytes: int = MAX_UNZIPPED_BYTES
) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ZIP_PARTS:
                raise UploadRefused(_("文件结构异常（包含的部件过多），拒绝解析。"))
            total = sum(i.file_size for i in infos)
            if total > max_unzipped_bytes:
                raise UploadRefused(
                    _("文件解压后达 %(t)s MB，超过上限 %(m)s MB（疑似压缩炸弹），拒绝解析。")
                    % {"t": total // 1048576, "m": max_unzipped_bytes // 1048576}
                )
            for info in infos:
                if info.compress_size and info.file_size / info.compress_size > MAX_COMPRESSION_RATIO:
                    raise UploadRefused(_("文件中有部件压缩比异常（疑似压缩炸弹），拒绝解析。"))
                if info.flag_bits & 0x1:
                    raise UploadRefused(_("文件中有加密的部件，拒绝解析。"))
            names = [i.filename for i in infos]
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                raise UploadRefused(_("文件包含宏（VBA），请另存为不含宏的格式后再上传。"))
            for name in names:
                if name.lower().endswith((".xml", ".rels", ".vml")):
                    is_sheet = spreadsheet and name.startswith("xl/worksheets/") and name.endswith(".xml")
                    rng = scan_xml_part(zf, name, sheet=is_sheet)
                    if is_sheet:
                        _check_range(name, rng, max_rows=max_rows, max_cols=max_cols)
            ctypes = zf.read("[Content_Types].xml")
            if b"macroEnabled" in ctypes:
                raise UploadRefused(_("不接受启用宏的文件，请另存为不含宏的格式后再上传。"))
    except UploadRefused:
        raise
    except (zipfile.BadZipFile, KeyError, EOFError, OSError, ValueError, NotImplementedError) as exc:
        raise UploadRefused(_("文件已损坏或格式无效。")) from exc


def _sheet_label(part: str) -> str:
    return Path(part).stem


def _check_range(part: str, rng: SheetRange, *, max_rows: int, max_cols: int) -> None:
    dim_rows, dim_cols = _dimension_extent(rng.dimension) if rng.dimension else (0, 0)
    rows = max(rng.max_row, dim_rows, rng.row_tags)
    cols = max(rng.max_col, dim_cols)
    if rows > max_rows or cols > max_cols or rng.cell_tags > max_rows * max_cols:
        where = column_letters(min(cols, 16384)) + str(min(rows, 10**7)) if cols else str(rows)
        raise UploadRefused(
            _(
                "工作表“%(s)s”的使用范围过大（延伸到 %(w)s，即%(r)d行、%(c)d列），超过上限（最多%(mr)d行、%(mc)d列）。"
                "请删除多余的空行空列（或把数据复制到新工作簿）后再上传。"
            )
            % {"s": _sheet_label(part), "w": where, "r": rows, "c": cols, "mr": max_rows, "mc": max_cols}
        )


def check_csv(path: Path, *, max_rows: int, max_cols: int) -> None:
    lines = 0
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            lines += block.count(b"\n")
            if b"\x00" in block:
                raise UploadRefused(_("CSV 文件中有二进制内容，不是文本表格。"))
    if lines > max_rows + 1:
        raise UploadRefused(
            _("CSV 文件行数过多（%(n)d行），上限为%(m)d行，请拆分后分批导入。") % {"n": lines, "m": max_rows}
        )


# ---------------------------------------------------------------------------------------------------------
# Parsing in a child process with an address-space limit
# ---------------------------------------------------------------------------------------------------------


@dataclass
class IsolatedResult:
    sheets: list[dict[str, Any]]
    peak_rss_kb: int
    seconds: float


@dataclass
class IsolatedSheet:
    """One worksheet parsed in a child process; ``rows`` streams chunks back from a temporary file."""

    name: str
    start: tuple[int, int]
    merged: list[Any]
    height: int
    rows: Iterator[list[Any]]
    peak_rss_kb: int


def _limit_memory(limit_bytes: int) -> Any:
    def apply() -> None:  # runs in the child between fork and exec
        resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def _run_child(path: str | Path, mode: str, arg: int, *, memory_mb: int | None, timeout: int | None) -> tuple[Any, int]:
    """Run the reader in a child limited to ``memory_mb`` of address space; return (its output file, peak RSS KB).

    A child that dies (memory limit, crash) or overruns ``timeout`` raises UploadRefused.
    """
    memory = (memory_mb or PARSE_MEMORY_MB) * 1024 * 1024
    timeout = timeout or PARSE_TIMEOUT_S
    root = str(Path(__file__).resolve().parents[2])
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the caller, who closes it
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "apps.core.sheet_reader", str(path), mode, str(arg)],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            preexec_fn=_limit_memory(memory),
            cwd=root,
            env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": root, "LANG": "C.UTF-8"},
        )
        status = _wait(proc, timeout)
        err.seek(0)
        tail = err.read()[-2000:].decode("utf-8", "replace")
        peak = _reported_peak(tail)
        if status != 0:
            out.close()
            if status is None:
                exc = UploadRefused(_("工作簿解析超时（超过%(t)d秒），请拆分文件后再导入。") % {"t": timeout})
            else:
                exc = UploadRefused(
                    _("工作簿无法读取（文件损坏或格式异常）。")
                    if "UNREADABLE:" in tail
                    else _(
                        "工作簿解析失败：解析进程超出内存上限或意外终止（文件可能含有异常的大范围单元格），"
                        "请检查文件后再导入。"
                    )
                )
            exc.peak_rss_kb = peak
            raise exc
    out.seek(0)
    return out, peak


def _reported_peak(stderr_tail: str) -> int:
    """The child's own peak RSS in KB, as it reported it on its way out (0 when it died before reporting)."""
    for line in reversed(stderr_tail.splitlines()):
        if line.startswith("PEAK_KB:"):
            value = line.split(":", 1)[1].strip()
            return int(value) if value.isdigit() else 0
    return 0


def read_workbook_isolated(
    path: str | Path, *, memory_mb: int | None = None, timeout: int | None = None, header_rows: int = 0
) -> IsolatedResult:
    """Every visible worksheet as ``{"index", "name", "start", "merged", "height", "rows"}`` (all rows, or
    the first ``header_rows`` rows of each to pick the right sheet cheaply), parsed in a limited child."""
    started = time.monotonic()
    mode, arg = ("heads", header_rows) if header_rows else ("all", 0)
    out, peak = _run_child(path, mode, arg, memory_mb=memory_mb, timeout=timeout)
    with out:
        sheets = pickle.load(out)
    return IsolatedResult(sheets=sheets, peak_rss_kb=peak, seconds=time.monotonic() - started)


def read_sheet_isolated(
    path: str | Path, index: int, *, memory_mb: int | None = None, timeout: int | None = None
) -> IsolatedSheet:
    """One worksheet (by index) parsed in a limited child; its rows come back lazily, chunk by chunk."""
    out, peak = _run_child(path, "sheet", index, memory_mb=memory_mb, timeout=timeout)
    meta = pickle.load(out)

    def rows() -> Iterator[list[Any]]:
        with out:
            while (chunk := pickle.load(out)) is not None:
                yield from chunk

    return IsolatedSheet(
        name=meta["name"],
        start=meta["start"],
        merged=meta["merged"],
        height=meta["height"],
        rows=rows(),
        peak_rss_kb=peak,
    )


def first_sheet_rows(data: bytes, *, filename: str = "upload.xlsx", **limits: Any) -> list[list[Any]]:
    """The gate and the isolated parse for a small upload held in memory: the first visible worksheet's
    rows, as a grid from A1 (leading empty rows and columns kept). For item imports and new apps."""
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as tmp:
        tmp.write(data)
        tmp.flush()
        check_upload(tmp.name, filename=filename, kinds={"xlsx"}, **limits)
        result = read_workbook_isolated(tmp.name)
    if not result.sheets:
        return []
    sheet = result.sheets[0]
    first_row, first_col = sheet["start"]
    pad = [""] * first_col
    return [[] for _ in range(first_row)] + [pad + row for row in sheet["rows"]]


def _wait(proc: subprocess.Popen, timeout: int) -> int | None:
    """The child's exit code, or None when it overran ``timeout`` (then it is killed)."""
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return None
