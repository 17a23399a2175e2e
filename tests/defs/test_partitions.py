"""The daily partitions start at the data's first day, so the UI counts no missing day before it."""

from datetime import date
from pathlib import Path

import pytest

from orchestration.defs.partitions import EARLIEST_DAY, first_partition_day
from orchestration.lib.landing_files import DEMO_FIRST_DAY


def _landing(root: Path, *files: str) -> Path:
    for relative in files:
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text("")
    return root


def test_the_partitions_start_at_the_first_day_of_the_landing_daily_files(tmp_path: Path):
    landing = _landing(
        tmp_path / "landing",
        "roster/roster_2025-06-01.csv",  # a snapshot's date never makes a day of data
        "usage/2026-02-03.ndjson",
        "deployments/2026-02-02.ndjson",
        "usage/amazon_q_user_activity/2026/02/01/report.csv",
    )
    assert first_partition_day({"AAW_LANDING": str(landing)}) == date(2026, 2, 1)
    assert first_partition_day({"AAW_WORKDIR": str(tmp_path)}) == date(2026, 2, 1)


def test_the_variable_overrides_the_data_and_a_bad_value_is_named(tmp_path: Path):
    landing = _landing(tmp_path / "landing", "usage/2026-02-03.ndjson")
    assert first_partition_day({"AAW_LANDING": str(landing), "AAW_FIRST_DAY": "2024-12-30"}) == date(2024, 12, 30)
    with pytest.raises(ValueError, match="AAW_FIRST_DAY='yesterday' is not a day: write it as YYYY-MM-DD"):
        first_partition_day({"AAW_FIRST_DAY": "yesterday"})


def test_without_data_the_partitions_start_at_the_demo_first_day(tmp_path: Path):
    assert first_partition_day({"AAW_LANDING": str(tmp_path / "nowhere")}) == DEMO_FIRST_DAY


def test_a_process_naming_no_landing_folder_runs_windows_of_any_landing():
    assert first_partition_day({}) == EARLIEST_DAY
