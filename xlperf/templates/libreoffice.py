"""LibreOffice headless, as a second spreadsheet program: recalculate a workbook on load, render it to PDF.

Calc's default for OOXML files is to trust the values cached in the file ("Formula recalculation on file
load: never"), so a conversion alone would only copy xlperf's own numbers. Each run here uses a throwaway
user profile whose ``registrymodifications.xcu`` sets ``/org.openoffice.Office.Calc/Formula/Load``
``OOXMLRecalcMode`` (and ``ODFRecalcMode``) to 0, "always recalculate": every formula is computed by
LibreOffice when the file is opened, and the converted file holds LibreOffice's results.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
</oor:items>
"""


# The official forms are set in 宋体 (SimSun), which a Linux machine does not have: fontconfig is told to
# use a Song typeface of the same design (Noto Serif CJK, Debian's fonts-noto-cjk) in its place.
SONG_FONTS = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <alias binding="same"><family>宋体</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>SimSun</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
</fontconfig>
"""


def soffice() -> str | None:
    """The LibreOffice program, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdftoppm() -> str | None:
    return shutil.which("pdftoppm")


def make_profile(folder: Path) -> Path:
    """A fresh LibreOffice user profile in ``folder`` that recalculates every formula on load."""
    user = folder / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(RECALC_ALWAYS, encoding="utf-8")
    return folder


def convert(sources: Sequence[Path], out_dir: Path, target: str, timeout: float = 300) -> list[Path]:
    """Open each of ``sources`` in LibreOffice headless — recalculating every formula on load — and save it as
    ``target`` ("xlsx", "pdf") in ``out_dir``, in one LibreOffice run; returns the converted files in order.
    Raises RuntimeError when LibreOffice is missing or a file was not converted."""
    program = soffice()
    if program is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    out_dir.mkdir(parents=True, exist_ok=True)
    if any(s.resolve().parent == out_dir.resolve() for s in sources):
        raise ValueError("convert into another folder than the sources': LibreOffice would overwrite them")
    with tempfile.TemporaryDirectory(prefix="xlperf-lo-") as tmp:
        profile = make_profile(Path(tmp) / "profile")
        fonts = Path(tmp) / ".config" / "fontconfig"
        fonts.mkdir(parents=True)
        (fonts / "fonts.conf").write_text(SONG_FONTS, encoding="utf-8")
        # A home of its own: nothing of the user's LibreOffice or fontconfig set-up is read or written.
        env = dict(os.environ, HOME=tmp, XDG_CONFIG_HOME=str(Path(tmp) / ".config"))
        run = subprocess.run(
            [
                program,
                f"-env:UserInstallation={profile.resolve().as_uri()}",
                "--headless",
                "--norestore",
                "--nolockcheck",
                "--convert-to",
                target,
                "--outdir",
                str(out_dir),
                *(str(s) for s in sources),
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
        )
    results = [out_dir / f"{s.stem}.{target.split(':')[0]}" for s in sources]
    missing = [r.name for r in results if not r.exists()]
    if run.returncode != 0 or missing:
        raise RuntimeError(f"LibreOffice did not convert {', '.join(missing)}: {run.stdout}{run.stderr}".strip())
    return results


def to_png(pdf: Path, out: Path, page: int = 1, dpi: int = 100) -> Path:
    """One page of a PDF as a PNG (pdftoppm); ``out`` is the PNG's path."""
    program = pdftoppm()
    if program is None:
        raise RuntimeError("pdftoppm (poppler-utils) is not installed")
    stem = out.with_suffix("")
    subprocess.run(
        [program, "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", str(pdf), str(stem)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return out


def page_count(pdf: Path) -> int:
    """The number of pages of a PDF (pdfinfo, of poppler-utils like pdftoppm)."""
    program = shutil.which("pdfinfo")
    if program is None:
        raise RuntimeError("pdfinfo (poppler-utils) is not installed")
    run = subprocess.run([program, str(pdf)], check=True, capture_output=True, text=True, timeout=60)
    pages = next(line for line in run.stdout.splitlines() if line.startswith("Pages:"))
    return int(pages.split(":", 1)[1])
