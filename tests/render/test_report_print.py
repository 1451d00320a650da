"""The HTML report printed by Debian's Chromium (headless, --print-to-pdf), as a clinician's
printer gets it: the page count, a first page that is not blank and holds the header, the note to
the person and the answer, the chart starting its own page, the nightly table's header on every
page it runs over. `.ci/run` installs chromium and poppler-utils when they are missing."""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from magsleep.domain.demo import demo_nights
from magsleep.render.diary_chart import NIGHTS_PER_PAGE
from magsleep.render.report import FOR_THE_PERSON, write_report
from magsleep.store.demo import write_demo

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
POPPLER = all(shutil.which(tool) for tool in ("pdftoppm", "pdfinfo", "pdftotext"))
pytestmark = pytest.mark.skipif(not (CHROMIUM and POPPLER),
                                reason="needs chromium and poppler-utils (.ci/run installs them)")
LAST = date(2026, 11, 24)


def print_to_pdf(page: Path, pdf: Path) -> None:
    args = [str(CHROMIUM), "--headless", "--disable-gpu", "--no-pdf-header-footer", "--no-first-run",
            f"--user-data-dir={pdf.parent / 'chromium-profile'}", f"--print-to-pdf={pdf}", page.as_uri()]
    if os.geteuid() == 0:  # Chromium's sandbox refuses to run as root
        args.insert(1, "--no-sandbox")
    subprocess.run(args, check=True, capture_output=True, timeout=120, env={**os.environ, "HOME": str(pdf.parent)})


def pages_text(pdf: Path, pages: int) -> list[str]:
    return [subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(pdf), "-"], check=True,
                           capture_output=True, text=True).stdout for n in range(1, pages + 1)]


def dark_share(pdf: Path, tmp: Path) -> float:
    """The share of the first page's pixels that are not near-white (pdftoppm, grey, 30 dpi)."""
    subprocess.run(["pdftoppm", "-gray", "-r", "30", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(tmp / "p1")],
                   check=True, capture_output=True)
    data = (tmp / "p1.pgm").read_bytes()
    fields = data.split(maxsplit=4)  # P5 width height maxval pixels
    assert fields[0] == b"P5"
    width, height = int(fields[1]), int(fields[2])
    pixels = fields[4][-width * height:]
    return sum(1 for p in pixels if p < 200) / len(pixels)


# Chromium prints on Letter unless the page asks; A4 is asked for the way a browser set to it would.
PAPERS = {"letter": ("", "612 x 792"), "a4": ("@page{size:A4}", "594.96 x 841.92")}


@pytest.mark.parametrize("paper", [pytest.param("letter"), pytest.param("a4", marks=pytest.mark.long)])
def test_the_report_prints_with_its_sections_on_their_own_pages(store, tmp_path, paper):
    nights = 60
    with store.writing() as session:
        write_demo(demo_nights(LAST, nights, ZoneInfo("Europe/London")), session=session)
    with store.reading() as session:
        page = write_report(tmp_path / "report.html", "html", LAST, session=session, made=LAST)
    rule, size = PAPERS[paper]
    page.write_text(page.read_text().replace("</style>", f"{rule}</style>"))
    pdf = tmp_path / "report.pdf"
    print_to_pdf(page, pdf)

    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert f"Page size:       {size} pts" in info, info
    count = int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1])
    chart_pages = math.ceil(nights / NIGHTS_PER_PAGE)
    # The first page, the chart's pages, the nightly table (at least one), the comparisons onwards.
    assert 1 + chart_pages + 2 <= count <= 14, count
    assert dark_share(pdf, tmp_path) > 0.005  # pdftoppm renders a first page with something on it

    text = pages_text(pdf, count)
    first = " ".join(text[0].split())
    assert "Name:" in first and "Period: 2026-09-26 to 2026-11-24, 60 nights" in first
    assert " ".join(FOR_THE_PERSON.split()[:12]) in first and "The answer" in first
    assert "Sleep diary chart" not in first and "Sleep diary chart" in text[1]
    start = next(n for n, t in enumerate(text) if "Every night" in t)
    end = next(n for n, t in enumerate(text) if "Side effects" in t and "Severity 1 mild" in t)
    assert end > start  # 60 rows run over more than one page...
    assert all("Night of" in text[n] for n in range(start, end + 1))  # ...with the header on each
    assert "Comparisons" not in " ".join(text[:end + 1])  # a section after them starts a new page
    # Nothing runs past the right margin (12 mm): the widest table fits the paper.
    words = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    right = max(float(x) for x in re.findall(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)"', words))
    assert right <= float(size.split()[0]) - 12 / 25.4 * 72 + 1, right
