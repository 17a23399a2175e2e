"""Vendor folders through the real ingest assets: records in the partition of their own day, with
lineage; rejects quarantined; a file's counts booked once; new or changed files and those whose days meet
the window parsed, each once per run; re-downloaded reports and generic events win over older vendor
rows; unknown folders fail."""

import dataclasses
import json
from datetime import date
from pathlib import Path

import dagster as dg
import pyarrow.parquet as pq
import pytest

from orchestration.definitions import defs
from orchestration.defs.ingest.assets import ingest_assets
from orchestration.defs.ingest.connectors import registry
from orchestration.lib import lake
from orchestration.lib.journal import Journal
from orchestration.lib.workspace import Workspace
from tests.conftest import resources_of

FORMATS = Path(__file__).resolve().parents[2] / "fixtures" / "vendor_formats"
MARCH_2 = 1772409600000  # 2026-03-02T00:00:00Z in epoch milliseconds (Cursor's unit)
AMAZON_Q = "usage/amazon_q_user_activity/AWSLogs/111122223333/QDeveloperLogs/by_user_analytic/us-east-1"

# landing file -> (sample, [(text in the sample, replacement)]): the samples moved to the tiny landing's days
VENDOR_LANDING = {
    "deployments/github_deployment_status/deployment_status_2026-03-03.json": (
        "github_deployment_status_webhook.json",
        [("2019-05-15", "2026-03-02")],
    ),
    "deployments/github_rest/list.json": ("github_deployments_list.json", [("2012-07-20", "2026-03-03")]),
    "deployments/github_rest/list_statuses.json": (
        "github_deployment_statuses_list.json",
        [("2012-07-20", "2026-03-03"), ("/deployments/42", "/deployments/1")],
    ),
    "licences/github_copilot_seats/seats_2026-03-02.json": ("github_copilot_seats.json", []),
    "licences/cursor_team_members/cursor_team_members_2026-03-02.json": ("cursor_team_members.json", []),
    "usage/github_copilot_users_1_day/users_1_day_2026-03-02.ndjson": (
        "github_copilot_usage_metrics_users_1_day.ndjson",
        [("2025-10-01", "2026-03-02")],
    ),
    "usage/claude_code_analytics/claude_code_2026-03-03.json": (
        "claude_code_analytics.json",
        [("2025-10-14", "2026-03-03")],
    ),
    "usage/cursor_daily_usage/daily_usage.json": ("cursor_daily_usage_data.json", [("1711756800000", str(MARCH_2))]),
    f"{AMAZON_Q}/2026/03/03/00/111122223333_by_user_analytic_1.csv": (
        "amazon_q_user_activity.csv",
        [
            ('d7a0-9051-70f3-2b44-8d0a5e6f1c72",04-17-2025', 'd7a0-9051-70f3-2b44-8d0a5e6f1c72",03-04-2026'),
            ("04-17-2025", "03-03-2026"),
        ],
    ),
    "surveys/qualtrics/nps_q1.csv": ("qualtrics_nps_survey_export.csv", []),
}


@pytest.fixture
def vendor_workspace(tiny_workspace: Workspace) -> Workspace:
    """The tiny landing plus one file per vendor folder (the public samples, moved to its days)."""
    for relative, (sample, replacements) in VENDOR_LANDING.items():
        text = (FORMATS / sample).read_text(encoding="utf-8")
        for old, new in replacements:
            assert old in text, (sample, old)
            text = text.replace(old, new)
        target = tiny_workspace.landing / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return tiny_workspace


