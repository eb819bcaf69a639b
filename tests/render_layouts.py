"""``python tests/render_layouts.py [FOLDER]``: the clean twin of every layout of tests/layouts.py as PNG images.

Each layout's form sheets are printed one at a time through LibreOffice headless (the other sheets
hidden), on one page — a long sheet one page wide, showing its first page — and that page is turned into
a PNG at 100 dpi: what a reviewer looks at to see that a layout reads like a real provincial form. A
layout with many form sheets of one kind (the 附表3 of seed 000) shows its first two. Needs LibreOffice,
fonts-noto-cjk and poppler-utils; run on demand, not by the test suite. Images are ``<layout>-<n>.png``.
"""

from __future__ import annotations

import io
import sys
import tempfile
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from layouts import LAYOUTS  # noqa: E402

from xlperf.templates import libreoffice as lo  # noqa: E402

DOCS = HERE.parent / "docs" / "forms"
PER_KIND = 2  # sheets shown per form kind of one layout
LONG = 100  # rows beyond which a sheet is shown by its first page, not squeezed onto one


def form_sheets(name: str) -> list[str]:
    """The sheets holding the layout's forms, in order, at most PER_KIND per kind."""
    seen: list[str] = []
    per_kind: dict[str, int] = {}
    for form in LAYOUTS[name].forms:
        if form.sheet in seen:
            continue
        if per_kind.get(form.kind, 0) >= PER_KIND:
            continue
        per_kind[form.kind] = per_kind.get(form.kind, 0) + 1
        seen.append(form.sheet)
    return seen


def only_sheet(package: bytes, sheet: str) -> bytes:
    """The workbook with every sheet but ``sheet`` hidden and set to print on one page (a long one: one page
    wide)."""
    from openpyxl import load_workbook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = load_workbook(io.BytesIO(package))
    for ws in wb.worksheets:
        ws.sheet_state = "visible" if ws.title == sheet else "hidden"
    ws = wb[sheet]
    wb.active = wb.worksheets.index(ws)
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    # A long sheet (stacked tables, a flat export) prints one page wide and shows its first page.
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, (0 if ws.max_row > LONG else 1)
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if ws.max_column > 7 else "portrait"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def render(folder: Path = DOCS, dpi: int = 100) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="xlperf-layouts-") as tmp:
        sources, images = [], []
        for name, layout in LAYOUTS.items():
            built = layout.build(Path(tmp) / f"{name}.xlsx", planted=False)
            for n, sheet in enumerate(form_sheets(name), start=1):
                src = Path(tmp) / "xlsx" / f"{name}-{n}.xlsx"
                src.parent.mkdir(exist_ok=True)
                src.write_bytes(only_sheet(built.read_bytes(), sheet))
                sources.append(src)
                images.append(folder / f"{name}-{n}.png")
        pdfs = lo.convert(sources, Path(tmp) / "pdf", "pdf")
        return [lo.to_png(pdf, image, dpi=dpi) for pdf, image in zip(pdfs, images, strict=True)]


if __name__ == "__main__":
    for path in render(Path(sys.argv[1]) if len(sys.argv) > 1 else DOCS):
        print(path)
