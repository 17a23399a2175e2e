"""An event_id delivered on two days counts once, on the day of its earlier occurred_at, whatever order the
days are ingested in and whichever days are rerun; each run names both files. It was counted twice."""

import json
import tempfile
from datetime import date
from pathlib import Path

import dagster as dg
import pyarrow.parquet as pq
from hypothesis import given, settings
from hypothesis import strategies as st

from orchestration.defs.ingest.assets import ingest_assets
from orchestration.defs.ingest.connectors.generic import parse_usage_events
from orchestration.lib import lake
from orchestration.lib.journal import Journal
from tests.conftest import resources_of
from tests.defs.ingest.generic_inputs import CATALOGUE, NOW

DAYS = (date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4))


def event(event_id: str, day: date, minute: int) -> str:
    return json.dumps(
        {
            "event_id": event_id,
            "occurred_at": f"{day.isoformat()}T10:{minute:02d}:00Z",
            "identity": "ana@example.com",
            "tool": "cursor",
            "event_type": "interaction",
        }
    )


class Lake:
    """The per-day state ingest keeps: each day's rolled-up count, and the keys of its events in a lake folder,
    found again as the daily asset finds them (lake.read_keys_matching)."""

    def __init__(self, files: dict[date, bytes], root: Path):
        self.files = files
        self.root = root
        self.counts: dict[date, int] = {}

    def ingest(self, day: date) -> list:
        usage = parse_usage_events(
            [(f"usage/{day}.ndjson", self.files[day])],
            day,
            CATALOGUE,
            NOW,
            lambda event_ids: lake.read_keys_matching(self.root, "tool_activity", day, 7, "event_id", event_ids),
        )
        lake.write_keys(self.root, "tool_activity", day, usage.keys, "run")
        self.counts[day] = sum(usage.activity.column("activity_count").to_pylist())
        return usage.repeated

    def ingest_following_hints(self, order: list[date]) -> None:
        pending = list(order)
        while pending:
            for repeated in self.ingest(pending.pop(0)):
                if repeated.counts_here and repeated.counted_there:
                    pending.append(repeated.there_day)


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(
    placements=st.lists(st.sets(st.sampled_from(range(3)), min_size=1), min_size=1, max_size=6),
    orders=st.lists(st.lists(st.sampled_from(range(3)), min_size=1, max_size=5), min_size=2, max_size=3),
)
def test_each_event_counts_once_whatever_the_order_of_days(placements, orders):
    lines: dict[date, list[str]] = {day: [] for day in DAYS}
    for number, days in enumerate(placements):
        for index in days:
            lines[DAYS[index]].append(event(f"e{number}", DAYS[index], number))
    files = {day: ("\n".join(found) + "\n" if found else "").encode() for day, found in lines.items()}
    outcomes = []
    for order in orders:
        with tempfile.TemporaryDirectory() as folder:
            ingested = Lake(files, Path(folder))
            ingested.ingest_following_hints([DAYS[index] for index in range(3)] + [DAYS[index] for index in order])
        outcomes.append(ingested.counts)
        expected = {day: sum(1 for days in placements if DAYS[min(days)] == day) for day in DAYS}
        assert ingested.counts == expected, "each event counts once, on the earliest day that delivers it"
    assert all(outcome == outcomes[0] for outcome in outcomes), "the same counts whatever the order"


def test_a_run_names_both_files_of_an_event_delivered_on_two_days(tiny_workspace):
    resend = event("e1", date(2026, 3, 3), 30)  # e1 is also in usage/2026-03-02.ndjson, at 10:00 on the 2nd
    with (tiny_workspace.landing / "usage" / "2026-03-03.ndjson").open("a") as usage:
        usage.write(resend + "\n")
    instance = dg.DagsterInstance.ephemeral()

    def run(day: str) -> dg.ExecuteInProcessResult:
        result = dg.materialize(
            ingest_assets, partition_key=day, instance=instance, resources=resources_of(tiny_workspace)
        )
        Journal(tiny_workspace.lake, result.run_id).commit()
        return result

    run("2026-03-02")
    result = run("2026-03-03")
    warnings = [
        entry.user_message for entry in instance.all_logs(result.run_id) if "event_id 'e1'" in entry.user_message
    ]
    assert warnings == [
        "tool_activity 2026-03-03: event_id 'e1' is delivered by usage/2026-03-03.ndjson:2 and by "
        "usage/2026-03-02.ndjson:1: one event counts once, the delivery with the earlier occurred_at; "
        "it counts on 2026-03-02, not here"
    ]
    day = pq.read_table(tiny_workspace.raw / "tool_activity" / "day=2026-03-03" / "data.parquet").to_pylist()
    assert [(row["identity"], row["activity_count"]) for row in day] == [("Bo@Example.com", 1)]
