"""Shared fixtures: the example workbooks built from the source documents, and their data tables."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
DATA = EXAMPLES / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def example(seed: str) -> Path:
    """The example workbook of a seed ("000" … "004")."""
    matches = sorted(EXAMPLES.glob(f"seed{seed}_*.xlsx"))
    assert len(matches) == 1, f"expected one example workbook for seed {seed}, found {matches}"
    return matches[0]


def seed_data(seed: str) -> dict:
    return json.loads((DATA / f"seed{seed}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def models():
    """Each example read once into the model, keyed by seed."""
    from xlperf.forms import read_file

    return {seed: read_file(str(example(seed))) for seed in ("000", "001", "002", "003", "004")}


def formula_cells(path: Path) -> dict[tuple[str, str], str]:
    """Every formula of a workbook file, by (sheet, cell), as openpyxl reads it."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    return {
        (ws.title, c.coordinate): c.value
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=")
    }


def encrypted(src: Path, dst: Path, password: str = "1234") -> Path:
    """A copy of a workbook with an open password, encrypted as Excel does (Agile encryption)."""
    import io

    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(src.read_bytes())).encrypt(password, out)
    dst.write_bytes(out.getvalue())
    return dst
