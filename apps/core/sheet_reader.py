"""Child-process entry point for ``apps.core.uploads`` (no Django here; runs under an address-space limit).

python -m apps.core.sheet_reader PATH heads N    → one pickle: visible worksheets with their first N rows
python -m apps.core.sheet_reader PATH sheet I    → pickles: the sheet's meta, then row chunks, then None
python -m apps.core.sheet_reader PATH all 0      → one pickle: every visible worksheet with all its rows
"""

from __future__ import annotations

import itertools
import pickle
import sys

CHUNK_ROWS = 5000


def _meta(index: int, sheet: object) -> dict:
    return {
        "index": index,
        "name": sheet.name,
        "start": tuple(sheet.start or (0, 0)),
        "merged": [tuple(map(tuple, r)) for r in (sheet.merged_cell_ranges or [])],
        "height": sheet.height,
    }


def peak_kb() -> int:
    """This process's own peak resident set (VmHWM of its address space). ``ru_maxrss`` as the parent reads
    it would not do: Linux carries the parent's high-water mark into a child over fork/exec."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _report_peak() -> None:
    sys.stderr.write(f"PEAK_KB: {peak_kb()}\n")


def main() -> int:
    path, mode, arg = sys.argv[1], sys.argv[2], int(sys.argv[3])
    out = sys.stdout.buffer
    try:
        from python_calamine import CalamineWorkbook

        workbook = CalamineWorkbook.from_path(path)
        visible = [
            i
            for i, meta in enumerate(workbook.sheets_metadata)
            if "Visible" in str(meta.visible) and "WorkSheet" in str(meta.typ)
        ]
        if mode == "sheet":
            sheet = workbook.get_sheet_by_index(arg)
            pickle.dump(_meta(arg, sheet), out, protocol=pickle.HIGHEST_PROTOCOL)
            rows = sheet.iter_rows()
            while chunk := [list(r) for r in itertools.islice(rows, CHUNK_ROWS)]:
                pickle.dump(chunk, out, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump(None, out)
            _report_peak()
            return 0
        sheets = []
        for index in visible:
            sheet = workbook.get_sheet_by_index(index)
            rows = sheet.iter_rows()
            if mode == "heads":
                rows = itertools.islice(rows, arg)
            sheets.append({**_meta(index, sheet), "rows": [list(r) for r in rows]})
    except MemoryError:
        raise
    except Exception as exc:
        sys.stderr.write(f"UNREADABLE: {type(exc).__name__}: {str(exc)[:500]}\n")
        return 3
    pickle.dump(sheets, out, protocol=pickle.HIGHEST_PROTOCOL)
    _report_peak()
    return 0


if __name__ == "__main__":
    sys.exit(main())
