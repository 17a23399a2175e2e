"""Ingest assets on a tiny landing: partitions written with lineage, rejects quarantined, reruns identical."""

from datetime import date

import dagster as dg
import pyarrow.parquet as pq
import pytest

from orchestration.defs.ingest.assets import ingest_assets
from orchestration.lib import lake
from orchestration.lib.journal import Journal
from orchestration.lib.status import left_out_lines
from tests.conftest import ingest_day, resources_of, run_isolated

LOAD_COLUMNS = ["_load_id", "_loaded_at"]


def metadata_of(result: dg.ExecuteInProcessResult, *key: str) -> dict:
    [event] = [e for e in result.get_asset_materialization_events() if e.asset_key == dg.AssetKey(list(key))]
    return {name: value.value for name, value in event.materialization.metadata.items()}


def test_a_day_is_ingested_with_lineage_and_quarantine(tiny_workspace):
    result = ingest_day(tiny_workspace, "2026-03-02")
    assert result.success
    deployments = pq.read_table(tiny_workspace.raw / "deployments" / "day=2026-03-02" / "data.parquet").to_pylist()
    assert [row["deployment_id"] for row in deployments] == ["d1"]
    assert deployments[0]["_source_file"] == "deployments/2026-03-02.ndjson"
    assert deployments[0]["_source_line"] == 1 and len(deployments[0]["_record_hash"]) == 32
    quarantined = pq.read_table(tiny_workspace.quarantine / "deployments" / "day=2026-03-02" / "data.parquet")
    [reject] = quarantined.to_pylist()
    assert (reject["source_file"], reject["source_line"]) == ("deployments/2026-03-02.ndjson", 2)
    assert reject["reason"].startswith("unknown status 'shipped'")
    deployed = metadata_of(result, "raw", "deployments")
    assert (deployed["records_read"], deployed["accepted"], deployed["quarantined"]) == (2, 1, 1)
    usage = metadata_of(result, "raw", "tool_activity")
    assert (usage["records_read"], usage["accepted"], usage["quarantined"]) == (2, 1, 1)
    roster = metadata_of(result, "raw", "roster")
    assert roster["records_read"] == roster["accepted"] + roster["quarantined"] == 3


def test_rerunning_a_partition_leaves_identical_output(tiny_workspace):
    assert ingest_day(tiny_workspace, "2026-03-02").success
    paths = sorted(tiny_workspace.lake.rglob("*.parquet"))
    first = {path: without_load_columns(path) for path in paths if "reference" not in path.parts}
    assert ingest_day(tiny_workspace, "2026-03-02").success
    assert sorted(tiny_workspace.lake.rglob("*.parquet")) == paths
    for path, table in first.items():
        assert without_load_columns(path).equals(table), path


def without_load_columns(path):
    table = pq.read_table(path)
    return table.drop_columns([name for name in LOAD_COLUMNS if name in table.column_names])


def test_a_day_without_a_file_is_silence_not_zero(tiny_workspace):
    (tiny_workspace.landing / "usage" / "2026-03-03.ndjson").unlink()
    assert ingest_day(tiny_workspace, "2026-03-03").success
    assert not (tiny_workspace.raw / "tool_activity" / "day=2026-03-03").exists()
    assert (tiny_workspace.raw / "deployments" / "day=2026-03-03" / "data.parquet").exists()  # empty file = zero


def test_an_unreadable_file_fails_its_partition_naming_the_file(tiny_workspace):
    (tiny_workspace.landing / "teams" / "teams.csv").write_text("team,name\nteam-a,Alpha\n")
    with pytest.raises(dg.Failure, match=r"teams/teams.csv: cannot be read: expected a CSV header"):
        ingest_day(tiny_workspace, "2026-03-02")


ROSTER_HEADER = "engineer_id,email,github_login,full_name,team_id,manager_email,role,is_engineer\n"


def test_a_day_split_over_two_roster_files_is_their_union(tiny_workspace):
    """A second file of the same day used to replace the first: its engineers vanished from every headcount."""
    (tiny_workspace.landing / "roster" / "roster_2026-03-02.part2.csv").write_text(
        ROSTER_HEADER
        + "eng-4,cy@example.com,cy-gh,Cy C,team-a,mia@example.com,engineer,true\n"
        + "eng-1,ana@example.com,ana-gh,Ana A,team-a,mia@example.com,engineer,true\n"  # repeated as it was
    )
    result = ingest_day(tiny_workspace, "2026-03-02")
    assert result.success
    roster = pq.read_table(tiny_workspace.raw / "roster" / "day=2026-03-02" / "data.parquet").to_pylist()
    assert sorted(row["engineer_id"] for row in roster) == ["eng-1", "eng-2", "eng-3", "eng-4"]
    counts = metadata_of(result, "raw", "roster")
    assert (counts["records_read"], counts["accepted"], counts["duplicates"]) == (5, 5, 1)