def materialize_days(workspace: Workspace, first: str, last: str) -> dg.ExecuteInProcessResult:
    """Ingest the days and keep the lake changes, as a run that goes on to publish does (a run that does
    not publish is rolled back by the next one)."""
    result = dg.materialize(
        ingest_assets,
        instance=dg.DagsterInstance.ephemeral(),
        tags={"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last},
        resources=resources_of(workspace),
    )
    Journal(workspace.lake, result.run_id).commit()
    return result


def rows(workspace: Workspace, entity: str, partition: str, root: str = "raw") -> list[dict]:
    path = getattr(workspace, root) / entity / partition / "data.parquet"
    return pq.read_table(path).to_pylist() if path.exists() else []


def stats(workspace: Workspace, entity: str, partition: str) -> dict:
    return json.loads((workspace.lake / "stats" / entity / f"{partition}.json").read_text())


def test_vendor_records_land_in_the_partition_of_their_own_day(vendor_workspace):
    assert materialize_days(vendor_workspace, "2026-03-02", "2026-03-03").success
    deployed = {row["deployment_id"]: row for row in rows(vendor_workspace, "deployments", "day=2026-03-02")}
    assert set(deployed) == {"d1", "145988746"}  # generic + the webhook of a file dated the day after
    webhook = deployed["145988746"]
    assert webhook["service"] == "Codertocat/Hello-World" and webhook["triggered_by"] == "Codertocat"
    assert webhook["_source_file"] == "deployments/github_deployment_status/deployment_status_2026-03-03.json"
    assert webhook["_source_line"] == 1 and len(webhook["_record_hash"]) == 32
    [rest] = rows(vendor_workspace, "deployments", "day=2026-03-03")
    assert (rest["deployment_id"], rest["service"], rest["_source_file"]) == (
        "1",
        "octocat/example",
        "deployments/github_rest/list.json",
    )

    march_2 = rows(vendor_workspace, "tool_activity", "day=2026-03-02")
    by_tool = {(row["tool"], row["identity"], row["activity_type"]): row for row in march_2}
    copilot = by_tool[("github_copilot", "login1", "suggestion_shown")]
    assert copilot["activity_count"] == 1 and copilot["identity_type"] == "login"
    assert copilot["_source_file"] == "usage/github_copilot_users_1_day/users_1_day_2026-03-02.ndjson"
    assert copilot["peak_events_per_minute"] is None and copilot["first_at"] is None
    cursor = by_tool[("cursor", "lee.chen@example.org", "interaction")]
    assert cursor["activity_count"] == 139 + 55 + 11 + 51 + 137 + 44 + 23 + 109  # both rows of one user-day
    assert cursor["_source_file"] == "usage/cursor_daily_usage/daily_usage.json"
    assert ("cursor", "ana@example.com", "interaction") in by_tool  # the generic event row is still there
    march_3 = rows(vendor_workspace, "tool_activity", "day=2026-03-03")
    assert {row["tool"] for row in march_3} == {"internal_chat", "claude_code", "amazon_q"}
    claude = {row["activity_type"]: row["activity_count"] for row in march_3 if row["tool"] == "claude_code"}
    assert claude == {"interaction": 5, "code_edit_accepted": 54, "commit_created": 10, "pull_request_created": 3}
    amazon_q = {row["identity"] for row in march_3 if row["tool"] == "amazon_q"}
    assert amazon_q == {"90676d5b-e061-70a4-f79e-2f8e0ee4c9f7", "a4c8f1e2-30b1-7094-5d2e-6b1f0c9a8e31"}


def test_a_record_goes_to_its_own_day_whatever_its_file_is_named(vendor_workspace):
    """A file name is a hint at best: the Amazon Q file under 2026/03/03 holds a record of 03-04."""
    assert materialize_days(vendor_workspace, "2026-03-02", "2026-03-04").success
    amazon_q = f"{AMAZON_Q}/2026/03/03/00/111122223333_by_user_analytic_1.csv"
    later = {
        (row["_source_file"], row["_source_line"])
        for row in rows(vendor_workspace, "tool_activity", "day=2026-03-04")
        if row["tool"] == "amazon_q"
    }
    assert later == {(amazon_q, 4)}
    assert not rows(vendor_workspace, "tool_activity", "day=2026-03-03", root="quarantine")
    # a file's counts are booked to the day of its earliest record: the Amazon Q file's 3 rows and the
    # Claude page's 1 to 2026-03-03, the undated Cursor file's 2 rows to 2026-03-02
    march_3 = stats(vendor_workspace, "tool_activity", "day=2026-03-03")
    assert (march_3["records_read"], march_3["quarantined"]) == (1 + 3 + 1, 0)
    assert march_3["records_read"] == march_3["accepted"] + march_3["quarantined"]
    march_2 = stats(vendor_workspace, "tool_activity", "day=2026-03-02")
    assert (march_2["records_read"], march_2["accepted"]) == (2 + 1 + 2, 4)  # generic 2 (1 bad), Copilot 1, Cursor 2
    # the webhook file dated 2026-03-03 holds a record of 03-02: both its record and its count are there
    assert stats(vendor_workspace, "deployments", "day=2026-03-02")["records_read"] == 2 + 1
    # the REST statuses file has no record of its own: booked to the day of its list's record
    deployments_3 = stats(vendor_workspace, "deployments", "day=2026-03-03")
    assert deployments_3["records_read"] == 0 + 1 + 1  # empty generic file, REST list and statuses
    assert deployments_3["files"] == 3 and deployments_3["quarantined"] == 0


def test_snapshot_vendor_files_join_their_entity(vendor_workspace):
    assert materialize_days(vendor_workspace, "2026-03-02", "2026-03-02").success
    grants = rows(vendor_workspace, "licence_grants", "snapshot")
    assert {(row["tool"], row["identity"]) for row in grants} == {
        ("cursor", "ana@example.com"),
        ("github_copilot", "octocat"),
        ("github_copilot", "octokitten"),
        ("cursor", "lee.chen@example.org"),
        ("cursor", "rosa.diaz@example.org"),
    }
    seat = next(row for row in grants if row["identity"] == "octocat")
    assert seat["_source_file"] == "licences/github_copilot_seats/seats_2026-03-02.json" and seat["_source_line"] == 1
    responses = rows(vendor_workspace, "survey_responses", "snapshot")
    assert {row["response_id"] for row in responses} >= {"r1", "R_1aBcDeFgHiJkLmN"}
    # a partial response is excluded by definition, kept with its reason, never counted as quarantined
    partial = rows(vendor_workspace, "survey_responses", "snapshot", "excluded")
    assert [(row["source_file"], row["reason"]) for row in partial] == [
        ("surveys/qualtrics/nps_q1.csv", "partial response")
    ]
    counts = stats(vendor_workspace, "survey_responses", "snapshot")
    assert (counts["quarantined"], counts["excluded"], counts["excluded_by_reason"]) == (0, 1, {"partial response": 1})
    assert counts["records_read"] == counts["accepted"] + counts["excluded"] == len(responses) + len(partial)


def test_the_latest_report_and_generic_events_win_over_older_vendor_rows(vendor_workspace):
    folder = vendor_workspace.landing / "usage" / "github_copilot_users_1_day"
    original = (folder / "users_1_day_2026-03-02.ndjson").read_text()
    again = original.replace('"code_generation_activity_count": 1', '"code_generation_activity_count": 7')
    (folder / "users_1_day_2026-03-02.redownload.ndjson").write_text(again)
    ana = {"date": MARCH_2, "email": "ana@example.com", "isActive": True, "chatRequests": 40}
    ana |= dict.fromkeys(("composerRequests", "agentRequests", "cmdkUsages", "totalTabsShown"), 0)
    ana |= dict.fromkeys(("totalTabsAccepted", "totalAccepts"), 0)
    (vendor_workspace.landing / "usage" / "cursor_daily_usage" / "ana_2026-03-02.json").write_text(
        json.dumps({"data": [ana]})
    )
    assert materialize_days(vendor_workspace, "2026-03-02", "2026-03-02").success
    march_2 = rows(vendor_workspace, "tool_activity", "day=2026-03-02")
    copilot = [row for row in march_2 if row["tool"] == "github_copilot"]
    assert {row["_source_file"] for row in copilot} == {
        "usage/github_copilot_users_1_day/users_1_day_2026-03-02.redownload.ndjson"
    }
    assert next(row["activity_count"] for row in copilot if row["activity_type"] == "suggestion_shown") == 7
    [ana_cursor] = [row for row in march_2 if row["identity"] == "ana@example.com" and row["tool"] == "cursor"]
    assert ana_cursor["activity_count"] == 1 and ana_cursor["_source_file"] == "usage/2026-03-02.ndjson"
    assert stats(vendor_workspace, "tool_activity", "day=2026-03-02")["duplicates"] == 2 + 1  # Copilot 2, Cursor 1


def test_a_run_reads_new_files_and_those_whose_days_meet_its_window_each_once(vendor_workspace, monkeypatch):
    folder = "usage/github_copilot_users_1_day"
    calls: list[str] = []
    fmt = registry.VENDOR_FORMATS[folder]

    def counting(data: bytes, source_file: str):
        calls.append(source_file)
        return fmt.parse(data, source_file)

    def counting_files(files: dict[str, bytes]):
        return {name: counting(data, name) for name, data in files.items()}

    monkeypatch.setitem(
        registry.VENDOR_FORMATS, folder, dataclasses.replace(fmt, parse=counting, parse_files=counting_files)
    )
    report = f"{folder}/users_1_day_2026-03-02.ndjson"
    assert materialize_days(vendor_workspace, "2026-03-01", "2026-03-03").success
    assert calls == [report]  # new: read once, though three days of the window look at it

    calls.clear()
    assert materialize_days(vendor_workspace, "2026-03-03", "2026-03-03").success
    assert calls == []  # unchanged, and its records are of 03-02 only: not read again
    assert materialize_days(vendor_workspace, "2026-03-02", "2026-03-02").success
    assert calls == [report]  # unchanged, but its day is in the window: read to rebuild that partition

    calls.clear()
    (vendor_workspace.landing / report).touch()  # a new modification time, the same content
    assert materialize_days(vendor_workspace, "2026-03-03", "2026-03-03").success
    assert calls == []

    # a new file is read whatever its name says: an unreadable one fails the run, dated in July or not
    (vendor_workspace.landing / folder / "users_1_day_2026-07-01.ndjson").write_text("not json at all\n")
    with pytest.raises(dg.Failure, match=rf"{folder}/users_1_day_2026-07-01.ndjson: cannot be read"):
        materialize_days(vendor_workspace, "2026-03-02", "2026-03-02")


@pytest.mark.parametrize("folder", ["usage/copilot_old", "teams/archive", "usage/cursor_daily_usage/older"])
def test_an_unknown_folder_fails_naming_the_supported_formats(tiny_workspace, folder):
    (tiny_workspace.landing / folder).mkdir(parents=True)
    (tiny_workspace.landing / folder / "report.json").write_text("{}")
    with pytest.raises(dg.Failure, match=rf"no vendor format reads landing/{folder}/: supported vendor folders are"):
        materialize_days(tiny_workspace, "2026-03-02", "2026-03-02")


def test_a_day_with_only_vendor_files_is_not_silent(vendor_workspace):
    (vendor_workspace.landing / "usage" / "2026-03-03.ndjson").unlink()
    assert materialize_days(vendor_workspace, "2026-03-03", "2026-03-03").success
    assert {row["tool"] for row in rows(vendor_workspace, "tool_activity", "day=2026-03-03")} == {
        "claude_code",
        "amazon_q",
    }
    assert lake.read_stats(vendor_workspace.lake, "tool_activity", date(2026, 3, 3))["files"] == 2


def test_the_sensor_requests_the_days_inside_an_undated_vendor_export(vendor_workspace):
    """A Cursor range export names no day: the sensor reads its records for the days a run must cover."""
    sensor = defs.resolve_sensor_def("landing_files_sensor")
    resources = resources_of(vendor_workspace)
    with dg.build_sensor_context(cursor=None, instance=dg.DagsterInstance.ephemeral(), resources=resources) as context:
        seen = sensor(context).cursor
    feb_20, feb_23 = 1771545600000, 1771804800000  # epoch milliseconds
    text = (FORMATS / "cursor_daily_usage_data.json").read_text(encoding="utf-8")
    text = text.replace("1711756800000", str(feb_20), 1).replace("1711756800000", str(feb_23), 1)
    (vendor_workspace.landing / "usage" / "cursor_daily_usage" / "range_export.json").write_text(text)
    with dg.build_sensor_context(cursor=seen, instance=dg.DagsterInstance.ephemeral(), resources=resources) as context:
        [request] = sensor(context).run_requests
    assert request.tags["dagster/asset_partition_range_start"] == "2026-02-20"
    assert request.tags["dagster/asset_partition_range_end"] >= "2026-02-23"
