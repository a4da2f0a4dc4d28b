"""Finding 2 and 10: the upload and spreadsheet gate in core; parsing isolated with a memory limit."""

from __future__ import annotations

import io
import time
import zipfile

import pytest

from apps.core.uploads import UploadRefused, check_upload, read_workbook_isolated

from .conftest import sparse_xlsx


def _write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_2kb_workbook_with_a_cell_at_xfd1048576_is_refused_quickly(tmp_path):
    data = sparse_xlsx("XFD1048576")
    assert len(data) < 2500
    path = _write(tmp_path, "roster.xlsx", data)
    started = time.monotonic()
    with pytest.raises(UploadRefused) as exc:
        check_upload(path, filename="roster.xlsx", kinds={"xlsx"})
    assert time.monotonic() - started < 1.0
    assert "使用范围过大" in exc.value.text and "XFD1048576" in exc.value.text


def test_a_far_column_at_a_low_row_is_refused_too(tmp_path):
    path = _write(tmp_path, "roster.xlsx", sparse_xlsx("XFD2000"))
    with pytest.raises(UploadRefused, match="列"):
        check_upload(path, filename="roster.xlsx", kinds={"xlsx"})


def test_a_normal_workbook_passes_and_parses_in_a_child_process(tmp_path):
    path = _write(tmp_path, "roster.xlsx", sparse_xlsx("B3", header=("姓名", "性别")))
    assert check_upload(path, filename="roster.xlsx", kinds={"xlsx", "csv"}) == "xlsx"
    result = read_workbook_isolated(path)
    assert result.sheets[0]["rows"][0][:2] == ["姓名", "性别"]
    assert result.peak_rss_kb > 0


def test_a_parser_blow_up_kills_only_the_memory_limited_child(tmp_path):
    """Bypassing the gate on purpose: the XFD1048576 cell makes calamine try to allocate the whole grid.
    The child hits its address-space limit and dies; the caller gets a clear refusal and does not grow."""
    path = _write(tmp_path, "bomb.xlsx", sparse_xlsx("XFD1048576"))
    limit_mb = 256
    started = time.monotonic()
    before = _own_rss_kb()
    with pytest.raises(UploadRefused) as exc:
        read_workbook_isolated(path, memory_mb=limit_mb, timeout=60)
    assert "解析失败" in exc.value.text or "无法读取" in exc.value.text
    assert exc.value.peak_rss_kb < limit_mb * 1024  # 0: the child died before it could report
    assert _own_rss_kb() - before < 64 * 1024  # the grid was never built in the caller
    assert time.monotonic() - started < 30


def _own_rss_kb() -> int:
    with open("/proc/self/status", encoding="ascii") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:"))


def test_the_childs_peak_is_its_own_not_the_callers(tmp_path):
    """Linux carries a parent's high-water RSS into a forked child's ru_maxrss, so a big caller (a long
    test worker, a gunicorn worker) made a small parse look huge; the child reports its own VmHWM."""
    ballast = bytearray(300 * 1024 * 1024)
    ballast[::4096] = b"\x01" * len(ballast[::4096])  # touch every page: the caller's RSS is now ≥ 300 MB
    path = _write(tmp_path, "roster.xlsx", sparse_xlsx("B3", header=("姓名", "性别")))
    result = read_workbook_isolated(path)
    del ballast
    assert 0 < result.peak_rss_kb < 200 * 1024


def _with_part(name: str, body: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(sparse_xlsx("B2")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            zf.writestr(info, src.read(info.filename) if info.filename != name else body)
    return out.getvalue()


def test_xml_safety_check_reads_the_whole_part_not_the_first_4kb(tmp_path):
    padded = (
        b'<?xml version="1.0"?>' + b"<!-- " + b"x" * 20000 + b" -->"
        b'<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>'
    )
    path = _write(tmp_path, "padded.xlsx", _with_part("xl/workbook.xml", padded))
    with pytest.raises(UploadRefused, match="DTD"):
        check_upload(path, filename="padded.xlsx", kinds={"xlsx"})


def test_type_is_by_content_not_extension(tmp_path):
    html = _write(tmp_path, "a.xlsx", b"<html><script>alert(1)</script></html>")
    with pytest.raises(UploadRefused, match="不符"):
        check_upload(html, filename="a.xlsx", kinds={"xlsx"})
    csv_zip = _write(tmp_path, "a.csv", sparse_xlsx("B2"))
    with pytest.raises(UploadRefused):
        check_upload(csv_zip, filename="a.csv", kinds={"csv"})
    macro = _write(tmp_path, "a.xlsm", sparse_xlsx("B2"))
    with pytest.raises(UploadRefused, match="宏"):
        check_upload(macro, filename="a.xlsm", kinds={"xlsx"})


def test_size_and_csv_row_limits(tmp_path):
    big = _write(tmp_path, "a.csv", b"a,b\n" * 10)
    with pytest.raises(UploadRefused, match="过大"):
        check_upload(big, filename="a.csv", kinds={"csv"}, max_bytes=10)
    with pytest.raises(UploadRefused, match="行数过多"):
        check_upload(big, filename="a.csv", kinds={"csv"}, max_rows=5)
    assert check_upload(big, filename="a.csv", kinds={"csv"}) == "csv"
