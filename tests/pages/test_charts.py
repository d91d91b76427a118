"""The dashboard's chart geometry (helpdesk/reports/charts.py): coordinates computed on the server."""

from __future__ import annotations

from helpdesk.reports.charts import bar_chart, line_chart, percent


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
        label_width=200,
        label_chars=6,
    )
    full, half = chart.bars
    assert full.width == 2 * half.width and half.below and not full.below
    assert half.label == "人力资源和…" and len(chart.bars) == 2
    assert chart.target_x == round(200 + (640 - 200 - 56) * 0.99, 1)
    assert chart.height > 2 * chart.bar_height
