"""The resolution report as files: CSV (streamed, no row cap) and XLSX, with machine or people's headers.

- machine headers (the API's default, so that integrations keep working): the JSON field names, raw
  fractions, one sheet;
- people's headers (the dashboard's buttons, the API with headers=people): a title row with the scope,
  period, as-of time and target, headers in the reader's language, rates as percentages (one decimal in
  CSV, percent-formatted numbers in XLSX), a frozen header row, column widths that count CJK characters
  twice, and a second XLSX sheet with the definition of every figure.

No cell ever reaches a spreadsheet as a formula (issue 17): a CSV text cell that starts with = + - @, a
tab or a carriage return gets a leading apostrophe (OWASP's advice), numbers stay numbers, and XLSX text
is written as string cells, never parsed for formulas or links.
"""

from __future__ import annotations

import csv
import io
import math
import unicodedata
from collections.abc import Iterator

import xlsxwriter

from helpdesk.reports.export_labels import PEOPLE_COLUMNS, Wording, file_locale, wording
from helpdesk.reports.figures import WARNINGS, Figures, Report

HEADERS = ("machine", "people")
RATES = ("completion_rate", "closed_rate", "on_time_rate", "response_rate", "satisfaction_rate")
RATES += ("callback_rate", "verified_solved_rate")  # issue 15: callbacks (回访)
# One column per figure, in the order of the JSON document; open_by_warning spreads over five columns.
MACHINE_COLUMNS = (
    "key",
    "label",
    "total",
    "eligible",
    "completed",
    "closed",
    *RATES,
    *(f"open_{name}" for name in WARNINGS),
    "gap_to_target",
    "meets_target",
    "score",
)
COLUMNS = MACHINE_COLUMNS  # the name integrations and older tests know
OVERALL_LABEL = {"en": "Overall", "zh_CN": "合计"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_text(value: str) -> str:
    """A text cell that a spreadsheet will not run: a would-be formula gets a leading apostrophe."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: CJK (wide and full-width) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _values(key, label: str, figures: Figures) -> dict:
    values = {"key": key, "label": label, **figures.as_dict()}
    for name, count in values.pop("open_by_warning").items():
        values[f"open_{name}"] = count
    return values


def _records(report: Report, overall_label: str) -> Iterator[dict]:
    yield _values(None, overall_label, report.overall)
    for row in report.rows:
        yield _values(row.key, row.label, row.figures)


def _check(headers: str) -> None:
    if headers not in HEADERS:
        raise ValueError(f"headers must be one of {HEADERS}, not {headers!r}")


# -- CSV --------------------------------------------------------------------------------------------


def _machine_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return safe_text(value)
    return str(value)  # rates unrounded, as in the JSON document


def _people_cell(column: str, value, words: Wording) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return words.yes if value else words.no
    if column in RATES:
        return f"{value * 100:.1f}%"
    if column == "score":
        return f"{value:.1f}"
    if isinstance(value, str):
        return safe_text(value)
    return str(value)


def report_csv(report: Report, locale: str | None = None, *, headers: str = "machine") -> Iterator[str]:
    """The report as CSV lines, a BOM first so that Excel reads the UTF-8 names.

    The words are looked up now (they need the app); the lines then stream without it.
    """
    _check(headers)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(cells) -> str:
        writer.writerow(cells)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    if headers == "machine":
        overall = OVERALL_LABEL[file_locale(locale)]

        def machine_lines() -> Iterator[str]:
            yield "\ufeff" + line(MACHINE_COLUMNS)
            for record in _records(report, overall):
                yield line([_machine_cell(record[column]) for column in MACHINE_COLUMNS])

        return machine_lines()

    words = wording(report, locale)

    def people_lines() -> Iterator[str]:
        yield "\ufeff" + line([safe_text(words.title)])
        yield line([safe_text(words.headers[column]) for column in PEOPLE_COLUMNS])
        for record in _records(report, words.overall):
            yield line([_people_cell(column, record[column], words) for column in PEOPLE_COLUMNS])

    return people_lines()


# -- XLSX -------------------------------------------------------------------------------------------


class _Sheet:
    """A worksheet that writes every value by its type (text as a string cell, never a formula or a
    link) and remembers how wide each column's contents are."""

    def __init__(self, workbook, name: str, formats: dict):
        self.sheet = workbook.add_worksheet(name[:31])
        self.formats = formats
        self.widths: dict[int, int] = {}

    def text(self, row: int, col: int, value: str, fmt=None, measure: bool = True) -> None:
        if value.startswith(FORMULA_STARTS):
            fmt = self.formats["quoted_bold" if fmt is self.formats["bold"] else "quoted"]
        self.sheet.write_string(row, col, value, fmt)
        if measure:
            self.widths[col] = max(self.widths.get(col, 0), display_width(value))

    def number(self, row: int, col: int, value: float, fmt=None, shown: str | None = None) -> None:
        self.sheet.write_number(row, col, value, fmt)
        self.widths[col] = max(self.widths.get(col, 0), len(shown if shown is not None else str(value)))


def _formats(workbook) -> dict:
    add = workbook.add_format
    return {
        "bold": add({"bold": True}),
        "quoted": add({"quote_prefix": True}),
        "quoted_bold": add({"quote_prefix": True, "bold": True}),
        "title": add({"bold": True, "font_size": 13}),
        "header": add({"bold": True, "text_wrap": True, "valign": "top", "bottom": 1}),
        "wrap": add({"text_wrap": True, "valign": "top"}),
        "machine_percent": add({"num_format": "0.00%"}),
        "machine_percent_bold": add({"num_format": "0.00%", "bold": True}),
        "machine_decimal": add({"num_format": "0.00"}),
        "machine_decimal_bold": add({"num_format": "0.00", "bold": True}),
        "percent": add({"num_format": "0.0%"}),
        "percent_bold": add({"num_format": "0.0%", "bold": True}),
        "decimal": add({"num_format": "0.0"}),
        "decimal_bold": add({"num_format": "0.0", "bold": True}),
    }


def _new_workbook(output: io.BytesIO):
    # Text is written with write_string anyway; these keep any plain write() from turning text into
    # formulas, links or numbers.
    return xlsxwriter.Workbook(
        output,
        {
            "in_memory": True,
            "remove_timezone": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )


def _write_machine(workbook, report: Report, locale: str | None) -> None:
    workbook.set_properties(
        {"title": "Resolution rate report", "comments": f"as of {report.as_of.isoformat()}, target {report.target}"}
    )
    f = _formats(workbook)
    out = _Sheet(workbook, "report", f)
    for col, name in enumerate(MACHINE_COLUMNS):
        out.text(0, col, name, f["bold"])
    out.sheet.freeze_panes(1, 2)
    for row, record in enumerate(_records(report, OVERALL_LABEL[file_locale(locale)]), start=1):
        bold = "_bold" if row == 1 else ""
        for col, column in enumerate(MACHINE_COLUMNS):
            value = record[column]
            if value is None:
                out.sheet.write_blank(row, col, None, f["bold"] if bold else None)
            elif column in RATES:
                out.number(row, col, value, f["machine_percent" + bold])
            elif column == "score":
                out.number(row, col, value, f["machine_decimal" + bold])
            elif isinstance(value, bool):
                out.sheet.write_boolean(row, col, value, f["bold"] if bold else None)
            elif isinstance(value, int | float):
                out.number(row, col, value, f["bold"] if bold else None)
            else:
                out.text(row, col, str(value), f["bold"] if bold else None)
    out.sheet.set_column(1, 1, 28)
    out.sheet.set_column(2, len(MACHINE_COLUMNS) - 1, 12)


HEADER_WIDTH = 14  # a longer header wraps onto a second line instead of widening its column
MAX_WIDTH = 48


def _write_people(workbook, report: Report, words: Wording) -> None:
    workbook.set_properties({"title": words.title})
    f = _formats(workbook)
    out = _Sheet(workbook, words.sheet, f)
    out.text(0, 0, words.title, f["title"], measure=False)  # one long line over the empty cells beside it
    for row, record in enumerate(_records(report, words.overall), start=2):
        bold = "_bold" if row == 2 else ""
        plain = f["bold"] if bold else None
        for col, column in enumerate(PEOPLE_COLUMNS):
            value = record[column]
            if value is None:
                out.sheet.write_blank(row, col, None, plain)
            elif isinstance(value, bool):
                out.text(row, col, words.yes if value else words.no, plain)
            elif column in RATES:
                out.number(row, col, value, f["percent" + bold], shown=f"{value * 100:.1f}%")
            elif column == "score":
                out.number(row, col, value, f["decimal" + bold], shown=f"{value:.1f}")
            elif isinstance(value, int | float):
                out.number(row, col, value, plain)
            else:
                out.text(row, col, str(value), plain)
    lines = 1
    for col, column in enumerate(PEOPLE_COLUMNS):
        header = words.headers[column]
        width = min(MAX_WIDTH, max(out.widths.get(col, 0), min(display_width(header), HEADER_WIDTH), 6) + 2)
        out.sheet.set_column(col, col, width)
        out.text(1, col, header, f["header"], measure=False)
        lines = max(lines, math.ceil(display_width(header) / (width - 1)))
    out.sheet.set_row(1, 15 * lines)
    out.sheet.freeze_panes(2, 1)  # the title and header rows, and the names, stay in view

    notes = _Sheet(workbook, words.definitions_sheet, f)
    for col, header in enumerate(words.definitions_header):
        notes.text(0, col, header, f["header"])
    for row, (figure, definition) in enumerate(words.definitions, start=1):
        notes.text(row, 0, figure, f["bold"])
        notes.text(row, 1, definition, f["wrap"], measure=False)
    notes.sheet.set_column(0, 0, min(MAX_WIDTH, notes.widths.get(0, 10) + 2))
    notes.sheet.set_column(1, 1, 90)
    notes.sheet.freeze_panes(1, 0)


def report_xlsx(report: Report, locale: str | None = None, *, headers: str = "machine") -> bytes:
    """The report as an XLSX workbook: the overall row first, then one row per group."""
    _check(headers)
    output = io.BytesIO()
    workbook = _new_workbook(output)
    if headers == "machine":
        _write_machine(workbook, report, locale)
    else:
        _write_people(workbook, report, wording(report, locale))
    workbook.close()
    return output.getvalue()
