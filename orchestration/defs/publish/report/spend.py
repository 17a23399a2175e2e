"""What the report says about cost: per tool, the headline month's spend and cost per outcome and their course over
the months; per org, the sprawl of the headline month with the consolidation candidates named. Every number is a
published column of mart_tool_spend_monthly or mart_tool_sprawl_monthly."""

from dataclasses import dataclass

from orchestration.defs.publish.report import charts
from orchestration.defs.publish.report.queries import ReportData


@dataclass(frozen=True)
class SpendView:
    month: object  # the headline month (the tools section's)
    tools: list[dict]  # mart_tool_spend_monthly rows of the month
    orgs: list[dict]  # mart_tool_sprawl_monthly org rows of the month, then the company row
    charts: dict[str, str]


def spend_view(data: ReportData, month: object) -> SpendView:
    complete = [row for row in data.tool_spend_months if row["is_complete"]]
    tools = len({row["tool"] for row in data.tool_spend_months})
    sprawl = [row for row in data.sprawl_months if row["month_start"] == month]
    return SpendView(
        month=month,
        tools=[row for row in data.tool_spend_months if row["month_start"] == month],
        orgs=sorted(sprawl, key=lambda row: (row["scope"] == "company", str(row["scope_id"]).lower())),
        charts={
            "total_cost": charts.lines(
                complete,
                "month_start",
                "total_cost",
                "tool",
                f"Cost per month (seats + usage, USD), all {tools} tools, complete months",
                "USD",
                ",.0f",
                empty_message="no complete month in the data yet (–)",
            ),
            "cost_per_active_user": charts.lines(
                complete,
                "month_start",
                "cost_per_active_user",
                "tool",
                "Cost per monthly active engineer (USD), complete months; tools below the minimum group size left out",
                "USD per engineer",
                ",.0f",
                empty_message="no complete month in the data yet (–)",
            ),
        },
    )
