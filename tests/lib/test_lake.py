"""Every lake write and delete goes through the run's journal: rolled back, the lake is byte-identical."""

from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from orchestration.lib import lake
from orchestration.lib.contracts.records import Reject
from orchestration.lib.journal import Journal
from orchestration.lib.lake_fs import LakePath
from tests.conftest import tree_digest

MONDAY, TUESDAY = date(2026, 3, 2), date(2026, 3, 3)
LOADED_AT = lake.utc_now()


def teams(name: str) -> pa.Table:
    record = {"team_id": "team-a", "team_name": name, "org": "Payments", "parent_org": "Commerce", "velocity_target": 3}
    return lake.canonical_table("teams", [{**record, "_source_file": "teams/teams.csv", "_source_line": 2}])


def reject(reason: str) -> list[Reject]:
    return [Reject("teams/teams.csv", 3, reason, "team-b;Beta")]


def write_day(root: Path, day: date | None, name: str, rejects: list[Reject], run_id: str) -> None:
    """What an ingest asset writes for one partition: records, quarantine, stats."""
    lake.write_partition(root / "raw", "teams", day, teams(name), run_id, LOADED_AT)
    lake.write_quarantine(root / "quarantine", "teams", day, rejects, run_id, LOADED_AT)
    lake.write_stats(root, "teams", day, {"read": 1 + len(rejects)}, run_id)


@pytest.fixture
def published_lake(tmp_path: Path) -> Path:
    """A lake two days and a snapshot deep, written by a run that published."""
    root = tmp_path / "lake"
    publish_lake(root)
    return root


def publish_lake(root: LakePath) -> None:
    for day in (MONDAY, TUESDAY, None):
        write_day(root, day, "Alpha", reject("bad header"), "published-run")
    lake.write_reference(root / "raw", "tools", teams("as a reference"), "published-run")
    Journal(root, "published-run").commit()


def change_lake(root: LakePath, run: str) -> None:
    """Every kind of lake change a run makes: replace, add and remove partitions, quarantine and references."""
    write_day(root, MONDAY, "Alpha renamed", [], run)  # replaced partition and stats, quarantine removed
    write_day(root, date(2026, 3, 4), "Alpha", reject("new"), run)  # a new day
    lake.remove_partition(root / "raw", root / "quarantine", "teams", TUESDAY, run)
    lake.remove_stale_partitions(root / "raw", root / "quarantine", "teams", set(), run)
    lake.write_reference(root / "raw", "tools", teams("overridden"), run)
    lake.write_reference(root / "raw", "activity_types", teams("a new override"), run)


def test_a_rolled_back_run_leaves_every_lake_file_as_it_was(published_lake: Path):
    before = tree_digest(published_lake)
    run = "failed-run"
    change_lake(published_lake, run)
    assert not any((published_lake / "raw" / "teams").iterdir())
    assert (published_lake / ".journal" / run).is_dir()

    Journal(published_lake, run).rollback()
    assert tree_digest(published_lake) == before


def test_keys_matching_are_the_wanted_keys_of_the_other_days_within_the_radius(tmp_path: Path):
    root = tmp_path / "lake"
    for offset in (-8, -7, 0, 7, 8):
        day = date.fromordinal(MONDAY.toordinal() + offset)
        keys = pa.table({"event_id": [f"e{offset}", "shared"], "note": [f"from {day}", f"shared on {day}"]})
        lake.write_keys(root, "tool_activity", day, keys, "run")

    wanted = pa.array(["shared", "e-7", "e8", "absent"])
    found = lake.read_keys_matching(root, "tool_activity", MONDAY, 7, "event_id", wanted).to_pylist()

    assert sorted((row["day"], row["event_id"], row["note"]) for row in found) == [
        (date(2026, 2, 23), "e-7", "from 2026-02-23"),
        (date(2026, 2, 23), "shared", "shared on 2026-02-23"),
        (date(2026, 3, 9), "shared", "shared on 2026-03-09"),
    ]
    assert lake.read_keys_matching(tmp_path / "empty", "tool_activity", MONDAY, 7, "event_id", wanted) is None
