"""The bulletin as an XLSX workbook: a sheet per section, rates as percentages, frozen headers, set widths.

Rates are written unrounded (the percent format rounds on screen), so a reader's own sums agree with
the report. Text is written as strings, never as formulas.
"""

from __future__ import annotations

import io

import xlsxwriter
from flask_babel import force_locale

from helpdesk.bulletin import texts
from helpdesk.bulletin.services import Bulletin

SHEET_NAME_LENGTH = 31  # Excel's limit


class _Writer:
    def __init__(self, workbook):
        self.workbook = workbook
        self.bold = workbook.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1, "text_wrap": True})
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.note = workbook.add_format({"italic": True, "font_color": "#555555"})
        self.percent = workbook.add_format({"num_format": "0.0%"})
        self.score = workbook.add_format({"num_format": "0.0"})

    def sheet(self, name: str, header: list[str], widths: list[int], first_row: int = 0):
        sheet = self.workbook.add_worksheet(name[:SHEET_NAME_LENGTH])
        sheet.write_row(first_row, 0, header, self.bold)
        sheet.freeze_panes(first_row + 1, 0)
        for column, width in enumerate(widths):
            sheet.set_column(column, column, width)
        return sheet

    def value(self, sheet, row: int, column: int, value, kind: str = "text") -> None:
        if value is None:
            sheet.write_blank(row, column, None)
        elif kind == "rate":
            sheet.write_number(row, column, value, self.percent)
        elif kind == "score":
            sheet.write_number(row, column, value, self.score)
        elif isinstance(value, bool) or not isinstance(value, int | float):
            sheet.write_string(row, column, str(value))
        else:
            sheet.write_number(row, column, value)


def _summary(w: _Writer, b: Bulletin, h: dict) -> None:
    header = [h["figure"], h["month"], h["year"], h["target"]]
    sheet = w.sheet(h["sheet_summary"], header, [26, 16, 16, 12], first_row=3)
    sheet.write_string(0, 0, texts.title(b.jurisdiction_name, b.month, b.locale), w.title)
    as_of = texts.as_of_text(b.as_of, b.locale)
    sheet.write_string(1, 0, f"{as_of} · {h['so_far']}" if b.so_far else as_of, w.note)
    sheet.write_string(2, 0, h["scope"], w.note)
    for row, (name, label, kind) in enumerate(texts.HEADLINE, start=4):
        w.value(sheet, row, 0, str(label))
        w.value(sheet, row, 1, getattr(b.month_figures, name), kind)
        w.value(sheet, row, 2, getattr(b.year_figures, name), kind)
        if name == "completion_rate":
            w.value(sheet, row, 3, b.target, "rate")


def _league(w: _Writer, name: str, lines, unit: str, h: dict) -> None:
    header = [h["rank"], h["change"], unit, *(str(label) for _n, label, _k in texts.LEAGUE)]
    sheet = w.sheet(name, header, [7, 8, 30, *([12] * len(texts.LEAGUE))])
    for row, line in enumerate(lines, start=1):
        w.value(sheet, row, 0, line.rank)
        w.value(sheet, row, 1, texts.change_text(line.change))
        w.value(sheet, row, 2, line.label)
        for column, (figure, _label, kind) in enumerate(texts.LEAGUE, start=3):
            w.value(sheet, row, column, getattr(line.figures, figure), kind)


def _laggards(w: _Writer, b: Bulletin, h: dict) -> None:
    header = [h["kind"], h["name"], str(texts.HEADLINE[2][1]), h["target"], str(texts.HEADLINE[3][1])]
    sheet = w.sheet(h["sheet_laggards"], header, [12, 34, 14, 10, 16])
    for row, item in enumerate(b.laggards, start=1):
        w.value(sheet, row, 0, h["department"] if item.kind == "department" else h["jurisdiction"])
        w.value(sheet, row, 1, item.label)
        w.value(sheet, row, 2, item.figures.completion_rate, "rate")
        w.value(sheet, row, 3, b.target, "rate")
        w.value(sheet, row, 4, item.figures.gap_to_target)


def _red(w: _Writer, b: Bulletin, h: dict) -> None:
    header = [h["number"], h["title"], h["enterprise"], h["county"], h["department"], h["handler"], h["due"]]
    sheet = w.sheet(h["sheet_red"], [*header, h["urged"], h["reopened"]], [18, 36, 28, 12, 28, 12, 17, 9, 9])
    for row, line in enumerate(b.red_tickets, start=1):
        cells = [line.number, line.title, line.enterprise, line.jurisdiction, line.department, line.handler]
        for column, value in enumerate(cells):
            w.value(sheet, row, column, value)
        sheet.write_string(row, 6, texts.time_text(line.due_at, b.locale))
        w.value(sheet, row, 7, line.urge_count)
        w.value(sheet, row, 8, line.reopen_count)


def _common(w: _Writer, b: Bulletin, h: dict) -> None:
    sheet = w.sheet(h["sheet_common"], [h["issue"], h["tickets"], h["lead"], h["status"]], [40, 10, 28, 14])
    for row, item in enumerate(b.common_issues, start=1):
        for column, value in enumerate((item.title, item.tickets, item.department, item.status)):
            w.value(sheet, row, column, value)


def bulletin_xlsx(b: Bulletin) -> bytes:
    """The workbook: summary, the league tables, laggards, red tickets (and common issues when there are)."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    with force_locale(b.locale):
        h = texts.headings()
        workbook.set_properties({"title": texts.title(b.jurisdiction_name, b.month, b.locale)})
        w = _Writer(workbook)
        _summary(w, b, h)
        if b.counties:
            _league(w, h["counties"], b.counties, h["division"], h)
        _league(w, h["departments"], b.departments, h["department"], h)
        _laggards(w, b, h)
        _red(w, b, h)
        if b.common_issues:
            _common(w, b, h)
    workbook.close()
    return output.getvalue()
