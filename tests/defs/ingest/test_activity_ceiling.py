"""A per-activity-type ceiling (activity_types.csv max_per_day, overridable in landing/reference/) quarantines
a usage record no person could produce in a day: one event with quantity 1,000,000,000 published a team's VDE
as 1,000,000,018 with a green run."""

import json
from pathlib import Path

import dagster as dg
import pyarrow.parquet as pq
import pytest

from orchestration.lib.workspace import SEEDS_DIR, Workspace
from tests.conftest import ingest_day

FORMATS = Path(__file__).resolve().parents[2] / "fixtures" / "vendor_formats"
HUGE = 1_000_000_000


def quarantined(workspace: Workspace, day: str) -> list[dict]:
    path = workspace.quarantine / "tool_activity" / f"day={day}" / "data.parquet"
    return pq.read_table(path).to_pylist() if path.exists() else []


def activity(workspace: Workspace, day: str) -> list[tuple[str, int]]:
    table = pq.read_table(workspace.raw / "tool_activity" / f"day={day}" / "data.parquet")
    return sorted((row["activity_type"], row["activity_count"]) for row in table.to_pylist())


@pytest.fixture
def inflated(tiny_workspace: Workspace) -> Workspace:
    event = {
        "event_id": "e9",
        "occurred_at": "2026-03-03T11:00:00Z",
        "identity": "bo@example.com",
        "tool": "cursor",
        "event_type": "suggestion_accepted",
        "quantity": HUGE,
    }
    with (tiny_workspace.landing / "usage" / "2026-03-03.ndjson").open("a") as usage:
        usage.write(json.dumps(event) + "\n")
    return tiny_workspace


def override(workspace: Workspace, transform) -> None:
    lines = (SEEDS_DIR / "activity_types.csv").read_text().splitlines()
    target = workspace.landing / "reference" / "activity_types.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(transform(lines)) + "\n")


def test_an_event_above_its_types_ceiling_is_quarantined_with_the_reason(inflated):
    assert ingest_day(inflated, "2026-03-03").success
    [reject] = quarantined(inflated, "2026-03-03")
    assert (reject["source_file"], reject["source_line"]) == ("usage/2026-03-03.ndjson", 2)
    assert reject["reason"].startswith("suggestion_accepted count 1,000,000,000 is above its ceiling of 20,000")
    assert activity(inflated, "2026-03-03") == [("interaction", 1)]


def test_an_override_raises_the_ceiling(inflated):
    override(inflated, lambda lines: [line.replace(",20000", ",2000000000") for line in lines])
    assert ingest_day(inflated, "2026-03-03").success
    assert quarantined(inflated, "2026-03-03") == []
    assert activity(inflated, "2026-03-03") == [("interaction", 1), ("suggestion_accepted", HUGE)]


def test_an_override_written_before_the_column_keeps_the_shipped_ceilings(inflated):
    override(inflated, lambda lines: [line.rsplit(",", 1)[0] for line in lines])
    assert ingest_day(inflated, "2026-03-03").success
    [reject] = quarantined(inflated, "2026-03-03")
    assert "above its ceiling of 20,000" in reject["reason"]


def test_a_ceiling_that_is_not_a_positive_number_fails_naming_the_line(inflated):
    override(inflated, lambda lines: [line.replace(",20000", ",lots", 1) for line in lines])
    with pytest.raises(dg.Failure, match=r"landing/reference/activity_types.csv line 4: max_per_day of "):
        ingest_day(inflated, "2026-03-03")


def test_a_vendor_daily_count_above_the_ceiling_is_quarantined(tiny_workspace):
    report = json.loads((FORMATS / "github_copilot_usage_metrics_users_1_day.ndjson").read_text())
    report |= {"day": "2026-03-03", "user_initiated_interaction_count": HUGE}
    target = tiny_workspace.landing / "usage" / "github_copilot_users_1_day" / "users_1_day_2026-03-03.ndjson"
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps(report) + "\n")
    assert ingest_day(tiny_workspace, "2026-03-03").success
    reasons = {
        (row["source_file"], row["reason"].split(" is above")[0]) for row in quarantined(tiny_workspace, "2026-03-03")
    }
    assert (target.relative_to(tiny_workspace.landing).as_posix(), f"interaction count {HUGE:,}") in reasons
    stats = json.loads((tiny_workspace.lake / "stats" / "tool_activity" / "day=2026-03-03.json").read_text())
    assert stats["records_read"] == stats["accepted"] + stats["quarantined"] + stats["excluded"]


def test_an_override_that_is_not_utf8_fails_naming_the_file(inflated):
    target = inflated.landing / "reference" / "activity_types.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes((SEEDS_DIR / "activity_types.csv").read_bytes().replace(b"passive", b"passiv\xe9"))
    with pytest.raises(dg.Failure, match=r"landing/reference/activity_types.csv: cannot be read as UTF-8 CSV"):
        ingest_day(inflated, "2026-03-03")
