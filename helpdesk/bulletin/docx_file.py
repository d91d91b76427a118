"""The bulletin as a Word document (python-docx): title, date, then one numbered section per part, each a
sentence or two and a table, in the reader's language (Chinese text set in 宋体 / 黑体 so Word shows it)."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from flask_babel import force_locale

from helpdesk.bulletin import texts
from helpdesk.bulletin.services import Bulletin

BODY_FONT = ("Calibri", "SimSun")  # (Latin, East Asian): 宋体
HEADING_FONT = ("Calibri", "SimHei")  # 黑体


def _fonts(style, fonts: tuple[str, str], size: int | None = None) -> None:
    latin, east_asian = fonts
    style.font.name = latin
    fonts_element = style.element.get_or_add_rPr().get_or_add_rFonts()
    fonts_element.set(qn("w:eastAsia"), east_asian)
    if size:
        style.font.size = Pt(size)


def _document():
    document = Document()
    section = document.sections[0]
    # Landscape: the league tables are wide.
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    _fonts(document.styles["Normal"], BODY_FONT, 10)
    for name in ("Title", "Heading 1"):
        _fonts(document.styles[name], HEADING_FONT)
    return document


def _table(document, header: list[str], rows: list[list[str]]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for values in rows:
        for cell, text in zip(table.add_row().cells, values):
            cell.text = text
    document.add_paragraph()


def _league_rows(lines) -> list[list[str]]:
    return [
        [
            str(line.rank),
            texts.change_text(line.change),
            line.label,
            *(texts.value_text(getattr(line.figures, name), kind) for name, _label, kind in texts.LEAGUE),
        ]
        for line in lines
    ]


def bulletin_docx(b: Bulletin) -> bytes:
    """The document, sections numbered as a 通报 numbers them (一、二、… or 1. 2. …)."""
    document = _document()
    with force_locale(b.locale):
        h = texts.headings()
        title = texts.title(b.jurisdiction_name, b.month, b.locale)
        document.core_properties.title = title
        document.add_heading(title, level=0).alignment = WD_ALIGN_PARAGRAPH.CENTER
        dated = document.add_paragraph(texts.as_of_text(b.as_of, b.locale))
        dated.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if b.so_far:
            document.add_paragraph(h["so_far"])
        number = iter(range(1, 10))

        def heading(text: str) -> None:
            document.add_heading(texts.section(next(number), text, b.locale), level=1)

        heading(h["headline"])
        document.add_paragraph(texts.summary(b.month, b.month_figures, b.target, b.locale))
        rows = []
        for name, label, kind in texts.HEADLINE:
            target = texts.value_text(b.target, "rate") if name == "completion_rate" else ""
            month, year = (texts.value_text(getattr(f, name), kind) for f in (b.month_figures, b.year_figures))
            rows.append([str(label), month, year, target])
        _table(document, [h["figure"], h["month"], h["year"], h["target"]], rows)
        document.add_paragraph(h["scope"])

        league_header = [h["rank"], h["change"]]
        figures_header = [str(label) for _name, label, _kind in texts.LEAGUE]
        if b.counties:
            heading(h["counties"])
            _table(document, [*league_header, h["division"], *figures_header], _league_rows(b.counties))
        heading(h["departments"])
        _table(document, [*league_header, h["department"], *figures_header], _league_rows(b.departments))

        heading(h["laggards"])
        if b.laggards:
            rows = [
                [
                    h["department"] if item.kind == "department" else h["jurisdiction"],
                    item.label,
                    texts.value_text(item.figures.completion_rate, "rate"),
                    str(item.figures.gap_to_target),
                ]
                for item in b.laggards
            ]
            header = [h["kind"], h["name"], str(texts.HEADLINE[2][1]), str(texts.HEADLINE[3][1])]
            _table(document, header, rows)
        else:
            document.add_paragraph(h["none_behind"])

        heading(h["red"])
        if b.red_tickets:
            rows = [
                [
                    line.number,
                    line.title,
                    line.enterprise,
                    line.department,
                    line.handler,
                    texts.time_text(line.due_at, b.locale),
                    str(line.urge_count),
                ]
                for line in b.red_tickets
            ]
            header = [h["number"], h["title"], h["enterprise"], h["department"], h["handler"], h["due"], h["urged"]]
            _table(document, header, rows)
        else:
            document.add_paragraph(h["no_red"])

        if b.common_issues:
            heading(h["common"])
            rows = [[i.title, str(i.tickets), i.department, i.status] for i in b.common_issues]
            _table(document, [h["issue"], h["tickets"], h["lead"], h["status"]], rows)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()