def test_a_run_reads_the_roster_snapshots_of_its_window_and_the_new_or_changed_ones(tiny_workspace):
    """Every snapshot was parsed again by every run: a nightly run's time grew with the weeks of roster history."""
    roster = tiny_workspace.landing / "roster"
    (roster / "roster_2026-03-09.csv").write_text(
        ROSTER_HEADER + "eng-1,ana@example.com,ana-gh,Ana A,team-a,mia@example.com,engineer,true\n"
    )

    def partition(day: str) -> list[str]:
        path = tiny_workspace.raw / "roster" / f"day={day}" / "data.parquet"
        return sorted(row["engineer_id"] for row in pq.read_table(path).to_pylist()) if path.exists() else []

    def ingested(day: str) -> dict:
        result = ingest_day(tiny_workspace, day)
        Journal(tiny_workspace.lake, result.run_id).commit()
        return metadata_of(result, "raw", "roster")

    first = ingested("2026-03-02")
    assert (first["records_read"], first["unchanged_snapshot_days"]) == (4, 0)
    assert partition("2026-03-09") == ["eng-1"]
    # another day: both snapshots are outside its window and unchanged
    nightly = ingested("2026-03-03")
    assert (nightly["records_read"], nightly["unchanged_snapshot_days"]) == (0, 2)
    # a snapshot changed outside the window is read again, and only it
    (roster / "roster_2026-03-09.csv").write_text(
        ROSTER_HEADER
        + "eng-1,ana@example.com,ana-gh,Ana A,team-a,mia@example.com,engineer,true\n"
        + "eng-4,cy@example.com,cy-gh,Cy C,team-a,mia@example.com,engineer,true\n"
    )
    changed = ingested("2026-03-03")
    assert (changed["records_read"], changed["unchanged_snapshot_days"]) == (2, 1)
    assert partition("2026-03-09") == ["eng-1", "eng-4"]
    # so is a new file of a stored day, and a removed snapshot's partition goes
    (roster / "roster_2026-03-02.part2.csv").write_text(
        ROSTER_HEADER + "eng-5,di@example.com,di-gh,Di D,team-a,mia@example.com,engineer,true\n"
    )
    (roster / "roster_2026-03-09.csv").unlink()
    assert ingested("2026-03-03")["unchanged_snapshot_days"] == 0
    assert partition("2026-03-02") == ["eng-1", "eng-2", "eng-3", "eng-5"] and partition("2026-03-09") == []
    # a snapshot in the window is read again even when unchanged, as a day's files are
    assert ingested("2026-03-02")["records_read"] == 4


def test_an_engineer_listed_differently_by_two_files_of_a_day_fails_naming_both(tiny_workspace):
    (tiny_workspace.landing / "roster" / "roster_2026-03-02.part2.csv").write_text(
        ROSTER_HEADER + "eng-2,bo@example.com,bo-gh,Bo B,team-b,mia@example.com,engineer,true\n"
    )
    with pytest.raises(dg.Failure, match=r"lists eng-2 differently from roster/roster_2026-03-02.csv line 3"):
        ingest_day(tiny_workspace, "2026-03-02")


@pytest.mark.parametrize(
    ("relative", "message"),
    [
        (
            "roster/roster_2026-02-30.csv",
            r"roster/roster_2026-02-30.csv: cannot be read: .*\(2026-02-30 is not a date\)",
        ),
        ("usage/2026-02-30.ndjson", r"landing/usage/ holds file\(s\) no day reads: usage/2026-02-30.ndjson"),
        ("deployments/2026-03-02.csv", r"no day reads: deployments/2026-03-02.csv"),
        ("usage/events.ndjson", r"no day reads: usage/events.ndjson"),
    ],
)
def test_a_landing_file_no_day_would_read_fails_naming_it(tiny_workspace, relative, message):
    """Such files were skipped without a word (or a mistyped date crashed the roster with a traceback)."""
    path = tiny_workspace.landing / relative
    path.write_text(ROSTER_HEADER if relative.startswith("roster") else "")
    with pytest.raises(dg.Failure, match=message):
        ingest_day(tiny_workspace, "2026-03-02")


def test_a_header_only_roster_snapshot_fails_naming_it(tiny_workspace):
    """It used to be skipped without a word: the previous snapshot held on and every headcount moved."""
    (tiny_workspace.landing / "roster" / "roster_2026-03-03.csv").write_text(ROSTER_HEADER)
    message = r"roster/roster_2026-03-03.csv: cannot be read: .*holds the header and no row"
    with pytest.raises(dg.Failure, match=message):
        ingest_day(tiny_workspace, "2026-03-03")
    assert not (tiny_workspace.raw / "roster" / "day=2026-03-03").exists()


