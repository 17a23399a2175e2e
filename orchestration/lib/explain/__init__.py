"""`aaw explain`: one published number, its definition, its inputs and the raw records behind it.

Reads the analyst's copy, <workdir>/warehouse.duckdb, read-only (the facts with their lineage columns
`_source_file` / `_source_line` live there, not in published/). The published value, when there is a
publication, is read from published/current/marts.duckdb so the two can be compared. Definitions come from
the dbt docs of the mart column (models/marts/**.yml with the doc blocks of models/docs/*.md): one definition
per metric, the one BI users read.

explain() returns an Explanation (pure data); render_text() turns it into what the CLI prints. The modules:
records (what an answer is), definitions (from the dbt docs), queries (small helpers), team and tool (the
explainers of each mart), workdir (choosing one, over a work folder), render (the text).
"""

from orchestration.lib.explain.definitions import column_definition
from orchestration.lib.explain.queries import parse_month, parse_week, week_of
from orchestration.lib.explain.records import METRICS, TEAM_METRICS, TOOL_METRICS, ExplainError, Explanation, RecordSet
from orchestration.lib.explain.render import render_text
from orchestration.lib.explain.workdir import explain, explain_workdir

__all__ = [
    "METRICS",
    "TEAM_METRICS",
    "TOOL_METRICS",
    "ExplainError",
    "Explanation",
    "RecordSet",
    "column_definition",
    "explain",
    "explain_workdir",
    "parse_month",
    "parse_week",
    "render_text",
    "week_of",
]
