"""Damaged workbook files — bytes flipped, cut or dropped as a bad disk, a broken transfer or an e-mail
gateway leaves them: reading either works or ends in a WorkbookError (one line, exit 2). Nothing else
may escape to the user as a traceback."""

from __future__ import annotations

import io
import zipfile

from conftest import example
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlperf.errors import WorkbookError

SEEDS = ("000", "001", "002", "003", "004")
ORIGINAL = {seed: example(seed).read_bytes() for seed in SEEDS}
FUZZ = settings(max_examples=120, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])  # fmt: skip


def read_or_refuse(tmp_path, data: bytes) -> None:
    """Read and check the bytes as a user's file; a WorkbookError is a fine answer, any other is a bug."""
    from xlperf.checks import check_model
    from xlperf.forms import read_file

    path = tmp_path / "damaged.xlsx"
    path.write_bytes(data)
    try:
        check_model(read_file(str(path)))
    except WorkbookError as err:
        assert str(path) in str(err) and "\n" not in str(err)


@FUZZ
@given(
    seed=st.sampled_from(SEEDS), flips=st.lists(st.tuples(st.floats(0, 1), st.integers(1, 255)), min_size=1, max_size=8)
)
def test_flipped_bytes(tmp_path_factory, seed, flips):
    data = bytearray(ORIGINAL[seed])
    for where, mask in flips:
        data[int(where * (len(data) - 1))] ^= mask
    read_or_refuse(tmp_path_factory.mktemp("flip"), bytes(data))


@FUZZ
@given(seed=st.sampled_from(SEEDS), part=st.integers(0, 40), cut=st.floats(0, 1), garbage=st.binary(max_size=64))
def test_a_part_cut_short_or_replaced(tmp_path_factory, seed, part, cut, garbage):
    """One part of the package (sheet, styles, shared strings, workbook, rels …) truncated, with garbage
    appended, or removed — a package that is a valid zip but a broken workbook."""
    src = zipfile.ZipFile(io.BytesIO(ORIGINAL[seed]))
    infos = src.infolist()
    target = infos[part % len(infos)].filename
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in infos:
            content = src.read(info.filename)
            if info.filename == target:
                if cut > 0.9:
                    continue  # the part is missing
                content = content[: int(len(content) * cut)] + garbage
            z.writestr(info, content)
    read_or_refuse(tmp_path_factory.mktemp("part"), out.getvalue())
