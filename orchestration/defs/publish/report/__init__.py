"""The static HTML report of a publication, under published/report/, rewritten on every publication.

queries (read the release) -> model (pick periods, group, rank) -> charts (static SVG) -> render (templates).
Offline: inline CSS, SVG and one small inline search script; nothing is fetched. A null (suppressed or not
computable) shows as "suppressed" or "–", never as 0, and every number is a published column.
"""

from orchestration.defs.publish.report.queries import ReportData, read_report_data
from orchestration.defs.publish.report.render import render_pages, render_report, write_report

__all__ = ["ReportData", "read_report_data", "render_pages", "render_report", "write_report"]
