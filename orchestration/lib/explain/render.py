"""An Explanation as the text the command line prints."""

import textwrap

from orchestration.lib.explain.queries import number
from orchestration.lib.explain.records import Explanation, RecordSet


def _table(record_set: RecordSet, limit: int | None) -> list[str]:
    shown = record_set.rows if limit is None else record_set.rows[:limit]
    cells = [[str(column) for column in record_set.columns]] + [
        ["–" if value is None else str(value) for value in row] for row in shown
    ]
    widths = [max(len(row[index]) for row in cells) for index in range(len(record_set.columns))]
    lines = [f"{record_set.title}: {len(record_set.rows)}"]
    if record_set.rows:
        lines += [
            "  " + "  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)).rstrip()
            for row in cells
        ]
    else:
        lines.append("  (none)")
    if len(shown) < len(record_set.rows):
        lines.append(f"  ... {len(record_set.rows) - len(shown)} more (--limit 0 shows all)")
    return lines


def render_text(explanation: Explanation, limit: int | None = 50) -> str:
    grain = ", ".join(f"{name} {value}" for name, value in explanation.grain.items())
    lines = [
        f"{explanation.metric}  ({grain})",
        "",
        f"Definition ({explanation.mart}.{explanation.metric}):",
        *textwrap.wrap(explanation.definition, 100, initial_indent="  ", subsequent_indent="  "),
        "",
        f"Value in the warehouse (analyst's copy): {number(explanation.value)}",
    ]
    if explanation.published_release:
        lines.append(
            f"Published value (release {explanation.published_release}): {number(explanation.published_value)}"
        )
    else:
        lines.append("Published value: no publication yet")
    if explanation.inputs:
        lines += ["", "Inputs:"]
        width = max(len(name) for name, _ in explanation.inputs)
        lines += [f"  {name.ljust(width)}  {number(value)}" for name, value in explanation.inputs]
    if explanation.formula:
        lines.append(f"  = {explanation.formula}")
    for record_set in explanation.record_sets:
        lines += ["", *_table(record_set, limit)]
    if explanation.notes:
        lines += ["", "Notes:", *(f"  - {note}" for note in explanation.notes)]
    return "\n".join(lines) + "\n"