def test_a_deployment_delivered_on_two_days_is_named_with_both_files(tiny_workspace):
    """Its two reports were resolved by load order (rerunning a day moved production deploys and CFR) and
    nothing said so; the warehouse now keeps the later report by its data and the run names both files."""
    (tiny_workspace.landing / "deployments" / "2026-03-03.ndjson").write_text(
        '{"deployment_id":"d1","service":"checkout","environment":"production","commit_sha":"abc",'
        '"status":"rolled_back","deployed_at":"2026-03-03T09:00:00Z"}\n'
    )
    instance = dg.DagsterInstance.ephemeral()
    resources = resources_of(tiny_workspace)
    first = dg.materialize(ingest_assets, partition_key="2026-03-02", instance=instance, resources=resources)
    assert metadata_of(first, "raw", "deployments")["repeated_keys"] == 0
    Journal(tiny_workspace.lake, first.run_id).commit()  # kept, as a run that publishes keeps its lake
    second = dg.materialize(ingest_assets, partition_key="2026-03-03", instance=instance, resources=resources)
    assert metadata_of(second, "raw", "deployments")["repeated_keys"] == 1
    [warning] = [
        entry.user_message
        for entry in instance.all_logs(second.run_id)
        if "is delivered 2 times" in (entry.user_message or "")
    ]
    assert "'d1'" in warning
    assert "deployments/2026-03-02.ndjson:1" in warning and "deployments/2026-03-03.ndjson:1" in warning


def test_resends_saved_as_jsonl_or_json_are_read_as_ndjson(tiny_workspace):
    """`usage/<day>.part2.jsonl` and `deployments/<day>.part2.json` were never read, and nothing said so."""
    (tiny_workspace.landing / "usage" / "2026-03-03.part2.jsonl").write_text(
        '{"event_id":"e4","occurred_at":"2026-03-03T11:00:00Z","identity":"ana@example.com",'
        '"tool":"cursor","event_type":"interaction"}\n'
    )
    (tiny_workspace.landing / "deployments" / "2026-03-03.part2.json").write_text(
        '{"deployment_id":"d3","service":"checkout","environment":"production","commit_sha":"abe",'
        '"status":"success","deployed_at":"2026-03-03T10:00:00Z"}\n'
    )
    result = ingest_day(tiny_workspace, "2026-03-03")
    assert result.success
    deployments = pq.read_table(tiny_workspace.raw / "deployments" / "day=2026-03-03" / "data.parquet").to_pylist()
    assert [(row["deployment_id"], row["_source_file"]) for row in deployments] == [
        ("d3", "deployments/2026-03-03.part2.json")
    ]
    usage = pq.read_table(tiny_workspace.raw / "tool_activity" / "day=2026-03-03" / "data.parquet").to_pylist()
    assert sorted(row["identity"] for row in usage) == ["Bo@Example.com", "ana@example.com"]
    assert metadata_of(result, "raw", "tool_activity")["files"] == 2


def test_files_a_snapshot_folder_does_not_read_are_reported_as_ignored(tiny_workspace):
    """A survey export saved as .xlsx, or a hidden file, was skipped without a word."""
    (tiny_workspace.landing / "surveys" / "wave2.xlsx").write_bytes(b"PK\x03\x04")
    (tiny_workspace.landing / "roster" / ".roster_2026-03-03.csv.swp").write_text("x")
    result = ingest_day(tiny_workspace, "2026-03-02")
    assert result.success
    left_out = lake.records_left_out(tiny_workspace.lake)
    assert left_out["survey_responses"]["ignored_files"] == {
        "surveys/wave2.xlsx": "not read: this folder's files are *.csv"
    }
    assert left_out["roster"]["ignored_files"] == {
        "roster/.roster_2026-03-03.csv.swp": "hidden file (name starts with a dot): not read"
    }
    assert "surveys/wave2.xlsx ignored (not read: this folder's files are *.csv)" in left_out_lines(left_out)
    assert "tool_activity" not in left_out or "ignored_files" not in left_out["tool_activity"]


PASSWD = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"


def test_a_link_out_of_the_landing_folder_is_refused_unread(tiny_workspace, tmp_path):
    """surveys/passwd.csv -> /etc/passwd failed as a bad CSV header, echoing root:x:0:0:... in the error."""
    secret = tmp_path / "elsewhere" / "passwd"
    secret.parent.mkdir()
    secret.write_text(PASSWD)
    (tiny_workspace.landing / "surveys" / "passwd.csv").symlink_to(secret)
    with pytest.raises(dg.Failure) as failure:
        ingest_day(tiny_workspace, "2026-03-02")
    message = str(failure.value)
    assert f"landing/surveys/passwd.csv -> {secret}" in message and "refused and not read" in message
    assert "root:x" not in message


def test_a_run_over_a_link_out_of_landing_never_prints_the_linked_file(tiny_workspace, tmp_path, capfd):
    secret = tmp_path / "elsewhere" / "passwd"
    secret.parent.mkdir()
    secret.write_text(PASSWD)
    (tiny_workspace.landing / "surveys" / "passwd.csv").symlink_to(secret)
    assert not run_isolated(tiny_workspace, date(2026, 3, 2), date(2026, 3, 3))
    printed = capfd.readouterr()
    assert "surveys/passwd.csv" in printed.out and "refused and not read" in printed.out
    assert "root:x" not in printed.out + printed.err
    assert not (tiny_workspace.published / "current").exists()
    assert not any(path.name == "data.parquet" for path in (tiny_workspace.raw / "survey_responses").rglob("*"))
