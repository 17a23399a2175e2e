"""Did AI adoption move delivery: staggered difference-in-differences over the team-week panel.

panel (the team-weeks and cohorts as the warehouse publishes them) -> estimate (Callaway and Sant'Anna through
csdid, and the naive before/after beside it) -> rows of mart_ai_impact. No Dagster here: the asset that writes
the estimates and the validation tests call the same `estimate_impact`.
"""

from orchestration.lib.impact.estimate import (
    ESTIMATE_COLUMNS,
    EVENT_WEEKS,
    OUTCOMES,
    ImpactSettings,
    estimate_impact,
)

__all__ = ["ESTIMATE_COLUMNS", "EVENT_WEEKS", "OUTCOMES", "ImpactSettings", "estimate_impact"]
