"""apply_to_book: edits grouped per sheet into blocks of adjacent cells, written through any Book."""

from __future__ import annotations

from decimal import Decimal

from test_book import small_book

from xlperf.book import open_book
from xlperf.book.edits import apply_to_book, cell_value, runs
from xlperf.report import Edit


def test_runs_join_adjacent_cells_down_columns_then_along_rows():
    cells = {(5, 3): "a", (6, 3): "b", (7, 3): "c", (9, 3): "d", (9, 4): "e", (2, 1): "f"}
    assert runs(cells) == [
        (2, 1, [["f"]]),
        (5, 3, [["a"], ["b"], ["c"]]),
        (9, 3, [["d", "e"]]),
    ]


def test_cell_values_are_formulas_numbers_or_label_text():
    assert cell_value(Edit("S", "C5", Decimal("1594.78"), "SUM(C6:C17)")) == "=SUM(C6:C17)"
    assert cell_value(Edit("S", "C5", Decimal("1594.78"), "SUM(C6:C17)"), values_only=True) == 1594.78
    assert cell_value(Edit("S", "C5", Decimal("20.00"))) == 20
    assert cell_value(Edit("S", "B4", Decimal("1786.46"), None, "", "资金总额")) == "资金总额：1786.46"


class Recorder:
    def __init__(self):
        self.writes = []

    def write(self, sheet, row, col, block):
        self.writes.append((sheet, row, col, block))


def test_apply_to_book_writes_one_block_per_run():
    edits = [
        Edit("附表2", "C5", Decimal("175.13"), "SUM(C6:C7)"),
        Edit("附表3", "D21", Decimal("14.87"), "D20"),
        Edit("附表3", "E5", Decimal("14.87"), "D21"),
        Edit("附表3", "E6", Decimal("14.87")),
    ]
    book = Recorder()
    assert apply_to_book(book, edits) == 3
    assert book.writes == [
        ("附表2", 5, 3, [["=SUM(C6:C7)"]]),
        ("附表3", 5, 5, [["=D21"], [14.87]]),
        ("附表3", 21, 4, [["=D20"]]),
    ]


def test_apply_to_book_on_a_file_book(tmp_path):
    book = open_book(small_book(tmp_path / "b.xlsx"))
    apply_to_book(book, [Edit("附表2", "C4", Decimal("174.87"), "SUM(C2:C3)")])
    out = tmp_path / "out.xlsx"
    book.save(out)
    assert open_book(out).read("附表2", formulas=True).formulas[3][2] == "=SUM(C2:C3)"
