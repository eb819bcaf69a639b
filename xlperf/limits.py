"""The limits xlperf enforces on what it reads, in one place (SECURITY.md lists them with these values).

A finance department receives workbooks from hundreds of units; one of them may be broken, enormous or
crafted. Each limit is far above any real budget-performance workbook (the largest real one seen is under
2 MB and expands to under 20 MB) and far below what would exhaust a reviewer's machine.
"""

from __future__ import annotations

MiB = 1024 * 1024

MAX_FILE_BYTES = 256 * MiB
"""An input file larger than this is not read at all."""

MAX_PARTS = 10_000
"""A workbook package (zip) with more entries than this is refused."""

MAX_EXPANDED_BYTES = 1024 * MiB
"""The package's parts may expand to at most this much in total (checked on the declared sizes before
anything is decompressed, then again while decompressing, so a package that lies about its sizes is
caught too)."""

MAX_RATIO = 200
"""A part that expands more than this many times its compressed size is a zip bomb …"""

RATIO_FLOOR_BYTES = 16 * MiB
"""… unless it expands to less than this (small parts of repeated markup compress very well)."""

# --- one sheet -------------------------------------------------------------------------------------------
# A sheet's cells are read as a block of rows from A1 to its farthest cell. One value typed at XFD1048576
# (or a formula filled down a whole column) makes that block 17 billion cells, which no machine holds; the
# limits below keep a sheet's reading bounded whatever its used range says.

MAX_DENSE_CELLS = 2_000_000
"""A sheet whose cells reach farther than this many cells from A1 (rows × columns of the block up to its
farthest cell, style-only cells counted) is not read as a block by calamine: its XML is read cell by cell
and only the non-empty cells are kept, each row up to its own last value. Both ways give the same values;
this one is slower but does not grow with the empty area. Any real form is far below it (a 50,000-row
indicator table of 10 columns is 500,000 cells), so they keep the fast path."""

MAX_SHEET_CELLS = 10_000_000
"""A sheet read cell by cell may hold at most this many cells, counting each row up to its last value and
each row as one more (about 80 MB of references, seconds to look through); a sheet beyond it is refused as
too large. A formula filled down five whole columns is 5.2 million."""

MAX_MERGED_CELLS = 2_000_000
"""The merged ranges of a sheet, each cut to the last row and column that hold a value, may cover at most
this many cells in total (readers look each merged cell up by its position, about 100 bytes apiece): a
sheet beyond it is refused. A sheet read as one block cannot reach it with ranges that do not overlap (all
that Excel writes); a sheet reaching row 1,048,576 can, with two whole columns merged."""
