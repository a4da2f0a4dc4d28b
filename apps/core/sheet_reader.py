"""Child-process entry point for ``apps.core.uploads.read_workbook_isolated`` (no Django here).

python -m apps.core.sheet_reader PATH HEADER_ROWS  → a pickled list of visible worksheets on stdout.
"""

from __future__ import annotations

import itertools
import pickle
import sys


def main() -> int:
    path, header_rows = sys.argv[1], int(sys.argv[2])
    try:
        from python_calamine import CalamineWorkbook

        workbook = CalamineWorkbook.from_path(path)
        sheets = []
        for index, meta in enumerate(workbook.sheets_metadata):
            if "Visible" not in str(meta.visible) or "WorkSheet" not in str(meta.typ):
                continue
            sheet = workbook.get_sheet_by_index(index)
            rows = sheet.iter_rows()
            if header_rows:
                rows = itertools.islice(rows, header_rows)
            sheets.append(
                {
                    "index": index,
                    "name": sheet.name,
                    "start": tuple(sheet.start or (0, 0)),
                    "merged": [tuple(map(tuple, r)) for r in (sheet.merged_cell_ranges or [])],
                    "height": sheet.height,
                    "rows": [list(r) for r in rows],
                }
            )
    except MemoryError:
        raise
    except Exception as exc:
        sys.stderr.write(f"UNREADABLE: {type(exc).__name__}: {str(exc)[:500]}\n")
        return 3
    pickle.dump(sheets, sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
    return 0


if __name__ == "__main__":
    sys.exit(main())
