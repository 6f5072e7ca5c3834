"""Charts as standalone SVG documents (pygal), served as images beside a table of the same numbers.

pygal writes its styles inside the SVG and a small configuration script; the script is
removed, no external JavaScript is referenced (``js=[]``), and the SVG is served with a
policy of its own that allows only those inline styles — the page's policy is untouched.
"""

from __future__ import annotations

import re

import pygal
from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from pygal.style import Style

from courseware.manage.overview import Stage, Week

# Allows the styles pygal embeds in the SVG and nothing else: no script, no fetch.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; frame-ancestors 'self'"

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1d2430",
    foreground_strong="#1d2430",
    foreground_subtle="#d5dae1",
    opacity="1",
    opacity_hover="1",
    colors=("#1f5f8b", "#8a5300", "#1d6b3a"),
    font_family='system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif',
    label_font_size=14,
    major_label_font_size=14,
    value_font_size=13,
    value_label_font_size=13,
    title_font_size=18,
    legend_font_size=14,
)
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)


def _number(value) -> str:
    """A value on a chart as the reader's language writes numbers ("1,234.5", "1.234,5")."""
    if value is None:
        return ""
    return format_decimal(value)


def _config(**extra) -> dict:
    return {
        "js": [],
        "value_formatter": _number,
        "style": STYLE,
        "disable_xml_declaration": False,
        "print_values": True,
        "show_y_guides": True,
        "margin": 16,
        "truncate_label": -1,
        **extra,
    }


def _svg(chart) -> str:
    return _SCRIPT.sub("", chart.render(is_unicode=True))


def funnel_svg(title: str, stages: list[Stage]) -> str:
    """Learners at each stage of a course, top to bottom, as horizontal bars."""
    chart = pygal.HorizontalBar(
        **_config(title=title, show_legend=False, height=max(260, 70 + 42 * len(stages)), width=900)
    )
    # pygal draws the first label at the bottom; reverse so that the funnel reads top-down.
    chart.x_labels = [stage.label for stage in reversed(stages)]
    chart.add(_("Learners"), [stage.count for stage in reversed(stages)])
    return _svg(chart)


def activity_svg(title: str, weeks: list[Week]) -> str:
    """Events per week as bars."""
    chart = pygal.Bar(**_config(title=title, height=420, width=900, show_legend=False, print_values=False))
    chart.x_labels = [format_date(week.start, "d MMM") for week in weeks]
    chart.add(_("Events"), [week.events for week in weeks])
    return _svg(chart)


def objective_svg(title: str, unit: str | None, points) -> str:
    """An objective's values over time against the line from its baseline to its target.

    ``points`` are ``learn.check_ins.Point``s: a date, the value then (or None) and where the line
    stood (or None).
    """
    chart = pygal.DateLine(
        **_config(
            title=title,
            height=420,
            width=900,
            x_label_rotation=0,
            x_value_formatter=lambda day: format_date(day, "d MMM y"),
            y_title=unit or None,
            print_values=False,
            show_dots=True,
            dots_size=5,
        )
    )
    chart.add(_("Check-ins"), [(point.on_date, point.value) for point in points if point.value is not None])
    line = [(point.on_date, point.expected) for point in points if point.expected is not None]
    chart.add(_("Line from baseline to target"), line, stroke_style={"dasharray": "6, 4"}, show_dots=False)
    return _svg(chart)
