"""Static, accessible SVG bar charts of a finding's `data`, drawn at build time (no JavaScript).

One horizontal bar chart per unit (a chart never mixes percent with counts). Every text in the SVG
is HTML-escaped, the chart carries <title> and <desc> (announced through role="img" and
aria-labelledby), and every bar is labelled with its number, so colour is never the only carrier.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from generator.models import DataPoint

WIDTH = 640
LABEL_WIDTH = 260
VALUE_WIDTH = 90
BAR_HEIGHT = 22
GAP = 8
TOP = 12
BOTTOM = 26
CHARS_PER_LINE = 36


@dataclass(frozen=True)
class Chart:
    title: str
    description: str
    svg: str


def _number(value: float) -> str:
    return f"{value:,.1f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"


def _wrap(text: str, limit: int = CHARS_PER_LINE, lines: int = 2) -> list[str]:
    words, out, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > limit:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    out.append(line)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: limit - 1].rstrip() + "…"
    return out


def _labels(points: list[DataPoint]) -> list[str]:
    """Bar labels: the groups when the bars share a measure and each has its own group, else the measures."""
    groups = [p.group for p in points]
    measures = list(dict.fromkeys(p.measure for p in points))
    same_measure = len(measures) == 1 or _common_prefix(measures)
    if same_measure and all(groups) and len(set(groups)) == len(groups):
        return [str(g) for g in groups]
    return [f"{p.group}: {p.measure}" if p.group and p.group.lower() not in p.measure.lower() else p.measure
            for p in points]


def _title(unit: str, points: list[DataPoint]) -> str:
    measures = list(dict.fromkeys(p.measure for p in points))
    common = measures[0] if len(measures) == 1 else _common_prefix(measures)
    periods = {p.period for p in points if p.period}
    period = f", {next(iter(periods))}" if len(periods) == 1 else ""
    return f"{common} ({unit}{period})" if common else f"Figures in {unit}{period}"


def _common_prefix(texts: list[str]) -> str:
    prefix = texts[0]
    for text in texts[1:]:
        while not text.startswith(prefix):
            prefix = prefix[:-1]
    if not all(len(t) == len(prefix) or not t[len(prefix)].isalnum() for t in texts):
        prefix = prefix.rsplit(" ", 1)[0]  # cut inside a word: drop the partial word
    prefix = prefix.rstrip(" ,;:(-")
    return prefix if len(prefix) >= 20 else ""


def _value_text(point: DataPoint) -> str:
    text = _number(point.value) + ("%" if point.unit == "percent" else "")
    if point.denominator is not None:
        text += f" of {_number(point.denominator)}"
    elif point.n is not None and point.unit == "percent":
        text += f" (n={_number(point.n)})"
    return text


DATA_COLUMNS = (("group", "Group"), ("measure", "Measure"), ("value", "Value"), ("unit", "Unit"),
                ("n", "n"), ("denominator", "Out of"), ("period", "Period"))
NUMERIC = {"value", "n", "denominator"}


@dataclass(frozen=True)
class DataTable:
    columns: list[tuple[str, str]]
    """(field, heading) of the columns whose values vary from row to row."""
    rows: list[list[str]]
    constants: list[tuple[str, str]]
    """(heading, value) of columns that hold one value on every row, stated once above the table."""


def data_table(data: list[DataPoint]) -> DataTable:
    """The finding's numbers as a table without repeated or empty columns."""
    cells = {name: [_cell(point, name) for point in data] for name, _ in DATA_COLUMNS}
    columns, constants = [], []
    for name, heading in DATA_COLUMNS:
        values = cells[name]
        if all(v == "" for v in values):
            continue
        if len(data) > 1 and len(set(values)) == 1 and name not in NUMERIC:
            constants.append((heading, values[0]))
        else:
            columns.append((name, heading))
    rows = [[cells[name][i] or "—" for name, _ in columns] for i in range(len(data))]
    return DataTable(columns=columns, rows=rows, constants=constants)


