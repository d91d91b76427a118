"""The dashboard's chart geometry (helpdesk/reports/charts.py): coordinates computed on the server."""

from __future__ import annotations

import pytest

from helpdesk.reports.charts import bar_chart, bar_labels, line_chart, percent, text_width, wrap


def test_percent():
    assert (percent(None), percent(0.99), percent(1), percent(0.98765, 2)) == ("—", "99.0%", "100.0%", "98.77%")


def test_the_line_chart_puts_higher_rates_higher_and_draws_the_target():
    chart = line_chart([("24-01", 0.95), ("24-02", 1.0), ("24-03", None), ("24-04", 0.99)], 0.99)
    low, high, last = chart.points
    assert high.y < last.y < low.y  # SVG y grows downwards
    assert chart.target_y == last.y and last.meets and not low.meets
    assert len(chart.segments) == 2  # a month without tickets breaks the line
    assert chart.y_ticks[0].label == "90%" and chart.y_ticks[-1].label == "100%"  # the axis starts near the data
    assert chart.x_ticks[-1].label == "24-04"
    assert all(chart.left <= p.x <= chart.width - chart.right for p in chart.points)


def test_an_empty_line_chart_says_so():
    chart = line_chart([("24-01", None)], 0.99)
    assert chart.empty and chart.segments == []


def test_bars_are_as_long_as_their_rate_and_those_below_the_target_are_marked():
    chart = bar_chart(
        [("自然资源局", 1.0), ("人力资源和社会保障局", 0.5), ("无诉求的部门", None)],
        0.99,
        width=640,
        label_width=70,
    )
    full, half = chart.bars
    assert full.width == 2 * half.width and half.below and not full.below
    assert half.label.lines == ["人力资源和", "社会保障局"] and len(chart.bars) == 2  # wrapped, not cut
    assert chart.target_x == round(70 + (640 - 70 - 56) * 0.99, 1)
    assert chart.height > 2 * chart.bar_height
    assert half.y > full.y + chart.bar_height  # the two-line label has the room it needs


# -- labels every bar can be told apart by ------------------------------------------------------------

CITY_DEPARTMENTS = [
    # (short name, jurisdiction, full name): what department_bars() hands the chart for a city supervisor.
    ("生态环境分局", "川汇区", "周口市生态环境局川汇分局"),
    ("生态环境分局", "淮阳区", "周口市生态环境局淮阳分局"),
    ("生态环境局", "周口市", "周口市生态环境局"),
    ("自然资源局", "川汇区", "川汇区自然资源局"),
    ("自然资源规划局", "周口市", "周口市自然资源和规划局"),
]
CITY_DEPARTMENTS_EN = [
    ("Ecology and Environment", "Chuanhui District", "Chuanhui Branch, Zhoukou Municipal Bureau of Ecology"),
    ("Ecology and Environment", "Huaiyang District", "Huaiyang Branch, Zhoukou Municipal Bureau of Ecology"),
    ("Natural Resources", "Chuanhui District", "Chuanhui District Bureau of Natural Resources"),
    ("Natural Resources", "Huaiyang District", "Huaiyang District Bureau of Natural Resources"),
    ("Natural Resources and Planning", "Zhoukou City", "Zhoukou Municipal Bureau of Natural Resources and Planning"),
]


@pytest.mark.parametrize("names", [CITY_DEPARTMENTS, CITY_DEPARTMENTS_EN], ids=["zh_CN", "en"])
@pytest.mark.parametrize("width", [114, 190], ids=["phone", "desktop"])
def test_every_bar_label_is_different_and_fits(names, width):
    labels = bar_labels(names, width)
    assert len({(tuple(label.lines), label.sub) for label in labels}) == len(names)
    for label in labels:
        assert 1 <= len(label.lines) <= 2
        assert all(text_width(line) <= width for line in label.lines)
        assert label.sub is None or text_width(label.sub, 9.5) <= width
    assert labels == bar_labels(names, width)  # deterministic


def test_labels_that_still_read_alike_fall_back_to_the_full_name_then_a_number():
    alike = [("分局", None, "周口市生态环境局川汇分局"), ("分局", None, "周口市生态环境局淮阳分局")]
    first, second = bar_labels(alike, 200)
    assert (first.lines, second.lines) == (["周口市生态环境局川汇分局"], ["周口市生态环境局淮阳分局"])
    twins = [("税务局", None, "税务局"), ("税务局", None, "税务局")]
    assert [label.lines for label in bar_labels(twins, 200)] == [["税务局 (1)"], ["税务局 (2)"]]


def test_wrap_breaks_english_between_words_and_cuts_what_cannot_fit():
    assert wrap("Housing and Construction", 90) == ["Housing and", "Construction"]
    assert wrap("自然资源和规划局", 50) == ["自然资源", "和规划局"]
    cut = wrap("Administrative Approval and Government Information", 90)
    assert len(cut) == 2 and cut[-1].endswith("…") and all(text_width(line) <= 90 for line in cut)


def test_month_labels_of_the_trend_leave_room_for_each_other():
    months = [(f"2026年{m}月", 0.99) for m in range(1, 13)]
    chart = line_chart(months, 0.99, width=360, height=220)
    spans = [(t.pos - text_width(t.label) / 2, t.pos + text_width(t.label) / 2) for t in chart.x_ticks]
    assert len(spans) >= 3 and all(0 <= start and end <= chart.width for start, end in spans)
    assert all(a_end + 4 <= b_start for (_a, a_end), (b_start, _b) in zip(spans, spans[1:]))
    assert chart.x_ticks[-1].label == "2026年12月"
