"""The resolution report as files: CSV (streamed, no row cap) and XLSX (one sheet)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import xlsxwriter

from helpdesk.reports.figures import WARNINGS, Figures, Report

RATES = ("completion_rate", "closed_rate", "on_time_rate", "response_rate", "satisfaction_rate")
RATES += ("callback_rate", "verified_solved_rate")  # issue 15: callbacks (回访)
# One column per figure, in the order of the JSON document; open_by_warning spreads over five columns.
COLUMNS = (
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
OVERALL_LABEL = {"en": "Overall", "zh_CN": "合计"}


def _values(key, label: str, figures: Figures) -> dict:
    values = {"key": key, "label": label, **figures.as_dict()}
    for name, count in values.pop("open_by_warning").items():
        values[f"open_{name}"] = count
    return values


def _records(report: Report, locale: str | None) -> Iterator[dict]:
    yield _values(None, OVERALL_LABEL["en" if (locale or "").startswith("en") else "zh_CN"], report.overall)
    for row in report.rows:
        yield _values(row.key, row.label, row.figures)


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)  # rates unrounded, as in the JSON document


def report_csv(report: Report, locale: str | None = None) -> Iterator[str]:
    """The report as CSV lines, header first (with a BOM so that Excel reads the UTF-8 names)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(cells) -> str:
        writer.writerow(cells)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield "\ufeff" + line(COLUMNS)
    for record in _records(report, locale):
        yield line([_csv_cell(record[column]) for column in COLUMNS])


def report_xlsx(report: Report, locale: str | None = None) -> bytes:
    """The report as an XLSX workbook: a header row, the overall row, then one row per group."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True, "remove_timezone": True})
    workbook.set_properties(
        {"title": "Resolution rate report", "comments": f"as of {report.as_of.isoformat()}, target {report.target}"}
    )
    sheet = workbook.add_worksheet("report")
    bold = workbook.add_format({"bold": True})
    percent = workbook.add_format({"num_format": "0.00%"})
    percent_bold = workbook.add_format({"num_format": "0.00%", "bold": True})
    decimal = workbook.add_format({"num_format": "0.00"})
    decimal_bold = workbook.add_format({"num_format": "0.00", "bold": True})

    sheet.write_row(0, 0, COLUMNS, bold)
    sheet.freeze_panes(1, 2)
    for row_number, record in enumerate(_records(report, locale), start=1):
        overall = row_number == 1
        for column_number, column in enumerate(COLUMNS):
            value = record[column]
            if value is None:
                sheet.write_blank(row_number, column_number, None, bold if overall else None)
            elif column in RATES:
                sheet.write_number(row_number, column_number, value, percent_bold if overall else percent)
            elif column == "score":
                sheet.write_number(row_number, column_number, value, decimal_bold if overall else decimal)
            elif isinstance(value, bool):
                sheet.write_boolean(row_number, column_number, value, bold if overall else None)
            elif isinstance(value, int | float):
                sheet.write_number(row_number, column_number, value, bold if overall else None)
            else:
                sheet.write_string(row_number, column_number, str(value), bold if overall else None)
    sheet.set_column(1, 1, 28)
    sheet.set_column(2, len(COLUMNS) - 1, 12)
    workbook.close()
    return output.getvalue()