def _cell(point: DataPoint, name: str) -> str:
    value = getattr(point, name)
    if value is None:
        return ""
    return _number(value) if name in NUMERIC else str(value)


def chartable_groups(data: list[DataPoint]) -> list[tuple[str, list[DataPoint]]]:
    """Points grouped by unit, keeping groups worth drawing: two or more bars, or a percentage."""
    by_unit: dict[str, list[DataPoint]] = {}
    for point in data:
        by_unit.setdefault(point.unit, []).append(point)
    return [(unit, points) for unit, points in by_unit.items()
            if len(points) >= 2 or unit == "percent" or points[0].denominator]


def charts(data: list[DataPoint], chart_id: str) -> list[Chart]:
    return [_chart(unit, points, f"{chart_id}-{index}")
            for index, (unit, points) in enumerate(chartable_groups(data), start=1)]


def _scale_max(unit: str, points: list[DataPoint]) -> float:
    if unit == "percent" and all(0 <= p.value <= 100 for p in points):
        return 100.0
    denominators = [p.denominator for p in points if p.denominator]
    if len(points) == 1 and denominators:
        return max(denominators[0], points[0].value)
    return max((abs(p.value) for p in points), default=0.0) or 1.0


def _chart(unit: str, points: list[DataPoint], chart_id: str) -> Chart:
    title = _title(unit, points)
    labels = _labels(points)
    values = [_value_text(p) for p in points]
    description = "Bar chart. " + "; ".join(f"{label}: {value}" for label, value in zip(labels, values)) + "."
    top = _scale_max(unit, points)
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = TOP + len(points) * (BAR_HEIGHT + GAP) + BOTTOM
    esc = lambda text: html.escape(text, quote=True)  # noqa: E731 - local shorthand
    parts = [
        f'<svg class="gpce-chart__svg" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'font-size="12" font-family="sans-serif" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{esc(title)}</title>',
        f'<desc id="{chart_id}-desc">{esc(description)}</desc>',
    ]
    for index, (point, label, value) in enumerate(zip(points, labels, values)):
        y = TOP + index * (BAR_HEIGHT + GAP)
        width = max(0.0, min(1.0, abs(point.value) / top)) * plot
        lines = _wrap(label)
        first_y = y + BAR_HEIGHT / 2 + 4 - (len(lines) - 1) * 7
        spans = "".join(f'<tspan x="{LABEL_WIDTH - 8}" y="{first_y + i * 14:.0f}">{esc(line)}</tspan>'
                        for i, line in enumerate(lines))
        parts.append(f'<g><title>{esc(label)}: {esc(value)}</title>'
                     f'<text class="gpce-chart__label" text-anchor="end">{spans}</text>'
                     f'<rect class="gpce-chart__bar" fill="#3949ab" x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" '
                     f'height="{BAR_HEIGHT}"/>'
                     f'<text class="gpce-chart__value" x="{LABEL_WIDTH + width + 6:.1f}" '
                     f'y="{y + BAR_HEIGHT / 2 + 4:.0f}">{esc(value)}</text></g>')
    axis_y = TOP + len(points) * (BAR_HEIGHT + GAP)
    parts.append(f'<line class="gpce-chart__axis" x1="{LABEL_WIDTH}" y1="{TOP - 4}" x2="{LABEL_WIDTH}" '
                 f'y2="{axis_y}"/>')
    parts.append(f'<text class="gpce-chart__scale" x="{LABEL_WIDTH}" y="{axis_y + 16}">0</text>'
                 f'<text class="gpce-chart__scale" x="{LABEL_WIDTH + plot}" y="{axis_y + 16}" '
                 f'text-anchor="end">{esc(_number(top) + ("%" if unit == "percent" else ""))}</text>')
    parts.append("</svg>")
    return Chart(title=title, description=description, svg="".join(parts))
