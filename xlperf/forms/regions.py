"""Regions: which rows of a sheet hold which form.

A sheet may hold more than one form: a 部门整体 table with its 附表2 below it, project tables stacked one
after another (a Word document pasted into Excel). Each form of the official set opens with a title line
("1.汽车保险费绩效目标表", "附表2 区级专项资金绩效目标汇总表"), usually alone in its row, so a sheet is cut
at its title rows; caption rows just above a title ("附表2", "附件3") go with it. A sheet without titles,
or with one, is one region. Detection then recognises each region by the labels inside it.
"""

from __future__ import annotations

import re

from xlperf.forms.grid import Grid

# Words that end a form's title (as label_key gives it: no spaces, full-width folded).
TITLE_WORDS = ("绩效目标表", "绩效目标汇总表", "汇总表", "自评表", "基础数据表", "申报表", "评价表", "目标表")
_CAPTION = re.compile(r"^(附表|附件|表)[0-9一二三四五六七八九十\-—.、]*$")
MAX_TITLE = 60


def title_rows(grid: Grid) -> list[int]:
    """Rows whose only (or nearly only) filled cell is a form's title."""
    rows: set[int] = set()
    for key, cells in grid.index.items():
        if "表" not in key or len(key) > MAX_TITLE or not _is_title(key):
            continue
        for r, _c in cells:
            hits = list(grid.row_hits(r))
            if 1 <= len(hits) <= 2:
                rows.add(r)
    return sorted(rows)


def _is_title(key: str) -> bool:
    k = key.rstrip(")）")
    k = re.sub(r"\(.*?\)$", "", k)
    return k.endswith(TITLE_WORDS)


def split(grid: Grid) -> list[tuple[int, int]]:
    """The regions of a sheet, as (first row, last row), top to bottom; one region without titles."""
    titles = title_rows(grid)
    if len(titles) <= 1:
        return [(1, grid.n_rows)]
    starts: list[int] = []
    for t in titles:
        start = t
        while start - 1 >= 1 and _caption_row(grid, start - 1):
            start -= 1
        if starts and not _has_body(grid, starts[-1], start - 1, titles):
            continue  # a title with nothing but another title above it: one form (title and subtitle)
        starts.append(start)
    starts[0] = 1
    ends = [s - 1 for s in starts[1:]] + [grid.n_rows]
    return list(zip(starts, ends, strict=True))


def _caption_row(grid: Grid, row: int) -> bool:
    """A row that is blank, or holds only a caption such as "附表2"."""
    hits = list(grid.row_hits(row))
    if not hits:
        return True
    return len(hits) == 1 and bool(_CAPTION.match(grid.key(row, hits[0].col)))


def _has_body(grid: Grid, first: int, last: int, titles: list[int]) -> bool:
    """Whether rows first…last hold anything besides titles and captions."""
    return any(r not in titles and not _caption_row(grid, r) for r in range(first, last + 1))
