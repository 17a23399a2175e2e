"""The org pages' charts as plain SVG drawn here rather than through Vega-Lite.

A large organisation has hundreds of orgs, each with a page of four charts, redrawn every night: through
altair and vl-convert each chart costs 30 to 50 ms, over a minute of a nightly run at 350 orgs. These draw the
same three kinds (a line over periods, labelled bars, ticks on a scale) in well under a millisecond each, by
the rules of charts.py: every value given is drawn, a null is left out of a line (never drawn as 0) and
labelled "–" on a bar, and a chart without values says so. Every text is escaped.
"""

from collections.abc import Sequence
from html import escape

WIDTH = 560
LINE_HEIGHT = 200
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 30, 26  # the plot area's margins (axis labels, title)
LABEL_WIDTH = 270  # bar charts: the category names' column
BAR_ROW = 18
BLUE, RED, GREY, INK, GRID = "#4e79a7", "#b3261e", "#777", "#333", "#ddd"


def _is_null(value) -> bool:
    return value is None or value != value  # NaN is the one value unequal to itself


def _number(value: float, pattern: str) -> str:
    return format(round(value), pattern) if pattern.endswith("d") else format(value, pattern)


def _text(x: float, y: float, text: object, size: int = 11, anchor: str = "start", color: str = INK) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-family="sans-serif" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{color}">{escape(str(text))}</text>'
    )


def _title(title: str) -> str:
    return _text(0, 14, title, 13)


def _svg(height: float, parts: Sequence[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height:.0f}" '
        f'viewBox="0 0 {WIDTH} {height:.0f}" role="img">{"".join(parts)}</svg>'
    )


def empty(title: str, message: str) -> str:
    return _svg(60, [_title(title), _text(WIDTH / 2, 44, message, 13, "middle", GREY)])


def _period(value) -> str:
    return value.strftime("%d %b") if hasattr(value, "strftime") else str(value)


def line(
    rows: Sequence[dict],
    x: str,
    y: str,
    title: str,
    y_title: str,
    y_format: str = ".2f",
    y_domain: tuple[float, float] | None = None,
    empty_message: str = "no published value yet (–)",
) -> str:
    """One line over the periods in x, a dot per value; a null breaks the line instead of dropping to 0."""
    points = sorted(((row[x], None if _is_null(row.get(y)) else float(row[y])) for row in rows), key=lambda p: p[0])
    values = [value for _, value in points if value is not None]
    if not values:
        return empty(title, empty_message)
    low, high = y_domain or (min(0.0, *values), max(values))
    high = high if high > low else low + 1
    width, height = WIDTH - LEFT - RIGHT, LINE_HEIGHT - TOP - BOTTOM

    def at(index: int, value: float) -> tuple[float, float]:
        share = index / (len(points) - 1) if len(points) > 1 else 0.5
        return LEFT + width * share, TOP + height * (1 - (value - low) / (high - low))

    parts = [_title(title)]
    for tick in (low, (low + high) / 2, high):
        _, tick_y = at(0, tick)
        parts.append(f'<line x1="{LEFT}" x2="{LEFT + width}" y1="{tick_y:.1f}" y2="{tick_y:.1f}" stroke="{GRID}"/>')
        parts.append(_text(LEFT - 6, tick_y + 4, _number(tick, y_format), anchor="end", color=GREY))
    parts.append(
        _text(12, TOP + height / 2, y_title, anchor="middle", color=GREY).replace(
            "<text ", f'<text transform="rotate(-90 12 {TOP + height / 2:.1f})" ', 1
        )
    )
    last = len(points) - 1
    for index in sorted({0, last // 2, last}):
        label_x, _ = at(index, low)
        anchor = "middle" if 0 < index < last or last == 0 else ("start" if index == 0 else "end")
        parts.append(_text(label_x, LINE_HEIGHT - 8, _period(points[index][0]), anchor=anchor, color=GREY))
    run: list[tuple[float, float]] = []
    for index, (_, value) in enumerate([*points, (None, None)]):
        if value is not None:
            run.append(at(index, value))
            continue
        if len(run) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in run)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{BLUE}" stroke-width="2"/>')
        parts += [f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{BLUE}"/>' for px, py in run]
        run = []
    return _svg(LINE_HEIGHT, parts)


def bars(categories: Sequence[tuple[str, float | None]], title: str, x_title: str, value_format: str = ",d") -> str:
    """One bar per category, in the order given, labelled with its value; a null is labelled "–", not 0."""
    if not categories:
        return empty(title, "nothing published yet (–)")
    largest = max((value for _, value in categories if not _is_null(value)), default=0) or 1
    scale = (WIDTH - LABEL_WIDTH - 60) / largest
    parts = [_title(title)]
    for row, (name, value) in enumerate(categories):
        top = TOP + row * BAR_ROW
        parts.append(_text(LABEL_WIDTH - 6, top + 12, name, anchor="end"))
        length = 0.0 if _is_null(value) else max(float(value), 0.0) * scale
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{top + 2}" width="{length:.1f}" height="{BAR_ROW - 4}" fill="{BLUE}"/>'
        )
        label = "–" if _is_null(value) else _number(float(value), value_format)
        parts.append(_text(LABEL_WIDTH + length + 4, top + 12, label))
    bottom = TOP + len(categories) * BAR_ROW
    parts.append(_text(LABEL_WIDTH + (WIDTH - LABEL_WIDTH) / 2, bottom + 18, x_title, anchor="middle", color=GREY))
    return _svg(bottom + 26, parts)


def strip(rows: Sequence[dict], title: str, tiers: Sequence[float]) -> str:
    """Every team's velocity multiple as one tick (all teams of the rows), with the target tiers as rules."""
    values = [float(row["velocity_multiple"]) for row in rows if not _is_null(row.get("velocity_multiple"))]
    if not values:
        return empty(title, "no velocity multiple yet: it needs 4 weeks of data and a baseline (–)")
    high = max(*values, *tiers, 1.0) * 1.05
    width = WIDTH - LEFT - RIGHT

    def at(value: float) -> float:
        return LEFT + width * max(value, 0.0) / high

    parts = [_title(title)]
    for tier in tiers:
        parts.append(
            f'<line x1="{at(tier):.1f}" x2="{at(tier):.1f}" y1="30" y2="66" stroke="{RED}" stroke-dasharray="3,3"/>'
        )
        parts.append(_text(at(tier), 28, f"{tier:g}× tier", anchor="middle", color=RED))
    parts += [
        f'<line x1="{at(value):.1f}" x2="{at(value):.1f}" y1="38" y2="58" stroke="{BLUE}" stroke-width="2" '
        'stroke-opacity="0.7"/>'
        for value in values
    ]
    parts.append(f'<line x1="{LEFT}" x2="{LEFT + width}" y1="66" y2="66" stroke="{GRID}"/>')
    for tick in (0.0, high / 2, high):
        parts.append(_text(at(tick), 80, f"{tick:.1f}", anchor="middle", color=GREY))
    parts.append(_text(LEFT + width / 2, 96, "velocity multiple (×)", anchor="middle", color=GREY))
    return _svg(102, parts)
