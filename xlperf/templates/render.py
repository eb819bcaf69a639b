"""``python -m xlperf.templates.render [FOLDER]``: each template's forms as PNG images (docs/templates/).

Every form sheet is printed on its own through LibreOffice headless (the other sheets hidden), as a PDF of
one page — a blank template must fit one A4 page — and that page turned into a PNG at 100 dpi (pdftoppm).
The images are what a clerk sees when printing the template, and what a reviewer looks at to see that the
forms read as the official ones. Needs LibreOffice, fonts-noto-cjk and poppler-utils.
"""

from __future__ import annotations

import io
import sys
import tempfile
import warnings
from pathlib import Path

from xlperf.templates import GUIDE_SHEET, LISTS_SHEET, TEMPLATES
from xlperf.templates import libreoffice as lo
from xlperf.templates.generate import generate

DOCS = Path(__file__).resolve().parents[2] / "docs" / "templates"
# The PNG of each form sheet: (template kind, sheet index) → file name.
SHEET_IMAGES = {
    ("dept", 0): "dept.png",
    ("special", 0): "special-summary.png",
    ("special", 1): "special-direction.png",
    ("project", 0): "project.png",
    ("selfeval-project", 0): "selfeval-project.png",
    ("selfeval-dept", 0): "selfeval-dept.png",
}


def only_sheet(package: bytes, index: int) -> bytes:
    """The workbook with every sheet but the ``index``-th hidden (LibreOffice prints visible sheets only)."""
    from openpyxl import load_workbook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = load_workbook(io.BytesIO(package))
    forms = [ws for ws in wb.worksheets if ws.title not in (GUIDE_SHEET, LISTS_SHEET)]
    for ws in wb.worksheets:
        ws.sheet_state = "visible" if ws is forms[index] else "hidden"
    wb.active = wb.worksheets.index(forms[index])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def render(folder: Path = DOCS, dpi: int = 100) -> list[Path]:
    """Write the PNG of every form sheet of every template into ``folder``; returns their paths. Raises
    RuntimeError when a form does not fit one page or a tool is missing."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="xlperf-render-") as tmp:
        sources = []
        for (kind, index), image in SHEET_IMAGES.items():
            src = Path(tmp) / "xlsx" / f"{Path(image).stem}.xlsx"
            src.parent.mkdir(exist_ok=True)
            src.write_bytes(only_sheet(generate(kind), index))
            sources.append(src)
        pdfs = lo.convert(sources, Path(tmp) / "pdf", "pdf")
        written = []
        for pdf, image in zip(pdfs, SHEET_IMAGES.values(), strict=True):
            pages = lo.page_count(pdf)
            if pages != 1:
                raise RuntimeError(f"{image}: the form prints on {pages} pages, not one")
            written.append(lo.to_png(pdf, folder / image, dpi=dpi))
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DOCS
    for path in render(target):
        print(path)
    missing = [k for k in TEMPLATES if not any(k == kind for kind, _ in SHEET_IMAGES)]
    if missing:
        print("no image for:", ", ".join(missing), file=sys.stderr)
