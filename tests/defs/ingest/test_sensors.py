"""The landing sensor: a run key the same in every process, the days it requests, the files it never opens."""

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import dagster as dg

from orchestration.defs.ingest.sensors import days_touched, landing_files_sensor, landing_state, run_key
from tests.conftest import resources_of

CHANGED = {"usage/2026-03-02.ndjson": [120, 1772409600000000000], "teams/teams.csv": [48, 1772409600000000001]}
IN_ANOTHER_PROCESS = (
    "from datetime import date; from orchestration.defs.ingest.sensors import run_key; "
    f"print(run_key(date(2026, 3, 2), date(2026, 3, 3), {CHANGED!r}))"
)


def test_the_run_key_survives_a_daemon_restart():
    """Python's hash() is salted per process: a key built on it changed after every restart."""
    here = run_key(date(2026, 3, 2), date(2026, 3, 3), CHANGED)
    for seed in ("1", "2"):
        environ = {**os.environ, "PYTHONHASHSEED": seed}
        there = subprocess.run(
            [sys.executable, "-c", IN_ANOTHER_PROCESS], env=environ, capture_output=True, text=True, check=True
        )
        assert there.stdout.strip() == here


def test_the_run_key_changes_with_any_file_state():
    touched = {**CHANGED, "teams/teams.csv": [48, 1772409600000000002]}
    assert run_key(date(2026, 3, 2), date(2026, 3, 3), touched) != run_key(date(2026, 3, 2), date(2026, 3, 3), CHANGED)


def test_a_dated_snapshot_file_touches_a_day_of_the_daily_data_only():
    """A survey export named by its fielding date asked for a run of months without deployments."""
    known = [date(2026, 1, 5), date(2026, 1, 18)]
    assert days_touched(["surveys/nps_2025-10-01.csv"], known) == [date(2026, 1, 18)]
    assert days_touched(["roster/roster_2026-01-12.csv"], known) == [date(2026, 1, 12)]
    assert days_touched(["usage/2025-10-01.ndjson"], known) == [date(2025, 10, 1)]
    assert days_touched(["teams/teams.csv"], known) == [date(2026, 1, 18)]


def test_the_sensor_never_opens_a_link_out_of_landing_and_still_requests_its_day(tiny_workspace, tmp_path, monkeypatch):
    cursor = json.dumps(landing_state(tiny_workspace))
    secret = tmp_path / "elsewhere.json"
    secret.write_text('{"data": []}')
    folder = tiny_workspace.landing / "usage" / "cursor_daily_usage"
    folder.mkdir()
    (folder / "2026-03-03.json").symlink_to(secret)
    opened = []
    read_bytes = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: opened.append(self.resolve()) or read_bytes(self))
    resources = resources_of(tiny_workspace)
    with dg.build_sensor_context(
        cursor=cursor, instance=dg.DagsterInstance.ephemeral(), resources=resources
    ) as context:
        [request] = landing_files_sensor(context).run_requests
    assert secret not in opened
    assert request.tags["dagster/asset_partition_range_end"] == "2026-03-03"


def _requested_days(workspace, cursor: str) -> tuple[str, str]:
    with dg.build_sensor_context(
        cursor=cursor, instance=dg.DagsterInstance.ephemeral(), resources=resources_of(workspace)
    ) as context:
        [request] = landing_files_sensor(context).run_requests
    return request.tags["dagster/asset_partition_range_start"], request.tags["dagster/asset_partition_range_end"]


FIXTURES = Path(__file__).parents[2] / "fixtures"


def test_a_new_generic_pull_request_file_requests_its_own_day(tiny_workspace):
    """As a usage or deployments file does, even for a day no other file names yet."""
    cursor = json.dumps(landing_state(tiny_workspace))
    source = FIXTURES / "generic_contract" / "pull_requests"
    for path in source.glob("*.ndjson"):
        target = tiny_workspace.landing / "pull_requests" / path.name
        target.parent.mkdir(exist_ok=True)
        target.write_bytes(path.read_bytes())
        assert _requested_days(tiny_workspace, cursor) == (path.stem, path.stem)
        target.unlink()
    (tiny_workspace.landing / "pull_requests" / "2026-03-06.part2.ndjson").write_text("")
    assert _requested_days(tiny_workspace, cursor) == ("2026-03-06", "2026-03-06")


def _moved(item: dict, merged_day: str) -> dict:
    """A GitHub pull request object whose times all fall on `merged_day`."""
    moved = json.loads(json.dumps(item))
    for key in ("updated_at", "closed_at", "merged_at"):
        if moved.get(key):
            moved[key] = f"{merged_day}T{moved[key][11:]}"
    moved["created_at"] = f"{merged_day}T00:00:00Z"
    return moved


def test_an_undated_pull_request_export_requests_the_days_of_its_pull_requests(tiny_workspace):
    """GitHub webhook logs and REST pages name no day (or another one): their pull requests' days are read."""
    cursor = json.dumps(landing_state(tiny_workspace))
    payload = json.loads((FIXTURES / "vendor_formats" / "github_pull_request_webhook_closed.json").read_text())
    payload["pull_request"] = _moved(payload["pull_request"], "2026-03-05")
    webhooks = tiny_workspace.landing / "pull_requests" / "github_webhook"
    webhooks.mkdir(parents=True)
    (webhooks / "deliveries_2026-03-01.json").write_text(json.dumps(payload))
    assert _requested_days(tiny_workspace, cursor) == ("2026-03-05", "2026-03-05")

    seen = json.dumps(landing_state(tiny_workspace))
    pulls = json.loads((FIXTURES / "vendor_formats" / "github_pull_requests_list_closed.json").read_text())
    rest = tiny_workspace.landing / "pull_requests" / "github_rest"
    rest.mkdir()
    (rest / "pulls_page_1.json").write_text(
        json.dumps([_moved(pulls[0], "2026-02-27"), _moved(pulls[1], "2026-03-04")])
    )
    commits = (FIXTURES / "vendor_formats" / "github_pull_1347_commits.json").read_bytes()
    (rest / "pull_1347_commits.json").write_bytes(commits)
    assert _requested_days(tiny_workspace, seen) == ("2026-02-27", "2026-03-04")
