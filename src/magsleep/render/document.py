"""The report as a document: sections of lines, tables and charts, written as Markdown or HTML.

Text marked `Data` came from a person or a file and is escaped wherever it goes: fully in Markdown
(`markdown_text`), as HTML text in HTML; our own text has only `|` escaped in Markdown (it would end
a table cell). Controls are made visible in both. The HTML prints cleanly: A4 or Letter (the
printer's paper), a page break before each section that asks for one, table headers repeated on
every page, rows and charts never cut across pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote

from magsleep.domain.text_safety import markdown_text, visible
from magsleep.render.svg import esc


class Data(str):
    """Text that came from a person or a file (a note, the medicines): escaped wherever it goes."""


@dataclass(frozen=True)
class Table:
    """A table with its header; `wide` sets it in smaller type (the nightly table)."""

    head: list[str]
    rows: list[list[str]]
    wide: bool = False


@dataclass(frozen=True)
class Chart:
    """An inline SVG chart: in HTML one figure per printed page; beside a Markdown report, one file."""

    name: str  # the file's suffix when written beside a Markdown report
    alt: str
    pages: list[str]  # SVG, one printed page each
    whole: Callable[[], str]  # the same chart as one SVG (the Markdown's file): drawn only when written


Line = str | tuple[str, list[str]]  # a line, or a line with its own lines under it
Block = str | list[Line] | Table | Chart


@dataclass(frozen=True)
class Section:
    """A heading (none for the header) and its blocks; `new_page` starts it on a new printed page."""

    heading: str
    blocks: list[Block] = field(default_factory=list)
    new_page: bool = False


class Note(str):
    """A line set apart in a box (the note to the person on the first page)."""


# ---------------------------------------------------------------- Markdown


def _md(text: str) -> str:
    """Our own text with only `|` escaped (it ends a table cell); a person's text fully escaped."""
    if isinstance(text, Data):
        return markdown_text(text)
    return visible(text).replace("|", "\\|")


def to_markdown(title: str, parts: list[Section], charts: dict[str, str] | None = None) -> str:
    """The document as Markdown; `charts` maps a chart's name to the file it was written to."""
    out = [f"# {_md(title)}", ""]
    for section in parts:
        if section.heading:
            out += [f"## {_md(section.heading)}", ""]
        for block in section.blocks:
            out += _md_block(block, charts or {})
            out.append("")
    return "\n".join(out)


def _md_block(block: Block, charts: dict[str, str]) -> list[str]:
    """One block's Markdown lines."""
    if isinstance(block, Table):
        if not block.rows:
            return ["(none)"]
        return ["| " + " | ".join(_md(h) for h in block.head) + " |", "|" + "---|" * len(block.head),
                *("| " + " | ".join(_md(cell) for cell in row) + " |" for row in block.rows)]
    if isinstance(block, Chart):
        if block.name in charts:
            return [f"![{_md(block.alt)}]({quote(charts[block.name])})"]
        return [f"({_md(block.alt)}: in the HTML report, or in a file beside this one when saved with -o.)"]
    if isinstance(block, list):
        out = []
        for line in block:
            if isinstance(line, tuple):
                out.append(f"- {_md(line[0])}")
                out += [f"  - {_md(sub)}" for sub in line[1]]
            else:
                out.append(f"- {_md(line)}")
        return out
    return [f"> {_md(block)}" if isinstance(block, Note) else _md(block)]


# ---------------------------------------------------------------- HTML

CSS = """body{font-family:system-ui,sans-serif;max-width:62rem;margin:2rem auto;padding:0 1rem;color:#111}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:1.6rem;border-bottom:1px solid #999}
table{border-collapse:collapse;width:100%;font-size:.85rem}
th,td{border:1px solid #999;padding:.2rem .35rem;text-align:left;vertical-align:top}
th{background:#eee}table.wide{font-size:.68rem}table.wide th,table.wide td{padding:.15rem .2rem}
table.wide td{white-space:nowrap}table.wide td:nth-child(n+13){white-space:normal;overflow-wrap:anywhere}
ul{padding-left:1.2rem}.person{border:1px solid #111;padding:.5rem .75rem}
figure{margin:0 0 1rem}svg{max-width:100%;height:auto}
@page{margin:12mm}
@media print{body{margin:0;max-width:none;padding:0;font-size:10pt}section.new-page{break-before:page}
h2{break-after:avoid}figure{break-inside:avoid}figure+figure{break-before:page}
thead{display:table-header-group}tr,li{break-inside:avoid}}"""


def _li(line: Line) -> str:
    if isinstance(line, tuple):
        return f"<li>{esc(line[0])}<ul>" + "".join(f"<li>{esc(sub)}</li>" for sub in line[1]) + "</ul></li>"
    return f"<li>{esc(line)}</li>"


def to_html(title: str, parts: list[Section]) -> str:
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">', f"<title>{esc(title)}</title>",
           f"<style>{CSS}</style>", "</head>", "<body>", f"<h1>{esc(title)}</h1>"]
    for section in parts:
        out.append('<section class="new-page">' if section.new_page else "<section>")
        if section.heading:
            out.append(f"<h2>{esc(section.heading)}</h2>")
        for block in section.blocks:
            if isinstance(block, Table):
                if not block.rows:
                    out.append("<p>(none)</p>")
                    continue
                out.append(('<table class="wide">' if block.wide else "<table>") + "<thead><tr>"
                           + "".join(f"<th>{esc(h)}</th>" for h in block.head) + "</tr></thead><tbody>")
                out += ["<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in block.rows]
                out.append("</tbody></table>")
            elif isinstance(block, Chart):
                out += [f'<figure aria-label="{esc(block.alt)}">{page}</figure>' for page in block.pages]
            elif isinstance(block, list):
                out.append("<ul>" + "".join(_li(line) for line in block) + "</ul>")
            else:
                out.append(f'<p class="person">{esc(block)}</p>' if isinstance(block, Note) else f"<p>{esc(block)}</p>")
        out.append("</section>")
    out += ["</body>", "</html>", ""]
    return "\n".join(out)
